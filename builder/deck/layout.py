"""The deck's grid: slide size, and the boxes (in EMU) slide layouts put text and pictures in."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pptx.util import Emu, Length

from builder.geometry import Box
from builder.theme import Theme

EMU_PER_INCH = 914_400
EMU_PER_PT = 12_700
SLIDE_WIDTH = 12_192_000  # 13.333 in: PowerPoint's 16:9 "Widescreen"
SLIDE_HEIGHT = 6_858_000  # 7.5 in


def inches(value: float) -> int:
    """Return *value* inches in EMU (the unit of every position in a .pptx)."""
    return round(value * EMU_PER_INCH)


def points(emu: int) -> float:
    """Return *emu* in typographic points (1/72 in), the unit of font sizes."""
    return emu / EMU_PER_PT


def xywh(box: Box) -> tuple[Length, Length, Length, Length]:
    """Return *box*'s left, top, width and height (EMU) as python-pptx lengths."""
    return Emu(box.left), Emu(box.top), Emu(box.width), Emu(box.height)


@dataclass(frozen=True)
class Grid:
    """Where things go on every slide, derived from the theme's margin.

    ``title`` and ``body`` are the largest areas a title and its text may take; a slide
    moves its body up when its title needs fewer lines.
    """

    margin: int
    width: int = SLIDE_WIDTH
    height: int = SLIDE_HEIGHT

    @classmethod
    def for_theme(cls, theme: Theme) -> Grid:
        """Return the grid whose side margins are the theme's ``margin`` share of the width."""
        return cls(margin=round(theme.margin * SLIDE_WIDTH))

    @property
    def slide(self) -> Box:
        """Return the whole slide."""
        return Box(0, 0, self.width, self.height)

    @property
    def content(self) -> Box:
        """Return the area inside the margins, above the footer."""
        top = inches(0.7)
        return Box(self.margin, top, self.width - 2 * self.margin, inches(6.55) - top)

    @property
    def kicker(self) -> Box:
        """Return the small label's line above the title."""
        return replace(self.content, height=inches(0.4))

    @property
    def title(self) -> Box:
        """Return the largest area a slide title may take (up to three lines)."""
        return replace(self.content, top=inches(1.15), height=inches(1.75))

    @property
    def body(self) -> Box:
        """Return the largest area below the title."""
        return self.content.from_top(inches(3.0))

    @property
    def gap(self) -> int:
        """Return the space between a title and the text under it."""
        return inches(0.45)

    @property
    def gutter(self) -> int:
        """Return the space between two columns."""
        return inches(0.6)

    @property
    def footer(self) -> Box:
        """Return the footer line at the bottom left."""
        return Box(self.margin, inches(6.85), round(self.content.width * 0.6), inches(0.3))

    @property
    def number(self) -> Box:
        """Return the slide number's box at the bottom right."""
        width = inches(1.2)
        return Box(self.width - self.margin - width, inches(6.85), width, inches(0.3))

    @property
    def date(self) -> Box:
        """Return the (unused) date placeholder's box, between footer and number."""
        width = inches(1.6)
        return Box(self.number.left - width - self.gutter, inches(6.85), width, inches(0.3))
