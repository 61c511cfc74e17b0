"""The email's pictures: poster.png (the first frame) and preview.gif (a 3 s teaser)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from builder.frames import play_badge, render_scene
from builder.storyboard import Storyboard
from builder.theme import Theme

GIF_SIZE = (640, 360)  # what mail clients show inline; 2x retina would cost too many bytes
GIF_SECONDS = 3.0
GIF_BYTES = 1_000_000
# (scene index, milliseconds shown) of the teaser, fades between them. The title card comes
# first and longest: Outlook shows only frame one, and it must say who the video is for.
GIF_PLAN = ((0, 1300), (1, 700), (2, 700))
GIF_FADE = (4, 75)  # frames, milliseconds each


def write_poster(first_frame: Image.Image, path: Path) -> Path:
    """Save the video's first frame as *path* (PNG); return *path*."""
    first_frame.save(path, format="PNG")
    return path


def write_gif(board: Storyboard, theme: Theme, path: Path) -> Path:
    """Write a looping teaser GIF of at most 3 s and 1 MB to *path*; return *path*.

    Every frame carries the play symbol (the GIF links to the video). If the GIF comes
    out too large it is made again without fades, then smaller.
    """
    for size, fades in ((GIF_SIZE, True), (GIF_SIZE, False), ((480, 270), False)):
        frames, durations = _teaser(board, theme, size, fades)
        _save_gif(frames, durations, path)
        if path.stat().st_size <= GIF_BYTES:
            break
    return path


def _teaser(
    board: Storyboard, theme: Theme, size: tuple[int, int], fades: bool
) -> tuple[list[Image.Image], list[int]]:
    plan = [(i, ms) for i, ms in GIF_PLAN if i < len(board.scenes)]
    stills = [play_badge(render_scene(board.scenes[i], board, theme, size), theme) for i, _ in plan]
    frames: list[Image.Image] = []
    durations: list[int] = []
    steps, step_ms = GIF_FADE if fades else (0, 0)
    for number, ((_, shown), still) in enumerate(zip(plan, stills, strict=True)):
        if number and steps:
            for k in range(steps):
                frames.append(Image.blend(stills[number - 1], still, (k + 1) / (steps + 1)))
                durations.append(step_ms)
        frames.append(still)
        durations.append(shown - (steps * step_ms if number else 0))
    assert sum(durations) <= GIF_SECONDS * 1000
    return frames, durations


def _save_gif(frames: list[Image.Image], durations: list[int], path: Path) -> None:
    # One palette per frame, no dithering: slides are flat colours, and dither noise would
    # both blur the text and make the file several times larger.
    paletted = [
        frame.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        for frame in frames
    ]
    paletted[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=paletted[1:],
        duration=durations,
        loop=0,
        optimize=True,
        disposal=1,
    )
