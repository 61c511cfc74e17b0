"""Time `build deck` and print a markdown table against its targets.

    python benchmarks/bench_deck.py [--runs N]

Rows, each the median of N runs:
- "pptx, in process": the .pptx writer alone for one interviewer (target 1 s);
- "pptx, cold CLI": a fresh `python -m builder deck` process with LibreOffice hidden from
  PATH, so only the .pptx is made (imports and every interviewer included; target 1 s);
- "pdf": LibreOffice turning one deck into its PDF (about 2 s expected);
- "build --help": a fresh process printing the help (target 0.3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("ada", "jonas")
PPTX_TARGET, PDF_TARGET, HELP_TARGET = 1.0, 2.0, 0.3


def median_seconds(action: Callable[[int], object], runs: int) -> float:
    """Return the median wall-clock seconds of *runs* calls of *action* (given the run index)."""
    times = []
    for index in range(runs):
        start = time.perf_counter()
        action(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pptx_in_process(example: str, work: Path, runs: int) -> float:
    """Return the median seconds to write the first interviewer's .pptx, after a warm-up."""
    from builder.deck import build_pptx
    from builder.pipeline import select
    from builder.pitch import load_pitch
    from builder.theme import load_theme

    pitch = load_pitch(ROOT / "examples" / example / "pitch.yaml")
    board, theme = select(pitch, None)[0], load_theme(pitch.theme)
    build_pptx(board, theme, work / f"{example}-warm.pptx", [])
    return median_seconds(
        lambda i: build_pptx(board, theme, work / f"{example}-{i}.pptx", []), runs
    )


def no_soffice_path(work: Path) -> str:
    """Return a PATH without LibreOffice: the interpreter's folder and an empty one in *work*.

    `build deck` then finds no soffice and makes only the .pptx (with a warning).
    """
    bare = work / "no-soffice-bin"
    bare.mkdir(exist_ok=True)
    return f"{Path(sys.executable).parent}{os.pathsep}{bare}"


def pptx_cold(example: str, work: Path, runs: int) -> float:
    """Return the median seconds of a fresh `build deck` process that makes only .pptx files."""
    env = dict(os.environ, PATH=no_soffice_path(work))
    pitch = ROOT / "examples" / example / "pitch.yaml"

    def run(index: int) -> None:
        command = [sys.executable, "-m", "builder", "deck", str(pitch)]
        command += ["-o", str(work / f"{example}-cold-{index}")]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)

    return median_seconds(run, runs)


def pdf(example: str, work: Path, runs: int) -> float:
    """Return the median seconds LibreOffice takes to turn *example*'s deck into a PDF."""
    from builder.deck.pdf import convert, find_soffice
    from builder.pitch import load_pitch
    from builder.theme import load_theme

    soffice = find_soffice()
    if soffice is None:
        return float("nan")
    theme = load_theme(load_pitch(ROOT / "examples" / example / "pitch.yaml").theme)
    deck = work / f"{example}-warm.pptx"
    return median_seconds(
        lambda i: convert(deck, work / f"{example}-{i}.pdf", theme, soffice), runs
    )


def help_cold(runs: int) -> float:
    """Return the median seconds of a fresh `build --help` process."""
    command = [sys.executable, "-m", "builder", "--help"]
    return median_seconds(
        lambda i: subprocess.run(command, check=True, capture_output=True, cwd=ROOT), runs
    )


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row (default 5)")
    runs = parser.parse_args().runs
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-deck-") as tmp:
        work = Path(tmp)
        for example in EXAMPLES:
            rows.append(
                (f"pptx, in process ({example})", pptx_in_process(example, work, runs), PPTX_TARGET)
            )
        for example in EXAMPLES:
            rows.append(
                (f"pptx, cold CLI ({example})", pptx_cold(example, work, runs), PPTX_TARGET)
            )
        for example in EXAMPLES:
            rows.append((f"pdf, LibreOffice ({example})", pdf(example, work, runs), PDF_TARGET))
        rows.append(("build --help, cold", help_cold(runs), HELP_TARGET))
    print(f"median of {runs} runs, {os.cpu_count()} CPUs\n")
    print("| step | median (s) | target (s) | median / target |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.3f} | {target:g} | {seconds / target:.2f} |")


if __name__ == "__main__":
    main()
