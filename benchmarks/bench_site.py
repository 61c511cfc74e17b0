"""Time `build site` on every example and print a markdown table against the 2 s target.

    python benchmarks/bench_site.py [--runs N]

"cold" is what a user waits for: a new `python -m builder site` process each run (imports,
MkDocs, font subsetting, images). "warm" is the same build repeated inside one process.
Each example's whole pitch is built (all its interviewers), into a fresh folder each run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0  # seconds per example


def cold(pitch: Path, work: Path, runs: int) -> list[float]:
    """Return the wall-clock seconds of *runs* fresh `build site` processes."""
    times = []
    for i in range(runs):
        out = work / f"cold-{i}"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "builder", "site", str(pitch), "-o", str(out)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - start)
    return times


def warm(pitch: Path, work: Path, runs: int) -> list[float]:
    """Return the seconds of *runs* in-process builds after one untimed warm-up."""
    from builder.pipeline import build

    build(pitch, ["site"], work / "warm-up")
    times = []
    for i in range(runs):
        start = time.perf_counter()
        build(pitch, ["site"], work / f"warm-{i}")
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per example (default 5)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"`build site`, median of {args.runs} runs, target {TARGET:.0f} s per example\n")
    print("| example | interviewers | cold median (s) | cold / target | warm median (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for folder in sorted(p.parent for p in (ROOT / "examples").glob("*/pitch.yaml")):
        with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
            work = Path(tmp)
            shutil.copytree(folder, work / folder.name)
            pitch = work / folder.name / "pitch.yaml"
            from builder.pitch import load_pitch

            people = len(load_pitch(pitch).interview.interviewers)
            slow = statistics.median(cold(pitch, work, args.runs))
            fast = statistics.median(warm(pitch, work, args.runs))
        print(
            f"| {folder.name} | {people} | {slow:.2f} | {slow / TARGET:.2f} | {fast:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
