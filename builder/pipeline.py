"""Load -> plan -> write -> move into place -> after-build steps: the one place that knows
every output writer and every step."""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from builder.context import Options, Progress
from builder.errors import BuilderError, OutputError
from builder.glyphs import refuse_undrawable
from builder.interrupts import Interrupted, held
from builder.manifest import BuildRecord, now, present_outputs, read_records, write_record
from builder.outdir import claimed, clear
from builder.pitch import Pitch, load_pitch
from builder.schedule import contexts, write_outputs, writer
from builder.storyboard import Storyboard, plan
from builder.theme import Theme, load_theme

if TYPE_CHECKING:  # the sharing and mail steps are imported only when they run
    from builder.mail import Draft
    from builder.share.records import Share

# Output name -> module with ``write(board, theme, ctx) -> dict[str, Path]`` (and, if it can
# do a whole panel at once, ``write_all``). Imported only when used, so `build --help` never
# pays for python-pptx or MkDocs. builder.schedule runs them: the site after the others,
# whose files it embeds.
OUTPUTS: dict[str, str] = {"deck": "builder.deck", "video": "builder.video", "site": "builder.site"}


# After-build steps, in the order they run: they act on the finished, moved outputs (the way
# MkDocs' deploy acts on a built site), never on the storyboard. Each module has
# ``run(done: Build, options: Options, progress: Progress | None) -> None``.
STEPS: dict[str, str] = {"share": "builder.share.step", "email": "builder.drafts"}


@dataclass
class Result:
    """What was written for one interviewer, and what the after-build steps added."""

    interviewer: str
    slug: str
    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    board: Storyboard | None = None
    shares: list[Share] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)


@dataclass
class Build:
    """The outcome of one ``build`` run."""

    results: list[Result]
    warnings: list[str]
    pitch: Pitch | None = None
    outputs: tuple[str, ...] = ()
    placed: bool = False  # the new outputs are in the output folder, complete


def select(pitch: Pitch, wanted: str | None) -> list[Storyboard]:
    """Return one storyboard per interviewer, or only for the one named *wanted*.

    Raises :class:`BuilderError` when *wanted* names nobody, or more than one person.
    """
    people = pitch.interviewer(wanted)
    if not people:
        names = ", ".join(p.name for p in pitch.interview.interviewers)
        raise BuilderError(
            f"--for {wanted}: no such interviewer in {pitch.source.name}; the pitch names: {names}"
        )
    if wanted is not None and len(people) > 1:
        both = " and ".join(f"{p.name} ({p.slug})" for p in people)
        raise BuilderError(
            f"--for {wanted}: names {len(people)} interviewers, {both}; "
            "give the full name or the folder name"
        )
    return [plan(pitch, person) for person in people]


def build(
    pitch_path: Path,
    outputs: Iterable[str],
    out_dir: Path,
    theme_name: str | None = None,
    for_: str | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
    steps: Iterable[str] = (),
) -> Build:
    """Write *outputs* for each interviewer of the pitch into *out_dir*, then run the
    after-build *steps* (``share``, ``email``) on them; return what was made.

    The phases: load and plan; write everything into a staging folder; move it into place
    only when every output of every interviewer succeeded (so a failure leaves *out_dir* as
    it was); record the folder in ``build.json``; then the steps.
    """
    outputs, steps = _known(outputs, OUTPUTS, "output"), _known(steps, STEPS, "step")
    options = options or Options()
    pitch = load_pitch(pitch_path)
    boards = select(pitch, for_)
    theme = load_theme(theme_name or pitch.theme, relative_to=pitch.folder) if outputs else None
    if theme is not None and theme_name:  # the loader checked the pitch's own theme only
        refuse_undrawable(pitch, theme)
    nested = len(pitch.interview.interviewers) > 1
    results = [
        Result(b.interviewer.name, b.interviewer.slug, out_dir / b.interviewer.slug, board=b)
        if nested
        else Result(b.interviewer.name, b.interviewer.slug, out_dir, board=b)
        for b in boards
    ]
    done = Build(results, [], pitch, outputs)
    with claimed(out_dir) as created:
        try:
            if outputs and theme is not None:
                _write_and_move(done, theme, out_dir, options, progress, created)
            return run_steps(done, steps, options, progress)
        except Interrupted as e:
            if done.placed:  # then "nothing was changed" would not be true
                e.done = f"the new outputs are complete in {out_dir}" + (
                    f"; {' and '.join(steps)} did not finish" if steps else ""
                )
            raise


