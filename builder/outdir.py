"""The output folder: claimed by one build at a time, and left as it was found on failure."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from builder.errors import OutputError

LOCK_NAME = ".build.lock"
# What a lock is held for: building into the folder, or uploading what is in it.
Doing = Literal["build", "share"]
_DONE: dict[Doing, str] = {"build": "built", "share": "shared"}
_THEN_SHARE = "wait for it, then share again"
_ATTEMPTS = 20  # how often to retry when the lock file was replaced under us


@contextmanager
def claimed(out_dir: Path) -> Iterator[bool]:
    """Hold *out_dir*'s lock for the block (creating the folder); yield whether this run
    created it. A folder it created and left empty is removed again."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder; choose another -o")
    created = not out_dir.exists()
    try:
        with locked(out_dir):
            yield created
    finally:
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # only when empty: a failed first build leaves no folder


def clear(folder: Path) -> None:
    """Remove everything in *folder* but the build's lock file."""
    for entry in folder.iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@contextmanager
def locked(folder: Path, doing: Doing = "build") -> Iterator[None]:
    """Hold the lock of *folder* for the block, creating the folder if needed; *doing* says
    what for (building into it, or sharing what is in it), for the message another run gets.

    Raises :class:`OutputError` when another run holds it. The lock file is removed at the
    end; ``flock`` dies with its process, so a killed build never blocks the next.
    """
    path = folder / LOCK_NAME
    if doing == "share" and folder.is_dir() and _read_only(folder):
        # Nothing can build into a folder nobody may write (an archived build): there is
        # nothing to lock against, and sharing only reads it.
        yield
        return
    descriptor = _acquire(path, folder, doing)
    try:
        yield
    finally:
        # Unlinked before it is closed: a build that opened this file meanwhile sees, once
        # it has the lock, that the file is gone, and starts over on a new one.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(descriptor)


def _acquire(path: Path, folder: Path, doing: Doing) -> int:
    """Return an open descriptor of *path* holding its exclusive lock."""
    for _ in range(_ATTEMPTS):
        descriptor = _open(path, folder)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, theirs = _holder(descriptor)
            os.close(descriptor)
            by = f" (pid {pid})" if pid else ""
            advice = "wait for it or choose another -o" if doing == "build" else _THEN_SHARE
            message = f"{folder} is being {_DONE[theirs]} by another build{by}; {advice}"
            raise OutputError(message) from None
        if _still_there(descriptor, path):
            _write_holder(descriptor, doing)
            return descriptor
        os.close(descriptor)
    raise OutputError(f"{folder}: cannot lock the output folder; try again")


def _read_only(folder: Path) -> bool:
    """Return whether no file may be made in *folder* (its permissions, an immutable
    folder, a read-only file system)."""
    return not os.access(folder, os.W_OK)


def _open(path: Path, folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise OutputError(f"{folder}: cannot write the output folder: {e.strerror}") from None


def _still_there(descriptor: int, path: Path) -> bool:
    """Return whether *path* is still the file open as *descriptor* (not removed since)."""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False


def _write_holder(descriptor: int, doing: Doing) -> None:
    # Only for the message another run shows; a full disk must not stop this one here.
    with contextlib.suppress(OSError):
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()} {doing}\n".encode())


def _holder(descriptor: int) -> tuple[str, Doing]:
    """Return the process id of the run holding the lock ("" when it has not said yet) and
    what it is doing (a build, unless it said otherwise)."""
    try:
        words = os.pread(descriptor, 32, 0).decode("ascii", "replace").split()
    except OSError:
        words = []
    pid = words[0] if words and words[0].isdigit() else ""
    return pid, "share" if words[1:] == ["share"] else "build"
