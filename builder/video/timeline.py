"""When each scene shows: slots on a 1/600 s grid, the slide frames and the cross-fades.

Times are integer ticks of 1/600 s, so no rounding creeps in over a long video. Every frame
starts and ends on the 1/30 s frame grid (a multiple of :data:`FRAME`): the MP4 is encoded
with a 1/30 s time base, so its timestamps are exactly the plan's, no frame is shorter than
1/30 s, and players and ffmpeg see a 30 fps stream whose still frames are held (see
docs/video.md, "Timing").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

from builder.captions import Cue
from builder.storyboard import Storyboard
from builder.video.recording import Recording

TICKS = 600  # per second
FPS = 30  # the video's frame grid (and the recording's frame rate in it)
FRAME = TICKS // FPS  # one frame, in ticks: every frame of the video lasts a multiple of it
# A 0.5 s cross-fade between slides in 15 steps, one per frame of the grid. (12 steps of
# 1/24 s would fall between the grid's frames: rounded to it, they would judder and some
# would last 1/60 s or less.)
FADE_FRAMES = 15
FADE_STEP = FRAME
FADE = FADE_FRAMES * FADE_STEP
LONGEST = TICKS  # no frame may stay longer than 1 s: players seek badly in longer ones
MIN_SCENE = 3.0  # seconds: narration never squeezes a slide shorter than this
NARRATION_TAIL = 1.0  # seconds of slide after the narrator's last word


@dataclass(frozen=True)
class Slot:
    """One stretch of the video: a scene (by index) or, with ``scene=None``, the recording."""

    scene: int | None
    start: int
    length: int

    @property
    def end(self) -> int:
        """Return the tick just after the slot."""
        return self.start + self.length


@dataclass(frozen=True)
class Timeline:
    """The slots in order; each cross-fade fills the first :data:`FADE` ticks of a slot."""

    slots: tuple[Slot, ...]

    @property
    def total(self) -> int:
        """Return the video's length in ticks."""
        return self.slots[-1].end

    @property
    def clip(self) -> Slot | None:
        """Return the recording's slot, if the recording is a video clip."""
        return next((slot for slot in self.slots if slot.scene is None), None)

    @property
    def head(self) -> int:
        """Return where the part ffmpeg composes at 30 fps ends (0 without a clip).

        That part runs from the start through the clip and the fade into the next scene.
        """
        clip = self.clip
        return clip.end + FADE if clip is not None else 0

    def starts(self) -> list[int]:
        """Return each slot's first tick: where a keyframe goes."""
        return [slot.start for slot in self.slots]


@dataclass(frozen=True)
class Frame:
    """One frame of a slide: which scene, from which tick, for how long."""

    scene: int
    start: int
    length: int


@dataclass(frozen=True)
class Fade:
    """A cross-fade from scene *source* into whatever shows from tick *start* on."""

    source: int
    start: int


def plan(board: Storyboard, recording: Recording | None) -> Timeline:
    """Return the timeline of *board*: scenes at their reading time, stretched to fit an
    audio narration, with a video recording placed right after the title card."""
    seconds = [scene.duration for scene in board.scenes]
    if recording is not None and recording.kind == "audio":
        seconds = _stretched(seconds, recording.duration + NARRATION_TAIL)
    lengths: list[tuple[int | None, int]] = list(enumerate(_on_grid(seconds)))
    if recording is not None and recording.kind == "clip":
        clip = max(FADE + FRAME, math.floor(recording.duration * FPS) * FRAME)
        lengths.insert(1, (None, clip))
    slots, cursor = [], 0
    for scene, length in lengths:
        slots.append(Slot(scene, cursor, length))
        cursor += length
    return Timeline(tuple(slots))


def _on_grid(seconds: list[float]) -> list[int]:
    """Return the scenes' lengths in ticks, whole frames of the grid, none shorter than two
    fades. The boundaries between scenes are rounded, not each length, so rounding never
    adds up over many scenes (each boundary is at most half a frame from its time)."""
    lengths, cursor, elapsed = [], 0, 0.0
    for length in seconds:
        elapsed += length
        lengths.append(max(2 * FADE, snap(elapsed) - cursor))
        cursor += lengths[-1]
    return lengths


def _stretched(seconds: list[float], total: float) -> list[float]:
    """Return *seconds* scaled to add up to *total*, none below :data:`MIN_SCENE`."""
    factor = total / sum(seconds)
    scaled = [s * factor for s in seconds]
    short = [s for s in scaled if s < MIN_SCENE]
    if not short:
        return scaled
    # Lift the short ones and take the time from the others, in proportion.
    spare = total - MIN_SCENE * len(short)
    rest = sum(s for s in scaled if s >= MIN_SCENE)
    if spare <= 0 or rest <= 0:
        return [max(MIN_SCENE, s) for s in scaled]
    return [MIN_SCENE if s < MIN_SCENE else max(MIN_SCENE, s * spare / rest) for s in scaled]


def frames(timeline: Timeline, cues: list[Cue], *, since: int = 0) -> list[Frame]:
    """Return the slide frames from tick *since* to the end, in order.

    Each slide is held in pieces of at most :data:`LONGEST`; during its first
    :data:`FADE` ticks (the cross-fade into it) it is repeated every :data:`FADE_STEP`, so
    the fade drawn over it (see :func:`fades`) has a frame to land on at each step. A
    frame also starts wherever a cue starts or ends (at the nearest frame of the grid), so
    burned-in captions change on time. Every frame starts on the grid and lasts a whole
    number of frames.
    """
    found: list[Frame] = []
    slots = timeline.slots
    for number, slot in enumerate(slots):
        if slot.scene is None or slot.end <= since:
            continue
        hold = slot.start
        if number:
            steps = range(slot.start, slot.start + FADE, FADE_STEP)
            found += [Frame(slot.scene, t, FADE_STEP) for t in steps if t >= since]
            hold += FADE
        found.extend(_hold(slot.scene, max(hold, since), slot.end, cues))
    return found


def fades(timeline: Timeline, *, since: int = 0) -> list[Fade]:
    """Return the cross-fades from one slide into the next that start at or after *since*.

    (Fades into and out of a recording are composed with it, not listed here.)
    """
    slots = timeline.slots
    return [
        Fade(before.scene, slot.start)
        for before, slot in itertools.pairwise(slots)
        if before.scene is not None and slot.scene is not None and slot.start >= since
    ]


def _hold(scene: int, start: int, end: int, cues: list[Cue]) -> Iterator[Frame]:
    # Captions change on the frame grid: a cut between two grid frames would make a frame
    # shorter than one (and two frames a hair apart). *start* and *end* are on the grid.
    cuts = {t for cue in cues for t in (snap(cue.start), snap(cue.end)) if start < t < end}
    for begin, stop in itertools.pairwise(sorted({start, end} | cuts)):
        count = (stop - begin) // FRAME
        pieces = math.ceil(count * FRAME / LONGEST)
        for i in range(pieces):
            a = begin + count * i // pieces * FRAME
            b = begin + count * (i + 1) // pieces * FRAME
            yield Frame(scene, a, b - a)


def snap(seconds: float) -> int:
    """Return *seconds* in ticks, rounded to the nearest frame of the grid."""
    return round(seconds * FPS) * FRAME


def seconds(ticks: int) -> str:
    """Return *ticks* as seconds for ffmpeg, rounded down to the microsecond.

    Rounding down matters: ``-force_key_frames`` picks the first frame at or after the
    time, and a time a hair late would push the keyframe one frame too far.
    """
    return f"{math.floor(ticks * 1_000_000 / TICKS) / 1_000_000:.6f}"