def from_folder(out_dir: Path, for_: str | None = None) -> Build:
    """Return the build that made *out_dir* (from its ``build.json`` records), with no new
    outputs: for steps run on an earlier build (``build share OUT_DIR``)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file; give the folder a build wrote into")
    records = read_records(out_dir)
    pitches = {record.pitch for record in records}
    if len(pitches) > 1:
        raise OutputError(f"{out_dir}: holds builds of several pitches; share each folder")
    pitch_path = pitches.pop()
    if not pitch_path.is_file():
        raise OutputError(f"{out_dir}: the pitch that made it, {pitch_path}, is gone")
    pitch = load_pitch(pitch_path)
    boards = {board.interviewer.slug: board for board in select(pitch, for_)}
    results = [
        Result(r.interviewer, r.slug, r.folder, board=boards[r.slug])
        for r in records
        if r.slug in boards
    ]
    if not results and for_ is not None:
        raise OutputError(f"{out_dir}: holds no build for --for {for_}")
    if not results:  # renamed in the pitch since: their folders are someone else's now
        built = " and ".join(sorted({r.interviewer for r in records}))
        raise OutputError(
            f"{out_dir}: was built for {built}, no longer in {pitch_path.name}; build it again"
        )
    return Build(results, [], pitch, ())


def run_steps(
    done: Build, steps: Iterable[str], options: Options, progress: Progress | None = None
) -> Build:
    """Run the after-build *steps* on *done*, in the pipeline's order; return *done*."""
    wanted = _known(steps, STEPS, "step")
    for name in wanted:
        step: Step = importlib.import_module(STEPS[name]).run
        step(done, options, progress)
    return done


def _known(names: Iterable[str], registry: dict[str, str], what: str) -> tuple[str, ...]:
    """Return *names* in the registry's order; refuse a name the registry does not know."""
    names = set(names)
    unknown = sorted(names - set(registry))
    if unknown:
        raise BuilderError(f"unknown {what} {unknown[0]!r}; known: {', '.join(registry)}")
    return tuple(name for name in registry if name in names)


def _write_and_move(
    done: Build,
    theme: Theme,
    out_dir: Path,
    options: Options,
    progress: Progress | None,
    created: bool,
) -> None:
    """Write every output of every result into a staging folder, then move them into place.

    Until the move, *out_dir* is untouched (and, when this run *created* it, emptied again
    on any failure); the move itself is not interrupted by a stop signal.
    """
    writers = [writer(name, OUTPUTS[name]) for name in done.outputs]
    owned = [name for w in writers for name in w.owns]
    staging: Path | None = None
    try:
        with held():  # a signal between creating and remembering it would leak the folder
            staging = _staging_dir(out_dir)
        ctxs = contexts(done.results, staging, options, progress)
        write_outputs(writers, done.results, ctxs, theme)
        for ctx in ctxs:
            done.warnings.extend(w for w in ctx.warnings if w not in done.warnings)
        for result in done.results:
            _check_targets(staging / result.slug, result.folder)
        with held():  # a signal half-way would leave new outputs beside old ones
            for result in done.results:
                _move_into_place(staging / result.slug, result, owned)
                record(done, result)
            done.placed = True  # before a signal held back meanwhile is raised
    finally:
        with held():
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if created and not done.placed:
                clear(out_dir)  # it did not exist before this run


def record(done: Build, result: Result) -> None:
    """Write the folder's ``build.json``: who it is for and which outputs it holds now."""
    assert done.pitch is not None
    write_record(
        BuildRecord(
            folder=result.folder,
            pitch=done.pitch.source,
            interviewer=result.interviewer,
            slug=result.slug,
            candidate=done.pitch.candidate.name,
            language=done.pitch.language,
            outputs=present_outputs(result.folder),
            updated_at=now(),
        )
    )


class Step(Protocol):
    def __call__(self, done: Build, options: Options, progress: Progress | None) -> None: ...


def _staging_dir(out_dir: Path) -> Path:
    # The staging folder sits inside out_dir, on the same file system, so the final move
    # is a rename; it is hidden and removed whatever happens.
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # Absolute: tools handed paths inside it (MkDocs, LibreOffice) resolve relative paths
        # against their own folders, not the current one.
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir.absolute()))
    except OSError as e:
        raise OutputError(f"{out_dir}: cannot write the output folder: {e.strerror}") from None


def _check_targets(stage: Path, folder: Path) -> None:
    """Refuse, before anything moves, to replace what this tool did not make."""
    for entry in stage.iterdir():
        target = folder / entry.name
        if not target.exists():
            continue
        ours = target.is_dir() == entry.is_dir() and (
            not target.is_dir() or (target / "index.html").is_file()
        )
        if not ours:
            raise OutputError(
                f"{target} is in the way and was not made by build; move it or choose another -o"
            )


def _move_into_place(stage: Path, result: Result, owned: list[str]) -> None:
    moved: dict[Path, Path] = {}
    try:
        result.folder.mkdir(parents=True, exist_ok=True)
        for name in owned:
            # What this run's outputs no longer make (captions of a video without a script)
            # must not linger beside what they did make.
            stale = result.folder / name
            if not (stage / name).exists() and stale.is_file():
                stale.unlink()
        for entry in stage.iterdir():
            if entry.name.startswith("."):
                continue  # a writer's scratch folder: working files never reach the output
            target = result.folder / entry.name
            if entry.is_dir() and target.is_dir():
                shutil.rmtree(target)
            os.replace(entry, target)
            moved[entry] = target
    except OSError as e:
        raise OutputError(f"{result.folder}: cannot move the outputs into place: {e}") from None
    for key, path in result.files.items():
        result.files[key] = _relocated(path, moved)


def _relocated(path: Path, moved: dict[Path, Path]) -> Path:
    for old, new in moved.items():
        if path == old or path.is_relative_to(old):
            return new / path.relative_to(old)
    return path
