"""How fast is `build video`? Prints a markdown table; a script, not a timed test.

    python benchmarks/bench_video.py              # everything, 3 runs each (median)
    python benchmarks/bench_video.py --quick      # 1 run, moviepy on 10 s (extrapolated)
    python benchmarks/bench_video.py --skip-moviepy

Rows:

- the example pitch (examples/ada) end to end at 1080p: ``python -m builder video``
  in a fresh process, so interpreter start-up and imports count;
- the same frames (every still and cross-fade frame the build draws) encoded three ways:
  ours (variable frame rate, each distinct frame once), ffmpeg at a constant 30 fps
  (same frames, same encoder settings, duplicates filled in by ffmpeg), and moviepy 2.2.1
  (ImageClips of the same slides with the same cross-fades, ``write_videofile(fps=30)``);
- a 60 s 720p webcam clip (ffmpeg testsrc2 + sine; ``--webcam-seconds`` picks another
  length) as the pitch's recording: phone-like (no B-frames), so it is copied untouched;
  ``--webcam-bframes`` makes it with x264's default B-frames, which take the encode path;
- a storyboard of 12 scenes (about 120 s, 11 cross-fades); run.py sets it against the same
  at 6 scenes: the cost should grow at most linearly with the length.

Other scripts may call the case functions (``end_to_end``, ``same_frames``, ``moviepy``,
``webcam``, ``long_video``, ``measured``): each returns per-run dicts with "seconds"
(wall) and "cpu" (user+sys of the build and its children) where measured.

moviepy is not a dependency (it pins pillow<12), so it runs in its own virtualenv,
``benchmarks/.venv-moviepy`` (gitignored), created on first use with ``pip install
moviepy==2.2.1``. Peak memory comes from ``measure.py``, the measured process: its own
peak plus its largest child's (ffmpeg), an upper bound on what runs at once.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".venv-moviepy"
MOVIEPY = "moviepy==2.2.1"
TARGETS = {"e2e": 5.0, "moviepy": 50.0, "cfr": 6.0, "memory_mb": 600.0, "realtime": 5.0,
           "linear": 1.0}  # fmt: skip
LONG_SCRIPT = """
import dataclasses, json, sys, time
from pathlib import Path
from builder.context import Options, WriteContext
from builder.pitch import load_pitch
from builder.storyboard import plan
from builder.theme import load_theme
from builder.video import write
pitch = load_pitch(Path(sys.argv[1]))
board = plan(pitch, pitch.interview.interviewers[0])
# N scenes of 10 s (argv[3]): the example's scenes repeated (the closing card last),
# N - 1 fades.
count = int(sys.argv[3])
middle = board.scenes[1:-1]
scenes = [board.scenes[0], *[middle[i % len(middle)] for i in range(count - 2)], board.scenes[-1]]
scenes = [dataclasses.replace(s, duration=10.0) for s in scenes]
board = dataclasses.replace(board, scenes=tuple(scenes))
stage = Path(sys.argv[2])
stage.mkdir(parents=True, exist_ok=True)
write(board, load_theme(board.theme), WriteContext(stage=stage, final=stage,
      options=Options(size="1080p")))
"""

MOVIEPY_SCRIPT = """
import json, sys, time
from moviepy import ImageClip, concatenate_videoclips, vfx
plan = json.loads(sys.argv[1])
clips = []
for i, (path, seconds) in enumerate(plan["slides"]):
    clip = ImageClip(path).with_duration(seconds)
    if i:
        clip = clip.with_effects([vfx.CrossFadeIn(plan["fade"])])
    clips.append(clip)
video = concatenate_videoclips(clips, method="compose", padding=-plan["fade"])
if plan["window"]:
    video = video.subclipped(*plan["window"])
