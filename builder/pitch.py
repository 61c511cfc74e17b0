"""The pitch model and ``load_pitch``: the only place that turns pitch.yaml into data."""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from builder.errors import PitchError
from builder.glyphs import pitch_problems
from builder.names import part_name_keys, search_keys, slugify, whole_name_keys
from builder.schema import (
    Choice,
    Invalid,
    ListOf,
    MapOf,
    Model,
    Parsed,
    Problem,
    Str,
    rule,
    validate,
)
from builder.yamlfile import YamlDoc, YamlProblem, load_yaml

# Control characters and Unicode non-characters: invisible in a message, and refused by the
# XML inside a .pptx.
# Also the bidirectional overrides and isolates, and the line and paragraph separators:
# they reorder or break text invisibly (a name that reads differently than it is).
CONTROL_CHARS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\u2028\u2029\ufdd0-\ufdef\ufffe\uffff]"
)
# Fields that name an image, which every writer opens: checked as they would open it.
IMAGE_FIELDS = ("photo", "image")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _plain(value: str) -> str:
    if CONTROL_CHARS.search(value):
        raise ValueError("contains control characters; use plain text")
    return value.strip()


def _one_line(value: str) -> str:
    if "\n" in value.strip():
        raise ValueError("must be one line")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be a full http:// or https:// address")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("is not an email address")
    return value


_WHEN = "must be a date (2026-11-24) or date and time (2026-11-24T15:00+01:00)"


def _date_or_datetime(value: str) -> date | datetime:
    # A bare number is no date (20261124 is not a Unix timestamp either), and a bare date
    # stays a date: "no time given" is not midnight.
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
        raise ValueError(_WHEN)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)  # its error says which part is wrong
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_WHEN) from None


def _relative_path(value: str) -> str:
    if value.startswith("-"):
        raise ValueError("a file name must not start with '-'; write ./" + value)
    return value


def _bucket(value: str) -> str:
    from builder.share.target import check_bucket_name

    return check_bucket_name(value)


def _expires(value: str) -> str:
    from builder.share.expiry import parse_expires

    parse_expires(value)
    return value


