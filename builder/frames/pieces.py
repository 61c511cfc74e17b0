"""The parts slides are built from: labels, pictures, portraits, icons, cards, a browser."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from builder.fitting import shrink
from builder.frames.canvas import Canvas, Colour, mix, round_mask, smooth
from builder.frames.text import Block, Face, fit_line, font, note_cut, truncate, wrap
from builder.geometry import Box
from builder.glyphs import capitals, clusters
from builder.images import open_image
from builder.storyboard import ImageRef
from builder.wording import display_url

KICKER_HEIGHT = 83  # the accent rule, the label and the space below them (1080p pixels)


def kicker(canvas: Canvas, text: str, x: int, y: int, width: int) -> int:
    """Draw the small letter-spaced accent label above a title; return the y below it."""
    if not text:
        return y
    accent = canvas.colour("accent")
    canvas.draw.rectangle((x, y, x + canvas.px(56), y + canvas.px(7)), fill=accent)
    face = font(canvas.theme.body.bold, canvas.px(27))
    tracking = canvas.px(3)
    cursor, top = float(x), y + canvas.px(30)
    # Capitals as the deck and the page write them (ß -> SS), one letter (with its accents)
    # at a time for the letter spacing.
    for char in clusters(fit_line(capitals(text), face, width, tracking=tracking)):
        face.draw(canvas.draw, (cursor, top), char, accent)
        cursor += face.getlength(char) + tracking
    return y + canvas.px(KICKER_HEIGHT)


def picture(canvas: Canvas, ref: ImageRef, area: Box) -> Box:
    """Draw the image *ref* as large as fits in *area*, rounded, with a soft shadow.

    Returns the box it took (centred in *area*). Raises :class:`MediaError` for a bad file.
    """
    inset = canvas.px(28)  # the shadow's spread stays inside the area, out of the margin
    area = area.inset(inset, inset)
    image = ImageOps.contain(
        opaque(open_image(ref), canvas.colour("background")), (area.width, area.height)
    )
    box = Box(
        area.left + (area.width - image.width) // 2,
        area.top + (area.height - image.height) // 2,
        *image.size,
    )
    radius = canvas.px(18)
    shadow(canvas, box, radius)
    canvas.image.paste(image, (box.left, box.top), round_mask(image.size, radius))
    return box


def shadow(canvas: Canvas, box: Box, radius: int) -> None:
    """Draw a soft drop shadow under where *box* will be drawn."""
    blur = canvas.px(22)
    pad = blur * 3
    layer = Image.new("RGBA", (box.width + 2 * pad, box.height + 2 * pad), (0, 0, 0, 0))
    alpha = 70 if canvas.theme.mode == "light" else 140  # a dark page needs a deeper shadow
    ImageDraw.Draw(layer).rounded_rectangle(
        (pad, pad + blur // 2, pad + box.width, pad + box.height + blur // 2),
        radius,
        fill=(8, 16, 32, alpha),
    )
    canvas.stamp(layer.filter(ImageFilter.GaussianBlur(blur)), box.left - pad, box.top - pad)


def portrait(
    canvas: Canvas, ref: ImageRef | None, name: str, centre: tuple[int, int], d: int
) -> None:
    """Draw the candidate's photo (or their initials) as a circle of diameter *d* in an
    accent ring, centred on *centre*."""
    ring = max(2, d // 42)
    outer = d + 2 * ring
    left, top = centre[0] - outer // 2, centre[1] - outer // 2
    # The ring: the accent colour through a smooth disc, then the face inside it. Both
    # discs and the fitted photo are the same on every title card of a panel: made once.
    disc = round_mask((outer, outer), 0, circle=True)
    canvas.image.paste(canvas.colour("accent"), (left, top, left + outer, top + outer), disc)
    face = _photo(ref, d, canvas.colour("background")) if ref else _initials(canvas, name, d)
    canvas.image.paste(face, (left + ring, top + ring), round_mask((d, d), 0, circle=True))


def _photo(ref: ImageRef, d: int, background: Colour) -> Image.Image:
    """Return the photo of *ref* cropped and scaled to a *d* x *d* square, transparent
    parts on *background* (shared: read it, never change it)."""
    try:
        info = ref.path.stat()
    except OSError:
        info = None  # open_image names the field and the reason
    signature = None if info is None else (info.st_size, info.st_mtime_ns)
    return _fitted(ref, d, background, signature)


@lru_cache(maxsize=8)
def _fitted(
    ref: ImageRef, d: int, background: Colour, signature: tuple[int, int] | None
) -> Image.Image:
    # The file's size and time are part of the key: `build preview` rebuilds in one
    # process, and a photo saved again under the same name must be read again.
    del signature
    return ImageOps.fit(opaque(open_image(ref), background), (d, d), Image.Resampling.LANCZOS)


def opaque(image: Image.Image, background: Colour) -> Image.Image:
    """Return *image* as RGB, its transparent parts laid on *background* (as the deck shows
    them on the slide): a plain conversion turns them black, or whatever colour the
    invisible pixels happen to hold."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return image.convert("RGB")
    base = Image.new("RGBA", image.size, (*background, 255))
    return Image.alpha_composite(base, image.convert("RGBA")).convert("RGB")


