"""Keeping a recording made in the browser: save it beside the pitch and name it in
``video.recording``, changing nothing else in pitch.yaml (its comments and layout stay)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from builder.errors import BuilderError, MediaError

MAX_BYTES = 200 * 1024 * 1024  # 3 minutes at the browser's 2.5 Mbit/s is about 57 MB
# The browser's container (MediaRecorder's type, without codecs) -> the file's suffix.
SUFFIXES = {"video/webm": ".webm", "video/x-matroska": ".webm", "video/mp4": ".mp4"}
_MAGIC = {".webm": (0, b"\x1a\x45\xdf\xa3"), ".mp4": (4, b"ftyp")}  # EBML header; ISO BMFF
_REMUX = {".webm": ("-f", "webm"), ".mp4": ("-f", "mp4", "-movflags", "+faststart")}


class TooLarge(BuilderError):
    """The upload is over :data:`MAX_BYTES`."""


async def receive(chunks: AsyncIterator[bytes], folder: Path, cap: int = MAX_BYTES) -> Path:
    """Write the uploaded *chunks* to a hidden file in *folder* and return its path; refuse
    (and remove it) past *cap* bytes."""
    part = folder / f".recording-{secrets.token_hex(6)}.part"
    size = 0
    try:
        with part.open("xb") as handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > cap:
                    raise TooLarge(f"the recording is larger than {cap // 2**20} MB")
                handle.write(chunk)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part


def keep(part: Path, content_type: str, pitch: Path, now: datetime | None = None) -> str:
    """Turn the upload *part* into ``recording-<time>.<suffix>`` beside *pitch*, set
    ``video.recording`` to it and return its name. The upload is remuxed (not re-encoded)
    so that the file carries its duration and seek index, which browsers leave out while
    recording. Raises :class:`MediaError` for anything that is not a recording."""
    try:
        suffix = SUFFIXES.get(content_type.split(";")[0].strip().lower())
        if suffix is None:
            raise MediaError(f"a recording must be WebM or MP4, not {content_type or 'unknown'}")
        _check_magic(part, suffix)
        target = _free_name(pitch.parent, now or datetime.now(), suffix)
        _remux(part, target, suffix)
    finally:
        part.unlink(missing_ok=True)
    try:
        set_recording(pitch, target.name)
    except BuilderError as e:
        raise BuilderError(
            f"saved {target.name}, but could not name it in {pitch.name} ({e}); "
            f"set video.recording: {target.name} there yourself"
        ) from None
    return target.name


def _check_magic(part: Path, suffix: str) -> None:
    offset, magic = _MAGIC[suffix]
    with part.open("rb") as handle:
        head = handle.read(offset + len(magic))
    if head[offset:] != magic:
        raise MediaError(f"the upload is not a {suffix[1:].upper()} file")


def _free_name(folder: Path, now: datetime, suffix: str) -> Path:
    stem = f"recording-{now:%Y%m%d-%H%M%S}"
    target, number = folder / f"{stem}{suffix}", 1
    while target.exists():
        number += 1
        target = folder / f"{stem}-{number}{suffix}"
    return target


def _remux(part: Path, target: Path, suffix: str) -> None:
    from builder.video import ffmpeg

    temporary = target.with_name(f".{target.name}.part")
    args = [*ffmpeg.INPUT_GUARD, *ffmpeg.RECORDING_FORMATS, "-i", str(part)]
    args += ["-map", "0", "-c", "copy", "-map_metadata", "-1", *_REMUX[suffix], "-y"]
    try:
        ffmpeg.run([*args, str(temporary)], what=f"the recording {target.name}")
        os.replace(temporary, target)
    except BuilderError as e:
        raise MediaError(f"the upload is not a usable recording: {e}") from None
    finally:
        temporary.unlink(missing_ok=True)


def set_recording(pitch: Path, name: str) -> None:
    """Set ``video.recording: NAME`` in *pitch*, keeping every other byte where it can:
    the value is replaced, or one line is added; only a ``video`` written in flow style or
    left empty is rewritten by ruamel's round trip (comments kept). Raises
    :class:`BuilderError` when the file is not a YAML mapping."""
    from builder.preview.yamledit import round_trip, splice

    try:
        text = pitch.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BuilderError(f"cannot read {pitch.name}: {e}") from None
    edited = splice(text, name) or round_trip(text, name)
    _write_beside(pitch, edited)


def _write_beside(path: Path, text: str) -> None:
    # Written beside and renamed: an editor or a build never reads half a file.
    temporary = path.with_name(f".{path.name}.preview-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        with contextlib.suppress(OSError):
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as e:
        raise BuilderError(f"cannot write {path.name}: {e.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
