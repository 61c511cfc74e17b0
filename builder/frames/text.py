"""Text on slides: fonts, wrapping, and shrinking until a block fits its box."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

from builder.fitting import longest_prefix, shrink
from builder.glyphs import clusters, fallback_for, font_chars, needs_fallback, runs

ELLIPSIS = "…"
SHRINK = 0.92  # each size tried is this share of the one before (in whole pixels)
Fill = tuple[int, ...]


class Face:
    """A theme font at one size, drawing what it lacks with the fallback font.

    Pillow has no font fallback of its own: without this, a character the theme's font
    lacks (Ş, Ж, ẞ in Lato) would be drawn as a box.
    """

    def __init__(self, path: Path, size: int) -> None:
        self.main = ImageFont.truetype(str(path), size)
        self.chars = font_chars(path)
        self.size = size
        self._path = path
        self._spare: ImageFont.FreeTypeFont | None = None

    @property
    def spare(self) -> ImageFont.FreeTypeFont:
        """Return the fallback font at this size (loaded when first needed)."""
        if self._spare is None:
            self._spare = ImageFont.truetype(str(fallback_for(self._path)), self.size)
        return self._spare

    def pieces(self, text: str) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """Return *text* as runs, each with the font that draws it."""
        if not needs_fallback(text, self.chars):
            return [(text, self.main)]
        return [(run, self.spare if spare else self.main) for run, spare in runs(text, self.chars)]

    def getlength(self, text: str) -> float:
        """Return the advance width of *text* in pixels."""
        if not needs_fallback(text, self.chars):  # nearly always: no runs to add up
            return self.main.getlength(text)
        return sum(face.getlength(run) for run, face in self.pieces(text))

    def getmetrics(self) -> tuple[int, int]:
        """Return the theme font's ascent and descent: lines keep its rhythm."""
        ascent, descent = self.main.getmetrics()
        return ascent, descent

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        xy: tuple[float, float],
        text: str,
        fill: Fill,
        anchor: str = "la",
    ) -> None:
        """Draw *text* at *xy* as ``ImageDraw.text`` would with *anchor* ("la", "ls", "lm",
        "mm"), each run in its own font, all on the theme font's baseline."""
        pieces = self.pieces(text)
        if len(pieces) == 1 and pieces[0][1] is self.main:
            draw.text(xy, text, font=self.main, fill=fill, anchor=anchor)
            return
        ascent, descent = self.getmetrics()
        across = {"l": 0.0, "m": self.getlength(text) / 2, "r": self.getlength(text)}
        down = {"a": ascent, "s": 0, "m": (ascent - descent) / 2, "d": -descent}
        x, y = xy[0] - across[anchor[0]], xy[1] + down[anchor[1]]
        for run, face in pieces:
            draw.text((x, y), run, font=face, fill=fill, anchor="ls")
            x += face.getlength(run)


Font = Face


@dataclass(frozen=True)
class Block:
    """Wrapped text set in one font: what was fitted into a box."""

    lines: tuple[str, ...]
    font: Font
    leading: int  # pixels from one line's top to the next

    @property
    def height(self) -> int:
        """Return the block's height in pixels (0 when it has no lines)."""
        return self.leading * len(self.lines)

    @property
    def width(self) -> int:
        """Return the width of the block's longest line in pixels."""
        return max((round(self.font.getlength(line)) for line in self.lines), default=0)


_FONTS = threading.local()


def font(path: Path, size: int) -> Face:
    """Return the TrueType font in *path* at *size* pixels, with its fallback (cached:
    loading costs ~1 ms).

    Each thread keeps its own fonts: a FreeType face must not be used by two threads at
    once, and frames are drawn on several.
    """
    cache: dict[tuple[Path, int], Face] | None = getattr(_FONTS, "cache", None)
    if cache is None:
        cache = _FONTS.cache = {}
    key = (path, size)
    if key not in cache:
        cache[key] = Face(path, size)
    return cache[key]


