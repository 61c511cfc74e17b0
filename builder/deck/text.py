"""Text that fits its box: measured with the theme's real font files, shrunk, wrapped, shortened."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from builder.deck.layout import EMU_PER_PT
from builder.fitting import longest_prefix, shrink
from builder.glyphs import capitals, fallback_for, font_chars, needs_fallback, runs
from builder.hyphens import SHY

REFERENCE = 200  # measure at 200 px per em; widths scale linearly from there
WIDTH_SAFETY = 1.06  # LibreOffice and PowerPoint kern and hint a little unlike Pillow
HEIGHT_SAFETY = 1.03
MIN_LINE = 1.2  # PowerPoint never sets single-spaced lines tighter than this (em)
STEP = 0.5  # font sizes are tried in half points
ELLIPSIS = "…"


@dataclass(frozen=True)
class Para:
    """One paragraph: its words, how it is measured, and how it is written."""

    text: str
    font: Path  # the font file that renders it, for measuring
    family: str  # the family name written into the .pptx
    color: str  # #RRGGBB
    bold: bool = False
    scale: float = 1.0  # font size relative to the size the box is fitted at
    space_before: float = 0.0  # space above, as a share of this paragraph's font size
    bullet: bool = False
    caps: bool = False  # shown in capitals (written so: see ``shown``)
    tracking: float = 0.0  # extra space between letters, as a share of the font size
    link: str | None = None
    language: str = ""  # of the text: where a word too long for its line may break

    @property
    def shown(self) -> str:
        """Return the text as it appears on the slide (capitals when ``caps``).

        Capitals are written out rather than left to the renderer: LibreOffice's "all caps"
        keeps ß (and PowerPoint's might not), while the frames and the page write SS.
        """
        return capitals(self.text) if self.caps else self.text


@dataclass(frozen=True)
class Fitted:
    """Paragraphs and the size at which they fit their box."""

    paras: tuple[Para, ...]
    size: float  # points, before each paragraph's scale
    height: int  # EMU the text takes
    shortened: bool  # words had to be cut to fit, even at the smallest size

    def size_of(self, para: Para) -> float:
        """Return *para*'s font size in points, rounded to what a .pptx can store."""
        return round(self.size * para.scale, 1)


class _Face:
    """Widths and line height of one font file, measured once per word.

    Characters the font lacks are measured in the fallback font, which draws them.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._font = ImageFont.truetype(str(path), REFERENCE)
        self._chars = font_chars(path)
        ascent, descent = self._font.getmetrics()
        self.line = max((ascent + descent) / REFERENCE, MIN_LINE)
        self._widths: dict[str, float] = {}
        self.space = self.width(" ")

    def width(self, text: str) -> float:
        """Return the advance width of *text* in em."""
        found = self._widths.get(text)
        if found is None:
            found = self._widths[text] = self._measure(text)
        return found

    def _measure(self, text: str) -> float:
        if not needs_fallback(text, self._chars):
            return self._font.getlength(text) / REFERENCE
        spare = _face(fallback_for(self._path))
        return sum(
            spare.width(run) if fallback else self._font.getlength(run) / REFERENCE
            for run, fallback in runs(text, self._chars)
        )


@lru_cache(maxsize=16)
def _face(path: Path) -> _Face:
    return _Face(path)


def bullet_indent(size: float) -> float:
    """Return the hanging indent of a bulleted paragraph at *size*, in points."""
    return round(size * 1.1, 1)


def line_height(para: Para, size: float) -> float:
    """Return the height of one line of *para* at base *size*, in points."""
    return size * para.scale * _face(para.font).line * HEIGHT_SAFETY


def count_lines(para: Para, size: float, width: float) -> int:
    """Return how many lines *para* takes at base *size* in a box *width* points wide."""
    face, px = _face(para.font), size * para.scale
    available = (width - (bullet_indent(px) if para.bullet else 0.0)) / WIDTH_SAFETY
    track = para.tracking * px
    lines, used = 1, 0.0

    def measure(text: str) -> float:
        return face.width(text) * px + track * len(text)

    for word in para.shown.split():
        advance = measure(word.replace(SHY, ""))
        if used and used + (face.space * px + track) + advance <= available:
            used += face.space * px + track + advance
            continue
        if used:
            lines, used = lines + 1, 0.0
        if SHY in word and advance > available:
            # Broken at its soft hyphens, as many pieces on each line as fit with a hyphen.
            for piece in word.split(SHY):
                if used and used + measure(piece + "-") > available:
                    lines, used = lines + 1, 0.0
                used += measure(piece)
            continue
        # A word wider than the line is broken between letters, as both renderers do.
        extra = max(0, math.ceil(advance / available) - 1)
        lines, used = lines + extra, advance - extra * available
    return lines


def _whole(paras: Sequence[Para], size: float, width: float) -> bool:
    """Return whether every word of *paras* fits on a line at base *size*."""
    return not any(_too_wide(para, size, width) for para in paras)


def _too_wide(para: Para, size: float, width: float) -> list[str]:
    """Return the words of *para* wider than its line at base *size*."""
    face, px = _face(para.font), size * para.scale
    available = (width - (bullet_indent(px) if para.bullet else 0.0)) / WIDTH_SAFETY
    track = para.tracking * px

    def wide(word: str) -> bool:
        plain = word.replace(SHY, "")
        return face.width(plain) * px + track * len(plain) > available

    return [w for w in para.shown.split() if wide(w)]


def _hyphenated(para: Para, size: float, width: float) -> Para:
    """Return *para* with soft hyphens in the words too wide for its line at base *size*,
    where its language hyphenates them (LibreOffice and PowerPoint break there, with a
    hyphen, and nowhere else)."""
    wide = set(_too_wide(para, size, width))
    if not wide or not para.language or para.caps:
        return para
    from builder.hyphens import soft  # (its dictionaries load only now)

    words = [soft(w, para.language) if w in wide else w for w in para.text.split(" ")]
    return replace(para, text=" ".join(words))


def text_height(paras: Sequence[Para], size: float, width: float) -> float:
    """Return the height in points of *paras* at base *size* in a box *width* points wide."""
    total = 0.0
    for index, para in enumerate(paras):
        if index:
            total += para.space_before * size * para.scale
        total += count_lines(para, size, width) * line_height(para, size)
    return total


def fit(paras: Sequence[Para], width: int, height: int, largest: float, smallest: float) -> Fitted:
    """Return *paras* at the largest size from *largest* down to *smallest* that fits the box.

    *width* and *height* are in EMU; sizes are tried every half point. When even *smallest*
    is too big, words are cut from the end (marked with an ellipsis) until the rest fits,
    and ``shortened`` is true.
    """
    w, h = width / EMU_PER_PT, height / EMU_PER_PT

    def fits(pt: float) -> bool:
        return text_height(paras, pt, w) <= h

    # A size at which every word fits whole comes first: LibreOffice breaks a word too
    # wide for its line anywhere ("Rechtsschutzversicherungsges / ellschaften"). When none
    # does, such words get soft hyphens where their language breaks them, and LibreOffice
    # breaks there (though it draws no hyphen; PowerPoint does).
    size, fitted = shrink(
        largest, smallest, lambda pt: pt - STEP, lambda pt: fits(pt) and _whole(paras, pt, w)
    )
    if not fitted:
        paras = [_hyphenated(para, largest, w) for para in paras]
        size, fitted = shrink(largest, smallest, lambda pt: pt - STEP, fits)
    kept = list(paras) if fitted else _shorten(list(paras), smallest, w, h)
    size = size if fitted else smallest
    used = text_height(kept, size, w)
    return Fitted(tuple(kept), size, round(used * EMU_PER_PT), shortened=not fitted)


def _shorten(paras: list[Para], size: float, width: float, height: float) -> list[Para]:
    # Keep the paragraphs before the first one that no longer fits, then its words that do.
    if not paras:
        return paras
    whole = longest_prefix(len(paras) - 1, lambda n: text_height(paras[:n], size, width) <= height)
    kept, last = paras[:whole], paras[whole]
    words = last.text.split()

    def cut(count: int) -> Para:
        return replace(last, text=" ".join(words[:count]) + ELLIPSIS)

    count = longest_prefix(
        len(words), lambda n: text_height([*kept, cut(n)], size, width) <= height
    )
    return [*kept, cut(count)]
