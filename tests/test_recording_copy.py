"""The candidate's recording copied untouched (where a probe shows it joins cleanly) or
encoded once (where it does not): real ffmpeg, real recordings, the MP4 probed and played.

The copy is checked packet by packet: the recording's coded pictures must be in the video
bit for bit, so a change that quietly re-encodes them fails here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_video import (
    FFMPEG,
    assert_clean_timing,
    assert_plays_in_gstreamer,
    board_of,
    copy_example,
    ffmpeg_complaints,
    frame_at,
    media,
    probe,
    run_cli,
    set_video,
)

from builder.video import splice, timeline
from builder.video.recording import inspect

SCRIPT = "Hi Sarah. Thank you for your time."


def webcam(path: Path, seconds: float = 4, *options: str, size: str = "1280x720") -> Path:
    """Write a webcam-like H.264/AAC clip; *options* go to the encoder (after the defaults)."""
    media(["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
           *options, "-c:a", "aac", "-shortest", str(path)])  # fmt: skip
    return path


def slices(video: Path, start: float | None = None, end: float | None = None) -> list[str]:
    """Return the MD5 of every video packet's coded slices (parameter sets, SEI and access
    unit delimiters left out: the join may repeat or add those), in decode order, for
    the packets shown from *start* to *end* seconds."""
    out = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(video), "-map", "0:v:0", "-c", "copy",
         "-bsf:v", "filter_units=remove_types=6|7|8|9", "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    base = next(line for line in out.splitlines() if line.startswith("#tb 0:"))
    num, den = (int(v) for v in base.split(":")[1].strip().split("/"))
    found = []
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        shown = int(fields[2]) * num / den
        if (start is None or shown >= start - 1e-3) and (end is None or shown < end - 1e-3):
            found.append(fields[5])
    return found


def build(pitch: Path, clip: str, *extra: str) -> Path:
    """Build *pitch* at 720p with *clip* (in its media folder) as the recording; return
    the MP4."""
    set_video(pitch, recording=f"media/{clip}", script=SCRIPT)
    out = pitch.parent.parent / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p", *extra)
    assert result.exit_code == 0, result.output
    return out / "video.mp4"


def test_a_matching_recording_is_copied_bit_for_bit(tmp_path: Path, artifacts: Path) -> None:
    bframes = 0  # like a phone's or a browser's recording
    pitch = copy_example("ada", tmp_path)
    clip = webcam(pitch.parent / "media" / "cam.mp4", 4, "-bf", str(bframes))
    recording = inspect(clip, "test", allow_long=False)
    decided = splice.decide(recording, (1280, 720), 120, False)
    assert isinstance(decided, splice.Splice), decided
    assert decided.first == 30  # the first keyframe after the half-second fade in
    video = build(pitch, "cam.mp4")
    title = board_of(pitch).scenes[0].duration
    # Every coded picture after the fade in is the recording's own, in the same order.
    source = slices(clip, 1.0)
    assert len(source) == 90
    assert slices(video, title + 1.0, title + 4.0) == source
    seconds = float(probe(video)["format"]["duration"])
    assert seconds == pytest.approx(board_of(pitch).duration + 4, abs=0.01)
    assert ffmpeg_complaints(video) == {}
    assert_clean_timing(video, seconds)
    assert_plays_in_gstreamer(video, seconds, level="3.1")
    # The fades into and out of the copied part are still there (blends, not cuts).
    frame_at(video, title + 0.25, artifacts / f"copy-{bframes}-fade-in.png")
    frame_at(video, title + 4.25, artifacts / f"copy-{bframes}-fade-out.png")


def _hevc(media_dir: Path) -> Path:
    path = media_dir / "phone.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=3",
           "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
           "-pix_fmt", "yuv420p", "-tag:v", "hvc1", str(path)])  # fmt: skip
    return path


def _odd_size(media_dir: Path) -> Path:
    return webcam(media_dir / "odd.mp4", 3, size="1278x718")


def _variable_rate(media_dir: Path) -> Path:
    # A phone's variable frame rate: frames at uneven times.
    path = media_dir / "vfr.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=3",
           "-vf", "setpts='PTS+0.01*sin(N)/TB'", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", "-g", "30", "-fps_mode", "vfr", "-enc_time_base", "1/90000",
           str(path)])  # fmt: skip
    return path


def _four_two_two(media_dir: Path) -> Path:
    path = media_dir / "422.mov"
    media(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=3", "-c:v", "libx264",
           "-preset", "ultrafast", "-pix_fmt", "yuv422p", "-g", "30", str(path)])  # fmt: skip
    return path


def _b_frames(media_dir: Path) -> Path:
    return webcam(media_dir / "bframes.mp4", 3, "-bf", "3")  # x264's default GOP shape


INCOMPATIBLE = {
    "b-frames": (_b_frames, "B-frames"),
    "hevc": (_hevc, "not H.264"),
    "odd size": (_odd_size, "size 1278x718"),
    "variable frame rate": (_variable_rate, "not constant 30 fps"),
    "4:2:2": (_four_two_two, "not 8-bit 4:2:0"),
}


@pytest.mark.parametrize("case", INCOMPATIBLE, ids=list(INCOMPATIBLE))
def test_an_incompatible_recording_is_encoded_and_still_valid(case: str, tmp_path: Path) -> None:
    make, reason = INCOMPATIBLE[case]
    pitch = copy_example("ada", tmp_path)
    clip = make(pitch.parent / "media")
    recording = inspect(clip, "test", allow_long=False)
    decided = splice.decide(recording, (1280, 720), 90, False)
    assert isinstance(decided, str) and reason in decided, decided
    video = build(pitch, clip.name)
    seconds = float(probe(video)["format"]["duration"])
    planned = timeline.plan(board_of(pitch), recording).total / timeline.TICKS
    assert seconds == pytest.approx(planned, abs=0.005)
    assert ffmpeg_complaints(video) == {}
    assert_clean_timing(video, seconds)
    stream = next(s for s in probe(video)["streams"] if s["codec_type"] == "video")
    assert (stream["codec_name"], stream["pix_fmt"], stream["width"]) == ("h264", "yuv420p", 1280)


def test_burned_captions_make_the_recording_encoded(tmp_path: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    clip = webcam(pitch.parent / "media" / "cam.mp4", 3)
    recording = inspect(clip, "test", allow_long=False)
    assert splice.decide(recording, (1280, 720), 90, True) == "captions burned in"
    video = build(pitch, "cam.mp4", "--burn-captions")
    # Encoded: no coded picture of the recording survives as it was.
    assert not set(slices(video)) & set(slices(clip))
    seconds = float(probe(video)["format"]["duration"])
    assert_clean_timing(video, seconds)
