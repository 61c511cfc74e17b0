"""A panel's recording encoded once, so that every interviewer's video copies it.

A recording the probe cannot copy (HEVC, B-frames, another size, a variable frame rate:
most phone clips) is otherwise decoded and encoded again for each interviewer, the most
expensive part of each video. For a panel it is encoded once instead, into a file the
copy path (:mod:`.splice`) takes as it is: the video's size and colours, H.264 High at the
video's level, 30 fps constant, no B-frames, a keyframe where the fade from the title card
ends. Its sound is not in it: each video takes the recording's own (see encode.audio).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from builder.video import encode, ffmpeg, splice
from builder.video.recording import Recording, inspect
from builder.video.timeline import FADE_FRAMES, FPS, FRAME


def copyable(
    recording: Recording,
    size: tuple[int, int],
    background: str,
    frames: int,
    folder: Path,
    what: str,
    progress: Callable[[float], None] | None = None,
) -> Recording | None:
    """Return *recording* with its picture encoded into *folder* for the copy path, or None
    when the copy path would not take it even so (then each video encodes it).

    *frames* is the recording's slot in frames; *background* fills the frame around a
    picture of another shape, as in the one-command encode; *progress* gets the fraction
    done.
    """
    target = folder / "recording.mp4"
    starts = [0, FADE_FRAMES * FRAME]  # a keyframe where the fade in ends
    ffmpeg.run(
        [*ffmpeg.INPUT_GUARD, *ffmpeg.RECORDING_FORMATS, "-an", "-i", str(recording.path),
         "-vf", f"{encode.camera_frames(size, background, recording, frames)},{encode.TAGS}",
         "-an", *encode.codec_for(size, starts), "-map_metadata", "-1", "-f", "mp4", "-y",
         str(target)],
        what=what,
        total=frames / FPS,
        progress=progress,
    )  # fmt: skip
    picture = inspect(target, what, allow_long=True)
    made = dataclasses.replace(
        recording,
        picture=target,
        width=picture.width,
        height=picture.height,
        colour_tagged=True,
        hdr=False,
        stream=picture.stream,
    )
    return made if isinstance(splice.decide(made, size, frames, False), splice.Splice) else None
