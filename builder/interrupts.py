"""Interruptions: a stop signal as an exception, held back while finished files move."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class Interrupted(KeyboardInterrupt):
    """The run was stopped by *signum* (SIGINT, SIGTERM, SIGHUP).

    A :class:`KeyboardInterrupt`, so everything that already cleans up after Ctrl-C (the
    staging folder, child processes, pending uploads) does the same for a termination.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.done = ""  # what was finished before the signal, when something was
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """Return the shell's exit status for death by this signal: 128 + its number."""
        return 128 + self.signum


@dataclass
class _Hold:
    depth: int = 0
    pending: int | None = None


# Signal handlers run in the main thread only, between two bytecodes of it; this state is
# touched by that thread alone.
_hold = _Hold()


def deliver(signum: int) -> None:
    """Raise :class:`Interrupted` for *signum* now or, inside :func:`held`, when it ends.

    The command line installs this as the handler of the stop signals.
    """
    if _hold.depth:
        _hold.pending = _hold.pending or signum  # the first signal decides the exit code
        return
    raise Interrupted(signum)


@contextmanager
def held() -> Iterator[None]:
    """Hold back stop signals for the block; one that came meanwhile is raised at its end.

    For steps that must not stop half-way: moving finished outputs into place, removing
    a staging folder. Without the command line's handlers (a library caller) Ctrl-C is
    Python's plain KeyboardInterrupt and is not held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only: a worker has nothing to hold back
        return
    _hold.depth += 1
    try:
        yield
    finally:
        _hold.depth -= 1
        if not _hold.depth and _hold.pending is not None:
            signum, _hold.pending = _hold.pending, None
            raise Interrupted(signum)


@contextmanager
def telling(done: str) -> Iterator[None]:
    """Make a stop signal during the block say *done* (what may already have happened)
    instead of "nothing was changed", unless a deeper step said something itself."""
    try:
        yield
    except KeyboardInterrupt as e:
        if not getattr(e, "done", ""):
            e.done = done  # type: ignore[attr-defined]
        raise
