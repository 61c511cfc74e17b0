"""The storyboard: plain, frozen data that every output writer reads (and nothing else)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from builder.pitch import Interviewer, Pitch, resolve_media
from builder.wording import Language, Register, address, greeting, register, say

SceneKind = Literal["title", "discussed", "value", "sample", "samples", "closing"]
MAX_SCENES = 10
WORDS_PER_SECOND = 2.6  # a calm speaking pace, about 155 words a minute


@dataclass(frozen=True)
class ImageRef:
    """An image from the pitch: where it is, its alt text, and the pitch field it came from."""

    path: Path
    alt: str
    field: str  # e.g. "value[0].image"
    pitch: str = "pitch.yaml"  # the pitch file's name, for error messages

    @property
    def where(self) -> str:
        """Return ``pitch.yaml: value[0].image`` for messages about this image."""
        return f"{self.pitch}: {self.field}"


@dataclass(frozen=True)
class Scene:
    """One slide, video scene or site section."""

    kind: SceneKind
    title: str
    kicker: str = ""  # a small label above the title ("How I would help")
    text: str = ""  # a short paragraph
    bullets: tuple[str, ...] = ()
    image: ImageRef | None = None
    link: str | None = None
    notes: str = ""  # what the candidate would say; speaker notes in the deck
    duration: float = 5.0  # suggested seconds on screen
    # Of the one "samples" scene that lists them all (too many for a scene each): every
    # sample as the scene it would have been, so no output loses a description or link.
    parts: tuple[Scene, ...] = ()


@dataclass(frozen=True)
class Person:
    """The interviewer this storyboard is for."""

    name: str
    slug: str
    title: str | None
    email: str | None
    address: str  # "Sarah" / "Frau Schulz": used in titles
    greeting: str  # "Dear Sarah" / "Liebe Frau Schulz": opens a message
    register: Register  # "formal" (German Sie) or "informal" (du; first names in English)


@dataclass(frozen=True)
class Candidate:
    """The candidate's contact details."""

    name: str
    email: str
    phone: str | None
    headline: str
    links: tuple[tuple[str, str], ...]
    photo: ImageRef | None


@dataclass(frozen=True)
class VideoPlan:
    """The candidate's own recording, script and captions, for the video writer."""

    recording: Path | None
    script: str | None
    captions: Path | None


