"""One function per scene kind: each adds its slide to the deck and returns it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pptx.slide import Slide

from builder.deck.draw import Deck, card, heading, kicker, picture, place, remove, title_of, write
from builder.deck.layout import inches
from builder.deck.text import Fitted, Para, fit
from builder.geometry import Box
from builder.storyboard import Candidate, Scene, SceneKind
from builder.wording import display_url

HERO_TITLE = (60.0, 30.0)  # largest and smallest size in points
HERO_TEXT = (24.0, 12.0)
BODY = (26.0, 12.0)  # bullets
TEXT = (30.0, 12.0)  # a paragraph on its own
BESIDE = (24.0, 12.0)  # a paragraph beside a picture
COMFORTABLE = 18.0  # below this, text beside a picture gets a wider column
SHARES = (0.45, 0.52, 0.6)  # the text column's share of the width, tried in turn
CONTACT = (22.0, 11.0)
READABLE = inches(10.5)  # the longest comfortable line of body text
LINK_LENGTH = 36  # characters of an address shown on a slide (the link keeps all of it)


def title_slide(deck: Deck, scene: Scene) -> Slide:
    """Add the opening slide: thanks, the role, the candidate, and a round portrait if any."""
    slide = deck.new_slide("Title Slide")
    grid = deck.grid
    column, portrait = grid.content.columns(0.64, grid.gutter)
    if scene.image is None:  # the title may use the whole width, the text a readable part
        column = replace(grid.content, width=min(grid.content.width, READABLE))
    heading_box = grid.content if scene.image is None else column
    title = deck.fit(
        slide,
        [deck.para(scene.title, "heading")],
        replace(heading_box, height=inches(2.6)),
        HERO_TITLE,
    )
    words = [deck.para(scene.text)] if scene.text else []
    words += [deck.para(b, role="muted", scale=0.8, space_before=1.0) for b in scene.bullets]
    label, gap = inches(0.45), inches(0.35)
    room = grid.content.height - label - title.height - gap
    text = deck.fit(slide, words, replace(column, height=room), HERO_TEXT)
    total = label + title.height + (gap + text.height if words else 0)
    top = round((grid.height - total) * 0.46)  # a little above the middle looks centred
    if scene.kicker:
        kicker(deck, slide, scene.kicker, replace(column, top=top, height=label))
    place(title_of(slide), replace(heading_box, top=top + label, height=title.height))
    write(title_of(slide).text_frame, title, deck)
    subtitle = slide.placeholders[1]
    if words:
        write(subtitle.text_frame, text, deck)
        place(subtitle, replace(column, top=top + label + title.height + gap, height=text.height))
    else:
        remove(subtitle)
    if scene.image is not None:
        side = min(portrait.width, inches(3.6))
        frame = Box(portrait.right - side, (grid.height - side) // 2, side, side)
        picture(deck, slide, scene.image, frame, round_=True)
    return slide


def discussed_slide(deck: Deck, scene: Scene) -> Slide:
    """Add the slide of moments from the conversation, as bullets."""
    return _list_slide(deck, scene)


def samples_slide(deck: Deck, scene: Scene) -> Slide:
    """Add the slide that lists every work sample when there are too many for one each."""
    return _list_slide(deck, scene)


def value_slide(deck: Deck, scene: Scene) -> Slide:
    """Add a slide about one way the candidate would help, with its picture beside the text."""
    return _text_and_picture(deck, scene, _paragraphs(deck, scene))


def sample_slide(deck: Deck, scene: Scene) -> Slide:
    """Add a slide for one work sample: what it is, its picture and its link."""
    paras = _paragraphs(deck, scene)
    if scene.link:
        shown = _short_url(scene.link)
        paras.append(deck.para(shown, role="accent", scale=0.8, space_before=1.2, link=scene.link))
    return _text_and_picture(deck, scene, paras)


def closing_slide(deck: Deck, scene: Scene) -> Slide:
    """Add the last slide: the next step, and the contact details on a card beside it."""
    slide = deck.new_slide("Two Content")
    grid = deck.grid
    area = grid.body.from_top(heading(deck, slide, scene) + grid.gap)
    left, right = area.columns(0.5, grid.gutter)
    words, contacts = slide.placeholders[1], slide.placeholders[2]
    if scene.text:
        write(words.text_frame, deck.fit(slide, _paragraphs(deck, scene), left, BODY), deck)
        place(words, left)
    else:
        remove(words)
        right = left
    pad = inches(0.4)
    lines = _contact_lines(deck, deck.board.candidate)
    fitted = deck.fit(slide, lines, right.inset(pad, pad), CONTACT)
    card(deck, slide, replace(right, height=fitted.height + 2 * pad), fitted, pad)
    remove(contacts)  # the card holds the contact lines itself
    return slide


def _list_slide(deck: Deck, scene: Scene) -> Slide:
    slide = deck.new_slide("Title and Content")
    grid = deck.grid
    area = grid.body.from_top(heading(deck, slide, scene) + grid.gap)
    area = replace(area, width=min(area.width, READABLE))
    paras = _paragraphs(deck, scene)
    # Titles only, no links: LibreOffice wraps a linked run anywhere, mid-word too ("err /
    # or bands"), and word by word its links turn out in two colours. The site has them.
    paras += [deck.para(b, bullet=True, space_before=0.55) for b in scene.bullets]
    body = slide.placeholders[1]
    write(body.text_frame, deck.fit(slide, paras, area, BODY), deck)
    place(body, area)
    return slide


def _text_and_picture(deck: Deck, scene: Scene, paras: list[Para]) -> Slide:
    slide = deck.new_slide("Two Content" if scene.image else "Title and Content")
    grid = deck.grid
    area = grid.body.from_top(heading(deck, slide, scene) + grid.gap)
    body = slide.placeholders[1]
    if scene.image is not None:
        remove(slide.placeholders[2])
    if not paras:
        remove(body)
        if scene.image is not None:
            picture(deck, slide, scene.image, area)
        return slide
    if scene.image is None:
        area = replace(area, width=min(area.width, READABLE))
        fitted = deck.fit(slide, paras, area, TEXT)
    else:
        area, frame, fitted = _beside(deck, slide, paras, area)
        picture(deck, slide, scene.image, frame)
    write(body.text_frame, fitted, deck)
    place(body, area)
    return slide


def _beside(deck: Deck, slide: Slide, paras: list[Para], area: Box) -> tuple[Box, Box, Fitted]:
    # A long text gets a wider column (and the picture a narrower one) before it gets small.
    for share in SHARES:
        column, frame = area.columns(share, deck.grid.gutter)
        fitted = fit(paras, column.width, column.height, *BESIDE)
        if fitted.size >= COMFORTABLE:
            break
    return column, frame, deck.fit(slide, paras, column, BESIDE)


def _paragraphs(deck: Deck, scene: Scene) -> list[Para]:
    return [deck.para(scene.text)] if scene.text else []


def _contact_lines(deck: Deck, person: Candidate) -> list[Para]:
    """Return the contact card's lines, from the candidate's typed contact details."""
    lines = [
        deck.para(person.name, "strong"),
        deck.para(person.email, role="accent", space_before=0.5, link=f"mailto:{person.email}"),
    ]
    if person.phone:
        lines.append(deck.para(person.phone, space_before=0.5))
    lines += [
        deck.para(_short_url(url), role="accent", space_before=0.5, link=url)
        for _, url in person.links
    ]
    return lines


def _short_url(url: str) -> str:
    shown = display_url(url)
    return shown if len(shown) <= LINK_LENGTH else shown[: LINK_LENGTH - 1] + "…"


SLIDES: dict[SceneKind, Callable[[Deck, Scene], Slide]] = {
    "title": title_slide,
    "discussed": discussed_slide,
    "value": value_slide,
    "sample": sample_slide,
    "samples": samples_slide,
    "closing": closing_slide,
}
