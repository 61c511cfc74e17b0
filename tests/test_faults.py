"""Faults during a build, with real processes: Ctrl-C and SIGTERM, two builds into one
folder, a full disk. The output folder holds the previous build or the new one, never a
mix, and nothing of the build is left anywhere else."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.cli import stop_signals
from builder.interrupts import Interrupted, held

ROOT = Path(__file__).resolve().parent.parent
INTERRUPTED = "interrupted, nothing was changed\n"
PreExec = Callable[[], None] | None


class Build:
    """A ``build`` command run in a child process, with its own temp folder (TMPDIR)."""

    def __init__(self, workdir: Path, *args: str | Path, preexec: PreExec = None) -> None:
        self.workdir = workdir
        self.tmp = workdir / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", *map(str, args)],
            cwd=ROOT,
            env={**os.environ, "TMPDIR": str(self.tmp)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec,
        )

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        """Return the exit code and stderr once the build has ended."""
        _, errors = self.process.communicate(timeout=timeout)
        return self.process.returncode, errors


@pytest.fixture
def ada(tmp_path: Path) -> Path:
    """Return a copy of examples/ada's pitch in a folder of its own."""
    shutil.copytree(ROOT / "examples" / "ada", tmp_path / "ada")
    return tmp_path / "ada" / "pitch.yaml"


def processes_mentioning(text: str) -> list[str]:
    """Return the command lines of running processes (not this one) that mention *text*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        if text in line:
            found.append(line)
    return found


def wait_for_child(build: Build, program: str, timeout: float = 120) -> None:
    """Wait until *build* runs *program* (soffice.bin, ffmpeg) on files of its folder."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if build.process.poll() is not None:
            pytest.fail(f"the build ended before {program} started: {build.finish()}")
        mine = processes_mentioning(str(build.workdir))
        if any(program in line and "-m builder" not in line for line in mine):
            return
        time.sleep(0.05)
    pytest.fail(f"{program} did not start within {timeout} s")


def snapshot(folder: Path) -> dict[str, str]:
    """Return every file under *folder* (hidden ones included) with a hash of its bytes."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_nothing_left(build: Build, out: Path) -> None:
    """No staging folder in *out*, nothing in the build's TMPDIR, no child process alive."""
    assert not list(out.glob(".staging-*")) if out.exists() else True
    assert list(build.tmp.iterdir()) == []
    deadline = time.monotonic() + 5  # the kernel may take a moment to reap
    while processes_mentioning(str(build.workdir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_mentioning(str(build.workdir)) == []


def test_ctrl_c_while_libreoffice_runs_leaves_nothing(ada: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = Build(tmp_path, "deck", ada, "-o", out)
    wait_for_child(build, "soffice.bin")  # its profile and the PDF are in the stage now
    build.process.send_signal(signal.SIGINT)
    assert build.finish() == (130, INTERRUPTED)
    assert not out.exists()  # the first build: the folder it created is gone again
    assert_nothing_left(build, out)


def test_a_stop_while_the_recording_is_measured_ends_its_reading(ada: Path, tmp_path: Path) -> None:
    # The recording is measured while the slides are drawn in other threads; a stop must
    # end that ffmpeg, not wait for it and then start the next read (a limiter's trial,
    # for speech): measured in a thread of its own, it did, for seconds.
    speech = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech), "Thank you, Sarah. " * 6],
                   check=True)  # fmt: skip
    voice = ada.parent / "media" / "voice.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "-1", "-i", str(speech), "-t", "170",
                    "-ac", "2", "-ar", "48000", str(voice)], check=True)  # fmt: skip
    text = ada.read_text(encoding="utf-8").replace(
        "video:\n", "video:\n  recording: media/voice.wav\n", 1
    )
    ada.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build = Build(tmp_path, "video", ada, "-o", out, "--size", "720p")
    deadline = time.monotonic() + 60
    while not any("ebur128=peak=true" in line for line in processes_mentioning(str(voice))):
        assert time.monotonic() < deadline and build.process.poll() is None, build.finish()
        time.sleep(0.01)
    build.process.send_signal(signal.SIGINT)  # to the build alone, as `kill -INT` does
    started_after: list[str] = []
    while build.process.poll() is None:
        started_after += [line for line in processes_mentioning(str(voice)) if "alimiter" in line]
        time.sleep(0.01)
    assert build.finish() == (130, INTERRUPTED)
    assert started_after == [], "the measuring went on after the stop"
    assert_nothing_left(build, out)


