"""Child processes (LibreOffice, ffmpeg) that never outlive the build that started them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from builder.interrupts import held

GRACE = 5.0  # seconds to wait for a killed child; SIGKILL cannot be refused, only delayed
_live: dict[subprocess.Popen[Any], bool] = {}  # running children -> killed as a group
_lock = threading.Lock()


@contextmanager
def reaped(process: subprocess.Popen[Any], group: bool = False) -> Iterator[subprocess.Popen[Any]]:
    """Yield *process*; when the block raises (an error, Ctrl-C, SIGTERM), kill it and wait.

    With *group*, the whole process group goes: *process* must have been started with
    ``start_new_session=True`` (LibreOffice's ``soffice`` is a launcher whose converter,
    ``soffice.bin``, is its child; killing the launcher alone would orphan the converter).
    """
    with _lock:
        _live[process] = group
    try:
        yield process
    except BaseException:
        kill(process, group)
        raise
    finally:
        with _lock:
            _live.pop(process, None)


def kill_all() -> None:
    """Kill every child still running under :func:`reaped`, in any thread.

    When one branch of a build fails (or the build is stopped), the others' LibreOffice and
    ffmpeg must not run on: the pipeline calls this before it waits for those branches.
    """
    with _lock:
        running = list(_live.items())
    for process, group in running:
        kill(process, group)


def kill(process: subprocess.Popen[Any], group: bool = False) -> None:
    """Kill *process* (with *group*: its process group) and reap it.

    A second Ctrl-C meanwhile is held back until the child is gone, so it cannot leave
    the child running.
    """
    if process.returncode is not None:
        return  # reaped already: its pid (and group id) may belong to another process now
    with held():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=GRACE)
