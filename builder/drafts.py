"""The ``email`` step: one thank-you draft per interviewer, written into their build folder.

It runs after the outputs (and any share) are in place: the link comes from this run's
share, from ``--link``, or from the newest active share of that pitch and interviewer in
the ledger. The drafts are never uploaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from builder.context import Options, Progress
from builder.errors import BuilderError, OutputError
from builder.mail import Draft, compose, write_draft
from builder.share import ledger
from builder.share.records import Link, Share

if TYPE_CHECKING:
    from builder.pipeline import Build, Result
    from builder.theme import Theme

# A link given with --link has no end we know of: the message must not promise a date.
GIVEN_LINK_END = datetime.max.replace(tzinfo=UTC)


def run(done: Build, options: Options, progress: Progress | None = None) -> None:
    """Compose and write the drafts of every result; keep each draft on ``result.drafts``."""
    assert done.pitch is not None
    now = options.now or datetime.now(UTC)
    data_dir = options.share.data_dir or ledger.default_data_dir()
    links = _given_links(options.links, len(done.results), now, done.pitch.interview.company)
    from builder.pipeline import record

    theme: Theme | None = None
    for index, result in enumerate(done.results):
        assert result.board is not None
        link = links[index] if links else _shared_link(result, data_dir, now)
        draft = compose(result.board, link, now, video=(result.folder / "video.mp4").is_file())
        # Written anyway (the user may mean it), but never unsaid: what build check refuses.
        problems = _problems(draft, result.board.interviewer.name, done.pitch.source)
        done.warnings.extend(p for p in problems if p not in done.warnings)  # a panel: once
        if theme is None and not _picture(result.folder):
            from builder.theme import load_theme

            theme = load_theme(done.pitch.theme, relative_to=done.pitch.folder)
        result.files.update(_write(draft, result, theme))
        result.drafts.append(draft)
        done.warnings.extend(w for w in draft.warnings if w not in done.warnings)
        record(done, result)  # the folder now holds the drafts too


def _problems(draft: Draft, name: str, source: Path) -> list[str]:
    """Return the warnings for what is wrong in *draft* (see check.draft_problems), each
    at its pitch field when it has one."""
    from builder.check import draft_problems
    from builder.pitch import read_pitch

    found = draft_problems(draft, name)
    if found:  # read the pitch again only now, for the line and column of each
        found = draft_problems(draft, name, read_pitch(source)[1])
    return [f"before you send: {problem}" for problem in found]


def _given_links(urls: tuple[str, ...], people: int, now: datetime, company: str) -> list[Link]:
    """Return the ``--link`` URLs as links, one per interviewer (or one for all)."""
    from builder.check import public_wall

    if not urls:
        return []
    if len(urls) not in (1, people):
        raise BuilderError(f"--link: give one link, or one per interviewer ({people})")
    for url in urls:
        if not url.startswith(("https://", "http://")):
            raise BuilderError(f"--link: {url!r} is not an http(s) address")
        if public_wall(url, "", company):
            raise BuilderError(
                f"--link: {url} is a public social-media page; thank the interviewer "
                "directly, with a private link"
            )
    given = [Link("site", url, GIVEN_LINK_END, ends_known=False) for url in urls]
    return given * (people if len(urls) == 1 else 1)


def _shared_link(result: Result, data_dir: Path, now: datetime) -> Link | None:
    """Return the link to send: from this run's share, else the newest active one."""
    share: Share | None = result.shares[-1] if result.shares else None
    if share is None and result.board is not None:
        share = ledger.newest_active(data_dir, result.board.source, result.slug, now)
    return share.main_link if share else None


def _picture(folder: Path) -> Path | None:
    """Return the inline picture: the video's preview GIF, else its poster, else None."""
    for name in ("preview.gif", "poster.png"):
        if (folder / name).is_file():
            return folder / name
    return None


def _write(draft: Draft, result: Result, theme: Theme | None) -> dict[str, Path]:
    """Write the drafts beside a temporary name, then move each into place."""
    assert result.board is not None
    try:
        result.folder.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".staging-email-", dir=result.folder))
    except OSError as e:
        raise OutputError(f"{result.folder}: cannot write the drafts: {e.strerror}") from None
    try:
        picture = _picture(result.folder)
        written = write_draft(draft, result.board, stage, picture, theme)
        for path in written.values():
            os.replace(path, result.folder / path.name)
        return {role: result.folder / path.name for role, path in written.items()}
    except OSError as e:
        raise OutputError(f"{result.folder}: cannot write the drafts: {e.strerror}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
