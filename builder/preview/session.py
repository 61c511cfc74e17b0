"""The preview's state and its work: build what changed, draw the deck's pages, check the
pitch, share. Blocking calls, run one at a time in a worker thread; the web app reads the
latest :class:`View`, which is replaced whole, never changed in place."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from builder.context import Options
from builder.errors import BuilderError, OutputError, PitchError
from builder.pitch import Pitch
from builder.preview.changes import Snapshot, outputs_to_rebuild, take
from builder.preview.record import keep

if TYPE_CHECKING:
    from builder.pipeline import Build

Say = Callable[[str], None]
STALE = re.compile(r"site: \S+ is older than ")  # builder.site.media's staleness warning


class Stopped(BuilderError):
    """The preview is stopping: the running build ends at its next progress report."""


@dataclass(frozen=True)
class Settings:
    """What ``build preview`` was asked to show, and where it keeps its own files."""

    pitch: Path  # absolute
    out: Path  # absolute: the folder a build writes (what you see is what you share)
    cache: Path  # the preview's own scratch folder (deck pages); removed when it stops
    theme: str | None = None
    for_: str | None = None
    options: Options = field(default_factory=Options)
    data_dir: Path | None = None  # the share ledger's folder, for the checks


@dataclass(frozen=True)
class Person:
    """One interviewer shown in the preview, and their build folder."""

    name: str
    slug: str
    folder: Path


@dataclass(frozen=True)
class Shared:
    """The outcome of the Share button: the link to send and the message carrying it."""

    link: str
    expires_at: datetime
    local: bool  # from the local store: works only on this computer
    message: str  # the direct message, carrying the link


@dataclass(frozen=True)
class Checks:
    """The findings of ``build check``."""

    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """Everything the page shows; ``generation`` grows whenever any of it changes."""

    generation: int = 0
    people: tuple[Person, ...] = ()
    problems: tuple[str, ...] = ()  # why the last attempt failed; empty when it worked
    warnings: tuple[str, ...] = ()  # the last build's warnings
    checks: Checks = field(default_factory=Checks)
    pages: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)  # deck pages by slug
    building: tuple[str, ...] = ()  # what is being rebuilt right now
    progress: Mapping[str, float] = field(default_factory=dict)
    built_at: datetime | None = None
    took: float = 0.0
    script: str | None = None
    language: str = "en"
    theme: str = "classic"
    shares: Mapping[str, Shared] = field(default_factory=dict)


class Preview:
    """The live preview of one pitch: call :meth:`refresh` after any change."""

    def __init__(self, settings: Settings, say: Say | None = None) -> None:
        self.settings = settings
        self.view = View()
        self.say: Say = say or (lambda line: None)  # the lines worth showing the user
        self._built: Snapshot | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def busy(self) -> bool:
        """Return whether a build or a share is running."""
        return self._lock.locked()

    def close(self) -> None:
        """Refuse further refreshes and stop a running build at its next progress report
        (as Ctrl-C stops `build`: its staging folder and ffmpeg go, the build folder keeps
        its last outputs); wait until it and any share have ended."""
        self._closed = True
        with self._lock:
            pass

    def refresh(self) -> None:
        """Rebuild what changed since the last good build; on failure keep that build's
        outputs and show why. Blocks until done."""
        with self._lock:
            if self._closed:
                return
            try:
                self._refresh()
            except Stopped:
                self.say("stopped the running build; the build folder keeps its last outputs")
            except BuilderError as e:
                self._fail(e)
            except Exception as e:  # a bug: say so, and keep serving the last good preview
                self.say(traceback.format_exc().rstrip())
                line = f"unexpected error, a bug in build (the terminal has the details): {e!r}"
                self._publish(problems=(line,), building=(), progress={})

    def share(self, slug: str) -> Shared:
        """Share the build of *slug* privately (the ``share`` step), rewrite its drafts with
        the link and return both. Raises :class:`BuilderError`."""
        from builder.pipeline import from_folder, run_steps

        with self._lock:
            done = from_folder(self.settings.out, slug)
            run_steps(done, ["share", "email"], self.settings.options)
            result = done.results[0]
            share, draft = result.shares[-1], result.drafts[-1]
            shared = Shared(
                link=share.main_link.url,
                expires_at=share.expires_at,
                local=share.local,
                message=draft.message,
            )
            self._publish(shares={**self.view.shares, slug: shared})
            self.say(f"shared {result.interviewer}'s build: {shared.link}")
            return shared

    def keep_recording(self, part: Path, content_type: str) -> str:
        """Keep the uploaded recording *part* beside the pitch and name it in
        ``video.recording``; return its file name. The caller then asks for a refresh."""
        with self._lock:
            name = keep(part, content_type, self.settings.pitch)
        self.say(f"saved the recording as {name}; video.recording now names it")
        return name

    def _refresh(self) -> None:
        from builder.pipeline import build

        pitch, snap = self._load()
        if snap == self._built:
            if self.view.problems:  # put back as it was built: nothing to rebuild
                self._publish(problems=())
            return
        outputs = outputs_to_rebuild(self._built, snap)
        self._status(outputs or ("email",), pitch)
        started = time.monotonic()
        s = self.settings
        done = build(s.pitch, outputs, s.out, s.theme, s.for_, s.options, self._progress, ["email"])
        people = tuple(Person(r.interviewer, r.slug, r.folder) for r in done.results)
        pages = self._pages(people) if "deck" in outputs else self.view.pages
        checks = self._checks()
        self._built = snap
        took = time.monotonic() - started
        # Said before it is published: whoever sees the new generation finds the line too.
        self.say(f"rebuilt {', '.join(outputs) or 'the email'} in {took:.1f} s")
        self._publish(
            people=people,
            problems=(),
            warnings=_output_warnings(done),
            checks=checks,
            pages=pages,
            building=(),
            progress={},
            built_at=datetime.now(),
            took=took,
        )

    def _load(self) -> tuple[Pitch, Snapshot]:
        from builder.pipeline import select
        from builder.pitch import load_pitch

        pitch = load_pitch(self.settings.pitch)
        boards = select(pitch, self.settings.for_)
        return pitch, take(pitch, boards, self.settings.theme or pitch.theme)

    def _status(self, building: tuple[str, ...], pitch: Pitch) -> None:
        # Not a new generation: the page shows this without reloading.
        self.view = dataclasses.replace(
            self.view,
            building=building,
            progress={},
            script=pitch.video.script if pitch.video else None,
            language=pitch.language,
            theme=self.settings.theme or pitch.theme,
            people=self.view.people or _people(pitch, self.settings),
        )

    def _progress(self, what: str, fraction: float) -> None:
        if self._closed:
            raise Stopped("the preview is stopping")
        self.view = dataclasses.replace(self.view, progress={**self.view.progress, what: fraction})

    def _pages(self, people: tuple[Person, ...]) -> dict[str, tuple[Path, ...]]:
        from builder.preview.render import render_pages

        pages: dict[str, tuple[Path, ...]] = {}
        for person in people:
            pdf = person.folder / "deck.pdf"
            folder = self.settings.cache / "pages" / person.slug
            try:
                pages[person.slug] = tuple(render_pages(pdf, folder)) if pdf.is_file() else ()
            except OutputError as e:  # the PDF itself is still there, and linked
                pages[person.slug] = ()
                self.say(f"deck pages not drawn: {e}")
        return pages

    def _checks(self) -> Checks:
        from builder.check import run_checks
        from builder.share.ledger import default_data_dir

        data_dir = self.settings.data_dir or default_data_dir()
        report = run_checks(self.settings.pitch, data_dir=data_dir)
        return Checks(tuple(report.errors), tuple(report.warnings), tuple(report.notes))

    def _fail(self, error: BuilderError) -> None:
        problems = error.problems if isinstance(error, PitchError) else str(error).splitlines()
        checks = self._checks() if isinstance(error, PitchError) else self.view.checks
        self.say(f"not rebuilt: {problems[0] if problems else error}")
        self._publish(problems=tuple(problems), building=(), progress={}, checks=checks)

    def _publish(self, **changes: object) -> None:
        """Replace the view with *changes* applied, as a new generation."""
        generation = self.view.generation + 1
        self.view = dataclasses.replace(self.view, generation=generation, **changes)  # type: ignore[arg-type]


def _output_warnings(done: Build) -> tuple[str, ...]:
    """Return the build's warnings but the email's (the checks report those in full) and
    the site's "deck.pdf is older than pitch.yaml": the preview rebuilds exactly what a
    change affects, so an output it leaves alone is current even when it is older."""
    drafted = {w for result in done.results for draft in result.drafts for w in draft.warnings}
    return tuple(w for w in done.warnings if w not in drafted and not STALE.match(w))


def _people(pitch: Pitch, settings: Settings) -> tuple[Person, ...]:
    """Return the people and folders a build of *pitch* writes (before the first build)."""
    from builder.pipeline import select

    nested = len(pitch.interview.interviewers) > 1
    return tuple(
        Person(
            board.interviewer.name,
            board.interviewer.slug,
            settings.out / board.interviewer.slug if nested else settings.out,
        )
        for board in select(pitch, settings.for_)
    )
