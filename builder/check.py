"""``build check``: validation plus the rules of a good follow-up (personal, specific, timely)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from builder.errors import BuilderError, PitchError
from builder.pitch import Pitch, dotted, read_pitch
from builder.yamlfile import YamlDoc

DEADLINE = timedelta(hours=24)
# Left-overs from a template: an unfinished follow-up is worse than none.
PLACEHOLDERS = [
    (re.compile(r"\b(TODO|TBD|FIXME|XXX)\b"), "left-over placeholder"),
    (re.compile(r"lorem ipsum", re.IGNORECASE), "left-over placeholder text"),
    (re.compile(r"\{\{.*?\}\}|\{%.*?%\}"), "left-over template placeholder"),
    (re.compile(r"<[A-Za-z][^<>\n]{0,80}>"), "left-over placeholder"),
    (
        re.compile(r"\[(name|company|role|interviewer|date)\]", re.IGNORECASE),
        "left-over placeholder",
    ),
]
IMPERSONAL = re.compile(
    r"hiring (manager|team)|to whom it may concern|sir or madam|sehr geehrte damen und herren",
    re.IGNORECASE,
)
LONG_TEXT = {"thanks": 350, "detail": 300, "description": 250, "closing": 250, "discussed": 200}
VAGUE_WORDS = 4  # a discussed point shorter than this is rarely specific


@dataclass
class Report:
    """What ``build check`` found: errors fail the check, warnings and notes do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as printable lines, notes first and errors last."""
        status = "failed" if self.errors else "passed"
        return [
            *self.notes,
            *(f"warning: {w}" for w in self.warnings),
            *(f"error: {e}" for e in self.errors),
            f"check {status}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)",
        ]


def run_checks(path: Path, now: str | None = None) -> Report:
    """Return the report for the pitch at *path*, checked at *now* (ISO) or the current time."""
    report = Report()
    try:
        pitch, doc = read_pitch(Path(path))
    except PitchError as e:
        report.errors.extend(e.problems)
        return report
    people = pitch.interview.interviewers
    report.notes.append(
        f"{path.name}: valid; {len(people)} personal follow-up(s): "
        + ", ".join(p.name for p in people)
    )
    _check_personal(pitch, doc, report)
    _check_specific(doc, report)
    _check_text(doc, report)
    _check_timely(pitch, _now(now), report)
    return report


def _check_personal(pitch: Pitch, doc: YamlDoc, report: Report) -> None:
    for i, person in enumerate(pitch.interview.interviewers):
        loc = ("interview", "interviewers", i, "salutation")
        parts = {w.lower() for w in re.split(r"[\s.-]+", person.name) if len(w) > 1}
        if person.salutation and not parts & {
            w.lower() for w in re.split(r"[\s,.-]+", person.salutation)
        }:
            report.errors.append(
                f"{doc.where(loc)}: {dotted(loc)}: '{person.salutation}' does not name "
                f"{person.name}; a follow-up is addressed to one person by name"
            )
    for loc, text in _strings(doc.data):
        if IMPERSONAL.search(text):
            report.errors.append(
                f"{doc.where(loc)}: {dotted(loc)}: impersonal phrase "
                f"'{IMPERSONAL.search(text).group(0)}'; write to the interviewer by name"  # type: ignore[union-attr]
            )


def _check_specific(doc: YamlDoc, report: Report) -> None:
    # The model already insists on at least one point per interviewer; here: are they specific?
    for loc, text in _strings(doc.data):
        if "discussed" in loc and len(text.split()) < VAGUE_WORDS:
            report.warnings.append(
                f"{doc.where(loc)}: {dotted(loc)}: '{text}' is vague; name the moment "
                "(what was said, about what)"
            )


def _check_text(doc: YamlDoc, report: Report) -> None:
    for loc, text in _strings(doc.data):
        for pattern, label in PLACEHOLDERS:
            found = pattern.search(text)
            if found:
                report.errors.append(f"{doc.where(loc)}: {dotted(loc)}: {label} '{found.group(0)}'")
        key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        limit = LONG_TEXT.get(key)
        if limit and len(text) > limit:
            report.warnings.append(
                f"{doc.where(loc)}: {dotted(loc)}: {len(text)} characters; "
                f"keep it under {limit} so it reads at a glance"
            )


def _check_timely(pitch: Pitch, now: datetime, report: Report) -> None:
    deadline = send_by(pitch.interview.date)
    if deadline - DEADLINE - now > timedelta(days=1):
        report.warnings.append(
            f"interview.date lies in the future ({pitch.interview.date.isoformat()}); "
            "is the year right?"
        )
    elif now > deadline:
        late = now - deadline
        report.warnings.append(
            f"the 24-hour window closed {_span(late)} ago ({_stamp(deadline)}); "
            "send it today anyway, and keep it short"
        )
    else:
        report.notes.append(f"send by {_stamp(deadline)} ({_span(deadline - now)} left)")


def send_by(when: date | datetime) -> datetime:
    """Return the moment 24 hours after the interview (a bare date counts from its evening)."""
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(18, 0))
    if when.tzinfo is None:
        when = when.astimezone()  # a time without offset is the machine's local time
    return when + DEADLINE


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now().astimezone()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BuilderError(
            f"--now {value}: not an ISO date or time (like 2026-11-25T09:00+01:00)"
        ) from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h {int(delta.total_seconds() % 3600 // 60)} min"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %z")


def _strings(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    if isinstance(data, str):
        return [(loc, data)]
    if isinstance(data, dict):
        return [item for k, v in data.items() for item in _strings(v, (*loc, k))]
    if isinstance(data, list):
        return [item for i, v in enumerate(data) for item in _strings(v, (*loc, i))]
    return []
