"""Image safety: allow-listed formats, a pixel cap, and no metadata in what is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from builder.errors import MediaError
from builder.images import clean_image
from builder.storyboard import ImageRef

EXAMPLE_PHOTO = Path(__file__).resolve().parent.parent / "examples" / "ada" / "media" / "ada.jpg"


def ref(path: Path) -> ImageRef:
    return ImageRef(path=path, alt="Photo", field="candidate.photo")


def test_example_photo_really_has_gps_and_the_copy_has_none(tmp_path: Path) -> None:
    assert Image.open(EXAMPLE_PHOTO).getexif().get_ifd(0x8825), "fixture lost its GPS tag"
    clean = clean_image(ref(EXAMPLE_PHOTO), tmp_path)
    copy = Image.open(clean.path)
    assert copy.format == "PNG"
    assert not copy.getexif()
    assert not copy.info
    assert "ada" not in clean.path.name
    assert (clean.width, clean.height) == (600, 600)


def test_text_file_named_png_is_not_an_image(tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("hello")
    with pytest.raises(MediaError, match=r"pitch.yaml: candidate.photo: fake.png is not an image"):
        clean_image(ref(fake), tmp_path / "out")


def test_truncated_png_is_damaged(tmp_path: Path) -> None:
    whole = tmp_path / "whole.png"
    Image.new("RGB", (400, 300), "#336699").save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[:80])
    with pytest.raises(MediaError, match=r"cut.png is damaged or truncated"):
        clean_image(ref(cut), tmp_path / "out")


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (10_000, 10_000)).save(bomb)  # 100 megapixels in a few kilobytes
    assert bomb.stat().st_size < 100_000
    with pytest.raises(MediaError, match=r"bomb.png has too many pixels"):
        clean_image(ref(bomb), tmp_path / "out")


def test_eps_is_not_on_the_allow_list(tmp_path: Path) -> None:
    eps = tmp_path / "x.png"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    with pytest.raises(MediaError, match="is not an image"):
        clean_image(ref(eps), tmp_path / "out")


def test_large_images_are_scaled_down(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    Image.new("RGB", (5000, 2500), "#aa3300").save(big)
    clean = clean_image(ref(big), tmp_path / "out")
    assert max(clean.width, clean.height) == 2400


def test_a_passed_image_is_known_by_its_bytes_and_a_failure_is_never_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.images import check_image

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    checks = tmp_path / "xdg" / "followup-builder" / "checks"
    good = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), "#3366AA").save(good)
    check_image(good)
    (entry,) = checks.glob("*.ok")
    stamp = entry.stat().st_mtime_ns
    check_image(good)  # read from the cache: the entry is touched, not made again
    assert list(checks.glob("*.ok")) == [entry] and entry.stat().st_mtime_ns >= stamp
    good.write_bytes(b"not an image any more")  # the same name, other bytes
    with pytest.raises(ValueError, match="not an image"):
        check_image(good)
    assert list(checks.glob("*.ok")) == [entry]  # the failure left no entry
    with pytest.raises(ValueError, match="not an image"):
        check_image(good)


def test_a_file_is_decoded_once_and_each_caller_gets_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file (path, modification time, size) is decoded once a process; a changed
    file is decoded again, and changing a returned image never changes the next one."""
    import os

    from builder import images

    decoded: list[Path] = []
    real = images._decode
    monkeypatch.setattr(images, "_decode", lambda path: decoded.append(path) or real(path))
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(photo)
    first = images.read_image(photo)
    first.paste((0, 0, 255), (0, 0, 40, 30))  # the caller's own copy
    again = images.read_image(photo)
    assert decoded == [photo]
    assert again.getpixel((5, 5)) == (200, 10, 10)
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photo)
    stat = photo.stat()
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert images.read_image(photo).getpixel((5, 5)) == (10, 200, 10)
    assert decoded == [photo, photo]