@dataclass(frozen=True)
class Storyboard:
    """Everything one personal follow-up shows, for exactly one interviewer."""

    language: Language
    theme: str
    company: str
    role: str
    interview_date: date | datetime
    interviewer: Person
    candidate: Candidate
    scenes: tuple[Scene, ...]
    video: VideoPlan | None = None
    source: Path = field(default=Path("pitch.yaml"))

    @property
    def duration(self) -> float:
        """Return the suggested total running time in seconds."""
        return sum(scene.duration for scene in self.scenes)

    def to_dict(self) -> dict[str, Any]:
        """Return the storyboard as JSON-ready data, paths relative to the pitch's folder."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self), self.source.parent)
        return data


def plan(pitch: Pitch, interviewer: Interviewer) -> Storyboard:
    """Return the storyboard of *pitch* addressed to *interviewer*: 4 to 10 scenes."""
    lang = pitch.language
    said = (interviewer.name, interviewer.salutation, lang, interviewer.address)
    person = Person(
        name=interviewer.name,
        slug=interviewer.slug,
        title=interviewer.title,
        email=interviewer.email,
        address=address(*said),
        greeting=greeting(*said),
        register=register(*said),
    )
    scenes = [
        _title_scene(pitch, person),
        _discussed_scene(pitch, interviewer, person),
        *(_value_scene(pitch, i) for i in range(len(pitch.value))),
        *_sample_scenes(pitch, room=MAX_SCENES - 3 - len(pitch.value)),
        _closing_scene(pitch),
    ]
    return Storyboard(
        language=lang,
        theme=pitch.theme,
        company=pitch.interview.company,
        role=pitch.interview.role,
        interview_date=pitch.interview.date,
        interviewer=person,
        candidate=_candidate(pitch),
        scenes=tuple(_timed(scene) for scene in scenes),
        video=_video_plan(pitch),
        source=pitch.source,
    )


def _title_scene(pitch: Pitch, person: Person) -> Scene:
    lang, job = pitch.language, pitch.interview
    return Scene(
        kind="title",
        title=say("thank_you", lang, who=person.address),
        kicker=say("title_sub", lang, role=job.role, company=job.company),
        text=pitch.thanks,
        bullets=(f"{pitch.candidate.name} · {pitch.candidate.headline}",),
        image=_image(pitch, pitch.candidate.photo, "candidate.photo", _photo_alt(pitch)),
        notes=" ".join(
            (
                say(
                    "notes_title",
                    lang,
                    first=person.address,
                    name=person.name,
                    role=job.role,
                    company=job.company,
                ),
                pitch.thanks,
            )
        ),
    )


def _discussed_scene(pitch: Pitch, interviewer: Interviewer, person: Person) -> Scene:
    # The interviewer's own moments come first: they make the follow-up personal.
    points = tuple(dict.fromkeys([*interviewer.discussed, *pitch.discussed]))[:5]
    return Scene(
        kind="discussed",
        title=say("discussed", pitch.language),
        kicker=person.name,
        bullets=points,
        notes=" ".join((say("notes_discussed", pitch.language), "; ".join(points) + ".")),
    )


def _value_scene(pitch: Pitch, index: int) -> Scene:
    point = pitch.value[index]
    alt = say("image_alt", pitch.language, title=point.title)
    return Scene(
        kind="value",
        title=point.title,
        kicker=say("value", pitch.language),
        text=point.detail or "",
        image=_image(pitch, point.image, f"value[{index}].image", alt),
        notes=" ".join(
            filter(
                None,
                (
                    say("notes_value", pitch.language, company=pitch.interview.company),
                    point.detail,
                ),
            )
        ),
    )


def _sample_scenes(pitch: Pitch, room: int) -> list[Scene]:
    if not pitch.samples:
        return []
    notes = say("notes_sample", pitch.language)
    each = [
        Scene(
            kind="sample",
            title=sample.title,
            kicker=say("sample", pitch.language),
            text=sample.description or "",
            image=_image(
                pitch,
                sample.image,
                f"samples[{i}].image",
                say("image_alt", pitch.language, title=sample.title),
            ),
            link=sample.url,
            notes=" ".join(filter(None, (notes, sample.description))),
        )
        for i, sample in enumerate(pitch.samples)
    ]
    if len(each) <= room:
        return each
    # Too many for a short video or deck: one scene lists them all (the site, which has no
    # time to keep, still shows each one whole, from its parts).
    return [
        Scene(
            kind="samples",
            title=say("samples", pitch.language),
            bullets=tuple(s.title for s in pitch.samples),
            notes=notes,
            parts=tuple(each),
        )
    ]


def _closing_scene(pitch: Pitch) -> Scene:
    person = pitch.candidate
    contact = (person.name, person.email, *filter(None, [person.phone]), *person.links.values())
    return Scene(
        kind="closing",
        title=say("closing", pitch.language),
        kicker=say("contact", pitch.language),
        text=pitch.closing or "",
        bullets=contact,
        notes=" ".join(filter(None, (say("notes_closing", pitch.language), pitch.closing))),
    )


def _timed(scene: Scene) -> Scene:
    words = len(" ".join((scene.title, scene.text, *scene.bullets)).split())
    seconds = min(14.0, max(4.0, 2.0 + words / WORDS_PER_SECOND))
    return dataclasses.replace(scene, duration=round(seconds * 2) / 2)


def _image(pitch: Pitch, relative: str | None, field_name: str, alt: str) -> ImageRef | None:
    if relative is None:
        return None
    return ImageRef(
        path=resolve_media(pitch, relative), alt=alt, field=field_name, pitch=pitch.source.name
    )


def _photo_alt(pitch: Pitch) -> str:
    return say("photo_alt", pitch.language, name=pitch.candidate.name)


def _candidate(pitch: Pitch) -> Candidate:
    person = pitch.candidate
    return Candidate(
        name=person.name,
        email=person.email,
        phone=person.phone,
        headline=person.headline,
        links=tuple(person.links.items()),
        photo=_image(pitch, person.photo, "candidate.photo", _photo_alt(pitch)),
    )


def _video_plan(pitch: Pitch) -> VideoPlan | None:
    spec = pitch.video
    if spec is None:
        return None
    return VideoPlan(
        recording=resolve_media(pitch, spec.recording) if spec.recording else None,
        script=spec.script,
        captions=resolve_media(pitch, spec.captions) if spec.captions else None,
    )


def _jsonable(value: Any, base: Path) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item, base) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, base) for item in value]
    if isinstance(value, Path):
        return value.relative_to(base).as_posix() if value.is_relative_to(base) else value.name
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
