"""A small content-addressed cache of work that depends only on input bytes.

The site's cut-down fonts and re-encoded images (area ``site``), a font's drawable
characters and an image's verdict of the pitch check (area ``checks``): each result is kept
in the user's cache folder (``~/.cache/followup-builder/AREA`` on Linux) under a hash of
everything it depends on, so a changed font, image or setting is a new name and is made
afresh. The cache is only ever a shortcut: a missing, unreadable or unwritable entry or
folder means the work is done again, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

# Part of every key: bump it when what an entry holds (or how it is made) changes.
FORMAT = b"followup-site-cache 1"  # (named when only the site used it)
KEEP = 256  # entries; a page needs about six, so this spans many pitches and themes


def folder(area: str) -> Path:
    """Return the cache folder of *area*: the user's cache directory for this tool, *area*
    in it."""
    from platformdirs import user_cache_path

    return user_cache_path("followup-builder", appauthor=False) / area


def key(parts: Iterable[bytes | str]) -> str:
    """Return the hex SHA-256 of *parts*, each length-prefixed so no two lists collide."""
    digest = hashlib.sha256(FORMAT)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def remembered(
    area: str, name: str, make: Callable[[], bytes], valid: Callable[[bytes], bool]
) -> bytes:
    """Return the bytes cached as *name* in *area* when *valid* accepts them, else
    ``make()`` (kept).

    *name* is a :func:`key` plus a suffix; exceptions from *make* pass through, uncached.
    """
    found = load(area, name, valid)
    if found is None:
        found = make()
        store(area, name, found)
    return found


def load(area: str, name: str, valid: Callable[[bytes], bool]) -> bytes | None:
    """Return the bytes cached as *name* in *area* when there and *valid* accepts them,
    else ``None``."""
    path = folder(area) / name
    try:
        data = path.read_bytes()
    except OSError:  # not there yet, or unreadable: the caller makes it again
        return None
    if not valid(data):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be pruned
    return data


def store(area: str, name: str, data: bytes) -> None:
    """Keep *data* as *name* in *area*; silently do nothing when the folder is not writable."""
    with contextlib.suppress(OSError):  # a read-only home or a full disk: no cache, no error
        _write(folder(area), name, data)


def _write(place: Path, name: str, data: bytes) -> None:
    # Written to a temporary name, then renamed: a build running beside this one (or
    # interrupted half-way) never sees half an entry.
    place.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temp = tempfile.mkstemp(prefix=".new-", dir=place)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, place / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _prune(place)


def _prune(place: Path) -> None:
    # Only on a write (a miss), so a build that finds everything never lists the folder.
    entries = [p for p in place.iterdir() if p.is_file() and not p.name.startswith(".")]
    if len(entries) <= KEEP:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - KEEP]:
        old.unlink(missing_ok=True)