start = time.perf_counter()
# A plain render: moviepy's defaults (libx264, preset medium), no audio.
video.write_videofile(plan["output"], fps=30, audio=False, logger=None)
print(json.dumps({"seconds": time.perf_counter() - start, "length": video.duration}))
"""


# ----------------------------------------------------------------------------- measuring


def measured(command: list[str]) -> dict[str, float]:
    """Run *command* in a fresh process; return its wall time and peak memory (MB).

    The child (``measure.py``) reports the build's own peak and its largest child's
    (ffmpeg), so the numbers are the build's, not this script's.
    """
    wrapper = [sys.executable, str(Path(__file__).with_name("measure.py")), "--", *command]
    start = time.perf_counter()
    done = subprocess.run(wrapper, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    usage = json.loads(done.stdout.strip().splitlines()[-1])  # the build prints above it
    return {"seconds": wall, **usage}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


# ----------------------------------------------------------------------------- cases


def end_to_end(work: Path, runs: int) -> tuple[list[dict[str, float]], float]:
    """Build the example at 1080p *runs* times; return the runs and the video's length."""
    pitch = _copy_example(work, "e2e")
    results = []
    for run in range(runs):
        out = work / f"e2e-out-{run}"
        command = [sys.executable, "-m", "builder", "video", str(pitch), "-o", str(out)]
        results.append(measured(command))
    return results, _duration(work / "e2e-out-0" / "video.mp4")


def same_frames(work: Path) -> dict[str, Any]:
    """Draw the example's frames once (as the build does) and write the encode inputs."""
    sys.path.insert(0, str(ROOT))
    from builder.frames import SIZES, render_scene
    from builder.pitch import load_pitch
    from builder.storyboard import plan
    from builder.theme import load_theme
    from builder.video import _job, encode, ffmpeg, timeline

    pitch = load_pitch(ROOT / "examples" / "ada" / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    theme = load_theme(board.theme)
    scenes = [render_scene(s, board, theme, SIZES["1080p"]) for s in board.scenes]
    frames_dir = work / "frames"
    frames_dir.mkdir()
    schedule = timeline.plan(board, None)
    job = _job(board, theme, schedule, None, (scenes, {}), ([], {}), frames_dir)
    slides = []
    for index, (scene, image) in enumerate(zip(board.scenes, scenes, strict=True)):
        path = work / f"slide-{index}.png"
        image.save(path)
        # moviepy overlaps neighbours by the fade; our fade sits inside the next slot.
        last = index == len(scenes) - 1
        slides.append((str(path), scene.duration + (0 if last else timeline.FADE / timeline.TICKS)))
    vfr = [ffmpeg.ffmpeg(), "-hide_banner", "-loglevel", "error", *encode.command(job)]
    vfr[-1] = str(work / "vfr.mp4")
    at = vfr.index("vfr")
    cfr = [*vfr[:at], "cfr", "-r", "30", *vfr[at + 1 :]]
    cfr[-1] = str(work / "cfr.mp4")
    # "Plain" ffmpeg: the same frames (same inputs and filter graph) at constant 30 fps,
    # with x264 at its defaults instead of our settings.
    tuning = {"-preset", "-crf", "-profile:v", "-level:v", "-maxrate", "-bufsize", "-bf", "-g",
              "-force_key_frames", "-mbtree", "-subq"}  # fmt: skip
    plain = []
    for i, arg in enumerate(cfr):
        if arg in tuning or (i and cfr[i - 1] in tuning):
            continue
        plain.append(arg)
    plain[-1] = str(work / "plain.mp4")
    entries = sum(1 for line in job.slides.read_text().splitlines() if line.startswith("file"))
    distinct = len(job.pictures)
    return {"vfr": vfr, "cfr": cfr, "plain": plain, "slides": slides, "length": board.duration,
            "entries": entries - 1, "distinct": distinct}  # fmt: skip


def moviepy(work: Path, frames: dict[str, Any], quick: bool) -> dict[str, float]:
    """Render the same slides with moviepy 2.2.1 in its own virtualenv.

    *quick* renders 10 s around the first cross-fade (fades cost moviepy the most per
    second) and scales the time up to the whole video's length.
    """
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)} with {MOVIEPY} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", MOVIEPY], check=True)
    first_fade = frames["slides"][0][1] - 0.5
    window = (first_fade - 5.0, first_fade + 5.0) if quick else None
    plan = {"slides": frames["slides"], "fade": 0.5, "window": window,
            "output": str(work / "moviepy.mp4")}  # fmt: skip
    script = work / "render_moviepy.py"
    script.write_text(MOVIEPY_SCRIPT, encoding="utf-8")
    result = measured([str(python), str(script), json.dumps(plan)])
    length = 10.0 if quick else frames["length"]
    # With --quick only 10 s are rendered: the time is scaled up to the whole video, and
    # the table says so.
    return {**result, "seconds": result["seconds"] * frames["length"] / length}


