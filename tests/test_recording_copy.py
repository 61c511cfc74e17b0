"""The candidate's recording copied untouched (where a probe shows it joins cleanly) or
encoded once (where it does not): real ffmpeg, real recordings, the MP4 probed and played.

The copy is checked packet by packet: the recording's coded pictures must be in the video
bit for bit, so a change that quietly re-encodes them fails here.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from test_mp4 import REFUSED, frame, ids, packets, streams
from test_video import (
    FFMPEG,
    assert_clean_timing,
    assert_plays_in_gstreamer,
    board_of,
    copy_example,
    difference,
    ffmpeg_complaints,
    frame_at,
    media,
    onset,
    probe,
    run_cli,
    serve,
    set_video,
)

from builder.errors import OutputError
from builder.video import mp4, splice, timeline
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


@dataclasses.dataclass(frozen=True)
class Copied:
    pitch: Path
    clip: Path  # the webcam recording
    video: Path  # the video built with it copied


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Copied:
    """Build the example at 720p once, with a webcam clip that joins cleanly (copied)."""
    folder = tmp_path_factory.mktemp("copied")
    pitch = copy_example("ada", folder)
    bframes = 0  # like a phone's or a browser's recording
    clip = webcam(pitch.parent / "media" / "cam.mp4", 4, "-bf", str(bframes))
    return Copied(pitch, clip, build(pitch, "cam.mp4"))


def test_a_matching_recording_is_copied_bit_for_bit(copied: Copied, artifacts: Path) -> None:
    pitch, clip, video = copied.pitch, copied.clip, copied.video
    recording = inspect(clip, "test", allow_long=False)
    decided = splice.decide(recording, (1280, 720), 120, False)
    assert isinstance(decided, splice.Splice), decided
    assert decided.first == 30  # the first keyframe after the half-second fade in
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
    frame_at(video, title + 0.25, artifacts / "copy-0-fade-in.png")
    frame_at(video, title + 4.25, artifacts / "copy-0-fade-out.png")


def test_the_sample_entry_lists_the_recordings_parameter_sets_too(copied: Copied) -> None:
    """ISO/IEC 14496-15 wants every parameter set an avc1 track uses in its avcC: ours
    (id 1) and the recording's (id 0), which its samples also carry before keyframes."""
    config = mp4.read_config(copied.video)
    camera = mp4.read_config(copied.clip)  # the recording's own extradata
    assert ids(config.sps) == [1, 0] and ids(config.pps) == [1, 0]
    assert (config.sps[1], config.pps[1]) == (camera.sps[0], camera.pps[0])
    # Ours: what our encoded parts send in-band (all three parts the very same sets).
    in_band = mp4.in_band_parameter_sets(copied.video)
    ours = [nal for nal in in_band if mp4.parameter_set_id(nal) == 1]
    assert ours == [config.sps[0], config.pps[0]]
    # Every in-band parameter set is a repeat of one in the record.
    assert set(in_band) == {*config.sps, *config.pps}
    # The record's profile and level cover both: High 3.1 (the recording's within them).
    recorded = mp4.parse_sps(camera.sps[0])
    assert recorded.profile in splice.PROFILES and recorded.level <= 31
    assert (config.profile, config.level) == (100, 31)
    assert config.compatibility == mp4.parse_sps(config.sps[0]).constraints & recorded.constraints
    assert (config.chroma_format, config.bit_depth_luma, config.bit_depth_chroma) == (1, 8, 8)


def test_completing_the_sample_entry_changes_nothing_else(copied: Copied, tmp_path: Path) -> None:
    """The file as ffmpeg wrote it (our parameter sets alone in the record) and as the
    build left it read the same everywhere but in the record: packets, timing and sync,
    media bytes, decoded frames."""
    config = mp4.read_config(copied.video)
    before = tmp_path / "before.mp4"
    shutil.copyfile(copied.video, before)
    mp4.write_config(before, dataclasses.replace(config, sps=config.sps[:1], pps=config.pps[:1]))
    after = tmp_path / "after.mp4"
    shutil.copyfile(before, after)
    assert mp4.complete_parameter_sets(after) is True
    assert after.read_bytes() == copied.video.read_bytes()  # exactly what the build wrote

    assert packets(after) == packets(before)  # every stream: times, flags, sizes, data
    described = streams(after)
    assert described == streams(before)
    video, sound = described
    assert video["start_time"] == sound["start_time"]  # in sync, as before
    assert float(video["duration"]) == pytest.approx(float(sound["duration"]), abs=1 / 30)
    old, new = (mp4.walk(path.read_bytes()) for path in (before, after))
    media_data = [path.read_bytes()[b.body : b.end] for path, boxes in ((before, old),
                  (after, new)) for b in boxes if b.kind == "mdat"]  # fmt: skip
    assert media_data[0] == media_data[1]
    for which in ("first", "last"):
        assert frame(after, which, "1280x720") == frame(before, which, "1280x720")


def test_a_file_the_rewrite_does_not_understand_fails_the_build_clearly(tmp_path: Path) -> None:
    make, reason = REFUSED["fragmented"]
    video = make(tmp_path)
    kept = video.read_bytes()
    with pytest.raises(OutputError) as raised:
        splice.finish(video)
    message = str(raised.value)
    assert message.startswith("cannot list the recording's H.264 parameter sets")
    assert f"{video.name}: " in message and reason in message and "\n" not in message
    assert video.read_bytes() == kept


@pytest.fixture
def served_copy(copied: Copied) -> Iterator[str]:
    """Serve the copied video's folder over HTTP on 127.0.0.1; yield its URL."""
    with serve(copied.video.parent) as url:
        yield url


