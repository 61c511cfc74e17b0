"""The benchmarks' shared table: rows of ours against a peer, printed as one markdown table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

DASH = "\u2013"  # an en dash: "1.10\u20131.40" (ruff flags the character itself in strings)
COLUMNS = ("case", f"ours median (min{DASH}max)", "peer", f"peer median (min{DASH}max)",
           "ratio ours/peer", "target", "met")  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One case: every run's value of ours and of the peer (same run, alternating).

    A target applies to the ratio ours/peer, unless *absolute*: then to ours' median itself
    (in *unit*), for the rows that have no peer to be relative to (`--help`, memory). A row
    without a target (None) is shown for comparison only.
    """

    case: str
    ours: list[float]
    peer: str
    theirs: list[float]
    target: float | None
    absolute: bool = False
    unit: str = "s"

    @property
    def ratio(self) -> float | None:
        """Return the median of ours over the median of the peer, or None without a peer."""
        if not self.theirs:
            return None
        return statistics.median(self.ours) / statistics.median(self.theirs)

    @property
    def met(self) -> bool:
        """Return whether the target is met (ratio at most the target, or below it if
        absolute)."""
        if self.target is None:
            return True
        if self.absolute:
            return statistics.median(self.ours) < self.target
        ratio = self.ratio
        return ratio is not None and ratio <= self.target


def spread(values: list[float], unit: str) -> str:
    """Return "1.23 s (1.10-1.40)" (with an en dash): the median, unit and range of
    *values*; a dash if there are none."""
    if not values:
        return DASH
    digits = 0 if unit == "MB" else 2 if statistics.median(values) >= 10 else 3
    middle = f"{statistics.median(values):.{digits}f} {unit}"
    if len(values) == 1:
        return middle
    return f"{middle} ({min(values):.{digits}f}{DASH}{max(values):.{digits}f})"


def target_text(row: Row) -> str:
    """Return the target as shown: "≤ 1.3" for a ratio, "< 0.3 s" for an absolute one."""
    if row.target is None:
        return DASH
    return f"< {row.target:.3g} {row.unit}" if row.absolute else f"≤ {row.target:.3g}"


def render(rows: list[Row]) -> str:
    """Return the markdown table of *rows* (header included, no trailing newline)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "| --- | ---: | --- | ---: | ---: | ---: | :---: |"]
    for row in rows:
        ratio = row.ratio
        cells = (
            row.case,
            spread(row.ours, row.unit),
            row.peer or DASH,
            spread(row.theirs, row.unit),
            DASH if ratio is None else f"{ratio:.3g}",  # 3 digits: 0.0123 as well as 3.77
            target_text(row),
            DASH if row.target is None else "yes" if row.met else "**no**",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
