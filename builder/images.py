"""Safe image handling: format allow-list, pixel cap, and re-encoding without metadata."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from builder.errors import MediaError
from builder.storyboard import ImageRef

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; a decompression bomb is not
MAX_SIDE = 2400  # larger images are scaled down: no slide or page needs more
MAX_BYTES = 30_000_000


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
    image = open_image(ref)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    digest = hashlib.sha256(image.tobytes()).hexdigest()[:16]
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"img-{digest}.png"
    if not target.exists():
        image.save(target, format="PNG", optimize=False, compress_level=6)
    return CleanImage(path=target, width=image.width, height=image.height, alt=ref.alt)


def open_image(ref: ImageRef) -> Image.Image:
    """Return the pixels of *ref* as a fresh RGB(A) image, upright, with no metadata at all."""
    path = ref.path
    try:
        size = path.stat().st_size
    except OSError as e:
        raise MediaError(f"{ref.where}: cannot read {path.name}: {e.strerror}") from None
    if size > MAX_BYTES:
        raise MediaError(f"{ref.where}: {path.name} is larger than {MAX_BYTES // 1_000_000} MB")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as the error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError(
                f"{ref.where}: {path.name} has too many pixels (over {MAX_PIXELS:,}); scale it down"
            ) from None
        except UnidentifiedImageError:
            raise MediaError(
                f"{ref.where}: {path.name} is not an image (use PNG, JPEG, WebP or GIF)"
            ) from None
        except (OSError, SyntaxError, ValueError) as e:
            raise MediaError(f"{ref.where}: {path.name} is damaged or truncated: {e}") from None


def _decode(path: Path) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(path, formats=sorted(ALLOWED_FORMATS)) as probe:
        probe.verify()  # catches truncated and corrupt files before any pixel is decoded
    with Image.open(path, formats=sorted(ALLOWED_FORMATS)) as image:
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        pixels = upright.convert(mode)
        # A new image from raw pixels: EXIF, GPS, XMP, ICC and text chunks are left behind.
        return Image.frombytes(mode, pixels.size, pixels.tobytes())
