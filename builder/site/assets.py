"""What the page carries inside itself: the stylesheet, the theme's fonts and the images."""

from __future__ import annotations

import base64
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PIL import __version__ as PIL_VERSION  # Pillow itself loads when an image is re-encoded

from builder import cache
from builder.errors import MediaError, ThemeError
from builder.fonts import FALLBACK_FAMILY
from builder.glyphs import capitals, fallback_for, font_chars, runs
from builder.images import MAX_BYTES, MAX_PIXELS, open_image
from builder.storyboard import ImageRef
from builder.theme import THEMES_DIR, Theme, contrast

if TYPE_CHECKING:
    from PIL import Image

AREA = "site"  # the cache area of the cut-down fonts and re-encoded images
SHARED_DIR = THEMES_DIR / "_site"  # the templates and CSS every theme shares
SPARE = FALLBACK_FAMILY  # the CSS families of the fallback faces: "Noto Sans Heading", ...
_FAMILY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,47}$")
# Characters every page may need whatever its text: ASCII, Latin-1, dashes, quotes, arrows.
_BASE_CHARS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2027), 0x2030, 0x2039, 0x203A]
) | {0x20AC, 0x2190, 0x2192, 0x2197}


@dataclass(frozen=True)
class InlineImage:
    """An image re-encoded into a ``data:`` URI, with its pixel size for layout."""

    src: str
    width: int
    height: int
    alt: str


def site_dirs(theme: Theme) -> list[Path]:
    """Return the template folders for *theme*: its own ``site/`` first, then the shared set."""
    own = theme.folder / "site"
    return [own, SHARED_DIR] if own.is_dir() else [SHARED_DIR]


def stylesheet(theme: Theme, text: str) -> str:
    """Return the page's whole CSS: fonts as data URIs, palette variables, shared and theme CSS.

    *text* is every character the page shows, so the embedded fonts can be cut down to them.
    """
    parts = [_font_faces(theme, text), _variables(theme), (SHARED_DIR / "site.css").read_text()]
    own = theme.folder / "site" / "theme.css"
    if own.is_file():
        parts.append(own.read_text(encoding="utf-8"))
    css = "\n".join(parts)
    # The CSS goes into a <style> element verbatim; a closing tag would end it early.
    if "</" in css:
        raise ThemeError(f"{theme.name}: site CSS must not contain '</'")
    return css


def palette(theme: Theme) -> dict[str, str]:
    """Return the theme's colours as CSS variable values (name without ``--``), the ones
    every page of ours uses: the microsite and the preview."""
    c = theme.colors
    return {
        "bg": c.background,
        "surface": c.surface,
        "text": c.text,
        "muted": c.muted,
        "accent": c.accent,
        "on-accent": c.on_accent,
        # Links and labels in the accent colour must stay readable on both page colours.
        "accent-ink": readable(c.accent, (c.background, c.surface), c.text),
        "accent-soft": mix(c.accent, c.background, 0.14),
        "line": mix(c.text, c.background, 0.16),
    }


def _variables(theme: Theme) -> str:
    values = {
        **palette(theme),
        # The fallback faces (present only when the page needs them) come before the
        # system's fonts, so the page draws what the theme's font lacks as the deck does.
        "font-heading": f'"{_family(theme.heading.family)} Heading", "{SPARE} Heading", '
        "system-ui, sans-serif",
        "font-body": f'"{_family(theme.body.family)} Text", "{SPARE} Text", system-ui, sans-serif',
        "gutter": f"clamp(1.25rem, {theme.margin * 100:.1f}vw, 4.5rem)",
    }
    lines = "".join(f"--{name}:{value};" for name, value in values.items())
    return f":root{{{lines}color-scheme:{theme.mode};}}"


def _family(name: str) -> str:
    # The family name is written into CSS inside quotes: keep it to plain words.
    if not _FAMILY.match(name):
        raise ThemeError(f"font family '{name}' must be letters, digits, spaces or hyphens")
    return name


