"""Which characters the outputs can draw, which font draws each, and one way to write capitals.

Every output draws a character with the theme's font when that font has it, else with the
fallback font the tool ships (Noto Sans, see :mod:`builder.fonts`). What neither has, or what
no output could lay out (right-to-left, East Asian and other complex scripts, emoji), the
pitch loader and ``build check`` refuse with one message per field, so no output ever shows
a box. docs/themes.md ("Characters") says what each class of characters gets, and why.
"""

from __future__ import annotations

import io
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from builder.fonts import FALLBACK_FILES, fallback_for

if TYPE_CHECKING:
    from builder.pitch import Pitch
    from builder.theme import Theme
    from builder.yamlfile import YamlDoc

Kind = Literal["emoji", "east-asian", "right-to-left", "complex", "other"]
# Values that are never drawn (file names, settings): their characters do not matter.
UNDRAWN = frozenset(
    {"photo", "image", "recording", "captions", "theme", "language", "bucket", "expires"}
    | {"date", "address"}
)
# Always fine: line breaks and tabs become spaces or new lines before anything is drawn.
_LAYOUT = frozenset({0x09, 0x0A, 0x0D})
# Glue to the character before them. The zero-width joiner also glues a symbol after it
# (an emoji sequence, as Unicode's grapheme clusters have it); between letters or digits
# it changes nothing drawn here, and a long word may be split after it, as after ZWNJ.
_JOINERS = frozenset({0x200C, 0x200D, 0x034F})
_ZWJ = 0x200D

# Blocks of scripts that are laid out right to left, that need shaping engines and font
# slots the deck does not fill (Indic, South-East Asian), or that are East Asian: the
# .pptx names only a Western font, and the frames and the deck break lines at spaces.
Ranges = tuple[tuple[int, int], ...]
_RTL: Ranges = (
    *((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF)),
    (0x1E800, 0x1EFFF),
)
_COMPLEX: Ranges = (
    *((0x0900, 0x0DFF), (0x0E00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x18AF)),
    *((0x1900, 0x1AFF), (0x1B00, 0x1C4F), (0x1CD0, 0x1CFF), (0xA800, 0xA9FF)),
    *((0xAA00, 0xAAFF), (0x11000, 0x11FFF)),
)
_EAST_ASIAN: Ranges = (
    *((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x31FF), (0x3200, 0x4DBF)),
    *((0x4E00, 0xA4CF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF)),
    *((0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x16FE0, 0x18FFF), (0x1B000, 0x1B2FF)),
    (0x20000, 0x3FFFF),
)
_EMOJI: Ranges = (
    *((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0xFE00, 0xFE0F)),
    *((0xE0020, 0xE007F), (0x231A, 0x23FF)),
)

# Below the first code point of any range above (Hebrew, U+0590, where right-to-left
# scripts start too) every character is of kind "other": a font's map of thousands of
# Latin, Greek and Cyrillic letters need not be classed one by one.
_PLAIN_BELOW = min(low for ranges in (_RTL, _COMPLEX, _EAST_ASIAN, _EMOJI) for low, _ in ranges)

_REASONS: dict[Kind, str] = {
    "emoji": "emoji need a colour font, and LibreOffice's PDF export draws none",
    "east-asian": "the tool ships no font for Chinese, Japanese or Korean",
    "right-to-left": "the slides and the video cannot set right-to-left text",
    "complex": "the tool ships no font for this script",
    "other": "neither the theme's font nor the fallback font (Noto Sans) has it",
}
# Captions burned into a video: only the frames draw them (the deck's PDF never does).
_BURNED_REASONS: dict[Kind, str] = {
    **_REASONS,
    "emoji": "emoji need a colour font, and the video's frames are drawn without one",
}
# What to do instead: a name or a word in another script can be written in Latin letters.
_ADVICE: dict[Kind, str] = {
    "emoji": "remove {it}",
    "east-asian": "write {it} in Latin letters or remove {it}",
    "right-to-left": "write {it} in Latin letters or remove {it}",
    "complex": "write {it} in Latin letters or remove {it}",
    "other": "remove {it}",
}


def capitals(text: str) -> str:
    """Return *text* in capitals, as every output shows a label written in capitals.

    Unicode's full case mapping, which is also what CSS ``text-transform: uppercase`` does
    for English and German pages: ß becomes SS (the German rule; ẞ is the optional form,
    and Lato has no ẞ), so the deck, the frames and the page agree letter for letter.
    """
    return text.upper()