def fit_text(
    text: str,
    path: Path,
    size: int,
    min_size: int,
    width: int,
    height: int,
    *,
    leading: float = 1.22,
    max_lines: int = 99,
    language: str = "",
) -> Block:
    """Return *text* wrapped to *width* at the largest size from *size* down to *min_size*
    whose block fits *height*; at *min_size* the text is cut with an ellipsis instead.

    A size at which every word fits the width, or breaks where its *language* hyphenates
    it ("Straßenbahnfahrplan- / optimierung"), comes first; a word split between any two
    letters only when no size down to *min_size* avoids it.
    """

    @cache
    def setting(px: int) -> tuple[Face, int, list[str], int]:
        face, step = font(path, px), round(px * leading)
        lines = wrap(text, face, width, language)
        return face, step, lines, max(1, min(max_lines, height // step))

    def fits(px: int) -> bool:
        _, _, lines, room = setting(px)
        return len(lines) <= room

    def whole(px: int) -> bool:
        face = font(path, px)
        return fits(px) and all(face.getlength(w) <= width or _hyphenates(w, language)
                                for w in text.split())  # fmt: skip

    def smaller(px: int) -> int:
        return max(min_size, round(px * SHRINK))

    px, fitted = shrink(size, min_size, smaller, whole)
    if not fitted:
        px, _ = shrink(size, min_size, smaller, fits)
    face, step, lines, room = setting(px)
    if len(lines) > room:
        note_cut(text)
    return Block(truncate(lines, room, face, width), face, step)


def _hyphenates(word: str, language: str) -> bool:
    """Return whether *language* has a point to break *word* at (with a hyphen)."""
    if not language:
        return False
    from builder.hyphens import points

    return bool(points(word, language))


def wrap(text: str, face: Font, width: int, language: str = "") -> list[str]:
    """Return *text* broken into lines no wider than *width*: a word wider than that is
    split, where *language* hyphenates it (with a hyphen) when it is given."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            for piece in _split_word(word, face, width, language):
                trial = f"{line} {piece}" if line else piece
                if face.getlength(trial) <= width:
                    line = trial
                    continue
                if line:
                    lines.append(line)
                line = piece
        if line:
            lines.append(line)
    return lines


def _split_word(word: str, face: Font, width: int, language: str = "") -> list[str]:
    # A compound word or a URL wider than the column would overflow it: cut it up, at
    # its hyphenation points (each line but the last ending in a hyphen) where it has them.
    if face.getlength(word) <= width:
        return [word]
    if not language:
        return _between_letters(word, face, width)
    from builder.hyphens import pieces

    lines, line, parts = [], "", pieces(word, language)
    for index, part in enumerate(parts):
        trial = line + part
        shown = trial if index == len(parts) - 1 or trial.endswith("-") else trial + "-"
        if line and face.getlength(shown) > width:
            lines.append(line if line.endswith("-") else line + "-")
            trial = part
        line = trial
    lines.append(line)
    # A piece still too wide (no point falls inside it): between letters, as before.
    return [cut for each in lines for cut in _between_letters(each, face, width)]


def _between_letters(word: str, face: Font, width: int) -> list[str]:
    """Return *word* cut between letters into pieces no wider than *width*."""
    if face.getlength(word) <= width:
        return [word]
    pieces, piece = [], ""
    for char in clusters(word):  # never between a letter and its accent
        if piece and face.getlength(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


# The texts some frame had to cut with an ellipsis, in this process: the video writer
# warns about those of its storyboard (the deck warns about its own). Frames are drawn on
# several threads.
_cut_texts: set[str] = set()
_cut_lock = threading.Lock()


def note_cut(text: str) -> None:
    """Remember that *text* was cut to fit its place in a frame."""
    with _cut_lock:
        _cut_texts.add(" ".join(text.split()))


def cut_texts(texts: Iterable[str]) -> list[str]:
    """Return those of *texts* (in order, each once) that a frame had to cut."""
    with _cut_lock:
        found = [t for t in dict.fromkeys(" ".join(t.split()) for t in texts) if t in _cut_texts]
    return found


def truncate(lines: list[str], room: int, face: Font, width: int) -> tuple[str, ...]:
    """Return the first *room* of *lines*, the last one ending in an ellipsis if any were cut."""
    if len(lines) <= room:
        return tuple(lines)
    kept = lines[:room]
    last = _cut(kept[-1], lambda value: face.getlength(value) <= width)
    kept[-1] = last.rstrip(" ,;:.-") + ELLIPSIS
    return tuple(kept)


def fit_line(text: str, face: Font, width: int, tracking: int = 0) -> str:
    """Return *text* as it fits on one line of *width* (cut with an ellipsis if needed).

    *tracking* is extra space after each character, for letter-spaced labels.
    """

    def fits(value: str) -> bool:
        return face.getlength(value) + tracking * len(value) <= width

    if fits(text):
        return text
    note_cut(text)
    return _cut(text, fits).rstrip() + ELLIPSIS


def _cut(text: str, fits: Callable[[str], bool]) -> str:
    # The longest start of *text*, whole characters with their accents, that *fits* with an
    # ellipsis after it.
    pieces = list(clusters(text))
    count = longest_prefix(len(pieces), lambda n: fits("".join(pieces[:n]) + ELLIPSIS))
    return "".join(pieces[:count])
