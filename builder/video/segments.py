"""Reuse within a panel: slide videos joined from segments, each encoded once a run.

Interviewers of one pitch see mostly the same slides; only the title card and the scene
naming what was discussed differ. Every scene the panel shares is drawn once
(:meth:`Store.picture`), into a folder the run's videos share. Each video is cut at scene
starts (where a keyframe goes anyway) into segments, one per run of slots the same
interviewers share (:func:`runs`): the slots that are one interviewer's own make one
segment, the slots everyone shares another. A slot is the cross-fade into its scene and
the scene's hold. Each segment is encoded under a key that hashes everything that decides
its bytes: the ffmpeg arguments, which name the shared pictures. An interviewer whose
segment was already encoded gets that file. The silent sound track is shared the same
way, by the video's length. Each video is then joined by stream copy (concat demuxer)
with its sound.

Every segment is encoded by the same options at the same size, so x264 writes the same
parameter sets (SPS/PPS) into each: the joined MP4's one sample entry (``avcC``, taken from
the first segment) is right for every part. A segment is timed as if it started at
:data:`ORIGIN` and moved to 0 afterwards, so its bytes do not depend on where in the video
it falls.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from PIL import Image

from builder.video import encode, stills, timeline
from builder.video.timeline import TICKS, Slot, Timeline, seconds

# Where a segment's own clock starts while it is composed: the fade's first step begins
# half a step before the segment, and ffmpeg's fade filter takes no negative start.
ORIGIN = TICKS

Run = Callable[[list[str]], None]
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass(frozen=True)
class Picture:
    """A scene drawn once for the run's videos: its pixels (never to be changed or saved
    again: other videos hold the same object) and its file for ffmpeg (one per distinct
    picture, so the file's name stands for the pixels in a segment's key)."""

    image: Image.Image
    path: Path


@dataclass
class Store:
    """The run's shared segments and scene pictures: their folder, and each one's future.
    The first video to ask for one makes it; the others wait for it (the panel's videos
    are written at once)."""

    folder: Path
    _made: dict[str, Future[Path]] = field(default_factory=dict)
    _drawn: dict[Hashable, Future[Picture]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: str) -> tuple[Future[Path], bool]:
        """Return the future of segment *key*, and whether the caller is the first to ask
        (and so must encode it, then set the future's result or exception)."""
        return _claim(self._made, key, self._lock)

    def picture(self, key: Hashable, draw: Callable[[], Image.Image], name: str) -> Picture:
        """Return the picture *draw* makes, drawn and written (as *name*.tif, which no
        other key may use) once for everyone asking with an equal *key* (which must cover
        all that decides its pixels)."""
        made, first = _claim(self._drawn, key, self._lock)
        if first:
            try:
                image = draw()
                path = stills.save_frame(image, self.folder / f"{name}.tif")
                made.set_result(Picture(image, path))
            except BaseException as e:
                made.set_exception(e)  # whoever waits for it fails too
                raise
        return made.result()


def _claim(table: dict[K, Future[T]], key: K, lock: threading.Lock) -> tuple[Future[T], bool]:
    """Return the future under *key* in *table* (made now if missing), and whether it was
    made now (the caller then owes its result)."""
    with lock:
        if key in table:
            return table[key], False
        made: Future[T] = Future()
        table[key] = made
        return made, True


def make(
    job: encode.Job, store: Store, work: Path, run: Run, runs: Sequence[int] | None = None
) -> None:
    """Encode the segments of *job* that no other video of the run encodes (through *run*),
    wait for the others', then join them with the job's sound into
    ``job.output``.

    A segment holds the slots from each index in *runs* up to the next (by default, one
    slot each): see :func:`runs`. The job's pictures must be the store's (see
    :meth:`Store.picture`); *work* is the job's own scratch folder (for the join list).
    """
    plan = job.timeline
    starts = list(runs or range(len(plan.slots)))
    parts: list[tuple[Path, int]] = []
    wanted: list[tuple[str, list[str]]] = []  # (key, the command making it), in order
    for first, end in itertools.pairwise([*starts, len(plan.slots)]):
        args = segment_command(job, first, end)
        key = hashlib.sha256("\0".join(args[:-1]).encode()).hexdigest()[:32]  # but the output
        path = store.folder / f"seg-{key}.mp4"
        parts.append((path, plan.slots[end - 1].end - plan.slots[first].start))
        wanted.append((key, [*args[:-1], str(path)]))
    # The sound (silence, without a recording) is the same for every video as long:
    # encoded once, copied into each (the AAC encode cost as much as the join).
    sound = store.folder / f"sound-{plan.total}.m4a"
    wanted.append((sound.name, encode.sound_command(job, sound)))
    needed: list[Future[Path]] = []
    # Each claimed just before it is encoded: a video done with its own segments takes
    # the shared ones the other has not begun, rather than claiming them all up front and
    # leaving the other to wait (measured: one lane idle for 0.8 s of a 3.3 s panel).
    # One at a time: two segments per video on top of the panel's two videos (four
    # ffmpegs on two cores) measured slower.
    for key, command in wanted:
        made, first = store.claim(key)
        needed.append(made)
        if first:
            try:
                run(command)
            except BaseException as e:
                made.set_exception(e)  # whoever waits for it must not wait forever
                raise
            made.set_result(Path(command[-1]))
    for made in needed:
        made.result()  # another video's segment: raises if that video failed to make it
    listing = work / "join.ffconcat"
    listing.write_text(join_list(parts), encoding="utf-8")
    run(encode.join_command(job, listing, sound))


def runs(videos: Sequence[tuple[Timeline, Sequence[Hashable]]]) -> list[list[int]]:
    """Return where each video's segments start (slot indexes), given each video's
    timeline and its scenes' picture keys (as :meth:`Store.picture` takes them).

    A segment runs as long as the same videos share its slots: each interviewer's own
    slots make one segment, the slots all share make another. Fewer, longer segments
    cost less to encode (each is a process, its pictures read and converted, an
    encoder started); ones that differ cannot be shared anyway.
    """

    def signatures(plan: Timeline, keys: Sequence[Hashable]) -> list[Hashable]:
        # What makes a slot's part of a segment: its picture, the one fading out over it,
        # its length, and whether it ends the video (see segment_command).
        slots = plan.slots
        return [
            (keys[s.scene] if s.scene is not None else None,
             keys[b.scene] if k and (b := slots[k - 1]).scene is not None else None,
             s.length, k == len(slots) - 1)
            for k, s in enumerate(slots)
        ]  # fmt: skip

    every = [signatures(plan, keys) for plan, keys in videos]
    owners: dict[Hashable, set[int]] = {}
    for video, marks in enumerate(every):
        for mark in marks:
            owners.setdefault(mark, set()).add(video)
    return [
        [k for k in range(len(marks)) if not k or owners[marks[k]] != owners[marks[k - 1]]]
        for marks in every
    ]


def segment_command(job: encode.Job, first: int, end: int | None = None) -> list[str]:
    """Return ffmpeg's arguments encoding slots *first* up to *end* (by default the one
    slot) of ``job.timeline`` (the cross-fade into each and its hold) to a segment
    starting at 0, a keyframe at each slot's start; the output path is the last one."""
    plan = job.timeline
    slots = plan.slots[first : first + 1 if end is None else end]
    assert all(slot.scene is not None for slot in slots)
    begin, shift = slots[0].start, ORIGIN - slots[0].start
    frames = [
        replace(f, start=f.start + shift) for f in job.frames if begin <= f.start < slots[-1].end
    ]
    if slots[-1] == plan.slots[-1]:
        # Only the video's last frame is cut to one frame: inside the video, the join
        # (not the segment's file) says how long a segment's last frame lasts.
        frames = list(encode.last_frame_alone(frames))
    fades = [f for f in timeline.fades(plan) if f.start == begin]
    # The slots alone on a clock of their own (after the scene fading out, if any).
    before = [Slot(fades[0].source, 0, ORIGIN)] if fades else []
    alone = Timeline((*before, *(replace(slot, start=slot.start + shift) for slot in slots)))
    part = replace(job, timeline=alone, frames=tuple(frames))
    inputs = encode.Inputs()
    graph, sources = encode.held(part, inputs, "v0", origin=0)
    layers, top = encode.fades(part, inputs, "v0", sources)
    graph += [*layers, f"[{top}]setpts=PTS-{ORIGIN}," + encode.TAGS + "[v]"]
    return [
        *inputs.args,
        "-filter_complex", ";".join(graph),
        "-map", "[v]", "-an",
        *encode.video_codec(job, [slot.start - begin for slot in slots]),
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-f", "mp4", "-y", "segment.mp4",
    ]  # fmt: skip


def join_list(parts: list[tuple[Path, int]]) -> str:
    """Return an ffconcat script joining (segment, length in ticks) in turn: each length is
    given, so every segment starts where the plan says (a segment's file ends after its
    last frame's first 1/30 s, not where that frame's hold ends)."""
    lines = ["ffconcat version 1.0"]
    for path, length in parts:
        lines += [f"file '{path}'", f"duration {seconds(length)}"]
    return "\n".join(lines) + "\n"
