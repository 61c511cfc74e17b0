"""What a writer is handed besides the storyboard and theme: where to write, and options."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

Progress = Callable[[str, float], None]  # (what, fraction done 0..1)


@dataclass(frozen=True)
class ShareOptions:
    """Where and for how long ``--share`` uploads; unset fields fall back to the pitch."""

    bucket: str | None = None  # --bucket, else FOLLOWUP_BUCKET (the CLI reads both)
    expires: str | None = None  # "7d"; else the pitch's share.expires, else 7 days
    include_pptx: bool = False
    data_dir: Path | None = None  # the share ledger and local store; None: the user's default


@dataclass(frozen=True)
class Options:
    """User choices that some writers and steps read; each has a sensible default."""

    size: Literal["1080p", "720p"] = "1080p"
    burn_captions: bool = False
    allow_long: bool = False
    verbose: bool = False
    share: ShareOptions = field(default_factory=ShareOptions)
    links: tuple[str, ...] = ()  # `build email --link URL`: links to use instead of a share
    now: datetime | None = None  # the clock for deadlines (tests and `--now`); None: real time


@contextmanager
def scratch(parent: Path, prefix: str) -> Iterator[Path]:
    """Yield a new, empty, hidden folder ``.{prefix}-*`` inside *parent*; remove it after.

    Writers put working files here rather than in the system's temp folder: inside a
    build's stage, whatever stops the build, the stage's removal takes them along.
    """
    folder = Path(tempfile.mkdtemp(prefix=f".{prefix}-", dir=parent.absolute()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


POLL = 0.2  # seconds between checks while waiting, so a stop signal is taken at once


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


class Cancelled(Exception):
    """A writer stopped because another one failed: never the error the user sees."""


@dataclass
class WriteContext:
    """Where one interviewer's outputs go.

    Writers write only into ``stage`` (a private temporary folder); the pipeline moves its
    files to ``final`` once every output succeeded. Earlier outputs of the same interviewer
    (for example the deck's PDF, which the site links) are looked up with :meth:`existing`.
    Working files go into a :meth:`scratch` folder, never into the system's temp folder.
    """

    stage: Path
    final: Path
    options: Options = field(default_factory=Options)
    progress: Progress | None = None
    warnings: list[str] = field(default_factory=list)
    # Set by the pipeline when another output failed or the build was stopped: a writer
    # running beside it stops at its next progress report.
    cancelled: threading.Event = field(default_factory=threading.Event)
    # Set by the video writer once its pictures are drawn and its encoder runs (and by the
    # schedule when the video is done, whatever happened): Python work that runs beside
    # it waits for this, so the drawing has the interpreter to itself (see schedule.py).
    drawn: threading.Event = field(default_factory=threading.Event)
    # Cleared by the schedule while a deck is to be written, and set by the deck once its
    # .pptx files are: the video's teaser GIF, Python as well, waits for it, so the deck
    # (whose LibreOffice run is a panel's longest path) has the interpreter first.
    decks_written: threading.Event = field(default_factory=_set_event)

    def wait_for(self, event: threading.Event, what: str) -> None:
        """Return once *event* is set; raise :class:`Cancelled` if the build is cancelled
        first (checked every :data:`POLL` seconds)."""
        while not event.wait(POLL):
            if self.cancelled.is_set():
                raise Cancelled(what)

    def existing(self, name: str) -> Path | None:
        """Return *name* from this run's stage or, failing that, from an earlier build."""
        for folder in (self.stage, self.final):
            if (folder / name).is_file():
                return folder / name
        return None

    @contextmanager
    def scratch(self, prefix: str) -> Iterator[Path]:
        """Yield a new, empty folder for working files inside the stage; remove it after.

        A hidden folder of the stage, not the system's temp folder: whatever stops the build
        (an error, Ctrl-C, SIGTERM), the pipeline removes the stage and this with it, so no
        copy of a candidate's images or deck is left behind.
        """
        with scratch(self.stage, prefix) as folder:
            yield folder

    def report(self, what: str, fraction: float) -> None:
        """Tell the progress display (if any) how far *what* has come; raise
        :class:`Cancelled` when the build was cancelled meanwhile."""
        if self.cancelled.is_set():
            raise Cancelled(what)
        if self.progress is not None:
            self.progress(what, fraction)
