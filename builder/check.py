"""``build check``: validation plus the rules of a good follow-up (personal, specific, timely)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from builder.errors import BuilderError, MediaError, PitchError
from builder.names import fold, parse_name
from builder.pitch import Pitch, dotted, read_pitch, resolve_media
from builder.yamlfile import YamlDoc

if TYPE_CHECKING:
    from builder.mail import Draft

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
# In the composed email, also single-brace and bracketed stand-ins: "{name}", "[Firma]".
MESSAGE_PLACEHOLDERS = [
    *PLACEHOLDERS,
    (re.compile(r"\{[^{}\n]{1,40}\}"), "left-over placeholder"),
    (re.compile(r"\[[A-ZÄÖÜ][^\[\]\n]{0,30}\]"), "left-over placeholder"),
]
# Public social-media and employer-review sites: a thank-you never goes there.
SOCIAL_HOSTS = (
    *("linkedin.com", "xing.com", "facebook.com", "fb.com", "x.com", "twitter.com"),
    *("instagram.com", "threads.net", "tiktok.com", "kununu.com", "glassdoor.com"),
)
# Paths of a company's own page, and of a public post.
COMPANY_PATHS = ("/company/", "/companies/", "/pages/", "/showcase/", "/school/", "/overview/")
POST_PATHS = ("/posts/", "/feed/update/", "/status/", "/p/", "/permalink", "/story.php", "/pulse/")
THANKS_WORDS = ("thank", "dank", "danke")
LEGAL_FORMS = {"gmbh", "ag", "se", "kg", "ohg", "ug", "inc", "ltd", "llc", "co", "the", "und"}
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


def run_checks(path: Path, now: str | None = None, data_dir: Path | None = None) -> Report:
    """Return the report for the pitch at *path*, checked at *now* (ISO) or the current time;
    with *data_dir* (the share ledger's folder), the links the emails would carry too."""
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
    _check_public_links(pitch, doc, report)
    _check_video_media(pitch, doc, report)
    if not report.errors:  # the email is only worth checking for a pitch that is sound
        _check_messages(pitch, doc, _now(now), report)
        _check_register(pitch, report)
    if data_dir is not None:
        _check_links(pitch, data_dir, _now(now), report)
    return report


def _check_links(pitch: Pitch, data_dir: Path, now: datetime, report: Report) -> None:
    """Say which private link each email would carry, and stop a local one being sent."""
    from builder.share.ledger import newest_active

    for person in pitch.interview.interviewers:
        share = newest_active(data_dir, pitch.source, person.slug, now)
        who = f"email to {person.name}"
        if share is None:
            report.notes.append(f"{who}: no private link yet (build all PITCH --share)")
        elif share.local:
            report.warnings.append(
                f"{who}: its link is from the local store and works only on this computer; "
                "do not send it before sharing to a real bucket "
                f"(build share {shlex.quote(share.folder)} --bucket NAME)"
            )
        else:
            report.notes.append(
                f"{who}: private link {share.share_id} works until {_stamp(share.expires_at)}"
            )


def _check_video_media(pitch: Pitch, doc: YamlDoc, report: Report) -> None:
    """Check the recording and the caption file as the video writer does (the images were
    checked when the pitch was read)."""
    from builder.captions import load
    from builder.glyphs import caption_problem, pitch_chars
    from builder.video.recording import inspect

    if pitch.video is None:
        return

    def captions(path: Path, where: str) -> None:
        # Fine beside the video; drawn into it with --burn-captions, they need the fonts.
        problem = caption_problem((cue.text for cue in load(path, where)), pitch_chars(pitch))
        if problem is not None:
            report.warnings.append(f"{where}: {path.name}: with --burn-captions, {problem}")

    checks: dict[str, Callable[[Path, str], object]] = {
        "recording": lambda path, where: inspect(path, where, allow_long=False),
        "captions": captions,
    }
    for field_name, check in checks.items():
        value = getattr(pitch.video, field_name)
        if value is None:
            continue
        loc = ("video", field_name)
        where = f"{doc.where(loc)}: {dotted(loc)}"
        try:
            check(resolve_media(pitch, value), where)
        except MediaError as e:
            report.errors.append(str(e))
        except BuilderError as e:  # no ffmpeg here: the video could not be built either
            report.warnings.append(f"{where}: not checked: {e}")


def _check_personal(pitch: Pitch, doc: YamlDoc, report: Report) -> None:
    for i, person in enumerate(pitch.interview.interviewers):
        loc = ("interview", "interviewers", i, "salutation")
        if person.salutation and not names_person(person.salutation, person.name):
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


def names_person(text: str, name: str) -> bool:
    """Return whether *text* (a greeting) names the person called *name*.

    A first, middle or family name counts; a title ("Dr.") or a particle ("von") alone does
    not, and neither do case and accents ("Oztürk" names "Öztürk").
    """
    person = parse_name(name)
    words = {fold(w) for w in (person.first, *person.middle.split(), *person.last.split())}
    words -= {"von", "van", "de", "der", "den", "zu", "und", "da", "di", "du", "la", "le", ""}
    said = {fold(w) for w in re.split(r"[\s,.;:!]+", text)}
    return bool(words & said) or (not words and fold(person.full) in fold(text))


def public_wall(url: str, label: str, company: str) -> bool:
    """Return whether *url* (shown as *label*) is a public social-media page of *company*, or
    a public thank-you post: never the way to thank an interviewer."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if not any(host == h or host.endswith("." + h) or host.startswith("glassdoor.")
               for h in SOCIAL_HOSTS):  # fmt: skip
        return False
    where = fold(f"{parts.path}?{parts.query} {label}")
    words = [w for w in re.split(r"[^a-z0-9]+", fold(company)) if w and w not in LEGAL_FORMS]
    names_company = any(len(w) >= 4 and w in where for w in words) or (
        len("".join(words)) >= 4 and "".join(words) in where.replace("-", "").replace("_", "")
    )
    path = parts.path.lower() + "/"
    is_post = any(p in path for p in POST_PATHS)
    thanks = any(w in where for w in THANKS_WORDS)
    return (
        host.startswith(("kununu.", "glassdoor."))
        or any(p in path for p in COMPANY_PATHS)
        or names_company
        or (is_post and thanks)
    )


def _check_public_links(pitch: Pitch, doc: YamlDoc, report: Report) -> None:
    company = pitch.interview.company
    links: list[tuple[tuple[Any, ...], str, str]] = [
        (("candidate", "links", label), label, url) for label, url in pitch.candidate.links.items()
    ]
    links += [(("samples", i, "url"), s.title, s.url) for i, s in enumerate(pitch.samples) if s.url]
    for loc, label, url in links:
        if public_wall(url, label, company):
            report.errors.append(
                f"{doc.where(loc)}: {dotted(loc)}: {url} is a public social-media page or "
                "post; thank the interviewer directly and privately, never on the company's "
                "public wall"
            )


def _check_messages(pitch: Pitch, doc: YamlDoc, now: datetime, report: Report) -> None:
    """Compose each interviewer's email as ``build email`` would, and check what it says."""
    from builder.mail import MAX_MESSAGE, MAX_WORDS, compose
    from builder.storyboard import plan

    for person in pitch.interview.interviewers:
        draft = compose(plan(pitch, person), None, now)
        who = f"email to {person.name}"
        for problem in draft_problems(draft, person.name, doc):
            if problem not in report.errors:  # shared text is in every interviewer's email
                report.errors.append(problem)
        if draft.words > MAX_WORDS:
            report.errors.append(f"{who}: {draft.words} words; at most {MAX_WORDS}")
        if len(draft.message) > MAX_MESSAGE:  # composed without a link: all of it counts
            report.errors.append(
                f"{who}: the direct message has {len(draft.message)} characters; "
                f"at most {MAX_MESSAGE}"
            )
        if draft.shortened:
            report.warnings.append(
                f"{who}: to stay within {MAX_WORDS} words it shortens or leaves out your "
                f"{', '.join(draft.shortened)}; write them shorter to keep your own words"
            )


def draft_problems(draft: Draft, name: str, doc: YamlDoc | None = None) -> list[str]:
    """Return what is wrong in the email to *name*: a greeting that does not name them, a
    left-over placeholder (at the pitch field it came from, given the pitch's *doc*)."""
    who = f"email to {name}"
    problems = []
    greeting = draft.text.split("\n", 1)[0]
    if not names_person(greeting, name):
        problems.append(f"{who}: the greeting '{greeting}' does not name them")
    for pattern, label in MESSAGE_PLACEHOLDERS:
        for found in sorted({m.group(0) for m in pattern.finditer(draft.text + draft.message)}):
            problems.append(_placeholder(doc, who, label, found))
    return problems


def _placeholder(doc: YamlDoc | None, who: str, label: str, found: str) -> str:
    """Return the error for a placeholder in the email, at the pitch field it came from."""
    for loc, text in _strings(doc.data) if doc else []:
        if doc and found in text:
            return f"{doc.where(loc)}: {dotted(loc)}: {label} '{found}' (it would be in the email)"
    return f"{who}: {label} '{found}'"


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


# Words that only the formal (Sie) or only the informal (du) German address uses.
_FORMAL_WORDS = re.compile(r"\b(Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b")
_INFORMAL_WORDS = re.compile(r"\b(du|dich|dir|dein|deine|deinem|deinen|deiner|deines)\b", re.I)


def _check_register(pitch: Pitch, report: Report) -> None:
    """Warn when the pitch's own German texts say Sie to someone the email calls du, or the
    other way round: the generated sentences follow the salutation, your texts do not."""
    from builder.wording import register

    if pitch.language != "de":
        return
    texts = [pitch.thanks, pitch.closing or "", *pitch.discussed]
    for person in pitch.interview.interviewers:
        said = register(person.name, person.salutation, "de", person.address)
        greeted = register(person.name, person.salutation, "de") if person.salutation else said
        if greeted != said:  # "Sehr geehrte Frau Weiß, ... gern schicke ich sie dir"
            how, other = ("du", "Sie") if said == "informal" else ("Sie", "du")
            report.warnings.append(
                f"email to {person.name}: address: {person.address} makes the message say "
                f"{how}, but the salutation {person.salutation!r} says {other}; "
                "change one of them"
            )
        words = _FORMAL_WORDS if said == "informal" else _INFORMAL_WORDS
        found = sorted({m.group(0) for t in [*texts, *person.discussed] for m in words.finditer(t)})
        if found:
            how, other = ("du", "Sie") if said == "informal" else ("Sie", "du")
            report.warnings.append(
                f"email to {person.name}: the message says {how}, but your texts say "
                f"{', '.join(repr(w) for w in found)} ({other}); make them match "
                "(or set the interviewer's 'address')"
            )