SPEECH = (
    "Hello Sarah, thank you for the conversation yesterday. You told me about the Friday "
    "report that takes your team a whole afternoon, and I would love to help you retire it. "
)


def webcam(
    work: Path, runs: int, *, seconds: float = 60.0, bframes: bool = False
) -> tuple[list[dict[str, float]], float]:
    """Build the example at 720p with a *seconds* long 720p webcam clip as its recording
    *runs* times; return the runs and the video's length.

    The clip is phone-like (no B-frames: copied untouched) unless *bframes* (x264's
    default GOP, which takes the encode path).
    """
    pitch = _copy_example(work, f"webcam-{seconds:g}-{int(bframes)}")
    clip = pitch.parent / "media" / "webcam.mp4"
    # Speech, as a phone records it (stereo, 48 kHz): its peaks stand some 20 dB over its
    # loudness, so it takes the limiter, the path most voices take (a steady tone would
    # take one gain, which is cheaper).
    voice = work / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(voice), SPEECH], check=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
         "-stream_loop", "-1", "-i", str(voice),
         "-map", "0:v", "-map", "1:a", "-t", f"{seconds}",
         "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         *([] if bframes else ["-bf", "0", "-g", "30"]),
         "-c:a", "aac", "-ar", "48000", "-ac", "2", str(clip)],
        check=True,
    )  # fmt: skip
    text = pitch.read_text(encoding="utf-8").replace(
        "video:\n", "video:\n  recording: media/webcam.mp4\n"
    )
    pitch.write_text(text, encoding="utf-8")
    results = []
    for run in range(runs):
        out = pitch.parent / f"out-{run}"
        command = [sys.executable, "-m", "builder", "video", str(pitch), "-o", str(out),
                   "--size", "720p"]  # fmt: skip
        results.append(measured(command))
    return results, _duration(pitch.parent / "out-0" / "video.mp4")


def long_video(work: Path, runs: int, scenes: int = 12) -> tuple[list[dict[str, float]], float]:
    """Write a 1080p video of *scenes* scenes of 10 s (a cross-fade between each two)
    *runs* times, through ``builder.video.write`` in a fresh process; return the runs and
    the video's length."""
    pitch = _copy_example(work, f"long-{scenes}")
    script = work / "long_video.py"
    script.write_text(LONG_SCRIPT, encoding="utf-8")
    results = []
    for run in range(runs):
        stage = work / f"long-{scenes}-out-{run}"
        command = [sys.executable, str(script), str(pitch), str(stage), str(scenes)]
        results.append(measured(command))
    return results, _duration(work / f"long-{scenes}-out-0" / "video.mp4")


def _copy_example(work: Path, name: str) -> Path:
    target = work / name
    shutil.copytree(ROOT / "examples" / "ada", target)
    return target / "pitch.yaml"


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out)


# ----------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run; moviepy on 10 s, scaled up")
    parser.add_argument("--skip-moviepy", action="store_true", help="leave moviepy out")
    parser.add_argument("--runs", type=int, default=None, help="runs per case (default 3)")
    parser.add_argument("--webcam-seconds", type=float, default=60.0, help="webcam clip length")
    parser.add_argument(
        "--webcam-bframes",
        action="store_true",
        help="make the webcam clip with B-frames (takes the encode path)",
    )
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory(prefix="bench-video-") as folder:
        work = Path(folder)
        print(f"measuring ({runs} run(s) each) ...", file=sys.stderr)
        e2e, length = end_to_end(work, runs)
        frames = same_frames(work)
        vfr = [measured(frames["vfr"]) for _ in range(runs)]
        cfr = [measured(frames["cfr"]) for _ in range(runs)]
        plain = measured(frames["plain"])
        slow = None if args.skip_moviepy else moviepy(work, frames, args.quick)
        cam, cam_length = webcam(work, runs, seconds=args.webcam_seconds,
                                 bframes=args.webcam_bframes)  # fmt: skip
        long, long_length = long_video(work, runs)
        report(args, runs, e2e, length, frames, vfr, (cfr, plain), slow, cam, cam_length)
        _report_long(e2e, length, long, long_length)


