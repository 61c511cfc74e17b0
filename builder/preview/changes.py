"""What a save changed, and so which outputs to rebuild: pure comparisons of snapshots."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from builder.pitch import Pitch
from builder.storyboard import Storyboard

Stat = tuple[str, int, int]  # path, size in bytes, modification time in ns
ALL = ("deck", "video", "site")
VIDEO = ("video", "site")  # the site embeds the video, so it follows it


@dataclass(frozen=True)
class Snapshot:
    """Everything a build reads, as comparable values: the pitch's text, the theme, one
    storyboard per interviewer and the size and time of every media file they name."""

    digest: str  # of pitch.yaml's bytes: any edit changes it (the email follows every edit)
    theme: str
    boards: tuple[Storyboard, ...]
    images: tuple[Stat, ...]  # photo and scene images: deck, video and site show them
    recording: tuple[Stat, ...]  # recording and captions: only the video uses them


def take(pitch: Pitch, boards: list[Storyboard], theme: str) -> Snapshot:
    """Return the snapshot of *pitch* (already loaded) planned as *boards*, in *theme*."""
    images: set[Path] = set()
    for board in boards:
        if board.candidate.photo is not None:
            images.add(board.candidate.photo.path)
        images.update(scene.image.path for scene in board.scenes if scene.image is not None)
    recording: set[Path] = set()
    for board in boards:
        if board.video is not None:
            recording.update(p for p in (board.video.recording, board.video.captions) if p)
    return Snapshot(
        digest=hashlib.sha256(pitch.source.read_bytes()).hexdigest(),
        theme=theme,
        boards=tuple(boards),
        images=_stats(images),
        recording=_stats(recording),
    )


def outputs_to_rebuild(old: Snapshot | None, new: Snapshot) -> tuple[str, ...]:
    """Return the outputs whose inputs differ between *old* and *new* (all when there is no
    *old*): a slide's text or image rebuilds everything; the script, the recording or the
    captions rebuild the video and the site; anything else (the share settings, a comment)
    none. The email step follows every change of the snapshot."""
    if old is None or _deck_inputs(old) != _deck_inputs(new):
        return ALL
    if old.boards != new.boards or old.recording != new.recording:
        return VIDEO
    return ()


def _deck_inputs(snap: Snapshot) -> tuple[object, ...]:
    # The deck never reads the video plan (script, recording): leave it out of the compare.
    boards = tuple(dataclasses.replace(board, video=None) for board in snap.boards)
    return (snap.theme, boards, snap.images)


def _stats(paths: set[Path]) -> tuple[Stat, ...]:
    found = []
    for path in sorted(paths):
        try:
            info = path.stat()
        except OSError:
            found.append((str(path), -1, -1))  # gone: the build will say so
            continue
        found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)
