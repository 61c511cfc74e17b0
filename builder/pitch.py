"""The pitch model and ``load_pitch``: the only place that turns pitch.yaml into data."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from builder.errors import PitchError
from builder.glyphs import pitch_problems
from builder.names import part_name_keys, search_keys, slugify, whole_name_keys
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


def _date_or_datetime(value: Any) -> Any:
    # pydantic would read a bare number as a Unix timestamp: 20261124 is not 1970-08-24.
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.\d+)?", value.strip()):
        raise ValueError("must be a date (2026-11-24) or date and time (2026-11-24T15:00+01:00)")
    # pydantic would read a bare date as midnight; keep "no time given" as a plain date.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    return value


def _relative_path(value: str) -> str:
    if value.startswith("-"):
        raise ValueError("a file name must not start with '-'; write ./" + value)
    return value


Text = Annotated[str, StringConstraints(min_length=1, max_length=600), AfterValidator(_plain)]
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=160),
    AfterValidator(_plain),
    AfterValidator(_one_line),
]
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
MediaPath = Annotated[
    str, StringConstraints(min_length=1, max_length=400), AfterValidator(_relative_path)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Candidate(_Strict):
    """Who is writing the follow-up."""

    name: Line
    email: Email
    phone: Line | None = None
    headline: Line
    photo: MediaPath | None = None
    links: dict[Line, Url] = Field(default_factory=dict, max_length=6)


class Interviewer(_Strict):
    """One person who interviewed the candidate; every follow-up is personal to one of them."""

    name: Line
    title: Line | None = None
    email: Email | None = None
    salutation: Line | None = None
    address: Literal["formal", "informal"] | None = None
    discussed: list[Text] = Field(default_factory=list, max_length=5)

    @property
    def slug(self) -> str:
        """Return a file-name-safe form of the name (``Sarah Kim`` -> ``sarah-kim``)."""
        return slugify(self.name)


class Interview(_Strict):
    """The interview this follow-up is about."""

    company: Line
    role: Line
    date: Annotated[datetime | date, BeforeValidator(_date_or_datetime)]
    interviewers: list[Interviewer] = Field(min_length=1, max_length=8)

    @field_validator("interviewers")
    @classmethod
    def _distinct_people(cls, people: list[Interviewer]) -> list[Interviewer]:
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


class ValuePoint(_Strict):
    """One thing the candidate would bring, tied to what was discussed."""

    title: Line
    detail: Text | None = None
    image: MediaPath | None = None


class Sample(_Strict):
    """A work sample."""

    title: Line
    description: Text | None = None
    image: MediaPath | None = None
    url: Url | None = None


class VideoSpec(_Strict):
    """The candidate's own recording for ``build video``."""

    recording: MediaPath | None = None
    script: Annotated[str, StringConstraints(max_length=4000), AfterValidator(_plain)] | None = None
    captions: MediaPath | None = None


def _bucket(value: str) -> str:
    from builder.share.target import check_bucket_name

    return check_bucket_name(value)


def _expires(value: str) -> str:
    from builder.share.expiry import parse_expires

    parse_expires(value)
    return value


class ShareSpec(_Strict):
    """Where ``--share`` uploads to, when neither ``--bucket`` nor FOLLOWUP_BUCKET says."""

    bucket: Annotated[str, StringConstraints(max_length=63), AfterValidator(_bucket)] | None = None
    expires: Annotated[str, StringConstraints(max_length=20), AfterValidator(_expires)] | None = (
        None
    )