def report(
    args: argparse.Namespace,
    runs: int,
    e2e: list[dict[str, float]],
    length: float,
    frames: dict[str, Any],
    vfr: list[dict[str, float]],
    constant: tuple[list[dict[str, float]], dict[str, float]],
    slow: dict[str, float] | None,
    cam: list[dict[str, float]],
    cam_length: float,
) -> None:
    """Print the markdown table."""
    e2e_s, vfr_s = median(e2e, "seconds"), median(vfr, "seconds")
    cfr_s, plain_s = median(constant[0], "seconds"), constant[1]["seconds"]
    cam_s = median(cam, "seconds")
    memory = max(run["peak_mb"] for run in [*e2e, *cam])
    goal = TARGETS["cfr"]
    rows = [
        (f"end to end, 1080p, {length:.0f} s video (`python -m builder video`)", f"{e2e_s:.2f} s",
         "", f"< {TARGETS['e2e']:.0f} s", verdict(e2e_s < TARGETS["e2e"])),
        (f"encode only, VFR: {frames['entries']} slide frames ({frames['distinct']} pictures),"
         " fades composed by ffmpeg",
         f"{vfr_s:.2f} s", "", "", ""),
        ("ffmpeg, same frames, constant 30 fps, our x264 settings", f"{cfr_s:.2f} s",
         f"{cfr_s / vfr_s:.1f}x our encode; {cfr_s / e2e_s:.1f}x our end to end", f"≥ {goal:.0f}x",
         f"{verdict(cfr_s / vfr_s >= goal)} / {verdict(cfr_s / e2e_s >= goal)}"),
        ("ffmpeg, same frames, constant 30 fps, x264 defaults (1 run)", f"{plain_s:.2f} s",
         f"{plain_s / e2e_s:.1f}x our end to end", f"≥ {goal:.0f}x",
         verdict(plain_s / e2e_s >= goal)),
    ]  # fmt: skip
    if slow is None:
        rows.append(("moviepy 2.2.1", "skipped", "", "", ""))
    else:
        ratio = slow["seconds"] / e2e_s
        note = f"; 10 s with a fade rendered, time scaled x{length / 10:.1f}" if args.quick else ""
        rows.append(
            (f"moviepy 2.2.1, same slides and fades, fps=30, defaults{note}",
             f"{slow['seconds']:.1f} s",
             f"{ratio:.0f}x our end to end", f"≥ {TARGETS['moviepy']:.0f}x",
             verdict(ratio >= TARGETS["moviepy"]))
        )  # fmt: skip
    clip = args.webcam_seconds
    kind = "with B-frames" if args.webcam_bframes else "phone-like"
    rows += [
        (f"{clip:.0f} s 720p webcam clip ({kind}) + slides ({cam_length:.0f} s video), "
         "end to end", f"{cam_s:.2f} s (CPU {median(cam, 'cpu'):.1f} s)",
         f"{clip / cam_s:.1f}x real time (clip); {cam_length / cam_s:.1f}x (video)",
         f"≥ {TARGETS['realtime']:.0f}x", verdict(clip / cam_s >= TARGETS["realtime"])),
        ("peak memory: build process + its largest ffmpeg (worst run)", f"{memory:.0f} MB", "",
         f"< {TARGETS['memory_mb']:.0f} MB", verdict(memory < TARGETS["memory_mb"])),
    ]  # fmt: skip
    print(f"\n### `build video` on {_cores()} cores (median of {runs} run(s))\n")
    print("| case | time | compared | target | met |")
    print("| --- | ---: | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _report_long(
    e2e: list[dict[str, float]], length: float, long: list[dict[str, float]], long_length: float
) -> None:
    """Print the long video against the example: cost per second of video, wall and CPU."""
    rows = []
    for key in ("seconds", "cpu"):
        short, longer = median(e2e, key) / length, median(long, key) / long_length
        rows.append((key, f"{short * 60:.2f} s per video minute",
                     f"{longer * 60:.2f} s per video minute", f"{longer / short:.2f}",
                     verdict(longer / short <= TARGETS["linear"] + 0.1)))  # fmt: skip
    print(
        f"\n### {long_length:.0f} s video with 11 cross-fades against the example's "
        f"{length:.0f} s with 5 (at most linear: ratio ≤ 1.1)\n"
    )
    print("| measure | example | long | ratio | linear |")
    print("| --- | ---: | ---: | ---: | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
