"""A panel's videos share the slides the interviewers have in common: encoded once, joined.

Real ffmpeg throughout. The runs are counted by putting a logging wrapper in front of the
real binary (``IMAGEIO_FFMPEG_EXE``, the user's own way to choose one); the videos are
probed, compared packet by packet and played in GStreamer.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_video import (
    assert_clean_timing,
    assert_plays_in_gstreamer,
    copy_example,
    counting_ffmpeg,
    ffmpeg_complaints,
    onset,
    probe,
    run_cli,
    set_video,
)

from builder.pitch import load_pitch
from builder.storyboard import plan
from builder.video import mp4

PEOPLE = ("petra-schulz", "mehmet-oeztuerk")


def keyframe_parts(video: Path) -> list[str]:
    """Return a hash of the coded video of each stretch between keyframes (one per scene)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=flags,data_hash", "-show_data_hash", "sha256", "-of", "json", str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    parts: list[hashlib._Hash] = []
    for packet in json.loads(out)["packets"]:
        if "K" in packet["flags"]:
            parts.append(hashlib.sha256())
        parts[-1].update(packet["data_hash"].encode())
    return [part.hexdigest() for part in parts]


def extradata(video: Path) -> str:
    """Return the video track's parameter sets (the MP4's avcC) as hex."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=extradata", "-show_data", "-of", "json", str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return str(json.loads(out)["streams"][0].get("extradata", ""))


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Build the German two-interviewer example's videos at 720p with ffmpeg's runs
    counted; return the output folder and the logged runs."""
    folder = tmp_path_factory.mktemp("panel")
    lines = counted_build(copy_example("jonas", folder), folder)
    runs = [line for line in lines if any(w in line for w in ("libx264", "-c:v copy", "-c:a aac"))]
    return folder / "out", runs