def test_the_decoded_images_kept_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import images

    monkeypatch.setattr(images, "_DECODED", type(images._DECODED)())
    monkeypatch.setattr(images, "DECODED_BYTES", 3 * 100 * 100 * 2)  # two 100x100 RGB
    for n in range(3):
        Image.new("RGB", (100, 100), (n, n, n)).save(tmp_path / f"{n}.png")
        images.read_image(tmp_path / f"{n}.png")
    Image.new("RGB", (200, 200)).save(tmp_path / "big.png")
    images.read_image(tmp_path / "big.png")  # larger than the bound alone: not kept
    kept = sorted(Path(key[0]).name for key in images._DECODED)
    assert kept == ["1.png", "2.png"]


def test_a_file_is_cleaned_once_for_every_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every deck of a panel embeds the same cleaned copy: the PNG is made once, written
    into each deck's folder, and made again when the file changes."""
    import os

    from builder import images

    made: list[tuple[int, int]] = []
    real = images._cleaned

    def counting(image: Image.Image) -> tuple[str, bytes, tuple[int, int]]:
        made.append(image.size)
        return real(image)

    monkeypatch.setattr(images, "_cleaned", counting)
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(photo)
    first, second = (clean_image(ref(photo), tmp_path / deck) for deck in ("a", "b"))
    assert made == [(40, 30)]
    assert first.path.parent != second.path.parent
    assert first.path.read_bytes() == second.path.read_bytes()
    assert Image.open(second.path).getpixel((5, 5)) == (200, 10, 10)
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photo)
    stat = photo.stat()
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = clean_image(ref(photo), tmp_path / "c")
    assert len(made) == 2
    assert Image.open(third.path).getpixel((5, 5)) == (10, 200, 10)


def test_a_phones_48_megapixel_photo_is_taken_upright_and_decoded_small(tmp_path: Path) -> None:
    # As a phone stores a portrait: landscape pixels, EXIF orientation 6 (turn clockwise).
    # Stored, the head (light) is at the left and the body (dark) at the right.
    from builder.images import read_image

    photo = Image.new("RGB", (8000, 6000), (200, 220, 240))
    photo.paste((230, 180, 150), (1000, 2000, 3000, 4000))
    photo.paste((40, 70, 120), (5000, 1000, 8000, 5000))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    photo.save(path, quality=90, exif=exif.tobytes())
    decoded = read_image(path)
    assert decoded.size == (3000, 4000)  # halved in the decoder, turned upright
    clean = clean_image(ref(path), tmp_path / "out")
    assert (clean.width, clean.height) == (1800, 2400)
    copy = Image.open(clean.path).convert("RGB")
    head, body = copy.getpixel((900, 450)), copy.getpixel((900, 2100))
    assert all(abs(a - b) < 12 for a, b in zip(head, (230, 180, 150), strict=True)), head
    assert all(abs(a - b) < 12 for a, b in zip(body, (40, 70, 120), strict=True)), body


def _claiming(path: Path, size: tuple[int, int]) -> Path:
    """Return *path* rewritten to claim *size* in its header (a JPEG's SOF, a PNG's IHDR):
    what a decompression bomb does, in a few hundred bytes."""
    import struct
    import zlib

    data = bytearray(path.read_bytes())
    if data[:3] == b"\xff\xd8\xff":
        sof = data.index(b"\xff\xc0")
        data[sof + 5 : sof + 9] = struct.pack(">HH", size[1], size[0])
    else:
        ihdr = data.index(b"IHDR")
        data[ihdr + 4 : ihdr + 12] = struct.pack(">II", *size)
        crc = zlib.crc32(bytes(data[ihdr : ihdr + 17]))
        data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("pano.jpg", (20_000, 12_000), "(240,000,000; at most 200,000,000)"),
        ("huge.jpg", (60_000, 60_000), "(3,600,000,000; at most 200,000,000)"),
        ("huge.png", (20_000, 12_000), "(240,000,000; at most 40,000,000)"),
        ("bomb.png", (60_000, 60_000), "(3,600,000,000; at most 40,000,000)"),
    ],
)
def test_each_format_has_its_pixel_limit(
    tmp_path: Path, name: str, size: tuple[int, int], message: str
) -> None:
    small = tmp_path / name
    Image.new("RGB", (64, 48), "#336699").save(small)
    with pytest.raises(MediaError) as refused:
        clean_image(ref(_claiming(small, size)), tmp_path / "out")
    assert str(refused.value) == (
        f"pitch.yaml: candidate.photo: {name} has too many pixels {message}; scale it down"
    )
