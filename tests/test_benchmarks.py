"""The benchmarks still run: they call the tool's own functions, which move under them.

Nothing here measures speed (that is what ``benchmarks/run.py`` is for); it only makes sure
that a change to the tool cannot break a benchmark without a test failing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


def test_run_prints_a_table_row(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--only", "help", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `build --help`")]
    assert len(rows) == 1, done.stdout
    assert rows[0].rstrip().endswith("| yes |"), rows[0]  # under 0.3 s, even on a busy machine


def test_video_peer_inputs_come_from_the_build(tmp_path: Path) -> None:
    # bench_video draws the frames and builds the encode job through the video writer's
    # private functions, so the peers encode exactly what the build would.
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_video
    finally:
        sys.path.remove(str(BENCHMARKS))
    frames = bench_video.same_frames(tmp_path)
    assert frames["distinct"] == len(frames["slides"]) == 6
    for command in ("vfr", "cfr", "plain"):
        assert frames[command][-1].endswith(".mp4")
        assert "-filter_complex" in frames[command]
    assert all(Path(path).is_file() for path, _ in frames["slides"])