def counted_build(pitch: Path, folder: Path) -> list[str]:
    """Build *pitch*'s videos at 720p into ``folder/out`` with ffmpeg's runs logged; return
    the arguments of each run."""
    wrapper, log = counting_ffmpeg(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
        result = run_cli("video", pitch, "-o", folder / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    return log.read_text(encoding="utf-8").splitlines()


def test_shared_scenes_are_encoded_once(panel: tuple[Path, list[str]]) -> None:
    out, runs = panel
    encodes = [run for run in runs if "libx264" in run]
    joins = [run for run in runs if "-c:v copy" in run]
    sounds = [run for run in runs if "-c:a aac" in run]
    # Six scenes each; the title card and "discussed" name the person, and the scene after
    # "discussed" fades out of it: three slots each of their own, encoded as one segment
    # per person, and three shared, encoded once as one segment.
    assert len(joins) == 2
    assert len(encodes) == 1 + 1 + 1
    for run in encodes:  # each picture read once, also where it holds and then fades out
        pictures = [word for word in run.split() if word.endswith(".tif")]
        assert len(pictures) == len(set(pictures)), run
    # One silent track per length of video, copied into each video that long (here the
    # lengths differ: the scene naming what was discussed lasts as long as its text needs).
    lengths = {probe(out / who / "video.mp4")["format"]["duration"] for who in PEOPLE}
    made = {run.rsplit("/", 1)[-1] for run in sounds}
    assert len(sounds) == len(made) == len(lengths) and all("anullsrc" in s for s in sounds)
    assert all("-c:a copy" in join for join in joins)
    first, second = (keyframe_parts(out / who / "video.mp4") for who in PEOPLE)
    assert len(first) == len(second) == 6
    assert first[3:] == second[3:], "the shared scenes are the same bytes"
    assert all(a != b for a, b in zip(first[:3], second[:3], strict=True))


def test_every_joined_video_is_valid(panel: tuple[Path, list[str]]) -> None:
    out, _ = panel
    headers = set()
    for who in PEOPLE:
        video = out / who / "video.mp4"
        seconds = float(probe(video)["format"]["duration"])
        assert ffmpeg_complaints(video) == {}
        assert_clean_timing(video, seconds)  # frames <= 1 s on the grid, A/V same length
        assert_plays_in_gstreamer(video, seconds, level="3.1")
        headers.add(extradata(video))
        # Every parameter set a joined segment sends in-band repeats one of the sample
        # entry's: segments encoded apart must not disagree about them.
        config = mp4.read_config(video)
        assert set(mp4.in_band_parameter_sets(video)) <= {*config.sps, *config.pps}
    # One set of parameter sets for every segment of every video: the joined MP4's
    # sample entry is right for all its parts.
    assert len(headers) == 1


@pytest.mark.parametrize("who", PEOPLE)
def test_a_failing_video_stops_the_panel_without_waiting(tmp_path: Path, who: str) -> None:
    """The panel's videos are written at once and wait for segments the other encodes: when
    one of them fails (here ffmpeg refuses every segment of one person's own slides), the
    build ends with one line and no output, and nobody waits forever for a segment."""
    import os
    import sys

    pitch = copy_example("jonas", tmp_path)
    wrapper, _ = counting_ffmpeg(tmp_path)
    real = wrapper.read_text(encoding="utf-8").splitlines()
    # The panel's pictures are named after the interviewer who drew them first: this
    # refuses (at least) each segment showing one of *who*'s own scenes.
    refuse = f'case "$*" in *{who}-scene*libx264*) echo "refused" >&2; exit 1;; esac'
    wrapper.write_text("\n".join([real[0], refuse, *real[1:]]) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "builder", "video", str(pitch), "-o", str(tmp_path / "out"),
         "--size", "720p"],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "IMAGEIO_FFMPEG_EXE": str(wrapper)},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    problems = [line for line in done.stderr.splitlines() if "ffmpeg failed" in line]
    assert len(problems) == 1 and "refused" in problems[0], done.stderr
    assert not (tmp_path / "out").exists()


def test_a_video_waiting_for_a_shared_segment_gets_the_other_ones_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coordination alone, with ffmpeg's commands stubbed: B needs a segment A claimed;
    A's encode fails after B began waiting. B must get A's error, not wait forever."""
    import threading
    import time
    from types import SimpleNamespace

    from builder.errors import OutputError
    from builder.video import segments

    monkeypatch.setattr(segments, "segment_command", lambda job, k, end: [f"scene-{k}", "o.mp4"])
    monkeypatch.setattr(segments.encode, "sound_command", lambda job, out: ["sound", str(out)])
    monkeypatch.setattr(segments.encode, "join_command", lambda job, listing, sound: ["join"])
    slots = [SimpleNamespace(start=0, length=30, end=30)]
    job: Any = SimpleNamespace(timeline=SimpleNamespace(slots=slots, total=30))
    store = segments.Store(tmp_path)
    waiting = threading.Event()

    def failing(args: list[str]) -> None:
        waiting.wait(5)
        time.sleep(0.3)  # B is in its wait for the segment by now
        raise OutputError("ffmpeg failed: A")

    outcome: dict[str, BaseException | None] = {}

    def video(name: str, run: Any) -> None:
        try:
            segments.make(job, store, tmp_path, run)
            outcome[name] = None
        except BaseException as e:
            outcome[name] = e

    a = threading.Thread(target=video, args=("a", failing), daemon=True)
    a.start()
    time.sleep(0.1)  # A has claimed the one segment
    b = threading.Thread(target=video, args=("b", lambda args: None), daemon=True)
    b.start()
    waiting.set()
    a.join(10)
    b.join(10)
    assert not b.is_alive(), "B waits forever for A's segment"
    assert isinstance(outcome["a"], OutputError) and isinstance(outcome["b"], OutputError)


def test_videos_as_long_share_one_sound_track(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ffmpeg's commands stubbed: two videos of one length encode their silent track
    once and both joins copy that file; a video of another length makes its own."""
    from types import SimpleNamespace

    from builder.video import segments

    monkeypatch.setattr(segments, "segment_command", lambda job, k, end: [f"scene-{k}", "o.mp4"])
    monkeypatch.setattr(segments.encode, "sound_command", lambda job, out: ["sound", str(out)])
    joined: list[Path] = []

    def join(job: Any, listing: Path, sound: Path) -> list[str]:
        joined.append(sound)
        return ["join"]

    monkeypatch.setattr(segments.encode, "join_command", join)
    ran: list[list[str]] = []
    store = segments.Store(tmp_path)
    for total in (900, 900, 1200):
        slots = [SimpleNamespace(start=0, length=total, end=total)]
        job: Any = SimpleNamespace(timeline=SimpleNamespace(slots=slots, total=total))
        segments.make(job, store, tmp_path, ran.append)
    sounds = [args[1] for args in ran if args[0] == "sound"]
    assert [Path(s).name for s in sounds] == ["sound-900.m4a", "sound-1200.m4a"]
    assert joined == [Path(sounds[0]), Path(sounds[0]), Path(sounds[1])]


def test_scenes_the_interviewers_share_are_drawn_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel draws each scene once: the title card and "discussed" are each
    interviewer's own, the four after them are the same for both (2 + 2 + 4 = 8 draws,
    not 12), and a shared picture is pixel for pixel what that interviewer's own draw
    would be."""
    import builder.video
    from builder.frames import SIZES, render_scene
    from builder.pitch import load_pitch
    from builder.storyboard import plan
    from builder.theme import load_theme

    real = builder.video.draw_scene
    drawn: list[Any] = []

    def counting(scene: Any, place: Any, theme: Any, size: Any, **kw: Any) -> Any:
        image = real(scene, place, theme, size, **kw)
        drawn.append((scene, place, image))
        return image

    monkeypatch.setattr(builder.video, "draw_scene", counting)
    pitch_file = copy_example("jonas", tmp_path)
    result = run_cli("video", pitch_file, "-o", tmp_path / "out", "--size", "720p")
    assert result.exit_code == 0, result.output
    assert len(drawn) == 2 + 2 + 4
    pitch = load_pitch(pitch_file)
    theme = load_theme(pitch.theme, relative_to=pitch.folder)
    for person in pitch.interview.interviewers:
        board = plan(pitch, person)
        for scene in board.scenes[2:]:
            shared = next(image for s, _, image in drawn if s == scene)
            own = render_scene(scene, board, theme, SIZES["720p"])
            assert shared.tobytes() == own.tobytes()


def test_segments_run_as_long_as_the_same_videos_share_them() -> None:
    """Three videos of six slots. A slot shows its picture after a fade out of the one
    before, so A and B, sharing pictures 2-5, share slots 3-5; C shares pictures 4-5 with
    them and so slot 5. A's segments: its own slots 0-2, 3-4 (A and B), 5 (everyone)."""
    from builder.video.segments import runs
    from builder.video.timeline import Slot, Timeline

    plan = Timeline(tuple(Slot(k, 30 * k, 30) for k in range(6)))
    a = ["a0", "a1", "s2", "s3", "s4", "s5"]
    b = ["b0", "b1", "s2", "s3", "s4", "s5"]
    c = ["c0", "c1", "c2", "c3", "s4", "s5"]
    assert runs([(plan, a), (plan, b), (plan, c)]) == [[0, 3, 5], [0, 3, 5], [0, 5]]
    # Alone, or with nobody sharing: one segment for the whole video.
    assert runs([(plan, a)]) == [[0]]
    assert runs([(plan, a), (plan, [*c[:4], "c4", "c5"])]) == [[0], [0]]


