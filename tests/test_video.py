"""`build video`: real ffmpeg, real recordings, real Chromium; the MP4 is probed, not trusted.

Recordings are made on the spot (ffmpeg's test patterns and tones, espeak-ng speech), so
no media ships with the tests. Most builds are 720p to stay quick; the example pitch is
built once at 1080p, the size people get by default.
"""

from __future__ import annotations

import array
import contextlib
import functools
import http.server
import itertools
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageChops, ImageStat

from builder.captions import parse_vtt
from builder.cli import main
from builder.frames import CAPTION_SPACE, SIZES, poster, render_scene
from builder.pipeline import build
from builder.pitch import load_pitch
from builder.storyboard import Storyboard, plan
from builder.theme import load_theme
from builder.video.recording import Recording, inspect

ROOT = Path(__file__).resolve().parent.parent
FFMPEG = "ffmpeg"  # Debian's, for making test media and probing (imageio-ffmpeg has no ffprobe)


# ----------------------------------------------------------------------------- helpers


def run_cli(*args: str | Path) -> Result:
    """Run ``build ARGS`` in-process; stdout and stderr stay apart."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def copy_example(name: str, folder: Path) -> Path:
    shutil.copytree(ROOT / "examples" / name, folder / name)
    return folder / name / "pitch.yaml"


def set_video(pitch: Path, **fields: str | None) -> Path:
    """Replace the pitch's ``video:`` section with *fields* (None leaves a field out)."""
    text = re.sub(r"(?ms)^video:\n(?:[ \t].*\n?)*", "", pitch.read_text(encoding="utf-8"))
    lines = [f"  {key}: {json.dumps(value)}" for key, value in fields.items() if value is not None]
    pitch.write_text(text.rstrip("\n") + "\nvideo:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return pitch


def media(command: list[str]) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *command], check=True)


def make_clip(path: Path, seconds: float, size: str = "640x360", audio: bool = True) -> Path:
    """Write a webcam-like clip: a moving test pattern and a tone, H.264/AAC (or VP9/Opus)."""
    sources = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}"]
    if audio:
        tone = f"sine=frequency=330:sample_rate=48000:duration={seconds},volume=-14dB"
        sources += ["-f", "lavfi", "-i", tone]
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    if path.suffix == ".webm":
        codecs = [
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libopus",
        ]
    media([*sources, *codecs, "-shortest", str(path)])
    return path