def test_sigterm_while_ffmpeg_runs_keeps_the_previous_build(ada: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert Build(tmp_path, "deck", ada, "-o", out).finish()[0] == 0
    before = snapshot(out)
    build = Build(tmp_path, "all", ada, "-o", out)
    wait_for_child(build, "ffmpeg")  # the deck of this run is written, in the stage
    build.process.send_signal(signal.SIGTERM)
    assert build.finish() == (143, INTERRUPTED)
    assert snapshot(out) == before
    assert_nothing_left(build, out)


def test_a_stop_signal_waits_until_the_files_are_in_place() -> None:
    # The pipeline moves finished files inside held(): a signal then is delivered after.
    order = []
    with stop_signals(), pytest.raises(Interrupted) as stopped:
        with held():
            os.kill(os.getpid(), signal.SIGTERM)
            order.append("the move went on")
        order.append("not reached")
    assert order == ["the move went on"]
    assert stopped.value.exit_code == 143


def test_two_builds_into_one_folder_the_second_is_refused(ada: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = Build(tmp_path, "video", ada, "-o", out)
    wait_for_child(first, "ffmpeg")  # seconds of encoding left: time for the second to try
    second = Build(tmp_path, "deck", ada, "-o", out)
    assert second.finish() == (
        1,
        f"error: {out} is being built by another build (pid {first.process.pid}); "
        "wait for it or choose another -o\n",
    )
    assert first.finish()[0] == 0
    made = ["build.json", "poster.png", "preview.gif", "video.mp4", "video.vtt"]
    assert sorted(p.name for p in out.iterdir()) == made  # the lock file went with it
    assert Build(tmp_path, "deck", ada, "-o", out).finish()[0] == 0


def file_size_limit(size: int) -> Callable[[], None]:
    """Return a pre-exec function: files of the child may not grow past *size* bytes."""

    def limit() -> None:
        # Ignored, SIGXFSZ makes an oversized write fail with EFBIG instead of killing.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize(
    ("output", "limit"),
    [
        ("deck", 50_000),  # the .pptx
        ("video", 300_000),  # the first still frame
        ("site", 120_000),  # index.html, with its images inside
    ],
)
def test_a_full_disk_is_one_line_naming_the_folder_and_the_cause(
    ada: Path, tmp_path: Path, output: str, limit: int
) -> None:
    out = tmp_path / "out"
    build = Build(tmp_path, output, ada, "-o", out, preexec=file_size_limit(limit))
    assert build.finish() == (1, f"error: {out}: cannot write the {output}: File too large\n")
    assert not out.exists()
    assert_nothing_left(build, out)


def test_a_full_disk_half_way_keeps_the_previous_build(ada: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert Build(tmp_path, "deck", ada, "-o", out).finish()[0] == 0
    before = snapshot(out)
    # The deck fits; the video's first frame does not.
    build = Build(tmp_path, "all", ada, "-o", out, preexec=file_size_limit(300_000))
    assert build.finish() == (1, f"error: {out}: cannot write the video: File too large\n")
    assert snapshot(out) == before
    assert_nothing_left(build, out)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path | None]]:
    """Yield a function that mounts a tmpfs of a given size, or gives None where mounting
    is not allowed (not root, a container without CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(size: int) -> Path | None:
        folder = tmp_path / f"disk-{len(mounted)}"
        folder.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            return None
        options = f"size={size},mode=0700"
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
        )
        if done.returncode != 0:
            return None
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=False)


def test_libreoffice_on_a_full_disk_is_one_line(
    ada: Path, tmp_path: Path, small_disk: Callable[[int], Path | None]
) -> None:
    assert Build(tmp_path, "deck", ada, "-o", tmp_path / "measure").finish()[0] == 0
    pptx = (tmp_path / "measure" / "deck.pptx").stat().st_size
    # Room for the .pptx and LibreOffice's copy of it; not for its profile and the PDF.
    disk = small_disk(2 * pptx + 16 * 1024)
    if disk is None:
        # A file-size limit cannot make LibreOffice's own writes fail (no file it writes is
        # larger than the .pptx, which must fit): this case needs a real small disk.
        pytest.skip("mounting a tmpfs is not allowed here")
    out = disk / "out"
    build = Build(tmp_path, "deck", ada, "-o", out)
    assert build.finish() == (
        1,
        "error: deck.pdf: LibreOffice could not convert deck.pptx: No space left on device\n",
    )
    assert not out.exists()
    assert_nothing_left(build, out)


FFMPEG_SCRIPT = """
import sys
from builder.errors import BuilderError
from builder.video import ffmpeg
try:
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc=size=1280x720", "-t", "5", "-y", sys.argv[1]],
               what="video.mp4")
except BuilderError as e:
    print(e)
"""


def test_ffmpeg_on_a_full_disk_is_one_line(
    tmp_path: Path, small_disk: Callable[[int], Path | None]
) -> None:
    disk = small_disk(16 * 1024)
    limit = None if disk is not None else file_size_limit(16 * 1024)
    target = (disk or tmp_path) / "video.mp4"
    done = subprocess.run(
        [sys.executable, "-c", FFMPEG_SCRIPT, str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    # On a small disk ffmpeg says so; under a file-size limit the kernel stops it with
    # SIGXFSZ, and the message says that instead of ffmpeg's cut-off log.
    cause = "No space left on device" if disk is not None else "File size limit exceeded"
    assert done.stdout.startswith("video.mp4: ffmpeg failed: ")
    assert done.stdout.endswith(f"{cause}\n")
    assert done.stdout.count("\n") == 1
