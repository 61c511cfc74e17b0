"""Safe image handling: format allow-list, pixel cap, and re-encoding without metadata."""

from __future__ import annotations

import hashlib
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import __version__ as PIL_VERSION  # the package alone: no decoder loads yet

from builder.errors import MediaError

if TYPE_CHECKING:
    from PIL import Image

    from builder.storyboard import ImageRef

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; a decompression bomb is not
# A JPEG over MAX_PIXELS (a phone's 48, 50, 108 or 200 MP mode) is decoded at a half, a
# quarter or an eighth of its size, in the decoder itself: never more than about 13 MP in
# memory, whatever the file says. Beyond this, it is a bomb or a panorama.
MAX_PHOTO_PIXELS = 200_000_000
MAX_SIDE = 2400  # larger images are scaled down: no slide or page needs more
MAX_BYTES = 30_000_000
# Decoded images kept for the next use of the same file, by path, modification time and
# size: a photo on three slides, in the deck, video, site and every panel member's copy is
# decoded once. Bounded (pixels in memory), since a build's peak memory counts.
DECODED_BYTES = 120_000_000
_DECODED: OrderedDict[tuple[str, int, int], Image.Image] = OrderedDict()
_LOCK = threading.Lock()
# Each file's metadata-free PNG (clean_image): every deck of a panel embeds the same.
CLEANED_FILES = 32
_CLEANED: dict[tuple[str, int, int], tuple[str, bytes, tuple[int, int]]] = {}


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded copy of a pitch image: pixels only, no metadata, no original name."""

    path: Path
    width: int
    height: int
    alt: str


def clean_image(ref: ImageRef, dest: Path) -> CleanImage:
    """Return a metadata-free PNG copy of *ref* written into folder *dest*.

    The copy is named after a hash of its pixels, so the original file name never travels.
    Raises :class:`MediaError` naming the pitch field when the file is not a usable image.
    """
    key = _identity(ref.path)
    with _LOCK:
        made = _CLEANED.get(key) if key else None
    if made is None:
        made = _cleaned(open_image(ref))
        if key:
            with _LOCK:
                _CLEANED[key] = made
                while len(_CLEANED) > CLEANED_FILES:  # the oldest first
                    del _CLEANED[next(iter(_CLEANED))]
    digest, data, (width, height) = made
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"img-{digest}.png"
    if not target.exists():
        target.write_bytes(data)
    return CleanImage(path=target, width=width, height=height, alt=ref.alt)


def _cleaned(image: Image.Image) -> tuple[str, bytes, tuple[int, int]]:
    """Return *image* (made at most :data:`MAX_SIDE` wide and high) as PNG: a hash of its
    pixels, the file's bytes and its size."""
    import io

    from PIL import Image

    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    digest = hashlib.sha256(image.tobytes()).hexdigest()[:16]
    data = io.BytesIO()
    image.save(data, format="PNG", optimize=False, compress_level=6)
    return digest, data.getvalue(), image.size


def _identity(path: Path) -> tuple[str, int, int] | None:
    """Return what tells this version of the file at *path* from any other (its resolved
    path, modification time and size), or None when it cannot be read."""
    try:
        stat = path.stat()
        return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None


def open_image(ref: ImageRef) -> Image.Image:
    """Return the pixels of *ref* as a fresh RGB(A) image, upright, with no metadata at all.

    Raises :class:`MediaError` naming the pitch field when the file is not a usable image.
    """
    try:
        return read_image(ref.path)
    except ValueError as e:
        raise MediaError(f"{ref.where}: {e}") from None


def check_image(path: Path) -> None:
    """Return when *path* passes :func:`read_image`'s checks; raise its ``ValueError`` if not.

    Every command checks every image of the pitch, and decoding a photo costs tens of
    milliseconds: a file that passed once (same bytes, same limits, same Pillow) is known
    to pass again, by a hash in the cache. A failure is never cached.
    """
    from builder import cache

    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError:
        raw = None  # read_image says what is wrong
    name = None
    if raw is not None:
        limits = f"{MAX_PIXELS} {MAX_PHOTO_PIXELS} {MAX_BYTES} {sorted(ALLOWED_FORMATS)}"
        name = cache.key(["image-ok", PIL_VERSION, limits, raw]) + ".ok"
        if cache.load("checks", name, lambda data: data == b"ok") is not None:
            return
    read_image(path)
    if name is not None:
        cache.store("checks", name, b"ok")


