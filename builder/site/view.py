"""The page as plain data for the templates, made from one storyboard (and nothing else)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from builder.errors import PitchError
from builder.site.assets import InlineImage, inline_image
from builder.site.media import MediaFile
from builder.storyboard import ImageRef, Scene, SceneKind, Storyboard
from builder.wording import file_size, long_date, say

PHOTO_SIDE = 320  # px; shown at 160 CSS px, sharp on 2x screens
IMAGE_SIDE = 1200  # px; a card is at most about 560 CSS px wide
_SCHEMES = ("http", "https", "mailto")
_PAGE_WORDS = ("skip", "sections", "watch", "no_video", "private", "email", "phone")


@dataclass(frozen=True)
class Link:
    """A link the page shows; ``media`` is its manifest name when it points at a heavy file."""

    href: str
    label: str
    note: str = ""
    media: str | None = None


@dataclass(frozen=True)
class Card:
    """One value point or work sample."""

    title: str
    text: str = ""
    image: InlineImage | None = None
    link: Link | None = None


@dataclass(frozen=True)
class Section:
    """A titled part of the page; ``kind`` names its template in ``partials/``."""

    id: str
    kind: str
    title: str
    kicker: str = ""
    text: str = ""
    items: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Hero:
    """The personal opening: who it is for, the thank-you, and who it is from."""

    title: str
    kicker: str
    text: str
    recipient: str
    name: str
    headline: str
    photo: InlineImage | None


@dataclass(frozen=True)
class Video:
    """The video player: manifest names of the video, its poster and its captions."""

    src: str
    label: str
    poster: str | None
    captions: str | None
    captions_label: str
    download: Link


@dataclass(frozen=True)
class Contact:
    """The closing section: how to reach the candidate."""

    title: str
    kicker: str
    text: str
    email: Link
    phone: str | None
    links: tuple[Link, ...]


@dataclass(frozen=True)
class PageView:
    """Everything the templates show, already worded; ``css``, ``csp`` and ``manifest`` are ours."""

    lang: str
    mode: str
    title: str
    words: Mapping[str, str]
    hero: Hero
    sections: tuple[Section, ...]
    contact: Contact
    footer: str
    video: Video | None = None
    deck: Link | None = None
    css: Markup = field(default_factory=Markup)
    csp: Markup = field(default_factory=Markup)
    manifest: Markup = field(default_factory=Markup)
    nav: tuple[tuple[str, str], ...] = ()


def page_view(board: Storyboard, mode: str, media: Mapping[str, MediaFile]) -> PageView:
    """Return the page for *board* in the theme's *mode*, images inlined and links checked.

    Raises :class:`MediaError` for an unusable image and :class:`PitchError` for a link
    that is not http, https or mailto, each naming the pitch file and field.
    """
    lang, scenes = board.language, board.scenes
    builders = dict.fromkeys(build for build in SECTIONS.values() if build is not None)
    sections = [s for s in (build(board) for build in builders) if s]
    video, deck = _video(board, media), _deck(board, media)
    if video or deck:
        sections.append(_media_section(board, video is not None, deck is not None))
    view = PageView(
        lang=lang,
        mode=mode,
        title=say("page_title", lang, thanks=scenes[0].title, candidate=board.candidate.name),
        words={key: say(key, lang) for key in _PAGE_WORDS},
        hero=_hero(board, scenes[0]),
        sections=tuple(sections),
        contact=_contact(board, next(s for s in scenes if s.kind == "closing")),
        footer=say(
            "footer",
            lang,
            candidate=board.candidate.name,
            person=board.interviewer.name,
            date=long_date(board.interview_date, lang),
        ),
        video=video,
        deck=deck,
    )
    nav = (*((s.id, s.title) for s in view.sections), ("contact", view.contact.title))
    return dataclasses.replace(view, nav=nav)


def page_text(view: PageView) -> str:
    """Return every character the page shows (for cutting the fonts down to them)."""
    return "".join(_strings(view))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, InlineImage):
        yield value.alt
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


def _hero(board: Storyboard, scene: Scene) -> Hero:
    person, lang = board.interviewer, board.language
    recipient = (
        say("for_titled", lang, name=person.name, title=person.title)
        if person.title
        else say("for", lang, name=person.name)
    )
    photo = board.candidate.photo or scene.image
    return Hero(
        title=scene.title,
        kicker=scene.kicker,
        text=scene.text,
        recipient=recipient,
        name=board.candidate.name,
        headline=board.candidate.headline,
        photo=_picture(board, photo, PHOTO_SIDE, square=True) if photo else None,
    )


def _discussed(board: Storyboard) -> Section | None:
    scene = next((s for s in board.scenes if s.kind == "discussed"), None)
    if scene is None or not scene.bullets:
        return None
    return Section(id="discussed", kind="list", title=scene.title, items=scene.bullets)


def _values(board: Storyboard) -> Section | None:
    scenes = [s for s in board.scenes if s.kind == "value"]
    if not scenes:
        return None
    cards = tuple(
        Card(s.title, s.text, _picture(board, s.image, IMAGE_SIDE) if s.image else None)
        for s in scenes
    )
    return Section(id="value", kind="rows", title=scenes[0].kicker, cards=cards)


def _samples(board: Storyboard) -> Section | None:
    lang = board.language
    title = say("samples", lang)
    listed = next((s for s in board.scenes if s.kind == "samples"), None)
    # The page has room for every sample, also when the video and deck list only titles.
    scenes = list(listed.parts) if listed else [s for s in board.scenes if s.kind == "sample"]
    if not scenes:
        return None
    cards = []
    for i, s in enumerate(scenes):
        link = None
        if s.link:
            href = safe_url(s.link, board, f"samples[{i}].url")
            link = Link(href, say("open_sample", lang), note=_host(href))
        image = _picture(board, s.image, IMAGE_SIDE) if s.image else None
        cards.append(Card(s.title, s.text, image, link))
    return Section(id="samples", kind="cards", title=title, cards=tuple(cards))


# The section that shows each kind of scene, in page order. The title scene is the hero and
# the closing scene the contact card, which every page has: they are no section.
SECTIONS: dict[SceneKind, Callable[[Storyboard], Section | None] | None] = {
    "title": None,
    "discussed": _discussed,
    "value": _values,
    "sample": _samples,
    "samples": _samples,
    "closing": None,
}


def _video(board: Storyboard, media: Mapping[str, MediaFile]) -> Video | None:
    file = media.get("video")
    if file is None:
        return None
    lang = board.language
    return Video(
        src=file.name,
        label=say("video_label", lang, name=board.candidate.name),
        poster=media["poster"].name if "poster" in media else None,
        captions=media["captions"].name if "captions" in media else None,
        captions_label=say("language_name", lang),
        download=Link(
            file.name,
            say("download_video", lang),
            note=f"MP4, {file_size(file.size, lang)}",
            media=file.name,
        ),
    )


def _deck(board: Storyboard, media: Mapping[str, MediaFile]) -> Link | None:
    file = media.get("deck")
    if file is None:
        return None
    lang = board.language
    note = f"PDF, {file_size(file.size, lang)}"
    return Link(file.name, say("deck", lang), note=note, media=file.name)


def _media_section(board: Storyboard, video: bool, deck: bool) -> Section:
    key = "media" if video and deck else "media_video" if video else "media_deck"
    text = say("deck_note", board.language) if deck else ""
    return Section(id="media", kind="media", title=say(key, board.language), text=text)


def _contact(board: Storyboard, scene: Scene) -> Contact:
    person, lang = board.candidate, board.language
    subject = say("title_sub", lang, role=board.role, company=board.company)
    mailto = f"mailto:{quote(person.email, safe='@.+-_')}?subject={quote(subject)}"
    links = tuple(
        Link(safe_url(url, board, f"candidate.links.{label}"), label, note=_host(url))
        for label, url in person.links
    )
    return Contact(
        title=scene.title,
        kicker=scene.kicker,
        text=scene.text,
        email=Link(safe_url(mailto, board, "candidate.email"), say("write", lang), person.email),
        phone=person.phone,
        links=links,
    )


def _picture(board: Storyboard, ref: ImageRef, side: int, square: bool = False) -> InlineImage:
    return inline_image(ref, board.source.parent, side, square=square)


def safe_url(url: str, board: Storyboard, where: str) -> str:
    """Return *url* when it is an http, https or mailto address; raise :class:`PitchError`."""
    parts = urlsplit(url.strip())
    ok = parts.scheme.lower() in _SCHEMES and (parts.netloc or parts.scheme == "mailto")
    if not ok or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise PitchError(
            [f"{board.source.name}: {where}: only http://, https:// and mailto: links are allowed"]
        )
    return url.strip()


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