PLAYER = """<!doctype html><meta charset=utf-8><title>v</title>
<video id=v src=video.mp4 preload=auto muted playsinline></video><canvas id=c></canvas>"""

SHOW = """async (t) => { const v = document.getElementById('v');
  await new Promise(ok => { v.addEventListener('seeked', ok, {once: true}); v.currentTime = t; });
  const c = document.getElementById('c'); c.width = v.videoWidth; c.height = v.videoHeight;
  c.getContext('2d').drawImage(v, 0, 0);
  return c.toDataURL('image/png'); }"""


def test_chromium_plays_the_copied_recording(
    copied: Copied, served_copy: str, browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Chromium decodes the title card (our parameter sets) and the copied recording (its
    own) to the pictures ffmpeg decodes, and plays through the joins to the end."""
    (copied.video.parent / "player.html").write_text(PLAYER, encoding="utf-8")
    title = board_of(copied.pitch).scenes[0].duration
    page = browser.new_page()
    try:
        page.goto(f"{served_copy}/player.html")
        page.wait_for_function("document.getElementById('v').readyState >= 1", timeout=15000)
        # Chromium shows the frame a time falls in; ffmpeg's -ss gives the first frame
        # starting at or after it: half a frame into and half a frame before frame 60.
        plan = timeline.plan(board_of(copied.pitch), inspect(copied.clip, "test", allow_long=False))
        assert plan.clip is not None
        start = plan.clip.start / timeline.TICKS
        for name, seconds in (
            ("title", (1.5, 1.0)),
            ("recording", (start + 60.5 / 30, start + 59.5 / 30)),
        ):
            shown = page.evaluate(SHOW, seconds[0])
            picture = Image.open(io.BytesIO(base64.b64decode(shown.split(",", 1)[1])))
            picture = picture.convert("RGB")
            picture.save(artifacts / f"copy-chromium-{name}.png")
            expected = frame_at(copied.video, seconds[1], tmp_path / f"{name}.png")
            assert difference(picture, expected) < 2, name
        # Played across the join out of the recording, then to the end.
        played = page.evaluate(
            """async ([start, stop]) => { const v = document.getElementById('v');
               await new Promise(ok => { v.addEventListener('seeked', ok, {once: true});
                                         v.currentTime = start; });
               await v.play();
               const late = Date.now() + 15000;
               while (v.currentTime < stop && Date.now() < late && !v.error)
                 await new Promise(ok => setTimeout(ok, 50));
               v.pause();
               const reached = v.currentTime;
               await new Promise(ok => { v.addEventListener('seeked', ok, {once: true});
                                         v.currentTime = v.duration - 1; });
               const done = new Promise(ok => v.addEventListener('ended', () => ok(true)));
               await v.play();
               const slow = new Promise(ok => setTimeout(() => ok(false), 10000));
               return [reached, await Promise.race([done, slow]), v.error && v.error.code]; }""",
            [title + 3.5, title + 4.5],
        )
        assert played[0] >= title + 4.5 and played[1:] == [True, None], played
    finally:
        page.close()


def _unconstrained_baseline(media_dir: Path) -> Path:
    """A Baseline clip without constraint_set1 (a Baseline that may use FMO, ASO...)."""
    clip = webcam(media_dir / "baseline.mp4", 2, "-profile:v", "baseline")
    config = mp4.read_config(clip)
    sps = config.sps[0]
    mp4.write_config(clip, dataclasses.replace(
        config, compatibility=config.compatibility & ~0x40,
        sps=(sps[:2] + bytes([sps[2] & ~0x40]) + sps[3:],)))  # fmt: skip
    return clip


def test_a_baseline_recording_without_main_constraints_is_encoded(tmp_path: Path) -> None:
    """No profile covers it and our High parts in one sample entry: it is not copied."""
    clip = _unconstrained_baseline(tmp_path)
    recording = inspect(clip, "test", allow_long=False)
    assert recording.stream is not None and recording.stream.profile == 66
    assert splice.decide(recording, (1280, 720), 60, False) == (
        "H.264 Baseline, not Constrained Baseline"
    )
    constrained = inspect(webcam(tmp_path / "cam.mp4", 2), "test", allow_long=False)
    assert isinstance(splice.decide(constrained, (1280, 720), 60, False), splice.Splice)


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


@pytest.mark.parametrize("bframes", [0, 3], ids=["copied", "encoded"])
def test_the_voice_stays_in_time_with_the_picture(bframes: int, tmp_path: Path) -> None:
    # A clap 2 s into the recording: in the video it must sound 2 s after the recording
    # starts, whether the picture is copied (its sound encoded beside the other parts and
    # joined after) or encoded with it; AAC's priming and the limiter's look-ahead
    # included. A lip-sync error of a frame (33 ms) is visible; this allows 2 ms.
    pitch = copy_example("ada", tmp_path)
    clip = pitch.parent / "media" / "clap.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=4",
           "-f", "lavfi", "-i", "aevalsrc='if(between(t,2,2.004),0.9,0.02)*sin(2*PI*440*t)'"
           ":s=48000:d=4",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
           "-bf", str(bframes), "-c:a", "aac", "-b:a", "192k", str(clip)])  # fmt: skip
    copies = isinstance(
        splice.decide(inspect(clip, "test", allow_long=False), (1280, 720), 120, False),
        splice.Splice,
    )
    assert copies == (bframes == 0)
    video = build(pitch, "clap.mp4")
    start = board_of(pitch).scenes[0].duration  # the title card, then the recording
    assert onset(video, start + 1.9, start + 2.1) == pytest.approx(start + 2, abs=0.002)


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