def read_image(path: Path) -> Image.Image:
    """Return the pixels of the image file *path*, upright, with no metadata at all.

    The one validation every image of a pitch passes, in ``build check`` as in the writers:
    an allow-listed format, at most :data:`MAX_BYTES` and :data:`MAX_PIXELS` (a JPEG
    :data:`MAX_PHOTO_PIXELS`, returned smaller: see :func:`_decode`), complete.
    Raises ``ValueError`` saying what is wrong with the file (its name, not the field).
    """
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ValueError(f"cannot read {path.name}: {e.strerror}") from None
    # The same file decoded before (another slide, the other outputs, the next person of
    # a panel): a copy, as every caller gets an image of its own to change.
    key = _identity(path)
    with _LOCK:
        if key is not None and key in _DECODED:
            _DECODED.move_to_end(key)
            return _DECODED[key].copy()
    if size > MAX_BYTES:
        raise ValueError(
            f"{path.name} is larger than {MAX_BYTES // 1_000_000} MB ({size / 1e6:,.1f} MB); "
            "export it smaller"
        )
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as the error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ValueError(f"{path.name} has {_pixels(e, path)}; scale it down") from None
        except _TooLarge as e:
            raise ValueError(f"{path.name} has {e}; scale it down") from None
        except UnidentifiedImageError:
            raise ValueError(f"{path.name} is not an image (use PNG, JPEG, WebP or GIF)") from None
        except (OSError, SyntaxError, ValueError) as e:
            raise ValueError(f"{path.name} is damaged or truncated: {e}") from None
    if key is not None:
        _remember(key, image)
    return image.copy()


def _remember(key: tuple[str, int, int], image: Image.Image) -> None:
    """Keep *image* decoded under *key*, the least recently used going first beyond
    :data:`DECODED_BYTES` in all (an image larger than that alone is not kept)."""
    if _weight(image) > DECODED_BYTES:
        return
    with _LOCK:
        _DECODED[key] = image
        while sum(map(_weight, _DECODED.values())) > DECODED_BYTES:
            _DECODED.popitem(last=False)


def _weight(image: Image.Image) -> int:
    """Return the bytes *image*'s pixels take."""
    return len(image.getbands()) * image.width * image.height


class _TooLarge(Exception):
    """An image over its format's pixel limit; the text says by how much."""


def _too_many(count: int | None, jpeg: bool) -> str:
    """Return ``too many pixels (300,000,000; at most 40,000,000)``: *count* (when known)
    beside the limit of the image's format (a JPEG's, when *jpeg*)."""
    counted = f"{count:,}; " if count is not None else ""
    return f"too many pixels ({counted}at most {MAX_PHOTO_PIXELS if jpeg else MAX_PIXELS:,})"


def _pixels(error: Exception, path: Path) -> str:
    """Return :func:`_too_many` for Pillow's refusal of *path* (which names no format)."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    with path.open("rb") as file:
        jpeg = file.read(3) == b"\xff\xd8\xff"
    return _too_many(int(found.group(1)) if found else None, jpeg)


def _check_size(image: Image.Image) -> None:
    """Raise :class:`_TooLarge` when *image* (opened, nothing decoded yet) has more pixels
    than its format may: :data:`MAX_PHOTO_PIXELS` for a JPEG, :data:`MAX_PIXELS` else."""
    jpeg = image.format == "JPEG"
    if image.width * image.height > (MAX_PHOTO_PIXELS if jpeg else MAX_PIXELS):
        raise _TooLarge(_too_many(image.width * image.height, jpeg))


def _reduced(size: tuple[int, int]) -> tuple[int, int]:
    """Return the size a JPEG of *size* over MAX_PIXELS is decoded at, at least: what
    :func:`_cleaned` scales it to. (The decoder halves it while both sides stay at least
    this; the result is then scaled down with LANCZOS, as any image is.)"""
    scale = MAX_SIDE / max(size)
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _load_decoders() -> None:
    """Load the decoders of the allowed formats, and only those.

    The decoders are imported by name, which registers them: Image.open(formats=...) loads
    every plugin Pillow has (AVIF's library among them, about 30 ms) as soon as one asked
    for is not registered yet. Not at import: a command whose images all passed before
    (see :func:`check_image`) never decodes one.
    """
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin  # noqa: F401


def _decode(path: Path) -> Image.Image:
    from PIL import Image, ImageOps

    _load_decoders()
    # Pillow's own guard, at opening, is the largest limit; each format's is checked next,
    # still before any pixel is decoded.
    Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS
    with Image.open(path, formats=sorted(ALLOWED_FORMATS)) as probe:
        _check_size(probe)
        probe.verify()  # catches truncated and corrupt files before any pixel is decoded
    with Image.open(path, formats=sorted(ALLOWED_FORMATS)) as image:
        image.seek(0)
        if image.format == "JPEG" and image.width * image.height > MAX_PIXELS:
            image.draft(None, _reduced(image.size))  # EXIF stays: turned upright below
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("I", "F") or upright.mode.startswith("I;16"):
            # 16-bit (or 32-bit) grey: Pillow's own conversion clips at 255, so every value
            # above 255 of 65535 would turn white. Scale to 8 bits first.
            scale = 1 / 257 if upright.mode.startswith("I;16") else 1 / 16843009
            upright = upright.convert("I").point(lambda v: v * scale).convert("L")
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        pixels = upright.convert(mode)
        # A new image from raw pixels: EXIF, GPS, XMP, ICC and text chunks are left behind.
        return Image.frombytes(mode, pixels.size, pixels.tobytes())