def make_speech(path: Path, text: str) -> Path:
    """Write *text* spoken by espeak-ng to *path* (any audio format ffmpeg writes)."""
    wav = path.with_suffix(".tmp.wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True)
    media(["-i", str(wav), str(path)])
    wav.unlink()
    return path


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def packets(path: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time,duration_time,flags", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found: list[dict[str, Any]] = json.loads(out)["packets"]
    return found


def frame_at(video: Path, seconds: float, target: Path) -> Image.Image:
    media(["-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1", str(target)])
    return Image.open(target).convert("RGB")


def loudness(path: Path) -> tuple[float, float]:
    """Return (integrated LUFS, true peak dBTP) measured by ffmpeg's EBU R128 meter."""
    log = subprocess.run(
        [FFMPEG, "-nostdin", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = log[log.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


def scene_starts(board: Storyboard) -> list[float]:
    starts, cursor = [], 0.0
    for scene in board.scenes:
        starts.append(cursor)
        cursor += scene.duration
    return starts


def difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def board_of(pitch: Path) -> Storyboard:
    loaded = load_pitch(pitch)
    return plan(loaded, loaded.interview.interviewers[0])


def last_frame(video: Path, target: Path) -> Image.Image:
    media(["-sseof", "-0.5", "-i", str(video), "-update", "1", "-frames:v", "100", str(target)])
    return Image.open(target).convert("RGB")


# ----------------------------------------------------------------------------- timing

# Two ffmpeg builds read the MP4: the one the tool ships and Debian's (an older release).
READERS = {"system": FFMPEG}


def bundled_ffmpeg() -> str:
    from builder.video.ffmpeg import ffmpeg

    return ffmpeg()


def ffmpeg_complaints(video: Path) -> dict[str, str]:
    """Return what each ffmpeg prints at level "warning" while remuxing and decoding
    *video* (by "reader remux|decode"); empty when all is clean."""
    found = {}
    for name, exe in {**READERS, "bundled": bundled_ffmpeg()}.items():
        for job, options in {"remux": ["-c", "copy"], "decode": []}.items():
            done = subprocess.run(
                [exe, "-nostdin", "-hide_banner", "-v", "warning", "-i", str(video),
                 *options, "-f", "null", "-"],
                capture_output=True, text=True, check=True, timeout=120,
            )  # fmt: skip
            if done.stderr:
                found[f"{name} {job}"] = done.stderr
    return found


def assert_clean_timing(video: Path, seconds: float) -> None:
    """Check the video track as ffprobe reads it: frames in order, each lasting whole
    frames of the 30 fps grid (never less than 1/30 s, never more than 1 s), one after
    the other without gaps, ending where the video and its sound end."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=time_base:packet=pts,duration", "-of", "json", str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    tick = Fraction(data["streams"][0]["time_base"])  # exact: no rounded seconds
    times = [(p["pts"] * tick, p["duration"] * tick) for p in data["packets"]]
    for (start, length), (following, _) in itertools.pairwise(times):
        assert start + length == following
    for start, length in times:
        assert Fraction(1, 30) <= length <= 1, (float(start), float(length))
        assert (start * 30).denominator == (length * 30).denominator == 1, float(start)
    assert times[0][0] == 0
    assert float(sum(times[-1])) == pytest.approx(seconds, abs=1e-3)
    info = probe(video)
    stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    sound = next(s for s in info["streams"] if s["codec_type"] == "audio")
    # The stream says what it is: 30 fps with held frames (it used to read as 1 fps).
    assert stream["r_frame_rate"] == "30/1"
    assert float(sound["duration"]) == pytest.approx(seconds, abs=0.005)


def gst(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is not installed; run scripts/setup.sh --test (it installs it)")
    return found


_BUFFER = re.compile(r"chain .*?pts: (\d+):(\d+):([\d.]+), duration: (\d+):(\d+):([\d.]+)")


def assert_plays_in_gstreamer(video: Path, seconds: float, *, level: str) -> None:
    """Play *video* through GStreamer, the media stack of WebKit browsers on Linux: its own
    MP4 demuxer (qtdemux) and libav's decoders, none of ffmpeg's command-line tools."""
    found = subprocess.run(
        [gst("gst-discoverer-1.0"), "-v", str(video)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    hours, minutes, rest = re.search(r"Duration: (\d+):(\d+):([\d.]+)", found).groups()  # type: ignore[union-attr]
    assert int(hours) * 3600 + int(minutes) * 60 + float(rest) == pytest.approx(seconds, abs=1e-3)
    assert "video/x-h264" in found and "profile=(string)high" in found
    assert f"level=(string){level}," in found and "colorimetry=(string)bt709" in found
    assert "audio/mpeg, mpegversion=(int)4" in found and "rate=(int)48000" in found
    # (Its "Frame rate" is qtdemux's guess from the average frame length: not checked.)
    # Played to the end (EOS), sound and picture, into sinks that discard them.
    uri = video.resolve().as_uri()
    played = subprocess.run(
        [gst("gst-launch-1.0"), "-q", "playbin", f"uri={uri}", "video-sink=fakesink",
         "audio-sink=fakesink"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert played.returncode == 0 and not played.stderr, played.stderr
    # Every decoded picture with its time: the same frames and timing ffprobe reads.
    decoded = subprocess.run(
        [gst("gst-launch-1.0"), "-v", "filesrc", f"location={video}", "!", "qtdemux", "!",
         "decodebin", "!", "video/x-raw", "!", "fakesink", "silent=false"],
        capture_output=True, text=True, timeout=300, check=True,
    ).stdout  # fmt: skip
    frames = [
        (int(a) * 3600 + int(b) * 60 + float(c), int(d) * 3600 + int(e) * 60 + float(f))
        for a, b, c, d, e, f in _BUFFER.findall(decoded)
    ]
    assert len(frames) == len(packets(video))
    for (start, length), (following, _) in itertools.pairwise(frames):
        assert start + length == pytest.approx(following, abs=1e-6)
    assert min(length for _, length in frames) >= 1 / 30 - 1e-6
    assert frames[-1][0] + frames[-1][1] == pytest.approx(seconds, abs=1e-3)


# ----------------------------------------------------------------------------- the timeline


def test_the_timeline_covers_the_video_in_frames_of_at_most_a_second() -> None:
    from builder.captions import Cue
    from builder.video import timeline

    board = board_of(ROOT / "examples" / "ada" / "pitch.yaml")
    plan = timeline.plan(board, None)
    cues = [Cue(1.25, 2.5, "a"), Cue(20.0, 21.0, "b")]
    frames = timeline.frames(plan, cues)
    assert frames[0].start == 0 and frames[-1].start + frames[-1].length == plan.total
    for before, after in itertools.pairwise(frames):
        assert before.start + before.length == after.start  # no gaps, no overlaps
    assert max(f.length for f in frames) <= timeline.TICKS
    starts = {f.start for f in frames}
    # A frame wherever a caption changes (at the nearest frame of the 1/30 s grid).
    assert {timeline.snap(t) for t in (1.25, 2.5, 20.0, 21.0)} <= starts
    fades = timeline.fades(plan)
    assert [f.start for f in fades] == [round(t * 600) for t in scene_starts(board)[1:]]
    for fade in fades:  # a frame for each of the fade's steps
        steps = range(timeline.FADE_FRAMES)
        assert all(fade.start + k * timeline.FADE_STEP in starts for k in steps)


def test_concat_durations_add_up_without_drift() -> None:
    from builder.video.stills import concat_list

    # 3000 frames of 1/30 s: rounding each to the microsecond would drift by 1 ms.
    text = concat_list([("a.tif", i * 20, 20) for i in range(3000)])
    durations = [
        float(line.split()[1]) for line in text.splitlines() if line.startswith("duration")
    ]
    assert sum(durations) == pytest.approx(100.0, abs=1e-6)
    # The last entry (whose duration the concat demuxer ignores) is one frame long.
    assert text.rstrip().splitlines()[-3:] == [
        "file 'a.tif'", "option framerate 30", "duration 0.033333",
    ]  # fmt: skip


def test_every_frame_is_whole_frames_of_the_30_fps_grid() -> None:
    import dataclasses

    from builder.captions import Cue
    from builder.video import timeline
    from builder.video.stills import concat_list

    board = board_of(ROOT / "examples" / "ada" / "pitch.yaml")
    # Lengths off the grid (as a narration's stretch gives) and captions that change a
    # hair after a scene starts, a hair before one ends and a hair apart.
    odd = [s.duration + 0.0123 * (i + 1) for i, s in enumerate(board.scenes)]
    scenes = tuple(
        dataclasses.replace(s, duration=d) for s, d in zip(board.scenes, odd, strict=True)
    )
    plan = timeline.plan(dataclasses.replace(board, scenes=scenes), None)
    starts = [0.0, *itertools.accumulate(odd)]
    assert all(abs(s.start / 600 - t) <= 1 / 60 for s, t in zip(plan.slots, starts, strict=False))
    second, third = plan.slots[1].start / 600, plan.slots[2].start / 600
    cues = [Cue(second + 0.501, second + 2.0, "a"), Cue(second + 2.004, third - 0.004, "b")]
    frames = timeline.frames(plan, cues)
    for frame in frames:
        assert frame.start % timeline.FRAME == 0 and frame.length % timeline.FRAME == 0
        assert timeline.FRAME <= frame.length <= timeline.TICKS
    assert frames[-1].start + frames[-1].length == plan.total
    # The list's last entry (whose duration the concat demuxer ignores) lasts one frame.
    listing = concat_list([("a.tif", f.start, f.length) for f in frames])
    durations = [float(line.split()[1]) for line in listing.splitlines() if "duration" in line]
    assert durations[-1] == pytest.approx(1 / 30, abs=1e-6)
    assert min(durations) >= 1 / 30 - 1e-6
    assert sum(durations) == pytest.approx(plan.total / 600, abs=1e-6)


# ----------------------------------------------------------------------------- the example, 1080p


@pytest.fixture(scope="module")
def ada(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the English example once at 1080p (the default) and return its folder."""
    folder = tmp_path_factory.mktemp("ada")
    pitch = copy_example("ada", folder)
    result = run_cli("video", pitch, "-o", folder / "out", "--json")
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["outputs"][0]["files"]
    assert set(files) == {"video", "poster", "preview", "captions"}
    return folder / "out"


def test_the_mp4_is_h264_high_bt709_with_aac(ada: Path) -> None:
    info = probe(ada / "video.mp4")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["profile"], video["level"]) == ("h264", "High", 40)
    assert (video["width"], video["height"], video["pix_fmt"]) == (1920, 1080, "yuv420p")
    assert video["color_space"] == video["color_primaries"] == video["color_transfer"] == "bt709"
    assert video["color_range"] == "tv"
    assert (audio["codec_name"], audio["profile"]) == ("aac", "LC")
    assert (audio["sample_rate"], audio["channels"]) == ("48000", 2)
    board = board_of(ROOT / "examples" / "ada" / "pitch.yaml")
    assert float(info["format"]["duration"]) == pytest.approx(board.duration, abs=0.05)
    assert 30 <= board.duration <= 120
    # No metadata carried over, only what the MP4 muxer itself writes.
    assert set(info["format"].get("tags", {})) <= {
        "major_brand", "minor_version", "compatible_brands", "encoder",
    }  # fmt: skip


def test_the_mp4_starts_playing_before_it_has_downloaded(ada: Path) -> None:
    # faststart: the index (moov) comes before the media data (mdat).
    head = (ada / "video.mp4").read_bytes()[:4096]
    assert 0 < head.index(b"moov") < (head.index(b"mdat") if b"mdat" in head else 4096)


def test_no_frame_lasts_longer_than_a_second(ada: Path) -> None:
    found = packets(ada / "video.mp4")
    times = sorted(float(p["pts_time"]) for p in found)
    assert max(b - a for a, b in itertools.pairwise(times)) <= 1.0 + 1e-6
    assert max(float(p["duration_time"]) for p in found) <= 1.0 + 1e-6
    # Stills are encoded once per second at most, not 30 times: far fewer frames than CFR.
    assert len(found) < 30 * times[-1] / 4


def test_every_scene_starts_on_a_keyframe(ada: Path) -> None:
    keys = {round(float(p["pts_time"]), 3) for p in packets(ada / "video.mp4") if "K" in p["flags"]}
    starts = scene_starts(board_of(ROOT / "examples" / "ada" / "pitch.yaml"))
    assert {round(s, 3) for s in starts} <= keys


def test_remuxing_and_decoding_print_no_warning(ada: Path) -> None:
    assert ffmpeg_complaints(ada / "video.mp4") == {}


def test_every_frame_lasts_whole_frames_of_a_30_fps_grid(ada: Path) -> None:
    board = board_of(ROOT / "examples" / "ada" / "pitch.yaml")
    assert_clean_timing(ada / "video.mp4", board.duration)


def test_gstreamer_finds_the_codecs_and_plays_to_the_end(ada: Path) -> None:
    board = board_of(ROOT / "examples" / "ada" / "pitch.yaml")
    assert_plays_in_gstreamer(ada / "video.mp4", board.duration, level="4")


def test_fades_and_the_last_frame_look_right(ada: Path, artifacts: Path) -> None:
    video = ada / "video.mp4"
    starts = scene_starts(board_of(ROOT / "examples" / "ada" / "pitch.yaml"))
    before = frame_at(video, starts[1] - 0.5, artifacts / "video-ada-before-fade.png")
    during = frame_at(video, starts[1] + 0.25, artifacts / "video-ada-mid-fade.png")
    after = frame_at(video, starts[1] + 1.0, artifacts / "video-ada-after-fade.png")
    # Half-way, the picture is a blend: about as far from the slide before as from the next.
    apart = difference(before, after)
    assert apart > 5
    assert 0.3 * apart < difference(during, before) < 0.7 * apart
    assert 0.3 * apart < difference(during, after) < 0.7 * apart
    # The last frame is the closing card, whole, as it shows in the second before it.
    total = float(probe(video)["format"]["duration"])
    closing = frame_at(video, total - 0.9, artifacts / "video-ada-closing.png")
    last = last_frame(video, artifacts / "video-ada-last-frame.png")
    assert difference(last, closing) < 1
    assert max(ImageStat.Stat(last).stddev) > 10  # a card, not a blank frame


def test_the_poster_is_the_first_frame(ada: Path, artifacts: Path) -> None:
    first = frame_at(ada / "video.mp4", 0, artifacts / "video-ada-first-frame.png")
    still = Image.open(ada / "poster.png").convert("RGB")
    assert still.size == first.size == (1920, 1080)
    assert difference(first, still) < 2  # only the H.264 encoding between them
    assert max(ImageStat.Stat(first).stddev) > 10  # a card, not a blank frame


def test_the_preview_gif_is_short_small_and_opens_on_the_name(ada: Path, artifacts: Path) -> None:
    gif = ada / "preview.gif"
    assert gif.stat().st_size <= 1_000_000
    with Image.open(gif) as image:
        durations = []
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
        assert sum(durations) <= 3000
        assert image.info.get("loop") == 0
        image.seek(0)
        first = image.convert("RGB")
    first.save(artifacts / "video-ada-preview-frame-1.png")
    # Frame one is the title card ("Thank you, Sarah") with the play symbol on it.
    board, theme = board_of(ROOT / "examples" / "ada" / "pitch.yaml"), load_theme("classic")
    expected = poster(board, theme, first.size, play=True)
    background = Image.new("RGB", first.size, theme.colors.background)
    assert difference(first, expected) < 3
    assert difference(first, background) > 10


def test_captions_parse_and_stay_inside_the_video(ada: Path) -> None:
    cues = parse_vtt((ada / "video.vtt").read_text(encoding="utf-8"))
    duration = float(probe(ada / "video.mp4")["format"]["duration"])
    assert len(cues) >= 4
    assert all(0 <= c.start < c.end <= duration for c in cues)
    assert cues[0].text.startswith("Hi Sarah")


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that answers byte-range requests, as S3 and every real host do
    (browsers seek in a video by asking for ranges)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1))
        end = min(int(match.group(2) or size - 1), size - 1)
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Slice(handle, end - start + 1)


class _Slice:
    """A file object that ends after *length* bytes (what copyfile reads for a range)."""

    def __init__(self, handle: Any, length: int) -> None:
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data: bytes = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve *folder* over HTTP (with ranges) on 127.0.0.1, a free port; yield its URL."""
    handler = functools.partial(RangeHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def served(ada: Path) -> Iterator[str]:
    """Serve the output folder over HTTP on 127.0.0.1 (a free port); yield its URL."""
    with serve(ada) as url:
        yield url


PAGE = """<!doctype html><meta charset=utf-8><title>v</title>
<video id=v src=video.mp4 preload=auto muted playsinline style="width:100%">
<track id=t kind=captions src=video.vtt srclang=en default></video>"""


def test_chromium_loads_seeks_and_plays_to_the_end(
    ada: Path, served: str, browser: Any, artifacts: Path
) -> None:
    (ada / "player.html").write_text(PAGE, encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(f"{served}/player.html")
        page.wait_for_function("document.getElementById('v').readyState >= 1", timeout=15000)
        duration = page.evaluate("document.getElementById('v').duration")
        expected = float(probe(ada / "video.mp4")["format"]["duration"])
        assert duration == pytest.approx(expected, abs=0.1)
        size = page.evaluate("(v => [v.videoWidth, v.videoHeight])(document.getElementById('v'))")
        assert size == [1920, 1080]
        for target in (1.0, duration / 2, duration - 3):
            reached = page.evaluate(
                """async (t) => { const v = document.getElementById('v');
                   await new Promise(ok => { v.addEventListener('seeked', ok, {once: true});
                                             v.currentTime = t; });
                   return v.currentTime; }""",
                target,
            )
            assert reached == pytest.approx(target, abs=0.1)
        page.screenshot(path=str(artifacts / "video-chromium-player.png"))
        ended = page.evaluate(
            """async () => { const v = document.getElementById('v');
               v.currentTime = v.duration - 1.5;
               await new Promise(ok => v.addEventListener('seeked', ok, {once: true}));
               const done = new Promise(ok => v.addEventListener('ended', () => ok(true)));
               await v.play();
               const late = new Promise(ok => setTimeout(() => ok(false), 10000));
               return await Promise.race([done, late]); }"""
        )
        assert ended is True
        page.wait_for_function("document.getElementById('t').readyState === 2", timeout=5000)
        cues = page.evaluate("document.getElementById('t').track.cues.length")
        assert cues == len(parse_vtt((ada / "video.vtt").read_text(encoding="utf-8")))
    finally:
        page.close()


# ----------------------------------------------------------------------------- 720p builds


def test_each_interviewer_gets_a_video_of_their_own(tmp_path: Path, artifacts: Path) -> None:
    pitch = copy_example("jonas", tmp_path)
    result = run_cli("video", pitch, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    firsts = []
    for slug in ("petra-schulz", "mehmet-oeztuerk"):
        folder = tmp_path / "out" / slug
        assert sorted(p.name for p in folder.iterdir()) == [
            "build.json",
            "poster.png",
            "preview.gif",
            "video.mp4",
        ]
        video = next(
            s for s in probe(folder / "video.mp4")["streams"] if s["codec_type"] == "video"
        )
        assert (video["width"], video["height"], video["level"]) == (1280, 720, 31)
        firsts.append(frame_at(folder / "video.mp4", 0, artifacts / f"video-jonas-{slug}-0.png"))
    # "Vielen Dank, Frau Schulz" and "Vielen Dank, Herr Öztürk": not the same first frame.
    assert difference(*firsts) > 0.5


def test_a_video_recording_plays_full_frame_after_the_title_card(
    tmp_path: Path, artifacts: Path
) -> None:
    pitch = copy_example("ada", tmp_path)
    # A portrait phone clip, 4 s: it is fitted into the frame on the theme's background.
    make_clip(pitch.parent / "media" / "hello.mp4", 4, size="360x640")
    set_video(pitch, recording="media/hello.mp4", script="Hi Sarah. Thank you for your time.")
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 0, result.output
    board = board_of(pitch)
    title = board.scenes[0].duration
    assert float(probe(out / "video.mp4")["format"]["duration"]) == pytest.approx(
        board.duration + 4, abs=0.05
    )
    middle = frame_at(out / "video.mp4", title + 2, artifacts / "video-clip-middle.png")
    edge, centre = middle.crop((0, 0, 200, 720)), middle.crop((560, 200, 720, 520))
    assert max(ImageStat.Stat(edge).stddev) < 2, "pillarbox in the theme's background"
    assert ImageStat.Stat(edge).mean[0] > 250  # classic's white
    assert max(ImageStat.Stat(centre).stddev) > 30, "the camera picture itself"
    keys = [float(p["pts_time"]) for p in packets(out / "video.mp4") if "K" in p["flags"]]
    assert any(abs(k - title) < 0.001 for k in keys), "a keyframe where the recording starts"
    assert any(abs(k - title - 4) < 0.001 for k in keys), "and where the slides resume"
    cues = parse_vtt((out / "video.vtt").read_text(encoding="utf-8"))
    assert cues[0].start >= title and cues[-1].end <= title + 4 + 0.01
    integrated, peak = loudness(out / "video.mp4")
    assert integrated == pytest.approx(-16, abs=1.0)
    assert peak <= -1.0


def test_a_recording_whose_picture_ends_early_holds_its_last_frame(tmp_path: Path) -> None:
    # Phones and browsers stop the camera a moment before the microphone: 3 s of picture
    # under 4 s of sound. The picture's last frame holds until the sound ends, and the
    # slides follow on time (the video track once stopped 1 s short of the sound).
    pitch = copy_example("ada", tmp_path)
    clip = pitch.parent / "media" / "early.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=3",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=4",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           "-c:a", "aac", str(clip)])  # fmt: skip
    set_video(pitch, recording="media/early.mp4")
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 0, result.output
    seconds = float(probe(out / "video.mp4")["format"]["duration"])
    assert seconds == pytest.approx(board_of(pitch).duration + 4, abs=0.05)
    assert_clean_timing(out / "video.mp4", seconds)  # the picture lasts as long as the sound


def test_an_audio_narration_stretches_the_slides_to_its_length(tmp_path: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    sentence = (
        "Hello Sarah. Thank you for the conversation yesterday. I would love to help your "
        "team retire the Friday spreadsheet report, and I am happy to show you how. "
    )
    speech = make_speech(pitch.parent / "media" / "voice.m4a", sentence * 4)
    spoken = float(probe(speech)["format"]["duration"])
    assert spoken > 28  # long enough that no slide needs its 3 s minimum
    set_video(pitch, recording="media/voice.m4a", script=None)
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 0, result.output
    # The slides run as long as the voice, plus a second after the last word.
    duration = float(probe(out / "video.mp4")["format"]["duration"])
    assert duration == pytest.approx(spoken + 1.0, abs=0.1)
    board = board_of(pitch)
    keys = [float(p["pts_time"]) for p in packets(out / "video.mp4") if "K" in p["flags"]]
    # Each scene keeps its share of the time: the storyboard's timing, scaled (within a
    # frame: scenes start on the 1/30 s grid).
    expected = [start * duration / board.duration for start in scene_starts(board)]
    for start in expected:
        assert any(abs(k - start) <= 1 / 30 for k in keys), (start, keys)
    integrated, peak = loudness(out / "video.mp4")
    assert integrated == pytest.approx(-16, abs=1.0)
    assert peak <= -1.0
    assert "no captions" in result.stderr  # a recording without a script or captions


def counting_ffmpeg(folder: Path) -> tuple[Path, Path]:
    """Return a wrapper script that logs each run's arguments and runs the real ffmpeg,
    and the log it writes."""
    from builder.video.ffmpeg import ffmpeg

    real, log = ffmpeg(), folder / "runs.log"
    script = folder / "ffmpeg"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, log


def mean_volume(path: Path, start: float, end: float) -> float:
    """Return the mean (RMS) level in dB of *path*'s sound from *start* to *end* seconds."""
    log = subprocess.run(
        [FFMPEG, "-nostdin", "-i", str(path), "-af", f"atrim={start}:{end},volumedetect",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    return float(re.search(r"mean_volume: (-?[\d.]+) dB", log).group(1))  # type: ignore[union-attr]


def onset(path: Path, start: float, end: float) -> float:
    """Return the time in seconds of the first sample of *path*'s sound between *start*
    and *end* that is at least half as loud as the loudest there: where a knock begins."""
    raw = subprocess.run(
        [FFMPEG, "-nostdin", "-v", "error", "-i", str(path), "-af",
         f"atrim={start}:{end},pan=mono|c0=c0", "-f", "f32le", "-ar", "48000", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    samples = array.array("f", raw)
    half = max(abs(v) for v in samples) / 2
    return start + next(n for n, v in enumerate(samples) if abs(v) >= half) / 48000


def two_steps(seconds: float, quiet: float, loud: float) -> list[str]:
    """Return ffmpeg's inputs and filter for a 220 Hz tone, *seconds* at *quiet* dB, then
    as long at *loud* dB (mono): a recording with a step in its loudness."""
    tone = f"sine=frequency=220:sample_rate=48000:duration={seconds}"
    return ["-f", "lavfi", "-i", f"{tone},volume={quiet}dB",
            "-f", "lavfi", "-i", f"{tone},volume={loud}dB",
            "-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1"]  # fmt: skip


def narrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sound: list[str]
) -> tuple[Recording, Path, str]:
    """Build the example's video narrated by the WAV that ffmpeg makes from *sound* (its
    inputs and filters); return the recording as probed, the video and its encode command."""
    pitch = copy_example("ada", tmp_path)
    wav = pitch.parent / "media" / "voice.wav"
    media([*sound, str(wav)])
    set_video(pitch, recording="media/voice.wav")
    wrapper, runs = counting_ffmpeg(tmp_path)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 0, result.output
    (encode,) = [run for run in runs.read_text().splitlines() if "-filter_complex" in run]
    return inspect(wav, "video.recording", allow_long=False), out / "video.mp4", encode


def test_a_recording_whose_peaks_allow_it_gets_one_gain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A quiet sentence, then a louder one (6 dB apart): one gain lifts both to -16 LUFS
    # and keeps them 6 dB apart, as spoken; no limiter or 192 kHz round trip runs.
    recording, video, encode = narrate(tmp_path, monkeypatch, [*two_steps(4, -10, -4), "-ac", "2"])
    assert recording.loudness is not None
    gain = recording.loudness.gain()
    assert gain is not None
    assert "volume=" in encode and "loudnorm" not in encode
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-16, abs=1.0)  # two meters: they differ by 0.6 LU here
    assert peak <= -1.0
    quiet, loud = mean_volume(video, 0.5, 3.5), mean_volume(video, 4.5, 7.5)
    assert quiet == pytest.approx(mean_volume(recording.path, 0.5, 3.5) + gain, abs=0.3)
    assert loud - quiet == pytest.approx(6, abs=0.3), "one gain: the step as recorded"
    sound = next(s for s in probe(video)["streams"] if s["codec_type"] == "audio")
    assert sound["channels"] == 2, "a stereo recording stays stereo"


def test_peaks_too_high_for_one_gain_go_through_the_limiter_on_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quiet speech with a 5 ms knock in it (a hand on the desk) peaking at -0.3 dBTP: the
    # gain that makes the speech -16 LUFS (+9 dB) would lift the knock far over 0 dBFS, so
    # a limiter holds it, at the recording's rate (no loudnorm), and where it was: the
    # limiter's look-ahead must not delay the sound against the picture.
    recording, video, encode = narrate(tmp_path, monkeypatch, [
        "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000:duration=6,volume=-4dB",
        "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=0.005,volume=17dB",
        "-filter_complex", "[1:a]adelay=3000:all=1[k];[0:a][k]amix=inputs=2:normalize=0",
    ])  # fmt: skip
    level = recording.loudness
    assert level is not None and level.gain() is None
    assert level.true_peak + (-16 - level.integrated) > 0, "one gain would clip the knock"
    assert "alimiter=" in encode and "loudnorm" not in encode
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-16, abs=0.5)
    assert peak <= -1.0, "the knock held under the ceiling"
    # A narration starts with the video; the knock is 3 s in (the limiter looks 5 ms ahead).
    assert onset(video, 2.9, 3.1) == pytest.approx(3.0, abs=0.002), "not delayed"


def test_close_miked_speech_is_limited_to_the_target_loudness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Speech peaks some 20 dB over its loudness (here espeak-ng's, mono): one gain to -16
    # LUFS would clip it, the limiter costs loudness, and the tool makes that up.
    speech = make_speech(tmp_path / "speech.wav", "Thank you for the conversation on Tuesday. " * 3)
    recording, video, encode = narrate(tmp_path, monkeypatch, ["-i", str(speech)])
    level = recording.loudness
    assert level is not None and level.gain() is None
    assert "alimiter=" in encode and "loudnorm" not in encode
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-16, abs=0.3)
    assert peak <= -1.0
    # A mono voice stays one channel (two equal ones would double the AAC encode).
    sound = next(s for s in probe(video)["streams"] if s["codec_type"] == "audio")
    assert (sound["channels"], sound["sample_rate"]) == (1, "48000")


def test_a_loudness_range_too_wide_to_keep_goes_through_loudnorm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quiet, then loud (16 dB apart, a range of 16 LU, over loudnorm's 11): that is for
    # loudnorm's dynamic mode, given its own measurement of the recording.
    recording, video, encode = narrate(tmp_path, monkeypatch, two_steps(5, -24, -8))
    level = recording.loudness
    assert level is not None and level.lra > 11
    assert "loudnorm=" in encode and "measured_LRA=" in encode and "alimiter" not in encode
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-16, abs=1.0)
    assert peak <= -1.0


def test_a_muted_microphone_is_left_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing to measure: no gain (which would be infinite) and no limiter; the video is
    # made, its sound as silent as the recording's.
    recording, video, encode = narrate(tmp_path, monkeypatch, [
        "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "4"])  # fmt: skip
    assert recording.has_audio and recording.loudness is None
    assert "volume=" not in encode and "loudnorm" not in encode
    integrated, _ = loudness(video)
    assert integrated <= -69  # the meter's floor: silence


def test_a_short_narration_never_rushes_a_slide(tmp_path: Path) -> None:
    pitch = copy_example("jonas", tmp_path)
    make_speech(pitch.parent / "media" / "kurz.wav", "Vielen Dank für das Gespräch.")
    set_video(pitch, recording="media/kurz.wav")
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p", "--for", "Petra")
    assert result.exit_code == 0, result.output
    video = out / "petra-schulz" / "video.mp4"
    keys = [float(p["pts_time"]) for p in packets(video) if "K" in p["flags"]]
    assert min(b - a for a, b in itertools.pairwise(keys)) >= 2.99
    duration = float(probe(video)["format"]["duration"])
    assert duration == pytest.approx(3.0 * len(board_of(pitch).scenes), abs=0.1)


def test_a_caption_file_is_timed_against_the_recording(tmp_path: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    make_clip(pitch.parent / "media" / "hello.webm", 3)
    (pitch.parent / "media" / "hello.srt").write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nHi <i>Sarah</i> & team\n\n"
        "2\n00:00:02,000 --> 00:00:09,000\nThis one runs past the end\n",
        encoding="utf-8",
    )
    set_video(pitch, recording="media/hello.webm", captions="media/hello.srt")
    out = tmp_path / "out"
    assert run_cli("video", pitch, "-o", out, "--size", "720p").exit_code == 0
    title = board_of(pitch).scenes[0].duration
    text = (out / "video.vtt").read_text(encoding="utf-8")
    assert "Hi Sarah &amp; team" in text
    cues = parse_vtt(text)
    assert [(c.start, c.end) for c in cues] == [
        (title + 0.5, title + 2.0),
        (title + 2.0, title + 9.0),
    ]


def test_burned_captions_show_in_the_frames(tmp_path: Path, artifacts: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p", "--burn-captions")
    assert result.exit_code == 0, result.output
    cue = parse_vtt((out / "video.vtt").read_text(encoding="utf-8"))[1]
    middle = (cue.start + cue.end) / 2
    frame = frame_at(out / "video.mp4", middle, artifacts / "video-burned.png")
    # The same slide drawn without a caption (but with room kept for one) ...
    board = board_of(pitch)
    showing = max(i for i, start in enumerate(scene_starts(board)) if start <= middle)
    clean = render_scene(board.scenes[showing], board, load_theme("classic"), SIZES["720p"],
                         caption_space=CAPTION_SPACE)  # fmt: skip
    # ... differs only where the caption sits, above the footer.
    band, above = (320, 520, 960, 630), (0, 0, 1280, 480)
    assert difference(frame.crop(band), clean.crop(band)) > 20
    assert difference(frame.crop(above), clean.crop(above)) < 2


def test_progress_is_reported_while_encoding(tmp_path: Path) -> None:
    from builder.context import Options

    pitch = copy_example("ada", tmp_path)
    seen: list[tuple[str, float]] = []
    build(pitch, ["video"], tmp_path / "out", options=Options(size="720p"),
          progress=lambda what, done: seen.append((what, done)))  # fmt: skip
    assert {what for what, _ in seen} == {"video sarah-kim"}
    fractions = [done for _, done in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions), "never goes backwards"
    assert len({round(f, 2) for f in fractions}) > 5, "reports along the way, not only at the end"


@pytest.mark.parametrize("recording", ["clip", "narration"])
def test_timing_stays_clean_with_a_recording_and_burned_captions(
    recording: str, tmp_path: Path, artifacts: Path
) -> None:
    pitch = copy_example("ada", tmp_path)
    script = "Hi Sarah. Thank you for your time. I would love to help your team."
    if recording == "clip":
        make_clip(pitch.parent / "media" / "hello.mp4", 3.7)  # not a whole second
        set_video(pitch, recording="media/hello.mp4", script=script)
    else:
        spoken = " ".join([script] * 3)
        make_speech(pitch.parent / "media" / "voice.wav", spoken)
        set_video(pitch, recording="media/voice.wav", script=spoken)
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p", "--burn-captions")
    assert result.exit_code == 0, result.output
    video = out / "video.mp4"
    seconds = float(probe(video)["format"]["duration"])
    assert ffmpeg_complaints(video) == {}
    assert_clean_timing(video, seconds)
    assert_plays_in_gstreamer(video, seconds, level="3.1")
    cue = parse_vtt((out / "video.vtt").read_text(encoding="utf-8"))[1]
    frame_at(video, (cue.start + cue.end) / 2, artifacts / f"video-{recording}-burned.png")


# ----------------------------------------------------------------------------- bad input


def test_burned_captions_the_frames_cannot_draw_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    pitch = copy_example("ada", tmp_path)
    (pitch.parent / "media" / "thanks.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nDanke, Frau von Berg! Grüße, Łódź\n\n"
        "00:00:05.000 --> 00:00:08.000\nSee you soon \U0001f389\n",
        encoding="utf-8",
    )
    set_video(pitch, script=None, captions="media/thanks.vtt")
    out = tmp_path / "out"
    result = run_cli("all", pitch, "-o", out, "--size", "720p", "--burn-captions")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        'error: pitch.yaml: video.captions: thanks.vtt: the caption "See you soon \U0001f389": '
        "the character '\U0001f389' (U+1F389) cannot be drawn: emoji need a colour font, and "
        "the video's frames are drawn without one; remove it, or build without "
        "--burn-captions (players show the captions file in the viewer's own fonts)"
    ]
    assert not out.exists()
    # Beside the video, the player draws them in the viewer's fonts: the file is fine there.
    assert run_cli("video", pitch, "-o", out, "--size", "720p").exit_code == 0
    assert "See you soon \U0001f389" in (out / "video.vtt").read_text(encoding="utf-8")


def truncated(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _missing(media_dir: Path) -> str:
    return "media/gone.mp4"


def _dash(media_dir: Path) -> str:
    make_clip(media_dir / "-clip.mp4", 1.5)
    return "-clip.mp4"


def _cut_index(media_dir: Path) -> str:
    # Without faststart the index sits at the end: cutting the file loses it.
    clip = media_dir / "cut.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=320x240:duration=3", "-c:v", "libx264", str(clip)])
    truncated(clip, 0.6)
    return "media/cut.mp4"


def _cut_data(media_dir: Path) -> str:
    # With the index first, the file probes fine and ends early: found when read through.
    clip = media_dir / "cut.mp4"
    media(["-f", "lavfi", "-i", "testsrc2=size=320x240:duration=3", "-c:v", "libx264",
           "-movflags", "+faststart", str(clip)])  # fmt: skip
    truncated(clip, 0.5)
    return "media/cut.mp4"


def _not_media(media_dir: Path) -> str:
    (media_dir / "notes.mp4").write_text("these are my notes, not a video\n" * 20)
    return "media/notes.mp4"


def _wrong_type(media_dir: Path) -> str:
    media(["-f", "lavfi", "-i", "testsrc2=duration=2", "-c:v", "mpeg4", str(media_dir / "a.avi")])
    return "media/a.avi"


def _wrong_codec(media_dir: Path) -> str:
    media(["-f", "lavfi", "-i", "testsrc2=duration=2", "-c:v", "mjpeg", str(media_dir / "a.mov")])
    return "media/a.mov"


def _audio_named_video(media_dir: Path) -> str:
    media(["-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(media_dir / "a.mp4")])
    return "media/a.mp4"


def _too_long(media_dir: Path) -> str:
    media(["-f", "lavfi", "-i", "sine=duration=181", "-c:a", "aac", "-b:a", "32k",
           str(media_dir / "long.m4a")])  # fmt: skip
    return "media/long.m4a"


RECORDING_PROBLEMS = {
    "missing": (_missing, "gone.mp4 does not exist"),
    "dash": (_dash, "must not start with '-'"),
    "cut index": (_cut_index, "cut.mp4 cannot be read: it is truncated or not really an MP4"),
    "cut data": (_cut_data, "cut.mp4 is damaged or truncated"),
    "not media": (_not_media, "notes.mp4 cannot be read"),
    "avi": (_wrong_type, "a.avi: unsupported file type"),
    "mjpeg": (_wrong_codec, "a.mov: video codec 'mjpeg' is not supported"),
    "no picture": (_audio_named_video, "a.mp4 has no video"),
    "too long": (_too_long, "long.m4a runs 3:01 min; keep it under 3:00 min"),
}


def earlier_output(tmp_path: Path) -> Path:
    """Return an output folder holding last week's build, which a failure must not touch."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "video.mp4").write_bytes(b"last week's video")
    return out


def untouched(folder: Path) -> list[tuple[str, bytes]]:
    """Return every file below *folder* with its content (hidden ones included)."""
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else b"")
                  for p in folder.rglob("*"))  # fmt: skip


@pytest.mark.parametrize("case", RECORDING_PROBLEMS, ids=list(RECORDING_PROBLEMS))
def test_a_bad_recording_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    make, words = RECORDING_PROBLEMS[case]
    pitch = copy_example("ada", tmp_path)
    set_video(pitch, recording=make(pitch.parent / "media"))
    out = earlier_output(tmp_path)
    before = untouched(out)
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "video.recording" in lines[0] and words in lines[0], lines[0]
    assert untouched(out) == before


def test_a_long_recording_is_used_when_allowed(tmp_path: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    set_video(pitch, recording=_too_long(pitch.parent / "media"))
    out = tmp_path / "out"
    result = run_cli("video", pitch, "-o", out, "--size", "720p", "--allow-long")
    assert result.exit_code == 0, result.output
    assert float(probe(out / "video.mp4")["format"]["duration"]) == pytest.approx(182, abs=0.2)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("talk.vtt", "WEBVTT\n\n00:01.000 --> soon\nHi\n", "talk.vtt line 3: expected a timing"),
        ("talk.txt", "Hi there", "talk.txt: captions must be a .vtt or .srt file"),
    ],
)
def test_bad_captions_are_refused_in_one_line(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    pitch = copy_example("ada", tmp_path)
    (pitch.parent / "media" / name).write_text(content, encoding="utf-8")
    set_video(pitch, captions=f"media/{name}")
    out = earlier_output(tmp_path)
    before = untouched(out)
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: pitch.yaml: video.captions: {words}")
    assert untouched(out) == before


@pytest.mark.parametrize(
    ("binary", "words"),
    [
        ("/nonexistent/ffmpeg", "ffmpeg not found at /nonexistent/ffmpeg"),
        ("/bin/false", "ffmpeg failed"),
    ],
)
def test_a_missing_or_failing_ffmpeg_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, binary: str, words: str
) -> None:
    # imageio-ffmpeg honours IMAGEIO_FFMPEG_EXE: the user's way to choose a binary.
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", binary)
    pitch = copy_example("ada", tmp_path)
    out = earlier_output(tmp_path)
    before = untouched(out)
    result = run_cli("video", pitch, "-o", out, "--size", "720p")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert untouched(out) == before


# ----------------------------------------------------------------------------- another ffmpeg

SYSTEM_FFMPEG = shutil.which("ffmpeg") or "ffmpeg"


def system_version() -> tuple[int, int]:
    from builder.video.ffmpeg import version

    return version(SYSTEM_FFMPEG)


def test_the_system_ffmpeg_builds_slides_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without imageio-ffmpeg's binary the system's is used; even Debian 12's 5.1 will do.
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", SYSTEM_FFMPEG)
    pitch = copy_example("ada", tmp_path)
    result = run_cli("video", pitch, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    video = next(
        s for s in probe(tmp_path / "out" / "video.mp4")["streams"] if s["codec_type"] == "video"
    )
    assert (video["profile"], video["color_primaries"]) == ("High", "bt709")


@pytest.mark.skipif(system_version() >= (7, 0), reason="the system ffmpeg is new enough")
def test_an_old_ffmpeg_refuses_a_video_recording_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", SYSTEM_FFMPEG)
    pitch = copy_example("ada", tmp_path)
    make_clip(pitch.parent / "media" / "hello.mp4", 1.5)
    set_video(pitch, recording="media/hello.mp4")
    result = run_cli("video", pitch, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 1
    assert "video.recording: a video recording needs ffmpeg 7 or newer" in result.stderr


def test_an_hdr_recording_is_used_with_a_warning(tmp_path: Path) -> None:
    pitch = copy_example("ada", tmp_path)
    clip = pitch.parent / "media" / "phone.mov"
    media(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1.5", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", "-color_primaries", "bt2020", "-color_trc", "arib-std-b67",
           "-colorspace", "bt2020nc", str(clip)])  # fmt: skip
    set_video(pitch, recording="media/phone.mov", script="Hello.")
    result = run_cli("video", pitch, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    assert "phone.mov is HDR" in result.stderr


def test_the_recording_is_measured_while_the_slides_are_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measuring reads the whole recording (ffmpeg: most of a second for a minute); the
    # slides need nothing from it, so they are drawn meanwhile. A measurement that waits
    # for the drawing to begin would wait for ever if the drawing waited for it.
    import builder.video as video

    drawing = threading.Event()
    real_draw, real_inspect = video.draw_scene, video.inspect

    def draw(*args: Any, **kwargs: Any) -> Image.Image:
        drawing.set()
        return real_draw(*args, **kwargs)

    def measure(*args: Any, **kwargs: Any) -> Recording:
        assert drawing.wait(10), "the slides were not drawn until the recording was measured"
        return real_inspect(*args, **kwargs)

    monkeypatch.setattr(video, "draw_scene", draw)
    monkeypatch.setattr(video, "inspect", measure)
    pitch = copy_example("ada", tmp_path)
    make_speech(pitch.parent / "media" / "voice.m4a", "Thank you for your time, Sarah.")
    set_video(pitch, recording="media/voice.m4a")
    result = run_cli("video", pitch, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "video.mp4").stat().st_size > 0
