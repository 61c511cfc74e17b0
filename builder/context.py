"""What a writer is handed besides the storyboard and theme: where to write, and options."""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass
class WriteContext:
    """Where one interviewer's outputs go.

    Writers write only into ``stage`` (a private temporary folder); the pipeline moves its
    files to ``final`` once every output succeeded. Earlier outputs of the same interviewer
    (for example the deck's PDF, which the site links) are looked up with :meth:`existing`.
    """

    stage: Path
    final: Path
    options: Options = field(default_factory=Options)
    progress: Progress | None = None
    warnings: list[str] = field(default_factory=list)

    def existing(self, name: str) -> Path | None:
        """Return *name* from this run's stage or, failing that, from an earlier build."""
        for folder in (self.stage, self.final):
            if (folder / name).is_file():
                return folder / name
        return None

    def report(self, what: str, fraction: float) -> None:
        """Tell the progress display (if any) how far *what* has come."""
        if self.progress is not None:
            self.progress(what, fraction)
