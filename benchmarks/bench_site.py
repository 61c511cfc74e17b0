"""Time `build site` on every example and print a markdown table against the 2 s target.

    python benchmarks/bench_site.py [--runs N]

"cold" is what a user waits for: a new `python -m builder site` process each run (imports,
MkDocs, fonts, images; the site cache of cut-down fonts and re-encoded images is warm after
the first). "warm" is the same build repeated inside one process. Each example's whole
pitch is built (all its interviewers), into a fresh folder each run.

A second table sets `build site examples/ada/pitch.yaml` beside its peer, a plain
`mkdocs build` of the same text as one Markdown page with MkDocs' built-in `mkdocs` theme,
both as fresh processes run alternately (see :func:`against_mkdocs`).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0  # seconds per example
PEER_EXAMPLE = "ada"  # one interviewer: one page, as in the peer


@dataclass(frozen=True)
class Timing:
    """One finished process: wall-clock seconds and CPU seconds (user + system)."""

    wall: float
    cpu: float


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


def timed(command: list[str], cwd: Path) -> Timing:
    """Return how long *command* took to run to its end in *cwd*, as a fresh process."""
    # The children's rusage grows by exactly this process once it has been waited for:
    # its CPU time, free of the noise of other work on a shared machine.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def peer_project(work: Path) -> Path:
    """Write the peer into *work*/mkdocs-peer and return its folder.

    A ``mkdocs.yml`` (``site_name``, ``theme: mkdocs``) and ``docs/index.md`` holding the
    example's page as Markdown: the thank-you, headline, discussion points, value points,
    samples and closing.
    """
    from builder.pitch import load_pitch

    pitch = load_pitch(ROOT / "examples" / PEER_EXAMPLE / "pitch.yaml")
    person = pitch.interview.interviewers[0]
    lines = [f"# Thank you, {person.name.split()[0]}", "", pitch.candidate.headline, ""]
    lines += [pitch.thanks, "", "## What we talked about", ""]
    lines += [f"- {point}" for point in [*person.discussed, *pitch.discussed]]
    lines += ["", "## How I would help", ""]
    for value in pitch.value:
        lines += [f"### {value.title}", "", value.detail or "", ""]
    lines += ["## Work samples", ""]
    for sample in pitch.samples:
        lines += [f"### {sample.title}", "", sample.description or "", ""]
        lines += [f"[View the sample]({sample.url})", ""] if sample.url else []
    lines += ["## Let's keep talking", "", pitch.closing or "", ""]
    folder = work / "mkdocs-peer"
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "mkdocs.yml").write_text("site_name: followup\ntheme: mkdocs\n")
    (folder / "docs" / "index.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


def alternated(work: Path, runs: int) -> tuple[list[Timing], list[Timing]]:
    """Return (ours, peer): *runs* timings each of `build site` and `mkdocs build -q`.

    The two run in turn, in an order that flips every round (ours, peer; peer, ours; ...),
    so a busy spell on the machine slows both alike. One untimed pair goes first: it
    compiles the bytecode and fills the site cache, as any earlier build of the user has.
    """
    example = work / PEER_EXAMPLE
    if not example.exists():
        shutil.copytree(ROOT / "examples" / PEER_EXAMPLE, example)
    peer = peer_project(work)
    ours_cmd = [sys.executable, "-m", "builder", "site", str(example / "pitch.yaml"), "-o"]
    peer_cmd = [str(Path(sys.executable).parent / "mkdocs"), "build", "-q"]
    ours: list[Timing] = []
    theirs: list[Timing] = []
    for i in range(-1, runs):
        sides = [(ours, [*ours_cmd, str(work / f"peer-ours-{i}")], ROOT), (theirs, peer_cmd, peer)]
        for into, command, cwd in sides if i % 2 else sides[::-1]:
            timing = timed(command, cwd)
            if i >= 0:  # round -1 is the warm-up
                into.append(timing)
    return ours, theirs


def against_mkdocs(work: Path, runs: int, *, cpu: bool = False) -> tuple[list[float], list[float]]:
    """Return (ours, peer): seconds per run of `build site` (examples/ada) and of a plain
    `mkdocs build` of the same page, fresh processes run alternately in *work*.

    Wall-clock seconds, or CPU seconds (user + system) with *cpu*: the fairer measure on a
    shared, busy machine.
    """
    ours, peer = alternated(work, runs)
    if cpu:
        return [t.cpu for t in ours], [t.cpu for t in peer]
    return [t.wall for t in ours], [t.wall for t in peer]


def peer_table(runs: int) -> None:
    """Print the table of `build site` against plain MkDocs: medians of *runs* each."""
    with tempfile.TemporaryDirectory(prefix="bench-site-peer-") as tmp:
        ours, peer = alternated(Path(tmp), runs)
    print(f"\n`build site` against plain `mkdocs build`, median of {runs} alternated runs\n")
    print("| build | wall median (s) | CPU median (s) | CPU / plain mkdocs |")
    print("| --- | ---: | ---: | ---: |")
    base = statistics.median(t.cpu for t in peer)
    for name, timings in ((f"build site ({PEER_EXAMPLE})", ours), ("plain mkdocs", peer)):
        wall = statistics.median(t.wall for t in timings)
        used = statistics.median(t.cpu for t in timings)
        print(f"| {name} | {wall:.2f} | {used:.2f} | {used / base:.2f} |", flush=True)


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
    peer_table(args.runs)


if __name__ == "__main__":
    main()