class Pitch(_Strict):
    """A whole pitch file, validated. ``source`` is the file it came from."""

    language: Literal["en", "de"] = "en"
    theme: Line = "classic"
    candidate: Candidate
    interview: Interview
    thanks: Text
    discussed: list[Text] = Field(default_factory=list, max_length=5)
    value: list[ValuePoint] = Field(min_length=1, max_length=5)
    samples: list[Sample] = Field(default_factory=list, max_length=5)
    closing: Text | None = None
    video: VideoSpec | None = None
    share: ShareSpec | None = None
    source: Path = Field(default=Path("pitch.yaml"), exclude=True)

    @model_validator(mode="after")
    def _something_discussed(self) -> Pitch:
        if not self.discussed and not all(p.discussed for p in self.interview.interviewers):
            raise ValueError(
                "discussed: name 1-5 specific moments of the conversation "
                "(or give every interviewer their own 'discussed')"
            )
        return self

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
    raise PitchError(
        [f"{path} is a folder without a pitch.yaml; name the pitch file, or run: build init {path}"]
    )


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
        pitch = Pitch.model_validate({**doc.data, "source": path.resolve()})
    except ValidationError as e:
        raise PitchError(_describe(e, doc)) from None
    media_problems = [*_check_media(pitch, doc), *pitch_problems(pitch, doc)]
    if media_problems:
        raise PitchError(media_problems)
    return pitch, doc


def _describe(error: ValidationError, doc: YamlDoc) -> list[str]:
    lines = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        field = dotted(loc)
        if item["type"] == "extra_forbidden":
            message = f"unknown field '{printable(str(loc[-1]))}'{_did_you_mean(loc)}"
        elif item["type"] == "missing":
            message = "is required"
        elif loc[-1:] == ("[key]",):  # a mapping's key, such as a label of candidate.links
            field = dotted(loc[:-2])
            message = f"the label '{_clipped(str(loc[-2]))}' {_message(item)}"
        else:
            message = _message(item)
        where = doc.where(loc)
        line = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        if line not in lines:  # each arm of a union reports the same field once more
            lines.append(line)
    return lines


def _message(item: Any) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    if item["type"] in ("date_from_datetime_parsing", "datetime_from_date_parsing"):
        return "must be a date (2026-11-24) or date and time (2026-11-24T15:00+01:00)"
    if item["type"] == "literal_error" and item["loc"][-1] == "language":
        return "must be 'en' or 'de'"
    if item["type"] == "string_too_long":
        return f"is too long: {len(item['input'])} characters, at most {item['ctx']['max_length']}"
    if item["type"] == "string_too_short":
        return "must not be empty"
    if item["type"] in ("too_short", "too_long"):  # a list or a mapping
        count, limits = len(item["input"]), item["ctx"]
        if item["type"] == "too_short":
            return f"has {count} items; give at least {limits['min_length']}"
        return f"has {count} items; give at most {limits['max_length']}"
    return message[0].lower() + message[1:] if message else "is invalid"


def _clipped(text: str, width: int = 40) -> str:
    """Return *text* cut to *width* characters (with an ellipsis), for a message."""
    return text if len(text) <= width else text[: width - 1] + "…"


def dotted(loc: tuple[Any, ...]) -> str:
    """Return a field location as the user reads it: ``value[0].image``."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        elif part in ("datetime", "date") and parts and parts[-1].endswith("date"):
            continue  # pydantic names each arm of `datetime | date`; the user wrote one field
        else:
            parts.append(_clipped(printable(str(part))))
    return ".".join(parts)


def printable(text: str) -> str:
    """Return *text* with line breaks and other invisible characters escaped (``\\n``), so a
    message about a strange key stays one visible line."""
    return text if text.isprintable() else ascii(text)[1:-1]


def _did_you_mean(loc: tuple[Any, ...]) -> str:
    model: type[BaseModel] | None = Pitch
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        model = _model_of(field.annotation) if field else None
    if model is None:
        return ""
    names = [n for n in model.model_fields if n != "source"]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(names)}"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


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
    schema = Pitch.model_json_schema()
    schema["properties"].pop("source", None)
    schema["title"] = "pitch.yaml"
    schema["description"] = "A personal follow-up after a job interview (see `build init`)."
    return schema