TEXT = Str(min_length=1, max_length=600, checks=(_plain,))
LINE = Str(min_length=1, max_length=160, checks=(_plain, _one_line))
URL = Str(max_length=2000, checks=(_http_url,))
EMAIL = Str(max_length=254, checks=(_email,))
MEDIA_PATH = Str(min_length=1, max_length=400, checks=(_relative_path,))
WHEN = Parsed(_date_or_datetime, (("type", "string"),), expected=_WHEN)
POINTS = ListOf(TEXT, max_length=5)
ADDRESS = Choice(("formal", "informal"))


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """Who is writing the follow-up."""

    name: str = rule(LINE)
    email: str = rule(EMAIL)
    phone: str | None = rule(LINE, default=None)
    headline: str = rule(LINE)
    photo: str | None = rule(MEDIA_PATH, default=None)
    links: dict[str, str] = rule(MapOf(LINE, URL, max_length=6), default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Interviewer:
    """One person who interviewed the candidate; every follow-up is personal to one of them."""

    name: str = rule(LINE)
    title: str | None = rule(LINE, default=None)
    email: str | None = rule(EMAIL, default=None)
    salutation: str | None = rule(LINE, default=None)
    address: Literal["formal", "informal"] | None = rule(ADDRESS, default=None)
    discussed: list[str] = rule(POINTS, default_factory=list)

    @property
    def slug(self) -> str:
        """Return a file-name-safe form of the name (``Sarah Kim`` -> ``sarah-kim``)."""
        return slugify(self.name)


def _distinct_people(people: list[Interviewer]) -> list[Interviewer]:
    # Each interviewer's outputs go into a folder named by the slug: two alike would
    # overwrite each other ("Müller" and "Mueller" are both "mueller").
    seen: dict[str, str] = {}
    for person in people:
        if person.slug in seen:
            raise ValueError(
                f"'{seen[person.slug]}' and '{person.name}' would share the folder "
                f"'{person.slug}'; tell them apart (a middle initial will do)"
            )
        seen[person.slug] = person.name
    return people


@dataclass(frozen=True, kw_only=True)
class Interview:
    """The interview this follow-up is about."""

    company: str = rule(LINE)
    role: str = rule(LINE)
    date: datetime | date = rule(WHEN)
    interviewers: list[Interviewer] = rule(
        ListOf(Interviewer, min_length=1, max_length=8, checks=(_distinct_people,))
    )


@dataclass(frozen=True, kw_only=True)
class ValuePoint:
    """One thing the candidate would bring, tied to what was discussed."""

    title: str = rule(LINE)
    detail: str | None = rule(TEXT, default=None)
    image: str | None = rule(MEDIA_PATH, default=None)


@dataclass(frozen=True, kw_only=True)
class Sample:
    """A work sample."""

    title: str = rule(LINE)
    description: str | None = rule(TEXT, default=None)
    image: str | None = rule(MEDIA_PATH, default=None)
    url: str | None = rule(URL, default=None)


@dataclass(frozen=True, kw_only=True)
class VideoSpec:
    """The candidate's own recording for ``build video``."""

    recording: str | None = rule(MEDIA_PATH, default=None)
    script: str | None = rule(Str(max_length=4000, checks=(_plain,)), default=None)
    captions: str | None = rule(MEDIA_PATH, default=None)


@dataclass(frozen=True, kw_only=True)
class ShareSpec:
    """Where ``--share`` uploads to, when neither ``--bucket`` nor FOLLOWUP_BUCKET says."""

    bucket: str | None = rule(Str(max_length=63, checks=(_bucket,)), default=None)
    expires: str | None = rule(Str(max_length=20, checks=(_expires,)), default=None)


@dataclass(frozen=True, kw_only=True)
class Pitch:
    """A whole pitch file, validated. ``source`` is the file it came from."""

    language: Literal["en", "de"] = rule(Choice(("en", "de")), default="en")
    theme: str = rule(LINE, default="classic")
    candidate: Candidate = rule(Candidate)
    interview: Interview = rule(Interview)
    thanks: str = rule(TEXT)
    discussed: list[str] = rule(POINTS, default_factory=list)
    value: list[ValuePoint] = rule(ListOf(ValuePoint, min_length=1, max_length=5))
    samples: list[Sample] = rule(ListOf(Sample, max_length=5), default_factory=list)
    closing: str | None = rule(TEXT, default=None)
    video: VideoSpec | None = rule(VideoSpec, default=None)
    share: ShareSpec | None = rule(ShareSpec, default=None)
    source: Path = Path("pitch.yaml")  # set by the loader, never read from the file

    def __post_init__(self) -> None:
        if not self.discussed and not all(p.discussed for p in self.interview.interviewers):
            raise ValueError(
                "discussed: name 1-5 specific moments of the conversation "
                "(or give every interviewer their own 'discussed')"
            )

    @property
    def folder(self) -> Path:
        """Return the folder that media paths are relative to."""
        return self.source.parent

    def interviewer(self, wanted: str | None) -> list[Interviewer]:
        """Return the interviewers that *wanted* names, or all of them when it is None.

        *wanted* is a first name, a family name, the full name or the slug, in any case and
        with or without accents (``öztürk``, ``Ozturk``, ``oeztuerk``); titles and particles
        are understood (``Anna`` finds "Dr. Anna Beispiel"). A whole name or slug wins over
        a part of one, so ``--for Anna`` picks "Anna" over "Anna Schmidt".
        """
        people = list(self.interview.interviewers)
        if wanted is None:
            return people
        asked = search_keys(wanted)
        whole = [p for p in people if asked & whole_name_keys(p.name)]
        return whole or [p for p in people if asked & part_name_keys(p.name)]


def load_pitch(path: Path | str) -> Pitch:
    """Return the validated pitch in *path*; raise :class:`PitchError` listing every problem."""
    return read_pitch(Path(path))[0]


def pitch_file(path: Path) -> Path:
    """Return *path*, or the ``pitch.yaml`` inside it when *path* is a folder (what
    ``build init`` makes); raise :class:`PitchError` for a folder without one."""
    if not path.is_dir():
        return path
    if (path / "pitch.yaml").is_file():
        return path / "pitch.yaml"
    if is_build_folder(path):  # a new pitch (build init) inside a build is never the fix
        also = "build email and build share also take the build folder"
        raise PitchError([f"{path} is a build folder, not a pitch; name the pitch file ({also})"])
    raise PitchError(
        [
            f"{path} is a folder without a pitch.yaml; name the pitch file, or run: build init "
            f"{shlex.quote(str(path))}"
        ]
    )


def is_build_folder(path: Path) -> bool:
    """Return whether a build wrote into *path*: its record is there, or in a sub-folder
    of each interviewer (a panel)."""
    from builder.manifest import record_files

    return bool(record_files(path))


def read_pitch(path: Path) -> tuple[Pitch, YamlDoc]:
    """Return the validated pitch in *path* (a file, or a folder holding ``pitch.yaml``) and
    the parsed document it came from (whose ``where()`` gives the file:line:col of any
    field); raise :class:`PitchError`."""
    path = pitch_file(path)
    try:
        doc = load_yaml(path)
    except YamlProblem as e:
        raise PitchError([str(e)]) from None
    if not isinstance(doc.data, dict):
        raise PitchError([f"{path.name}:1:1: a pitch file is a mapping of fields (name: value)"])
    if "source" in doc.data:  # a field of the model, but the loader's to set, not the file's
        raise PitchError([f"{doc.where(('source',))}: unknown field 'source'"])
    try:
        pitch = replace(validate(Pitch, doc.data), source=path.resolve())
    except Invalid as e:
        raise PitchError(_describe(e, doc)) from None
    media_problems = [*_check_media(pitch, doc), *pitch_problems(pitch, doc)]
    if media_problems:
        raise PitchError(media_problems)
    return pitch, doc


def _describe(error: Invalid, doc: YamlDoc) -> list[str]:
    lines = []
    for problem in error.problems:
        loc, field, message = problem.loc, dotted(problem.loc), problem.message
        if problem.kind == "unknown":
            message = f"unknown field '{printable(str(loc[-1]))}'{_did_you_mean(problem)}"
        elif problem.kind == "key":  # a mapping's key, such as a label of candidate.links
            field, message = dotted(loc[:-1]), f"the label '{_clipped(str(loc[-1]))}' {message}"
        where = doc.where(loc)
        line = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


def _clipped(text: str, width: int = 40) -> str:
    """Return *text* cut to *width* characters (with an ellipsis), for a message."""
    return text if len(text) <= width else text[: width - 1] + "…"


def dotted(loc: tuple[Any, ...]) -> str:
    """Return a field location as the user reads it: ``value[0].image``."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        else:
            parts.append(_clipped(printable(str(part))))
    return ".".join(parts)


def printable(text: str) -> str:
    """Return *text* with line breaks and other invisible characters escaped (``\\n``), so a
    message about a strange key stays one visible line."""
    return text if text.isprintable() else ascii(text)[1:-1]


def _did_you_mean(problem: Problem) -> str:
    names = problem.allowed
    close = difflib.get_close_matches(str(problem.loc[-1]), names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(names)}"


def _check_media(pitch: Pitch, doc: YamlDoc) -> list[str]:
    """Return a problem line for every media file that is missing, outside the pitch's
    folder or, for an image, not one the writers would accept."""
    from builder.images import check_image  # Pillow only for pitches that get this far

    problems = []
    for loc, value in _media_refs(pitch):
        try:
            path = resolve_media(pitch, value)
            if loc[-1] in IMAGE_FIELDS:
                check_image(path)  # the writers' own check: a bomb fails here, not mid-build
        except ValueError as e:
            problems.append(f"{doc.where(loc)}: {dotted(loc)}: {e}")
    return problems


def _media_refs(pitch: Pitch) -> list[tuple[tuple[Any, ...], str]]:
    """Return (location, path) of every media file the pitch names."""
    refs: list[tuple[tuple[Any, ...], str | None]] = [
        (("candidate", "photo"), pitch.candidate.photo),
        *((("value", i, "image"), point.image) for i, point in enumerate(pitch.value)),
        *((("samples", i, "image"), sample.image) for i, sample in enumerate(pitch.samples)),
    ]
    if pitch.video is not None:
        refs += [
            (("video", "recording"), pitch.video.recording),
            (("video", "captions"), pitch.video.captions),
        ]
    return [(loc, path) for loc, path in refs if path is not None]


def resolve_media(pitch: Pitch, relative: str) -> Path:
    """Return the absolute path of a media file, which must exist inside the pitch's folder."""
    folder = pitch.folder.resolve()
    target = (folder / relative).resolve()
    # resolve() follows symlinks, so a link pointing out of the folder is caught too.
    if not target.is_relative_to(folder):
        raise ValueError(f"{relative} is outside the pitch's folder; keep media beside pitch.yaml")
    if not target.is_file():
        raise ValueError(f"{relative} does not exist")
    return target


def pitch_schema() -> dict[str, Any]:
    """Return the JSON Schema of a pitch file, for editors that autocomplete YAML."""
    schema = Model(Pitch).json_schema()
    schema["title"] = "pitch.yaml"
    schema["description"] = "A personal follow-up after a job interview (see `build init`)."
    return schema
