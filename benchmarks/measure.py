"""The measuring wrapper of every benchmark: run one command, print its resource use.

    python benchmarks/measure.py [--] COMMAND ...

prints one JSON line: "peak_mb" (the command's own peak memory plus its largest child's),
"largest_mb" and "cpu" (user+sys seconds of it and its children). ``python -m builder ...``
runs in this very process, so its Python is measured as the build's own.

Kept apart and small on purpose: whatever this imports before the build runs, every
measured build pays for and its peer (timed directly) does not. Importing the benchmark
script instead (argparse, statistics, ...) cost ours about 10 ms a run, 5% of `build site`.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def own_peak_mb() -> float:
    """Return this process's own peak resident memory in MB.

    Linux's ``ru_maxrss`` is not that: a process starts with its parent's peak (the kernel
    keeps the larger of the old and the new one across fork and exec), so every build
    measured from a driver that had grown to 343 MB (after the 100 MB share rows) read at
    least 343 MB. ``VmHWM`` is the peak of this program's own memory since it started.
    The children's ``ru_maxrss`` keeps that floor (the build's own peak when each starts),
    which only matters for a child smaller than the build itself.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def cpu() -> float:
    """Return user+sys seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(command: list[str]) -> None:
    """Run *command* and print its resource use as JSON (the last line of stdout)."""
    if command[:3] == [sys.executable, "-m", "builder"]:
        sys.path.insert(0, str(ROOT))
        from builder.cli import main as build

        try:
            build(command[3:], standalone_mode=False)
        finally:
            sys.stdout.flush()
    else:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    own = own_peak_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # CPU as well as wall time: the machine may be shared, and CPU seconds say what the
    # build itself cost.
    print(json.dumps({"peak_mb": own + children, "largest_mb": max(own, children),
                      "cpu": cpu()}))  # fmt: skip


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(arguments[1:] if arguments[:1] == ["--"] else arguments)
