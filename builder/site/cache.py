"""A small content-addressed cache of the page's cut-down fonts and re-encoded images.

Cutting four fonts down and re-encoding the images is most of what `build site` costs, and
the result depends only on the input bytes and a few settings. So each result is kept in
the user's cache folder (``~/.cache/followup-builder/site`` on Linux) under a hash of
everything it depends on: a changed font, image or setting is a new name, and is made
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
FORMAT = b"followup-site-cache 1"
KEEP = 256  # entries; a page needs about six, so this spans many pitches and themes


def folder() -> Path:
    """Return the cache folder: the user's cache directory for this tool, ``site/`` in it."""
    from platformdirs import user_cache_path

    return user_cache_path("followup-builder", appauthor=False) / "site"


def key(parts: Iterable[bytes | str]) -> str:
    """Return the hex SHA-256 of *parts*, each length-prefixed so no two lists collide."""
    digest = hashlib.sha256(FORMAT)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def remembered(name: str, make: Callable[[], bytes], valid: Callable[[bytes], bool]) -> bytes:
    """Return the bytes cached as *name* when *valid* accepts them, else ``make()`` (kept).

    *name* is a :func:`key` plus a suffix; exceptions from *make* pass through, uncached.
    """
    found = load(name, valid)
    if found is None:
        found = make()
        store(name, found)
    return found


def load(name: str, valid: Callable[[bytes], bool]) -> bytes | None:
    """Return the bytes cached as *name* when there and *valid* accepts them, else ``None``."""
    path = folder() / name
    try:
        data = path.read_bytes()
    except OSError:  # not there yet, or unreadable: the caller makes it again
        return None
    if not valid(data):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be pruned
    return data


def store(name: str, data: bytes) -> None:
    """Keep *data* as *name*; silently do nothing when the cache folder is not writable."""
    with contextlib.suppress(OSError):  # a read-only home or a full disk: no cache, no error
        _write(folder(), name, data)


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
