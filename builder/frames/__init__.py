"""Scenes as pictures: Pillow draws each storyboard scene in the theme's look.

Nothing here knows about video: the video writer, the email preview and the site's
thumbnails all call :func:`render_scene`, :func:`poster`, :func:`play_badge` and
:func:`caption_overlay`. Every length is given for a 1920x1080 frame and scaled, so a
720p frame (or a 640x360 preview) looks the same, only smaller.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from builder.frames.canvas import Canvas, Size, smooth
from builder.frames.layouts import LAYOUTS, Place, footer
from builder.frames.text import Block, fit_text, wrap
from builder.geometry import Box
from builder.storyboard import Scene, Storyboard
from builder.theme import Theme, rgb

__all__ = [
    "CAPTION_SPACE",
    "SIZES",
    "Block",
    "Box",
    "Place",
    "Size",
    "caption_overlay",
    "draw_scene",
    "fit_text",
    "play_badge",
    "poster",
    "render_scene",
    "wrap",
]

SIZES: dict[str, Size] = {"1080p": (1920, 1080), "720p": (1280, 720)}
CAPTION_SPACE = 0.17  # the height fraction a caption from caption_overlay covers
CAPTION_BOTTOM = 136  # the caption box's distance from the bottom edge, at 1080p


def render_scene(
    scene: Scene, board: Storyboard, theme: Theme, size: Size, *, caption_space: float = 0.0
) -> Image.Image:
    """Return *scene* drawn as an RGB image of *size* in *theme*'s look.

    *caption_space* (a fraction of the height) is kept free above the footer, so burned-in
    captions never cover the slide's text. Raises :class:`MediaError` for a bad image.
    """
    return draw_scene(scene, Place.of(scene, board), theme, size, caption_space=caption_space)


def draw_scene(
    scene: Scene, place: Place, theme: Theme, size: Size, *, caption_space: float = 0.0
) -> Image.Image:
    """Return *scene* at *place* drawn as :func:`render_scene` does: the same arguments
    give the same picture (scene and place are hashable, to key a memo by)."""
    canvas = Canvas(Image.new("RGB", size, rgb(theme.colors.background)), theme, place.language)
    LAYOUTS[scene.kind](canvas, scene, place, canvas.safe(caption_space))
    footer(canvas, scene, place)
    return canvas.image


def poster(board: Storyboard, theme: Theme, size: Size, *, play: bool = False) -> Image.Image:
    """Return the title card (the video's first frame), with a play symbol when *play*."""
    image = render_scene(board.scenes[0], board, theme, size)
    return play_badge(image, theme) if play else image


def play_badge(image: Image.Image, theme: Theme) -> Image.Image:
    """Return a copy of *image* with a round play symbol in its lower right quarter.

    It sits beside the title card's text, so the interviewer's name stays readable.
    """
    width, height = image.size
    d = round(height * 0.2)
    pad = d // 6  # room for the shadow's blur
    side = d + 2 * pad
    x = round(width * (1 - theme.margin)) - d
    y = height - round(height * 0.13) - d
    accent, on_accent = rgb(theme.colors.accent), rgb(theme.colors.on_accent)

    def symbol(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.ellipse((pad * s, pad * s, (pad + d) * s, (pad + d) * s), fill=(*accent, 240))
        cx, cy, r = (pad + d / 2) * s, (pad + d / 2) * s, d * 0.2 * s
        triangle = [(cx - r * 0.75, cy - r), (cx - r * 0.75, cy + r), (cx + r * 1.1, cy)]
        draw.polygon(triangle, fill=(*on_accent, 255))

    shade = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(shade).ellipse((pad, pad + d // 24, pad + d, pad + d), fill=(0, 0, 0, 90))
    out = image.convert("RGBA")
    out.alpha_composite(shade.filter(ImageFilter.GaussianBlur(d / 16)), (x - pad, y - pad))
    out.alpha_composite(smooth((side, side), symbol), (x - pad, y - pad))
    return out.convert("RGB")


def caption_overlay(text: str, theme: Theme, size: Size) -> Image.Image:
    """Return a transparent RGBA frame of *size* with *text* as a caption near the bottom.

    White on a dark translucent box reads on every slide and on camera footage alike.
    """
    canvas = Canvas(Image.new("RGBA", size, (0, 0, 0, 0)), theme)
    width, height = size
    block = canvas.fit(text, theme.body.bold, (40, 28), (round(width * 0.74), canvas.px(112)))
    pad_x, pad_y = canvas.px(28), canvas.px(14)
    box = Box(0, 0, block.width + 2 * pad_x, block.height + 2 * pad_y)
    left, top = (width - box.width) // 2, height - canvas.px(CAPTION_BOTTOM) - box.height
    shape = (left, top, left + box.width, top + box.height)
    canvas.draw.rounded_rectangle(shape, radius=canvas.px(12), fill=(12, 14, 20, 200))
    for i, line in enumerate(block.lines):
        line_x = (width - round(block.font.getlength(line))) // 2
        block.font.draw(canvas.draw, (line_x, top + pad_y + i * block.leading), line,
                        (255, 255, 255, 255))  # fmt: skip
    return canvas.image