def _initials(canvas: Canvas, name: str, d: int) -> Image.Image:
    tile = Image.new("RGB", (d, d), canvas.colour("surface"))
    letters = capitals("".join(next(clusters(part)) for part in name.split()[:2]))
    face = font(canvas.theme.heading.bold, round(d * 0.36))
    face.draw(ImageDraw.Draw(tile), (d / 2, d / 2), letters, canvas.colour("accent"), "mm")
    return tile


def link(canvas: Canvas, url: str, x: int, y: int, width: int) -> None:
    """Draw *url* as an accent link with a drawn arrow (not every font has a → glyph)."""
    face = font(canvas.theme.body.bold, canvas.px(32))
    arrow, gap = canvas.px(40), canvas.px(16)
    label = fit_line(display_url(url), face, width - arrow - gap)
    accent = canvas.colour("accent")
    face.draw(canvas.draw, (x, y), label, accent)
    stroke, head = max(2, canvas.px(4)), canvas.px(11)

    def paint(draw: ImageDraw.ImageDraw, s: int) -> None:
        mid, end, colour = head * s, (arrow - stroke) * s, (*accent, 255)
        draw.line([(0, mid), (end, mid)], fill=colour, width=stroke * s)
        tip = [(end - head * s, 0), (end, mid), (end - head * s, 2 * mid)]
        draw.line(tip, fill=colour, width=stroke * s, joint="curve")

    middle = y + round(face.getmetrics()[0] * 0.62)
    canvas.stamp(
        smooth((arrow, 2 * head + 1), paint), x + round(face.getlength(label)) + gap, middle - head
    )


def icon(canvas: Canvas, kind: str, box: Box) -> None:
    """Draw a small line icon in the accent colour: ``mail``, ``phone`` or a globe (links)."""
    colour = (*canvas.colour("accent"), 255)

    def paint(draw: ImageDraw.ImageDraw, s: int) -> None:
        w = box.width * s
        line = max(2 * s, round(w * 0.09))
        if kind == "mail":
            top, bottom = w * 0.2, w * 0.8
            draw.rounded_rectangle(
                (line, top, w - line, bottom), w * 0.08, outline=colour, width=line
            )
            fold = [(line * 1.5, top + line), (w / 2, w * 0.52), (w - line * 1.5, top + line)]
            draw.line(fold, fill=colour, width=line, joint="curve")
        elif kind == "phone":
            draw.rounded_rectangle(
                (w * 0.27, line, w * 0.73, w - line), w * 0.1, outline=colour, width=line
            )
            draw.line([(w * 0.43, w * 0.8), (w * 0.57, w * 0.8)], fill=colour, width=line)
        else:
            draw.ellipse((line, line, w - line, w - line), outline=colour, width=line)
            draw.ellipse((w * 0.3, line, w * 0.7, w - line), outline=colour, width=line)
            draw.line([(line, w / 2), (w - line, w / 2)], fill=colour, width=line)

    canvas.stamp(smooth((box.width, box.width), paint), box.left, box.top)


