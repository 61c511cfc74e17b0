"""The drawing surface: a frame, its theme, its scale, and smooth-edged shapes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from builder.frames.text import Block, fit_text
from builder.geometry import Box
from builder.theme import Theme, rgb

Size = tuple[int, int]
Colour = tuple[int, int, int]
Paint = Callable[[ImageDraw.ImageDraw, int], None]  # (drawing, scale) -> None

BASE_WIDTH = 1920  # every length in the layouts is given for a frame this wide
SUPERSAMPLE = 4  # Pillow's shapes have no anti-aliasing: draw them 4x larger, then shrink
FOOTER = 120  # height of the footer band at the bottom of a 1080p frame


@dataclass
class Canvas:
    """One frame being drawn: the image, the theme and the frame's scale."""

    image: Image.Image
    theme: Theme
    language: str = ""  # of the text drawn: where a word too long for its line may break

    @property
    def unit(self) -> float:
        """Return the pixels of this frame per pixel of a 1920-wide frame."""
        return self.image.width / BASE_WIDTH

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        """Return a drawing context on the image."""
        return ImageDraw.Draw(self.image)

    def px(self, base: float) -> int:
        """Return *base* (a length on a 1920-wide frame) in this frame's pixels."""
        return max(1, round(base * self.unit))

    def colour(self, name: str) -> Colour:
        """Return the theme colour called *name* as RGB."""
        value: str = getattr(self.theme.colors, name)
        return rgb(value)

    def safe(self, bottom_reserve: float = 0.0) -> Box:
        """Return the area content may use: inside the margins, above the footer.

        *bottom_reserve* (a fraction of the height) is kept free as well.
        """
        width, height = self.image.size
        side = round(self.theme.margin * width)
        top = round(side * 0.62)
        bottom = height - self.px(FOOTER) - round(bottom_reserve * height)
        return Box(side, top, width - 2 * side, bottom - top)

    def fit(
        self,
        text: str,
        path: Path,
        sizes: tuple[float, float],
        box: tuple[int, int],
        *,
        leading: float = 1.22,
        max_lines: int = 99,
    ) -> Block:
        """Return :func:`fit_text` of *text* for this frame; *sizes* (largest, smallest) are
        1080p pixels, *box* (width, height) is in this frame's pixels."""
        largest, smallest = self.px(sizes[0]), self.px(sizes[1])
        return fit_text(
            text, path, largest, smallest, *box,
            leading=leading, max_lines=max_lines, language=self.language,
        )  # fmt: skip

    def write(self, block: Block, x: int, y: int, fill: Colour) -> int:
        """Draw *block* with its first line's top at *y*; return the y below its last line."""
        ascent = block.font.getmetrics()[0]
        for i, line in enumerate(block.lines):
            # Baseline anchoring keeps the rhythm even whatever glyphs a line contains.
            base = y + i * block.leading + ascent
            block.font.draw(self.draw, (x, base), line, fill, anchor="ls")
        return y + block.height

    def stamp(self, picture: Image.Image, x: int, y: int) -> None:
        """Paste the RGBA *picture* at (*x*, *y*) through its own transparency."""
        self.image.paste(picture.convert(self.image.mode), (x, y), picture.getchannel("A"))


def smooth(size: Size, paint: Paint) -> Image.Image:
    """Return an RGBA image of *size* painted 4x larger and shrunk, for smooth edges.

    *paint* gets the drawing and the scale to multiply its coordinates by.
    """
    big = Image.new("RGBA", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), (0, 0, 0, 0))
    paint(ImageDraw.Draw(big), SUPERSAMPLE)
    return big.resize(size, Image.Resampling.LANCZOS)


@functools.lru_cache(maxsize=16)
def round_mask(size: Size, radius: int, circle: bool = False) -> Image.Image:
    """Return an "L" mask of *size*: a rounded rectangle (or a circle), smooth-edged.

    The same image goes to every caller with the same arguments (a panel's title cards
    all have the candidate's circle): use it, never change it.
    """
    # Painted 4x larger as a mask alone, not as an RGBA picture whose alpha is kept: the
    # same pixels (resizing RGBA resizes its alpha on its own), a quarter of the work. A
    # photo's mask is nearly frame-sized, and this was the largest cost of drawing it.
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    box = (0, 0, size[0] * SUPERSAMPLE - 1, size[1] * SUPERSAMPLE - 1)
    if circle:
        draw.ellipse(box, fill=255)
    else:
        draw.rounded_rectangle(box, radius=radius * SUPERSAMPLE, fill=255)
    return big.resize(size, Image.Resampling.LANCZOS)


def mix(a: Colour, b: Colour, t: float) -> Colour:
    """Return colour *a* moved a fraction *t* towards *b*."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )
