"""Which writers run when: independent outputs side by side, the site once they are done.

The deck (LibreOffice, its own process) and the video (drawing, then ffmpeg) need nothing
from each other, so they run at once, the deck from the moment the video's pictures are
drawn (both are Python until then); the site embeds both and runs after. A failure in
one branch cancels the other (its child processes are killed, its writer stops at its
next progress report), and the first real error is the one raised.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.children import kill_all
from builder.context import POLL, Cancelled, Options, Progress, WriteContext
from builder.errors import OutputError
from builder.theme import Theme

if TYPE_CHECKING:
    from concurrent.futures import Future

    from builder.pipeline import Result

# Outputs that read what others made, and which: they start when those are finished.
NEEDS: dict[str, tuple[str, ...]] = {"site": ("deck", "video")}
# Outputs that run beside another but start once its pictures are drawn (ctx.drawn). The
# deck's .pptx is pure Python, like the video's drawing, and one interpreter runs one
# thread at a time: side by side, the drawing (which the whole encode waits for) took
# turns with the deck. After it, the deck and its LibreOffice run beside the encode.
AFTER_DRAWING: dict[str, str] = {"deck": "video"}


@dataclass(frozen=True)
class Writer:
    """One output: its name, its module (``write``, optionally ``write_all``), what it owns."""

    name: str
    module: Any

    @property
    def owns(self) -> tuple[str, ...]:
        """Return the names this output may write into an interviewer's folder."""
        return tuple(self.module.OWNS)


def writer(name: str, module_name: str) -> Writer:
    """Return the output *name*, importing its module (only now: `build --help` stays fast)."""
    return Writer(name, importlib.import_module(module_name))


def contexts(
    results: Sequence[Result], staging: Path, options: Options, progress: Progress | None
) -> list[WriteContext]:
    """Return one write context per result, its stage folder made, sharing one cancel flag."""
    cancelled, drawn, decks_written = threading.Event(), threading.Event(), threading.Event()
    decks_written.set()  # until write_outputs knows a deck is to be written
    made = []
    for result in results:
        ctx = WriteContext(
            stage=staging / result.slug,
            final=result.folder,
            options=options,
            progress=progress,
            cancelled=cancelled,
            drawn=drawn,
            decks_written=decks_written,
        )
        ctx.stage.mkdir()
        made.append(ctx)
    return made


def write_outputs(
    writers: Sequence[Writer], results: Sequence[Result], ctxs: Sequence[WriteContext], theme: Theme
) -> None:
    """Run every writer for every result: independent ones at once, dependent ones after."""
    if not ctxs:
        return
    first = [w for w in writers if w.name not in NEEDS]
    later = [w for w in writers if w.name in NEEDS]
    if any(w.name == "deck" for w in writers):
        ctxs[0].decks_written.clear()  # the deck sets it (builder.deck.write_all)
    prepared = threading.Event()

    def then_prepare(branch: Callable[[], None]) -> Callable[[], None]:
        # The first branch to finish readies the writers that come next (the site's MkDocs,
        # about 0.13 s) while the others still run: on the critical path it would be idle.
        def run() -> None:
            branch()
            if not prepared.is_set():
                prepared.set()
                for out in later:
                    getattr(out.module, "prepare", lambda theme: None)(theme)

        return run

    names = {w.name for w in first}
    for group in (first, later):
        branches = [
            _drawing_first(_branch(w, results, ctxs, theme), w.name, names, ctxs[0]) for w in group
        ]
        if group is first and len(branches) > 1 and later:
            branches = [then_prepare(branch) for branch in branches]
        if branches:
            run_branches(branches, ctxs[0].cancelled)


def _drawing_first(
    branch: Callable[[], None], name: str, running: set[str], ctx: WriteContext
) -> Callable[[], None]:
    """Return *branch* made to wait until the pictures of the output it runs after
    (:data:`AFTER_DRAWING`) are drawn, or to announce them when it is that output."""
    if name in AFTER_DRAWING.values():

        def announcing() -> None:
            try:
                branch()
            except BaseException:
                ctx.cancelled.set()  # before waking the waiters: they must not start now
                raise
            finally:
                ctx.drawn.set()  # also when it failed early: nobody may wait for ever

        return announcing
    if AFTER_DRAWING.get(name) not in running:
        return branch

    def waiting() -> None:
        while not ctx.drawn.wait(POLL):
            ctx.report(name, 0.0)  # raises Cancelled once another branch failed or a stop
        ctx.report(name, 0.0)
        branch()

    return waiting


def _branch(
    out: Writer, results: Sequence[Result], ctxs: Sequence[WriteContext], theme: Theme
) -> Callable[[], None]:
    """Return a function that writes *out* for every result (all at once if it can)."""

    def run() -> None:
        jobs = [(r.board, ctx) for r, ctx in zip(results, ctxs, strict=True)]
        try:
            if hasattr(out.module, "write_all"):
                for result, files in zip(results, out.module.write_all(jobs, theme), strict=True):
                    result.files.update(files)
                return
            for (board, ctx), result in zip(jobs, results, strict=True):
                result.files.update(out.module.write(board, theme, ctx))
        except OSError as e:
            # Disk full, quota, a file-size limit, a folder gone: one line, never a traceback.
            raise OutputError(write_error(e, _ctx_of(e, ctxs), out.name)) from None
        finally:
            if out.name == "deck":
                ctxs[0].decks_written.set()  # the deck sets it sooner; whatever happened

    return run


def run_branches(branches: Sequence[Callable[[], object]], cancelled: threading.Event) -> None:
    """Run *branches* at once (one alone runs here); on the first failure, or a stop
    signal, cancel the rest and raise that failure once they have ended."""
    if len(branches) == 1:
        branches[0]()
        return
    # Only here: a build of one output (`build site`) never pays for the import.
    from concurrent.futures import ThreadPoolExecutor, wait

    failures: list[BaseException] = []  # in the order they happened
    lock = threading.Lock()

    def noted(branch: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                branch()
            except BaseException as e:
                with lock:
                    failures.append(e)
                raise

        return run

    with ThreadPoolExecutor(max_workers=len(branches), thread_name_prefix="write") as pool:
        futures = [pool.submit(noted(branch)) for branch in branches]
        try:
            _wait(futures)
        except BaseException:
            cancelled.set()  # Ctrl-C or SIGTERM in this (the main) thread
            kill_all()
            raise
        # exception() waits for a future: ask only those that are done.
        failed = [f for f in futures if f.done() and f.exception() is not None]
        if failed:
            cancelled.set()
            kill_all()
            wait(futures)
            # The first to fail is the cause; what failed after it was cancelled (a killed
            # LibreOffice reports an error of its own) is a consequence, and so is a branch
            # that stopped as told (Cancelled), even when it got there first.
            raise next((e for e in failures if not isinstance(e, Cancelled)), failures[0])


def _wait(futures: list[Future[None]]) -> None:
    # A short timeout, again and again: the main thread must get back to the interpreter
    # often, where a stop signal's handler runs.
    from concurrent.futures import FIRST_EXCEPTION, wait

    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=POLL, return_when=FIRST_EXCEPTION)
        if any(f.exception() is not None for f in done):
            return


def _ctx_of(error: OSError, ctxs: Sequence[WriteContext]) -> WriteContext:
    """Return the context whose stage holds the file *error* names (else the first)."""
    if error.filename:
        path = Path(os.fsdecode(error.filename))
        for ctx in ctxs:
            if path.is_relative_to(ctx.stage):
                return ctx
    return ctxs[0]


def write_error(error: OSError, ctx: WriteContext, output: str) -> str:
    """Return the one-line message for *error*, raised while *output* was being written.

    A file in the stage is named by where it was going (``out/deck.pdf``), a working file
    by its output's folder; a file elsewhere (a font, an image) by its own path.
    """
    cause = error.strerror or str(error)
    if not error.filename:  # Python names no file when a write() fails, only an open()
        return f"{ctx.final}: cannot write the {output}: {cause}"
    path = Path(os.fsdecode(error.filename))
    if not path.is_relative_to(ctx.stage):
        return f"{path}: {cause}"
    inside = path.relative_to(ctx.stage)
    if inside.parts and inside.parts[0].startswith("."):  # a scratch folder of the stage
        return f"{ctx.final}: cannot write the {output}: {cause}"
    return f"{ctx.final / inside}: cannot write: {cause}"
