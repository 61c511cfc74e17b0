"""One layout per kind of scene: where the title, text, picture and contact details go."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from builder.frames import pieces
from builder.frames.canvas import Canvas, mix, smooth
from builder.frames.pieces import KICKER_HEIGHT
from builder.frames.text import fit_line, font
from builder.geometry import Box
from builder.storyboard import Candidate, Scene, SceneKind, Storyboard
from builder.wording import display_url

PANEL = 0.64  # where the right-hand panel of the title card (and image-less slides) starts


@dataclass(frozen=True)
class Place:
    """All a scene's picture shows besides the scene: who signs it and where it falls in
    its storyboard. Layouts read nothing else, so two interviewers' scenes with equal
    scene and place are the same picture (a panel draws it once)."""

    candidate: Candidate
    company: str
    index: int  # its position in the storyboard (-1: not in it)
    count: int  # the storyboard's scenes
    of_kind: int  # its number among the storyboard's scenes of its kind, from 1
    language: str = ""  # the storyboard's: where a word too long for its line may break

    @classmethod
    def of(cls, scene: Scene, board: Storyboard) -> Place:
        """Return where *scene* falls in *board*."""
        same = [s for s in board.scenes if s.kind == scene.kind]
        return cls(
            candidate=board.candidate,
            company=board.company,
            index=board.scenes.index(scene) if scene in board.scenes else -1,
            count=len(board.scenes),
            of_kind=same.index(scene) + 1 if scene in same else 1,
            language=board.language,
        )


Layout = Callable[[Canvas, Scene, Place, Box], None]


def title(canvas: Canvas, scene: Scene, place: Place, area: Box) -> None:
    """The title card: who it is for, big; the thanks; the candidate's photo and name."""
    width, height = canvas.image.size
    panel_x = round(width * PANEL)
    canvas.draw.rectangle((panel_x, 0, width, height), fill=canvas.colour("surface"))
    d = min(round((width - panel_x) * 0.56), round(area.height * 0.62))
    centre = ((panel_x + width) // 2, height // 2)
    pieces.portrait(canvas, scene.image, place.candidate.name, centre, d)
    column = dataclasses.replace(area, width=panel_x - area.left - canvas.px(90))
    sign = canvas.px(112)
    y = pieces.kicker(canvas, scene.kicker, column.left, column.top + canvas.px(40), column.width)
    heading = canvas.fit(
        scene.title, canvas.theme.heading.bold, (128, 72),
        (column.width, round(column.height * 0.42)), leading=1.08,
    )  # fmt: skip
    y = canvas.write(heading, column.left, y, canvas.colour("text")) + canvas.px(34)
    room = column.bottom - sign - canvas.px(40) - y
    thanks = canvas.fit(
        scene.text, canvas.theme.body.regular, (40, 26), (column.width, room), leading=1.4
    )
    canvas.write(thanks, column.left, y, canvas.colour("muted"))
    person = place.candidate
    _signature(canvas, person.name, person.headline, column.from_top(column.bottom - sign))


def _signature(canvas: Canvas, name: str, headline: str, box: Box) -> None:
    """Draw an accent rule, the candidate's name and their headline."""
    rule = (box.left, box.top, box.left + canvas.px(90), box.top + canvas.px(3))
    canvas.draw.rectangle(rule, fill=canvas.colour("accent"))
    face = font(canvas.theme.heading.regular, canvas.px(36))
    face.draw(canvas.draw, (box.left, box.top + canvas.px(24)), fit_line(name, face, box.width),
              canvas.colour("text"))  # fmt: skip
    small = font(canvas.theme.body.regular, canvas.px(26))
    small.draw(canvas.draw, (box.left, box.top + canvas.px(72)),
               fit_line(headline, small, box.width), canvas.colour("muted"))  # fmt: skip


def numbered(canvas: Canvas, scene: Scene, place: Place, area: Box) -> None:
    """A title over up to five numbered cards (what was discussed, the work samples)."""
    heading = canvas.fit(
        scene.title,
        canvas.theme.heading.bold,
        (84, 56),
        (area.width, round(area.height * 0.3)),
        leading=1.1,
    )
    kicker_h = canvas.px(KICKER_HEIGHT) if scene.kicker else 0
    gap = canvas.px(56)
    grid = pieces.cards(
        canvas, scene.bullets, area.width, area.height - kicker_h - heading.height - gap
    )
    used = kicker_h + heading.height + (gap + grid.height if scene.bullets else 0)
    y = area.top + max(0, (area.height - used) // 2)
    y = pieces.kicker(canvas, scene.kicker, area.left, y, area.width)
    y = canvas.write(heading, area.left, y, canvas.colour("text")) + gap
    grid.draw(canvas, area.left, y)


def point(canvas: Canvas, scene: Scene, place: Place, area: Box) -> None:
    """A point or a work sample: label, title, paragraph, link, and the image beside them.

    Without an image the right side becomes a panel with the point's number (or, for a
    sample with a link, a small browser window showing the address).
    """
    if scene.image is not None:
        split, gutter = round(area.width * 0.47), canvas.px(80)
        beside = Box(area.left + split + gutter, area.top, area.width - split - gutter, area.height)
        pieces.picture(canvas, scene.image, beside)
        text_column(canvas, scene, dataclasses.replace(area, width=split))
        return
    width, height = canvas.image.size
    panel_x, inset = round(width * PANEL), canvas.px(70)
    canvas.draw.rectangle((panel_x, 0, width, height), fill=canvas.colour("surface"))
    panel = Box(panel_x + inset, area.top, width - panel_x - 2 * inset, area.height)
    if scene.link:
        pieces.browser(canvas, scene.link, panel)
    else:
        pieces.big_number(canvas, place.of_kind, panel)
    text_column(
        canvas, scene, dataclasses.replace(area, width=panel_x - area.left - canvas.px(100))
    )


def text_column(canvas: Canvas, scene: Scene, column: Box) -> None:
    """Draw kicker, title, text and link, centred vertically in *column*."""
    theme, gap = canvas.theme, canvas.px(36)
    link_h = canvas.px(60) if scene.link else 0
    kicker_h = canvas.px(KICKER_HEIGHT) if scene.kicker else 0
    heading = canvas.fit(
        scene.title,
        theme.heading.bold,
        (76, 50),
        (column.width, round(column.height * 0.42)),
        leading=1.12,
    )
    room = column.height - kicker_h - heading.height - gap - link_h
    text = canvas.fit(scene.text, theme.body.regular, (38, 26), (column.width, room), leading=1.42)
    used = kicker_h + heading.height + (gap + text.height if text.lines else 0) + link_h
    y = column.top + max(0, (column.height - used) // 2)
    y = pieces.kicker(canvas, scene.kicker, column.left, y, column.width)
    y = canvas.write(heading, column.left, y, canvas.colour("text"))
    if text.lines:
        y = canvas.write(text, column.left, y + gap, canvas.colour("muted"))
    if scene.link:
        pieces.link(canvas, scene.link, column.left, y + canvas.px(28), column.width)


def closing(canvas: Canvas, scene: Scene, place: Place, area: Box) -> None:
    """The closing card: the invitation on the left, a contact card on the right."""
    split, gap = round(area.width * 0.5), canvas.px(40)
    invitation = dataclasses.replace(scene, bullets=(), image=None, link=None)
    text_column(canvas, invitation, dataclasses.replace(area, width=split - gap))
    right = Box(
        area.left + split + gap,
        area.top + canvas.px(30),
        area.width - split - gap,
        area.height - canvas.px(60),
    )
    _contact_card(canvas, scene, place, right)


def _contact_card(canvas: Canvas, scene: Scene, place: Place, area: Box) -> None:
    """Draw the candidate's card: photo, name, headline and one row per way to reach them."""
    person = place.candidate
    name = person.name
    rows = [("mail", person.email), *([("phone", person.phone)] if person.phone else [])]
    rows += [("link", display_url(url)) for _, url in person.links]
    pad, d, gap = canvas.px(56), canvas.px(150), canvas.px(44)
    step = min(canvas.px(72), (area.height - 2 * pad - d - gap) // max(1, len(rows)))
    card_h = min(area.height, 2 * pad + d + (gap + step * len(rows) if rows else 0))
    card = Box(area.left, area.top + (area.height - card_h) // 2, area.width, card_h)
    canvas.draw.rounded_rectangle(
        (card.left, card.top, card.right, card.bottom), canvas.px(28), canvas.colour("surface")
    )
    face_centre = (card.left + pad + d // 2, card.top + pad + d // 2)
    pieces.portrait(canvas, place.candidate.photo, name, face_centre, d)
    text_x = card.left + pad + d + canvas.px(40)
    text_w = card.right - pad - text_x
    theme = canvas.theme
    who = canvas.fit(
        name, theme.heading.bold, (48, 32), (text_w, canvas.px(120)), leading=1.1, max_lines=2
    )
    what = canvas.fit(
        place.candidate.headline, theme.body.regular, (26, 20), (text_w, canvas.px(68)),
        leading=1.3, max_lines=2,
    )  # fmt: skip
    top = card.top + pad + (d - who.height - canvas.px(10) - what.height) // 2
    y = canvas.write(who, text_x, top, canvas.colour("text"))
    canvas.write(what, text_x, y + canvas.px(10), canvas.colour("muted"))
    rows_box = Box(
        card.left + pad, card.top + pad + d + gap, card.width - 2 * pad, step * len(rows)
    )
    _contact_rows(canvas, rows, rows_box)


def _contact_rows(canvas: Canvas, rows: list[tuple[str, str]], box: Box) -> None:
    """Draw one row per (kind, address): an icon, then the email, phone or link."""
    if not rows:
        return
    step = box.height // len(rows)
    size = min(canvas.px(32), round(step * 0.5))
    face = font(canvas.theme.body.regular, size)
    side, gap = round(size * 1.25), canvas.px(26)
    for i, (kind, row) in enumerate(rows):
        middle = box.top + i * step + step // 2
        pieces.icon(canvas, kind, Box(box.left, middle - side // 2, side, side))
        shown = fit_line(row, face, box.width - side - gap)
        face.draw(canvas.draw, (box.left + side + gap, middle), shown, canvas.colour("text"), "lm")


def footer(canvas: Canvas, scene: Scene, place: Place) -> None:
    """Draw the candidate's name and the position dots along the bottom edge."""
    width, height = canvas.image.size
    side = round(canvas.theme.margin * width)
    middle = height - canvas.px(62)
    if scene.kind != "title":  # the title card already signs with the name
        face = font(canvas.theme.body.bold, canvas.px(24))
        note = fit_line(f"{place.candidate.name}  ·  {place.company}", face, width // 2)
        face.draw(canvas.draw, (side, middle), note, canvas.colour("muted"), anchor="lm")
    r, gap = canvas.px(6), canvas.px(26)
    on_panel = scene.kind == "title" or (scene.kind in ("value", "sample") and scene.image is None)
    quiet = mix(
        canvas.colour("muted"), canvas.colour("surface" if on_panel else "background"), 0.55
    )

    def paint(draw: ImageDraw.ImageDraw, s: int) -> None:
        for i in range(place.count):
            cx = (r + i * gap) * s
            fill = canvas.colour("accent") if i == place.index else quiet
            draw.ellipse((cx - r * s, 0, cx + r * s, 2 * r * s), fill=(*fill, 255))

    dots = smooth((2 * r + (place.count - 1) * gap, 2 * r), paint)
    canvas.stamp(dots, width - side - dots.width, middle - r)


LAYOUTS: dict[SceneKind, Layout] = {
    "title": title,
    "discussed": numbered,
    "samples": numbered,
    "value": point,
    "sample": point,
    "closing": closing,
}
