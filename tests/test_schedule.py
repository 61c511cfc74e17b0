"""Outputs side by side: one LibreOffice run per build, and a failing branch stops the other."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from builder.children import reaped
from builder.context import Cancelled, WriteContext
from builder.errors import OutputError
from builder.schedule import run_branches


def test_a_panel_is_converted_by_one_libreoffice_run(
    example: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.which("soffice")
    assert real, "LibreOffice is installed by the README's test command"
    wrapper = tmp_path / "bin" / "soffice"
    wrapper.parent.mkdir()
    log = tmp_path / "calls.log"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    result = cli("deck", example("jonas"), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    calls = log.read_text().splitlines()
    assert len(calls) == 1
    assert calls[0].count(".pptx") == 2
    for slug in ("petra-schulz", "mehmet-oeztuerk"):
        pdf = subprocess.run(
            ["pdftotext", str(tmp_path / "out" / slug / "deck.pdf"), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        person = "Frau Schulz" if slug == "petra-schulz" else "Herr Öztürk"
        assert f"Vielen Dank, {person}" in pdf  # each deck became its own PDF


def test_a_failing_branch_stops_the_other_and_its_child(tmp_path: Path) -> None:
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    started = threading.Event()
    ended: list[str] = []

    def slow_child() -> None:
        # A long-running child, like LibreOffice or ffmpeg, then progress reports.
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            with reaped(process):
                started.set()
                process.wait()
            while True:
                ctx.report("video", 0.5)
                time.sleep(0.05)
        finally:
            ended.append(f"child exit {process.returncode}")

    def failing() -> None:
        started.wait(10)
        raise OutputError("deck.pdf: LibreOffice could not convert deck.pptx: broken")

    began = time.monotonic()
    with pytest.raises(OutputError, match="could not convert"):
        run_branches([slow_child, failing], ctx.cancelled)
    assert time.monotonic() - began < 10  # not the child's 60 s
    assert ended and ended[0] != "child exit 0"
    assert ctx.cancelled.is_set()


def test_a_cancelled_writer_stops_at_its_next_report(tmp_path: Path) -> None:
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    ctx.cancelled.set()
    with pytest.raises(Cancelled):
        ctx.report("deck", 0.3)


def test_the_first_branch_to_finish_prepares_the_next_writers(tmp_path: Path) -> None:
    """The site's imports (MkDocs, Jinja) happen while the video is still being written,
    in the deck's thread once it is done: never before a branch ends, never after the
    site has started, and only once."""
    from types import SimpleNamespace

    from builder.schedule import Writer, write_outputs

    events: list[str] = []
    video_may_end = threading.Event()

    def module(name: str, **extra: Any) -> Any:
        def write(board: Any, theme: Any, ctx: Any) -> dict[str, Path]:
            if name == "video":
                ctx.drawn.set()  # as the real one does once its pictures are drawn
                assert video_may_end.wait(5), "the deck's thread never prepared the site"
            events.append(f"{name} written")
            return {}

        return SimpleNamespace(OWNS=(), write=write, **extra)

    def prepare(theme: Any) -> None:
        events.append("site prepared")
        video_may_end.set()

    writers = [
        Writer("deck", module("deck")),
        Writer("video", module("video")),
        Writer("site", module("site", prepare=prepare)),
    ]
    result = SimpleNamespace(board=None, files={})
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    no_theme: Any = None  # the fake writers draw nothing
    write_outputs(writers, [result], [ctx], no_theme)
    assert events == ["deck written", "site prepared", "video written", "site written"]


def _fakes(video: Any) -> tuple[list[Any], list[str]]:
    """Return writers deck (which notes when it starts), video (*video*) and site."""
    from types import SimpleNamespace

    from builder.schedule import Writer

    events: list[str] = []

    def deck(board: Any, theme: Any, ctx: Any) -> dict[str, Path]:
        events.append("deck started")
        return {}

    def site(board: Any, theme: Any, ctx: Any) -> dict[str, Path]:
        return {}

    def video_with_events(board: Any, theme: Any, ctx: Any) -> dict[str, Path]:
        return video(board, theme, ctx, events)  # type: ignore[no-any-return]

    writers = [
        Writer(name, SimpleNamespace(OWNS=(), write=write))
        for name, write in (("deck", deck), ("video", video_with_events), ("site", site))
    ]
    return writers, events


def test_the_deck_starts_once_the_video_has_drawn_its_pictures(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from builder.schedule import write_outputs

    def video(board: Any, theme: Any, ctx: Any, events: list[str]) -> dict[str, Path]:
        time.sleep(0.3)  # drawing: the deck must not start meanwhile
        events.append("pictures drawn")
        ctx.drawn.set()
        time.sleep(0.3)  # encoding: the deck runs beside it
        events.append("video encoded")
        return {}

    writers, events = _fakes(video)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    no_theme: Any = None
    write_outputs(writers, [SimpleNamespace(board=None, files={})], [ctx], no_theme)
    assert events == ["pictures drawn", "deck started", "video encoded"]


def test_a_video_that_fails_before_drawing_does_not_keep_the_deck_waiting(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from builder.schedule import write_outputs

    def video(board: Any, theme: Any, ctx: Any, events: list[str]) -> dict[str, Path]:
        raise OutputError("video: ffmpeg is missing")

    writers, events = _fakes(video)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    no_theme: Any = None
    started = time.monotonic()
    with pytest.raises(OutputError, match="ffmpeg is missing"):
        write_outputs(writers, [SimpleNamespace(board=None, files={})], [ctx], no_theme)
    assert time.monotonic() - started < 3
    assert "deck started" not in events  # it was cancelled while it waited


def test_the_real_failure_is_raised_even_when_a_cancelled_branch_stopped_first() -> None:
    # A branch that fails may cancel the others before its own error is noted (the video
    # wakes the waiting deck that way): the deck's Cancelled must not hide the cause.
    cancelled, deck_stopped = threading.Event(), threading.Event()

    def video() -> None:
        cancelled.set()
        assert deck_stopped.wait(5)
        raise OutputError("video: ffmpeg failed")

    def deck() -> None:
        assert cancelled.wait(5)
        deck_stopped.set()
        raise Cancelled("deck")

    with pytest.raises(OutputError, match="ffmpeg failed"):
        run_branches([video, deck], cancelled)


def test_the_video_waits_for_nothing_once_the_deck_branch_has_ended(tmp_path: Path) -> None:
    # The teaser GIF waits until the decks are written (a panel's deck is its longest
    # path); a deck writer that never says so must not keep the video waiting.
    from types import SimpleNamespace

    from builder.schedule import write_outputs

    def video(board: Any, theme: Any, ctx: Any, events: list[str]) -> dict[str, Path]:
        ctx.drawn.set()
        assert not ctx.decks_written.is_set(), "a deck is to be written: wait for it"
        assert ctx.decks_written.wait(5), "the deck ended, and the video still waits"
        events.append("teaser made")
        return {}

    writers, events = _fakes(video)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    no_theme: Any = None
    write_outputs(writers, [SimpleNamespace(board=None, files={})], [ctx], no_theme)
    assert events == ["deck started", "teaser made"]


def test_without_a_deck_the_teaser_does_not_wait(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from builder.schedule import write_outputs

    def video(board: Any, theme: Any, ctx: Any, events: list[str]) -> dict[str, Path]:
        assert ctx.decks_written.is_set()
        events.append("teaser made")
        return {}

    writers, events = _fakes(video)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    no_theme: Any = None
    write_outputs(writers[1:], [SimpleNamespace(board=None, files={})], [ctx], no_theme)
    assert events == ["teaser made"]


def test_the_teaser_is_made_once_the_decks_are_written_and_not_before(tmp_path: Path) -> None:
    from builder.pitch import load_pitch
    from builder.storyboard import plan
    from builder.theme import load_theme
    from builder.video import _teaser

    pitch = load_pitch(Path(__file__).parent.parent / "examples" / "ada" / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    theme = load_theme(pitch.theme, relative_to=pitch.folder)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    ctx.decks_written.clear()  # a deck is being written
    made: list[Path] = []
    worker = threading.Thread(target=lambda: made.append(_teaser(board, theme, ctx)))
    worker.start()
    time.sleep(0.5)
    assert not (tmp_path / "preview.gif").exists(), "made while the deck was still Python"
    ctx.decks_written.set()
    worker.join(10)
    assert made == [tmp_path / "preview.gif"] and made[0].stat().st_size > 0
    # Cancelled while it waits: it stops at once, without a GIF.
    other = WriteContext(stage=tmp_path / "other", final=tmp_path)
    other.decks_written.clear()
    other.cancelled.set()
    with pytest.raises(Cancelled):
        _teaser(board, theme, other)
