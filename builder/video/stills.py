"""Pictures on disk for ffmpeg: each slide written once, the concat lists that time them,
and the caption layer."""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from PIL import Image

from builder.captions import Cue, at
from builder.files import save_image
from builder.video.timeline import FPS, FRAME, TICKS, Frame, snap


def write(
    frames: Sequence[Frame],
    scenes: Sequence[Image.Image],
    folder: Path,
    saved: Mapping[int, Path] | None = None,
) -> tuple[Path, dict[int, Path]]:
    """Write every slide once into *folder* (but those *saved* already, by scene index);
    return the concat list that shows *frames* for their lengths, and the slides' files
    by scene index."""
    files = dict(saved or {})
    for index, scene in enumerate(scenes):
        if index not in files:
            files[index] = save_frame(scene, folder / f"scene-{index:02d}.tif")
    listing = folder / "slides.ffconcat"
    # Relative to the list: our own folder names, never a quote to escape.
    entries = [(os.path.relpath(files[f.scene], folder), f.start, f.length) for f in frames]
    listing.write_text(concat_list(entries), encoding="utf-8")
    return listing, files


def save_frame(image: Image.Image, path: Path) -> Path:
    """Write *image* as a frame ffmpeg reads fast; return *path*.

    TIFF with PackBits (run-length) compression: measured on a 1080p slideshow, ffmpeg's
    concat demuxer reads it 12x faster than PNG (it opens, probes and decodes every
    entry), Pillow writes it 3x faster than PNG at level 1, and flat slides still shrink
    to a fraction of their raw size.
    """
    # In memory first: libtiff meeting a full disk prints to stderr and gives no cause.
    return save_image(image, path, format="TIFF", compression="packbits")


def captions(cues: Sequence[Cue], overlays: dict[int, Image.Image], end: int, folder: Path) -> Path:
    """Write the caption layer up to tick *end*: one transparent frame per caption (and one
    blank for the gaps), timed by a concat list; return the list.

    Captions change on the frame grid, where the slide frames change too (see
    :func:`builder.video.timeline.frames`).
    """
    cuts = {0, end} | {snap(t) for c in cues for t in (c.start, c.end)}
    moments = sorted(t for t in cuts if 0 <= t <= end)
    size = next(iter(overlays.values())).size
    blank = save_frame(Image.new("RGBA", size, (0, 0, 0, 0)), folder / "words-blank.tif")
    entries = []
    for start, stop in itertools.pairwise(moments):
        # Asked in the middle of the stretch: its ends are rounded to the grid, and a cue
        # rounded to start a hair early must not be missed there.
        index = at(list(cues), (start + stop) / 2 / TICKS)
        path = blank
        if index is not None:
            path = folder / f"words-{index:04d}.tif"
            if not path.exists():
                save_frame(overlays[index], path)
        entries.append((path.name, start, stop - start))
    listing = folder / "words.ffconcat"
    listing.write_text(concat_list(entries), encoding="utf-8")
    return listing


def concat_list(entries: Sequence[tuple[str, int, int]]) -> str:
    """Return an ffconcat script showing each (file, start tick, length) in turn; starts
    and lengths are on the frame grid.

    Durations are written as differences of rounded microsecond times, so rounding never
    adds up along a long list. The concat demuxer ignores the last entry's duration: that
    image lasts one frame of its frame rate. So a last entry longer than a frame is split,
    and the list ends on a one-frame entry that ends where the plan does. (Repeating the
    last file instead, to mark the end, would add a stray frame there, lasting one tick of
    the images' time base.)
    """
    assert all(start % FRAME == 0 and length % FRAME == 0 for _, start, length in entries)
    if entries and entries[-1][2] > FRAME:
        name, start, length = entries[-1]
        last = [(name, start, length - FRAME), (name, start + length - FRAME, FRAME)]
        entries = [*entries[:-1], *last]
    lines = ["ffconcat version 1.0"]
    for name, start, length in entries:
        begin = round(start * 1_000_000 / TICKS)
        finish = round((start + length) * 1_000_000 / TICKS)
        lines += [
            f"file '{name}'",
            # Each image is one frame on the 1/30 s grid (the image demuxer's default,
            # 1/25 s, would put frames off the grid and give the last one 40 ms).
            f"option framerate {FPS}",
            f"duration {(finish - begin) / 1_000_000:.6f}",
        ]
    return "\n".join(lines) + "\n"