def _font_faces(theme: Theme, text: str) -> str:
    # Labels shown in capitals by the CSS need the capitals' glyphs too (ÿ -> Ÿ).
    every = text + capitals(text)
    shown = frozenset(ord(ch) for ch in every if ch.isprintable())
    faces = (
        (theme.heading.family, "Heading", 700, theme.heading.regular),
        (theme.heading.family, "Heading", 800, theme.heading.bold),
        (theme.body.family, "Text", 400, theme.body.regular),
        (theme.body.family, "Text", 700, theme.body.bold),
    )
    rules = []
    for family, role, weight, file in faces:
        rules.append(_face_rule(f"{family} {role}", weight, file, shown - _BASE_CHARS))
        # What this face lacks comes from the fallback font at the nearest weight, the
        # same file the frames and the deck's PDF draw it with; a letter with an accent
        # the face lacks goes there whole, as in the other outputs.
        lacking = _lacking(every, file)
        if lacking:
            rules.append(_face_rule(f"{SPARE} {role}", weight, fallback_for(file), lacking, True))
    return "\n".join(rules)


def _lacking(text: str, file: Path) -> frozenset[int]:
    """Return the printable characters of *text* the fallback font draws instead of *file*."""
    spare = "".join(run for run, fallback in runs(text, font_chars(file)) if fallback)
    return frozenset(ord(ch) for ch in spare if ch.isprintable())


def _face_rule(
    family: str, weight: int, file: Path, chars: frozenset[int], only: bool = False
) -> str:
    mime, fmt, data = _font_data(file, chars, only)
    return (
        f'@font-face{{font-family:"{_family(family)}";font-weight:{weight};'
        f"font-style:normal;font-display:swap;"
        f'src:url(data:{mime};base64,{data}) format("{fmt}");}}'
    )


@functools.lru_cache(maxsize=32)
def _font_data(file: Path, extra: frozenset[int], only: bool = False) -> tuple[str, str, str]:
    """Return (MIME type, CSS format, base64 data) of *file*, subset when fontTools is there.

    The subset keeps the characters every page may need and *extra*, or only *extra*. It is
    made once and then read from the cache (see :mod:`builder.site.cache`).
    """
    try:
        from fontTools import version
    except ImportError:  # optional: without it the whole TrueType file travels
        return "font/ttf", "truetype", base64.b64encode(file.read_bytes()).decode("ascii")
    raw = file.read_bytes()
    chars = sorted(extra if only else _BASE_CHARS | extra)
    # Everything the subset depends on: the font's bytes, the characters, fontTools' version
    # and our options (part of the cache's FORMAT; change it with _subset's options).
    name = cache.key(["font", version, raw, ",".join(map(str, chars))]) + ".woff"
    data = cache.remembered(AREA, name, lambda: _subset(raw, chars), lambda b: b[:4] == b"wOFF")
    return "font/woff", "woff", base64.b64encode(data).decode("ascii")