def kind(char: str) -> Kind:
    """Return the class of characters *char* belongs to, for messages and the docs."""
    point = ord(char)

    def within(ranges: Ranges) -> bool:
        return any(low <= point <= high for low, high in ranges)

    if within(_EMOJI):
        return "emoji"
    if unicodedata.bidirectional(char) in ("R", "AL") or within(_RTL):
        return "right-to-left"
    if within(_EAST_ASIAN):
        return "east-asian"
    if within(_COMPLEX):
        return "complex"
    return "other"


@lru_cache(maxsize=64)
def font_chars(path: Path) -> frozenset[int]:
    """Return the code points the font file *path* can draw in any output.

    That is its character map less the scripts no output can set (see :func:`kind`). Every
    command needs it (the pitch check), so the answer is kept in the cache under a hash of
    the font's bytes and of the classes: reading a character map costs 30-50 ms.
    """
    from builder import cache
    from builder.errors import ThemeError

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ThemeError(f"{path.name}: cannot read the font ({e.strerror})") from e
    classes = repr((_RTL, _COMPLEX, _EAST_ASIAN, _EMOJI, unicodedata.unidata_version))
    name = cache.key(["font-chars", classes, raw]) + ".chars"
    packed = cache.remembered(
        "checks", name, lambda: array("I", sorted(_drawable(raw, path))).tobytes(), _whole
    )
    return frozenset(array("I", packed))


def _whole(packed: bytes) -> bool:
    """Return whether *packed* is a cache entry of code points (whole numbers of the array)."""
    return len(packed) % array("I").itemsize == 0 and len(packed) > 0


def _drawable(raw: bytes, path: Path) -> frozenset[int]:
    """Return the code points of the font *raw* (read from *path*) any output can draw."""
    from fontTools.ttLib import TTFont

    from builder.errors import ThemeError

    try:
        with TTFont(io.BytesIO(raw), lazy=True) as font:
            mapped = font.getBestCmap() or {}
    except Exception as e:  # fontTools raises many kinds for a damaged file
        raise ThemeError(f"{path.name}: cannot read the font's character map ({e})") from e
    return frozenset(c for c in mapped if c < _PLAIN_BELOW or kind(chr(c)) in ("other", "emoji"))


def fallback_chars() -> frozenset[int]:
    """Return the code points of the fallback font (all its weights map the same ones)."""
    return font_chars(next(iter(FALLBACK_FILES.values())))


def theme_chars(theme: Theme) -> frozenset[int]:
    """Return the code points every output can draw in *theme*: those every face of the
    theme has, and the fallback font's."""
    faces = (theme.heading.regular, theme.heading.bold, theme.body.regular, theme.body.bold)
    common = frozenset.intersection(*(font_chars(f) for f in faces))
    return common | fallback_chars()


def clusters(text: str) -> Iterator[str]:
    """Yield *text* in pieces that must come from one font: a character with the combining
    marks, variation selectors and joiners that follow it."""
    piece = ""
    for char in text:
        point = ord(char)
        glue = (
            unicodedata.combining(char)
            or unicodedata.category(char) in ("Mn", "Me")
            or 0xFE00 <= point <= 0xFE0F
            or point in _JOINERS
            or (piece and ord(piece[-1]) == _ZWJ and unicodedata.category(char) == "So")
        )
        if piece and not glue:
            yield piece
            piece = ""
        piece += char
    if piece:
        yield piece


def runs(text: str, chars: frozenset[int]) -> list[tuple[str, bool]]:
    """Return *text* as runs of (text, from the fallback font), for a font that has *chars*.

    A piece goes to the fallback font only when the theme's font lacks one of its
    characters and the fallback has them all; spaces stay in the run they are in.
    """
    if text and not needs_fallback(text, chars):
        # The usual text: the font has every character, so it is one run, found without
        # walking the grapheme clusters (Unicode look-ups for every character).
        return [(text, False)]
    spare = fallback_chars()
    out: list[tuple[str, bool]] = []
    for piece in clusters(text):
        points = [ord(c) for c in piece]
        if piece.isspace() and out:
            use = out[-1][1]
        else:
            use = not all(p in chars for p in points) and all(p in spare for p in points)
        if out and out[-1][1] == use:
            out[-1] = (out[-1][0] + piece, use)
        else:
            out.append((piece, use))
    return out


def needs_fallback(text: str, chars: frozenset[int]) -> bool:
    """Return whether some character of *text* is missing from a font that has *chars*."""
    return not chars.issuperset(map(ord, text))