def gops(video: Path) -> dict[float, str]:
    """Return a hash of the coded video of each group of pictures, by its start in seconds."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pts_time,flags,data_hash", "-show_data_hash", "sha256", "-of", "json",
         str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found: dict[float, hashlib._Hash] = {}
    start = 0.0
    for packet in json.loads(out)["packets"]:
        if "K" in packet["flags"]:
            start = round(float(packet["pts_time"]), 3)
            found[start] = hashlib.sha256()
        found[start].update(packet["data_hash"].encode())
    return {at: part.hexdigest() for at, part in found.items()}


def test_a_panels_recording_is_encoded_once_and_copied_into_every_video(tmp_path: Path) -> None:
    # A clip with B-frames cannot be copied as it is: each video encoded it again (the
    # most expensive part of each). For a panel it is encoded once, and every interviewer's
    # video copies that, its clap still 2 s into the recording.
    pitch = copy_example("jonas", tmp_path)
    clip = pitch.parent / "media" / "clap.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=4",
         "-f", "lavfi", "-i", "aevalsrc='if(between(t,2,2.004),0.9,0.02)*sin(2*PI*440*t)'"
         ":s=48000:d=4",
         "-c:v", "libx264", "-preset", "ultrafast", "-bf", "3", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(clip)],
        check=True,
    )  # fmt: skip
    set_video(pitch, recording="media/clap.mp4")
    runs = counted_build(pitch, tmp_path)
    encodes = [run for run in runs if "libx264" in run and str(clip) in run]
    assert len(encodes) == 1, "the recording's picture encoded once for the panel"
    loaded = load_pitch(pitch)
    shared: set[str] | None = None
    for person in loaded.interview.interviewers:
        video = tmp_path / "out" / person.slug / "video.mp4"
        start = plan(loaded, person).scenes[0].duration  # the title card, then the recording
        assert onset(video, start + 1.9, start + 2.1) == pytest.approx(start + 2, abs=0.002)
        seconds = float(probe(video)["format"]["duration"])
        assert ffmpeg_complaints(video) == {}
        assert_clean_timing(video, seconds)
        # The recording after its fade in (from 0.5 s): the same coded pictures in each.
        middle = gops(video).get(round(start + 0.5, 3))
        assert middle is not None, "a keyframe where the copy begins"
        shared = {middle} if shared is None else shared & {middle}
    assert shared, "every video copies the same encode of the recording"
