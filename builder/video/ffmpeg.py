"""Running ffmpeg: find the binary, run it with a progress callback, turn failures into errors."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from builder.children import kill, reaped
from builder.errors import OutputError

# Inputs may only be read from local files (and our own pipes); never from the network.
INPUT_GUARD = ("-protocol_whitelist", "file,pipe")
# The candidate's recording may only be opened by these demuxers: a playlist or concat file
# dressed up as .mp4 must not make ffmpeg read other files.
RECORDING_FORMATS = ("-format_whitelist", "mov,mp4,matroska,webm,mp3,wav,ogg")
TIMEOUT = 900  # seconds: a stuck ffmpeg must not hang a build forever


@dataclass(frozen=True)
class Run:
    """What one ffmpeg run printed: its log lines, each tagged with its level."""

    log: tuple[str, ...]
    out_time: float = 0.0  # seconds of output written, from ffmpeg's progress reports

    def lines(self, *levels: str) -> list[str]:
        """Return the log lines at *levels* (``error``, ``warning``, ``info``...), untagged."""
        wanted = {f"[{level}]" for level in levels}
        found = []
        for line in self.log:
            match = _LEVEL.search(line)
            if match and match.group(0) in wanted:
                found.append(line[match.end() :].strip())
        return found

    @property
    def text(self) -> str:
        """Return the whole log as one string."""
        return "\n".join(self.log)


_LEVEL = re.compile(r"\[(?:quiet|panic|fatal|error|warning|info|verbose|debug|trace)\]")


def ffmpeg() -> str:
    """Return the path of the ffmpeg binary: imageio-ffmpeg's, else the system's.

    Raises :class:`OutputError` when there is none, or when ``IMAGEIO_FFMPEG_EXE`` names a
    file that does not exist (the user asked for that binary; silently using another
    would hide their mistake).
    """
    try:
        import imageio_ffmpeg

        exe = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        exe = shutil.which("ffmpeg") or ""
    if not exe or not (Path(exe).is_file() and os.access(exe, os.X_OK)):
        raise OutputError(
            f"ffmpeg not found{f' at {exe}' if exe else ''}; "
            "reinstall imageio-ffmpeg (pip install imageio-ffmpeg) or install ffmpeg"
        )
    return exe


@lru_cache(maxsize=4)
def version(exe: str) -> tuple[int, int]:
    """Return the (major, minor) version of the ffmpeg binary *exe*; (99, 0) for a
    development build that names no release."""
    try:
        first = subprocess.run(
            [exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
        ).stdout.partition("\n")[0]
    except (OSError, subprocess.SubprocessError):
        return (0, 0)
    match = re.search(r"version n?(\d+)\.(\d+)", first)
    return (int(match.group(1)), int(match.group(2))) if match else (99, 0)


def run(
    args: Sequence[str],
    *,
    what: str,
    total: float | None = None,
    progress: Callable[[float], None] | None = None,
    check: bool = True,
) -> Run:
    """Run ffmpeg with *args*; return its log.

    *what* names the job in error messages. With *total* (seconds of output) and
    *progress*, ffmpeg's ``-progress`` reports become fractions 0..1. Raises
    :class:`OutputError` when ffmpeg cannot start, times out or (with *check*) fails.
    """
    command = [ffmpeg(), "-hide_banner", "-nostdin", "-loglevel", "level+info"]
    # Progress as key=value lines on stdout, five times a second (the default is two).
    command += ["-progress", "pipe:1", "-stats_period", "0.2", "-nostats", *args]
    process = _start(command, what)
    log: list[str] = []
    # stderr is drained in a thread: a full pipe would otherwise stall ffmpeg.
    reader = threading.Thread(target=_collect, args=(process.stderr, log), daemon=True)
    reader.start()
    # An error, Ctrl-C or SIGTERM while ffmpeg runs must not leave it running.
    with reaped(process):
        out_time = _follow(process, total, progress)
        try:
            code = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            kill(process)
            raise OutputError(
                f"{what}: ffmpeg took longer than {TIMEOUT} s and was stopped"
            ) from None
    reader.join()
    result = Run(tuple(log), out_time)
    if check and code != 0:
        # Killed by a signal (a file-size limit, the OOM killer), ffmpeg's log just stops.
        reason = signal.strsignal(-code) if code < 0 else last_problem(result)
        raise OutputError(f"{what}: ffmpeg failed: {reason or f'exit code {code}'}")
    return result


def _start(command: list[str], what: str) -> subprocess.Popen[str]:
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except OSError as e:
        raise OutputError(f"{what}: cannot start ffmpeg ({command[0]}): {e.strerror}") from None


def _collect(stream: object, log: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        log.append(line.rstrip("\n"))


def _follow(
    process: subprocess.Popen[str], total: float | None, progress: Callable[[float], None] | None
) -> float:
    """Read ffmpeg's ``key=value`` progress lines, report the fraction done; return the
    last output time in seconds."""
    seconds = 0.0
    if process.stdout is None:
        return seconds
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            seconds = max(seconds, int(value) / 1e6)
            if progress is not None and total:
                progress(min(1.0, seconds / total))
        elif key == "progress" and value == "end" and progress is not None:
            progress(1.0)
    return seconds


def last_problem(result: Run) -> str:
    """Return ffmpeg's most telling complaint: its last error line, else its last line."""
    problems = result.lines("fatal", "error", "panic")
    # ffmpeg ends with generic summaries ("Error opening input file x."); the line before
    # them says why ("moov atom not found").
    generic = ("Conversion failed", "Error opening input", "Error opening output")
    cleaned = [_strip_prefix(p) for p in problems]
    useful = [p for p in cleaned if not p.startswith(generic)]
    if useful:
        return useful[-1]
    if cleaned:
        return cleaned[-1].rpartition(": ")[2] or cleaned[-1]
    return _strip_prefix(result.log[-1]) if result.log else ""


def _strip_prefix(line: str) -> str:
    # "[in#0 @ 0x55d] [error] moov atom not found" -> "moov atom not found"
    line = _LEVEL.sub("", line)
    return re.sub(r"^\s*(\[[^\]]*\]\s*)+", "", line).strip()