def missing(text: str, drawable: frozenset[int]) -> list[str]:
    """Return the distinct characters of *text* (and of its capitals) outside *drawable*."""
    found: list[str] = []
    for char in text:
        shown = {char, *capitals(char)}
        bad = any(ord(c) not in drawable and ord(c) not in _LAYOUT for c in shown)
        if bad and char not in found:
            found.append(char)
    return found


def describe(chars: list[str], reasons: dict[Kind, str] | None = None) -> str:
    """Return the message body for undrawable *chars* (one field's worth), giving the
    reason for their kind from *reasons* (default: the pitch's, for every output)."""
    shown = ", ".join(_named(c) for c in chars[:3])
    more = f" and {len(chars) - 3} more" if len(chars) > 3 else ""
    noun = "the character" if len(chars) == 1 else "the characters"
    first = kind(chars[0])
    advice = _ADVICE[first].format(it="it" if len(chars) == 1 else "them")
    return f"{noun} {shown}{more} cannot be drawn: {(reasons or _REASONS)[first]}; {advice}"


def _named(char: str) -> str:
    # An invisible character (a line separator, a format control) is named, not shown: it
    # would break the message's line or vanish in it.
    if char.isprintable():
        return f"'{char}' (U+{ord(char):04X})"
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed').lower()})"


def field_problems(fields: Iterable[tuple[str, str, str]], drawable: frozenset[int]) -> list[str]:
    """Return one message per (where, field, text) whose text has undrawable characters."""
    problems = []
    for where, field, text in fields:
        chars = missing(text, drawable)
        if chars:
            problems.append(f"{where}: {field}: {describe(chars)}")
    return problems


def pitch_chars(pitch: Pitch, theme: Theme | None = None) -> frozenset[int]:
    """Return the code points every output can draw for *pitch* in *theme* (default: the
    pitch's own); when that cannot be loaded (the build will say so), the fallback font's."""
    from builder.errors import ThemeError
    from builder.theme import load_theme

    try:
        return theme_chars(theme or load_theme(pitch.theme, relative_to=pitch.folder))
    except ThemeError:
        return fallback_chars()


def pitch_problems(pitch: Pitch, doc: YamlDoc, theme: Theme | None = None) -> list[str]:
    """Return one message per pitch field holding a character no output can draw.

    *theme* defaults to the pitch's own; when that cannot be loaded (the build will say so),
    only the fallback font's characters count as drawable.
    """
    from builder.pitch import dotted

    drawable = pitch_chars(pitch, theme)
    fields = [
        (doc.where(loc), dotted(loc), text)
        for loc, text in _strings(doc.data)
        if not any(part in UNDRAWN for part in loc if isinstance(part, str))
    ]
    # Link labels are keys, not values, and the contact card shows them too.
    fields += [
        (doc.where(loc), dotted(loc), str(loc[-1]))
        for loc in doc.positions
        if loc[:2] == ("candidate", "links") and len(loc) == 3
    ]
    return field_problems(fields, drawable)


def caption_problem(texts: Iterable[str], drawable: frozenset[int]) -> str | None:
    """Return the message body for the first caption in *texts* holding a character outside
    *drawable* (captions to be drawn into a video), or ``None`` when every one can be drawn.

    One line for the whole file: the first such caption by its words, and how many more.
    """
    bad = [(text, chars) for text in texts if (chars := missing(text, drawable))]
    if not bad:
        return None
    text, chars = bad[0]
    words = " ".join(text.split())
    shown = words if len(words) <= 40 else words[:39] + "\u2026"
    others = len(bad) - 1
    more = f" (and {others} more caption{'s' if others > 1 else ''})" if others else ""
    return (
        f'the caption "{shown}"{more}: {describe(chars, _BURNED_REASONS)}, or build '
        "without --burn-captions (players show the captions file in the viewer's own fonts)"
    )


def refuse_undrawable(pitch: Pitch, theme: Theme) -> None:
    """Raise :class:`PitchError` when *theme* (say, one chosen with ``--theme``) cannot draw
    a character of *pitch* that the pitch's own theme could."""
    from builder.errors import PitchError
    from builder.yamlfile import load_yaml

    problems = pitch_problems(pitch, load_yaml(pitch.source), theme)
    if problems:
        raise PitchError(problems)


def _strings(data: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*loc, index))


__all__ = [
    "capitals",
    "clusters",
    "fallback_chars",
    "fallback_for",
    "field_problems",
    "font_chars",
    "kind",
    "missing",
    "needs_fallback",
    "pitch_problems",
    "refuse_undrawable",
    "runs",
    "theme_chars",
]