def big_number(canvas: Canvas, number: int, box: Box) -> None:
    """Draw *number* as a large accent figure centred in *box*."""
    face = font(canvas.theme.heading.bold, canvas.px(300))
    centre = (box.left + box.width // 2, box.top + box.height // 2)
    face.draw(canvas.draw, centre, f"{number:02d}", canvas.colour("accent"), anchor="mm")


def browser(canvas: Canvas, url: str, box: Box) -> None:
    """Draw a small browser window showing *url* in its address bar, centred in *box*."""
    w, h = box.width, round(box.width * 0.68)
    x, y = box.left, box.top + (box.height - h) // 2
    radius, bar = canvas.px(18), canvas.px(64)
    shadow(canvas, Box(x, y, w, h), radius)
    draw, page = canvas.draw, canvas.colour("background")
    draw.rounded_rectangle((x, y, x + w, y + h), radius=radius, fill=page)
    chrome = mix(canvas.colour("surface"), canvas.colour("muted"), 0.18)
    draw.rounded_rectangle(
        (x, y, x + w, y + bar), radius, chrome, corners=(True, True, False, False)
    )
    r, dot = canvas.px(8), mix(canvas.colour("muted"), canvas.colour("surface"), 0.4)
    for i in range(3):
        cx = x + canvas.px(34) + i * canvas.px(26)
        draw.ellipse((cx - r, y + bar // 2 - r, cx + r, y + bar // 2 + r), fill=dot)
    address = Box(x + canvas.px(120), y + canvas.px(14), w - canvas.px(140), bar - canvas.px(28))
    draw.rounded_rectangle(
        (address.left, address.top, address.right, address.bottom), address.height // 2, page
    )
    face = font(canvas.theme.body.regular, canvas.px(24))
    shown = fit_line(display_url(url), face, address.width - canvas.px(36))
    face.draw(draw, (address.left + canvas.px(18), address.top + address.height // 2), shown,
              canvas.colour("muted"), anchor="lm")  # fmt: skip
    # A sketch of the page: a headline bar and three lines of text.
    grey, top, left = (
        mix(canvas.colour("muted"), page, 0.78),
        y + bar + canvas.px(44),
        x + canvas.px(40),
    )
    for i, share in enumerate((0.7, 0.9, 0.82, 0.55)):
        height = canvas.px(30 if i == 0 else 16)
        right = left + round((w - canvas.px(80)) * share)
        fill = canvas.colour("accent") if i == 0 else grey
        draw.rounded_rectangle((left, top, right, top + height), height // 2, fill)
        top += height + canvas.px(26 if i == 0 else 20)


@dataclass(frozen=True)
class Cards:
    """Numbered cards in rows of at most three, every card the same size."""

    blocks: tuple[Block, ...]
    columns: int
    card_w: int
    card_h: int
    gap: int
    pad: int

    @property
    def height(self) -> int:
        """Return the height of all rows."""
        rows = -(-len(self.blocks) // self.columns) if self.blocks else 0
        return rows * self.card_h + max(0, rows - 1) * self.gap

    def draw(self, canvas: Canvas, x: int, y: int) -> None:
        """Draw the cards with their top left corner at (*x*, *y*)."""
        number_face = font(canvas.theme.heading.bold, canvas.px(44))
        accent = canvas.colour("accent")
        for i, block in enumerate(self.blocks):
            row, col = divmod(i, self.columns)
            left = x + col * (self.card_w + self.gap)
            top = y + row * (self.card_h + self.gap)
            inner = left + self.pad
            canvas.draw.rounded_rectangle(
                (left, top, left + self.card_w, top + self.card_h),
                radius=canvas.px(22),
                fill=canvas.colour("surface"),
            )
            canvas.draw.rectangle((inner, top, inner + canvas.px(44), top + canvas.px(6)), accent)
            number_face.draw(canvas.draw, (inner, top + self.pad), f"{i + 1:02d}", accent)
            canvas.write(block, inner, top + self.pad + canvas.px(70), canvas.colour("text"))


def cards(canvas: Canvas, items: tuple[str, ...], width: int, height: int) -> Cards:
    """Return numbered cards for *items* in the largest common text size that fits the
    *width* x *height* area (text is cut with an ellipsis only at the smallest size)."""
    count = max(1, len(items))
    columns = 2 if count == 4 else min(3, count)
    rows = -(-count // columns)
    gap, pad = canvas.px(32), canvas.px(40)
    card_w = (width - (columns - 1) * gap) // columns
    chrome = pad + canvas.px(70) + pad  # top padding, the number, bottom padding
    max_card_h = (height - (rows - 1) * gap) // rows
    text_w, text_h = card_w - 2 * pad, max(1, max_card_h - chrome)
    largest = canvas.px(40 if columns < 3 else 36)
    face, step, wrapped = _card_text(canvas, items, largest, (text_w, text_h))
    room = max(1, text_h // step)
    for item, lines in zip(items, wrapped, strict=True):
        if len(lines) > room:
            note_cut(item)
    blocks = tuple(Block(truncate(lines, room, face, text_w), face, step) for lines in wrapped)
    tallest = max((b.height for b in blocks), default=0)
    # Short points get a roomy card rather than a thin strip.
    card_h = min(max_card_h, max(tallest + chrome, canvas.px(300) if rows == 1 else 0))
    return Cards(blocks, columns, card_w, card_h, gap, pad)


def _card_text(
    canvas: Canvas, items: tuple[str, ...], largest: int, box: tuple[int, int]
) -> tuple[Face, int, list[list[str]]]:
    """Return the font, line step and wrapped lines of *items* at the largest size from
    *largest* down to 24 px (at 1080p) at which every item fits the *box* (width, height)."""
    (width, height), smallest = box, canvas.px(24)

    @cache
    def setting(px: int) -> tuple[Face, int, list[list[str]]]:
        face = font(canvas.theme.body.regular, px)
        return face, round(px * 1.32), [wrap(item, face, width, canvas.language) for item in items]

    def fits(px: int) -> bool:
        _, step, wrapped = setting(px)
        return max((len(lines) for lines in wrapped), default=0) * step <= height

    size, _ = shrink(largest, smallest, lambda px: max(smallest, round(px * 0.93)), fits)
    return setting(size)