def _subset(raw: bytes, chars: list[int]) -> bytes:
    """Return the WOFF font *raw* (a TrueType file) cut down to *chars*."""
    from fontTools import subset  # 0.1 s to import: only when the cache has no answer

    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed; WOFF2 would need brotli as well
    options.layout_features = ["*"]  # keep kerning and ligatures
    options.name_IDs = ["*"]  # keep the copyright and licence names the OFL asks for
    options.notdef_outline = True
    font = subset.load_font(io.BytesIO(raw), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def inline_image(ref: ImageRef, folder: Path, max_side: int, square: bool = False) -> InlineImage:
    """Return *ref* scaled to fit *max_side* (or cropped square) as a metadata-free data URI.

    Raises :class:`MediaError` naming the pitch field when the file lies outside *folder*
    (the pitch's folder) or is not a usable image. The re-encoded image is cached under a
    hash of the file's bytes, so an unchanged image is not decoded again.
    """
    if not ref.path.resolve().is_relative_to(folder.resolve()):
        raise MediaError(f"{ref.where}: {ref.path.name} is outside the pitch's folder")
    raw = _small_file(ref.path)
    name = cache.key(_image_key(raw, max_side, square)) + ".img" if raw is not None else None
    packed = cache.load(AREA, name, _unpack_ok) if name else None
    if packed is None:
        packed = _pack(*_encode(_fitted(open_image(ref), max_side, square)))
        # Kept only when the file did not change while it was read twice (once for the
        # key, once to decode): an entry must always match the bytes it is named after.
        if name is not None and _small_file(ref.path) == raw:
            cache.store(AREA, name, packed)
    mime, width, height, data = _unpack(packed)
    src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return InlineImage(src=src, width=width, height=height, alt=ref.alt)


def _small_file(path: Path) -> bytes | None:
    """Return the bytes of *path*, or ``None`` when it is unreadable or over the size cap
    (then :func:`open_image` raises the error that says so)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _image_key(raw: bytes, max_side: int, square: bool) -> list[bytes | str]:
    # What the re-encoded image depends on: the file, the size, the crop, Pillow's encoders
    # and the limits open_image checks (a file refused once must be refused again).
    limits = f"{max_side} {square} {MAX_PIXELS} {MAX_BYTES}"
    return ["image", PIL_VERSION, limits, raw]


def _fitted(image: Image.Image, max_side: int, square: bool) -> Image.Image:
    """Return *image* cropped square to *max_side*, or scaled down to fit it."""
    from PIL import Image, ImageOps

    if square:
        # Faces sit in the upper part of most portraits: keep more of the top when cropping.
        image = ImageOps.fit(image, (max_side, max_side), Image.Resampling.LANCZOS, 0, (0.5, 0.35))
    elif max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def _pack(mime: str, data: bytes, size: tuple[int, int]) -> bytes:
    """Return a cache entry: one header line ``MIME WIDTH HEIGHT``, then the encoded image."""
    return f"{mime} {size[0]} {size[1]}\n".encode("ascii") + data


def _unpack(packed: bytes) -> tuple[str, int, int, bytes]:
    """Return (MIME type, width, height, encoded image) from a :func:`_pack` entry."""
    header, _, data = packed.partition(b"\n")
    mime, width, height = header.decode("ascii").split(" ")
    return mime, int(width), int(height), data


def _unpack_ok(packed: bytes) -> bool:
    """Return whether *packed* is a whole entry of a PNG or a JPEG of ours."""
    try:
        mime, width, height, data = _unpack(packed)
    except ValueError:  # a damaged header: not a number, too few fields, not ASCII
        return False
    magic = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}.get(mime)
    return magic is not None and data.startswith(magic) and width > 0 and height > 0


def _encode(image: Image.Image) -> tuple[str, bytes, tuple[int, int]]:
    """Return (MIME type, encoded bytes, size) of *image* as PNG or JPEG, no metadata."""
    if image.mode == "RGBA":
        alpha = cast(tuple[int, int], image.getchannel("A").getextrema())
        if alpha[0] < 255:
            return "image/png", _save(image, "PNG", compress_level=6), image.size
        image = image.convert("RGB")
    # Screenshots and diagrams have few colours and stay sharp as PNG; photos go to JPEG.
    if image.getcolors(maxcolors=1024) is not None:
        return "image/png", _save(image, "PNG", compress_level=6), image.size
    jpeg = _save(image, "JPEG", quality=85, progressive=True, optimize=True)
    return "image/jpeg", jpeg, image.size


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def mix(colour: str, other: str, amount: float) -> str:
    """Return *colour* blended with *other*: ``amount`` of *colour*, the rest of *other*."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    blend = (round(x * amount + y * (1 - amount)) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{v:02X}" for v in blend)


def readable(colour: str, backgrounds: tuple[str, ...], towards: str, ratio: float = 4.5) -> str:
    """Return *colour*, moved towards *towards* just enough to reach *ratio* on every background."""
    for step in range(21):
        candidate = mix(towards, colour, step / 20)
        if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return towards
