"""builder.video.mp4: the H.264 sample entry completed with every parameter set the samples
carry, on small files real ffmpeg makes the way the recording copy does (our part under
SPS/PPS id 1, a "recording" with its own under id 0, joined by stream copy), with the index
before the media data (+faststart: every chunk offset moves) and after it. Checked by
reading the files back with ffprobe and decoding them, never by trusting the module."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_video import bundled_ffmpeg

from builder.video import mp4

FFPROBE = "ffprobe"  # Debian's: an independent reader
SIZE = "320x180"


def ffmpeg(*args: str | Path) -> None:
    """Run the ffmpeg the tool ships (the one that writes the real videos)."""
    command = [bundled_ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y"]
    subprocess.run([*command, *map(str, args)], check=True, timeout=120)


def recording(path: Path, *options: str) -> Path:
    """Write a 2 s camera-like clip (Constrained Baseline, parameter sets id 0) with sound."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=30:duration=2",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=2",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
           *options, "-c:a", "aac", "-shortest", path)  # fmt: skip
    return path


def joined(folder: Path, *, faststart: bool, ours: tuple[str, ...] = ()) -> Path:
    """Write what the recording copy writes, in small: 1 s encoded by us (High, id 1),
    then the recording's own packets (copied, its parameter sets in-band before each
    keyframe), then 1 s of ours again, all in one MP4 with an AAC track."""
    clip = recording(folder / "clip.mp4")
    part = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt",
            "yuv420p", "-x264-params", "sps-id=1", "-f", "mpegts", "-muxdelay", "0",
            "-muxpreload", "0"]  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", f"color=c=navy:size={SIZE}:rate=30:duration=1",
           *part, *ours, folder / "a.ts")  # fmt: skip
    ffmpeg("-i", clip, "-map", "0:v", "-c:v", "copy", "-bsf:v",
           "h264_mp4toannexb,dump_extra=freq=keyframe", "-f", "mpegts", "-muxdelay", "0",
           "-muxpreload", "0", folder / "b.ts")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size={SIZE}:rate=30:duration=1", *part,
           folder / "c.ts")  # fmt: skip
    listing = folder / "join.ffconcat"
    listing.write_text(
        "ffconcat version 1.0\n"
        + "".join(
            f"file '{n}'\nduration {d}\n" for n, d in (("a.ts", 1), ("b.ts", 2), ("c.ts", 1))
        ),
        encoding="utf-8",
    )
    out = folder / ("faststart.mp4" if faststart else "plain.mp4")
    ffmpeg("-f", "concat", "-safe", "0", "-i", listing,
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
           "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-tag:v", "avc1", "-c:a", "aac",
           *(["-movflags", "+faststart"] if faststart else []), out)  # fmt: skip
    return out


def packets(video: Path) -> list[dict[str, Any]]:
    """Return every packet of every stream as ffprobe reads it (timing, flags and a hash
    of the data; not its position, which the rewrite may move)."""
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries",
         "packet=stream_index,pts,dts,duration,size,flags,data_hash", "-show_data_hash",
         "md5", "-of", "json", str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found: list[dict[str, Any]] = json.loads(out)["packets"]
    return found


def streams(video: Path) -> list[dict[str, Any]]:
    """Return ffprobe's description of each stream (timing, codec, profile, level)."""
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries",
         "stream=codec_name,profile,level,width,height,pix_fmt,start_time,duration,"
         "time_base,nb_frames,r_frame_rate,sample_rate", "-of", "json", str(video)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found: list[dict[str, Any]] = json.loads(out)["streams"]
    return found


def frame(video: Path, which: str, size: str = SIZE) -> bytes:
    """Return the first or the last video frame, decoded (by Debian's ffmpeg) to RGB."""
    seek, count = ([], ["-frames:v", "1"]) if which == "first" else (["-sseof", "-0.3"], [])
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", *seek, "-i", str(video), *count,
         "-map", "0:v", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    width, height = (int(v) for v in size.split("x"))
    length = width * height * 3
    assert len(out) >= length and len(out) % length == 0
    return out[-length:]


def boxes(path: Path) -> dict[str, Any]:
    """Return the top-level boxes, the media data's bytes and every track's chunk offsets."""
    data = path.read_bytes()
    top = mp4.walk(data)
    mdat = next(b for b in top if b.kind == "mdat")
    moov = next(b for b in top if b.kind == "moov")
    offsets = []
    for trak in moov.all("trak"):
        stbl = trak.path("mdia", "minf", "stbl")
        table = (stbl.all("stco") + stbl.all("co64"))[0]
        (count,) = struct.unpack_from(">I", data, table.body + 4)
        form = "Q" if table.kind == "co64" else "I"
        offsets.append(struct.unpack_from(f">{count}{form}", data, table.body + 8))
    return {
        "kinds": [b.kind for b in top],
        "mdat": data[mdat.body : mdat.end],
        "offsets": offsets,
        "moov": moov,
        "size": len(data),
    }


def ids(nals: tuple[bytes, ...]) -> list[int]:
    return [mp4.parameter_set_id(nal) for nal in nals]


# ----------------------------------------------------------------------------- the rewrite


@pytest.mark.parametrize("faststart", [True, False], ids=["faststart", "moov-last"])
def test_the_record_lists_both_encoders_parameter_sets(tmp_path: Path, faststart: bool) -> None:
    before = joined(tmp_path, faststart=faststart)
    after = tmp_path / "after.mp4"
    shutil.copyfile(before, after)
    ffmpeg_wrote = mp4.read_config(before)
    assert ids(ffmpeg_wrote.sps) == [1] and ids(ffmpeg_wrote.pps) == [1]  # ours only

    assert mp4.complete_parameter_sets(after) is True
    config = mp4.read_config(after)
    camera = mp4.read_config(tmp_path / "clip.mp4")  # the recording's own record
    assert ids(config.sps) == [1, 0] and ids(config.pps) == [1, 0]
    assert config.sps == (ffmpeg_wrote.sps[0], camera.sps[0])
    assert config.pps == (ffmpeg_wrote.pps[0], camera.pps[0])
    # High covers the Constrained Baseline recording; the flags are those both set.
    assert mp4.parse_sps(camera.sps[0]).profile == 66
    assert (config.profile, config.level) == (100, max(ffmpeg_wrote.level, camera.level))
    assert config.compatibility == ffmpeg_wrote.compatibility & camera.compatibility
    assert (config.chroma_format, config.bit_depth_luma, config.bit_depth_chroma) == (1, 8, 8)
    # Every parameter set in the samples is now in the record (in-band ones are repeats).
    assert set(mp4.in_band_parameter_sets(after)) <= {*config.sps, *config.pps}

    # The media is untouched: the same packets, timing and data, the same decoded frames.
    assert packets(after) == packets(before)
    assert streams(after) == streams(before)
    old, new = boxes(before), boxes(after)
    assert new["mdat"] == old["mdat"]
    growth = new["size"] - old["size"]
    assert growth == len(config.to_bytes()) - len(ffmpeg_wrote.to_bytes()) > 0
    assert new["moov"].size == old["moov"].size + growth
    shift = growth if faststart else 0
    assert new["kinds"] == old["kinds"]
    assert new["offsets"] == [tuple(o + shift for o in track) for track in old["offsets"]]
    assert frame(before, "first") != frame(before, "last")  # (ours, then the recording's)
    for which in ("first", "last"):
        assert frame(after, which) == frame(before, which)

    # Nothing left to add: the second run changes nothing.
    kept = after.read_bytes()
    assert mp4.complete_parameter_sets(after) is False
    assert after.read_bytes() == kept
    # And the old record written back gives ffmpeg's file again, byte for byte.
    mp4.write_config(after, ffmpeg_wrote)
    assert after.read_bytes() == before.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_file_with_nothing_in_band_is_left_alone(tmp_path: Path) -> None:
    clip = recording(tmp_path / "clip.mp4")
    kept = clip.read_bytes()
    assert mp4.complete_parameter_sets(clip) is False
    assert clip.read_bytes() == kept


def test_64_bit_chunk_offsets_move_too(tmp_path: Path) -> None:
    """A co64 table (what a file over 4 GB needs) is moved like stco: the file is first
    made into one with co64 tables (every offset after them moving by their growth)."""
    before = joined(tmp_path, faststart=True)
    data = before.read_bytes()
    moov = next(b for b in mp4.walk(data) if b.kind == "moov")
    tables = [t for t in mp4.descendants([moov]) if t.kind == "stco"]
    growth = sum(4 * struct.unpack_from(">I", data, t.body + 4)[0] for t in tables)
    replaced = {}
    for table in tables:
        (count,) = struct.unpack_from(">I", data, table.body + 4)
        offsets = [o + growth for o in struct.unpack_from(f">{count}I", data, table.body + 8)]
        body = data[table.body : table.body + 8] + struct.pack(f">{count}Q", *offsets)
        replaced[table.start] = struct.pack(">I4s", 8 + len(body), b"co64") + body
    wide = tmp_path / "wide.mp4"
    wide.write_bytes(data[: moov.start] + mp4.rebuilt(data, moov, replaced) + data[moov.end :])
    assert packets(wide) == packets(before)  # ffprobe agrees the conversion is right

    after = tmp_path / "after.mp4"
    shutil.copyfile(wide, after)
    assert mp4.complete_parameter_sets(after) is True
    assert ids(mp4.read_config(after).sps) == [1, 0]
    old, new = boxes(wide), boxes(after)
    shift = new["size"] - old["size"]
    assert new["offsets"] == [tuple(o + shift for o in track) for track in old["offsets"]]
    assert packets(after) == packets(before)
    for which in ("first", "last"):
        assert frame(after, which) == frame(before, which)


# ----------------------------------------------------------------------------- refusals


def _truncated(folder: Path) -> Path:
    video = joined(folder, faststart=True)
    data = video.read_bytes()
    moov = next(b for b in mp4.walk(data) if b.kind == "moov")
    video.write_bytes(data[: moov.start + moov.size // 2])  # cut inside the index
    return video


def _fragmented(folder: Path) -> Path:
    video = folder / "fragmented.mp4"
    ffmpeg("-i", recording(folder / "clip.mp4"), "-c", "copy", "-movflags",
           "frag_keyframe+empty_moov", video)  # fmt: skip
    return video


def _avc3(folder: Path) -> Path:
    video = folder / "avc3.mp4"
    ffmpeg("-i", recording(folder / "clip.mp4"), "-c", "copy", "-tag:v", "avc3", video)
    return video


def _not_h264(folder: Path) -> Path:
    video = folder / "mpeg4.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=30:duration=1", "-c:v", "mpeg4",
           video)  # fmt: skip
    return video


def _changing(folder: Path) -> Path:
    # Our part under id 1 twice, once declaring its pixels 2:1: one id, two contents.
    video = joined(folder, faststart=True, ours=("-vf", "setsar=2"))
    return video


def _offset_outside(folder: Path) -> Path:
    video = joined(folder, faststart=False)
    data = bytearray(video.read_bytes())
    table = next(b for b in mp4.descendants(mp4.walk(data)) if b.kind == "stco")
    struct.pack_into(">I", data, table.body + 8, len(data) + 1000)  # past the end
    video.write_bytes(bytes(data))
    return video


def _garbage(folder: Path) -> Path:
    video = folder / "notes.mp4"
    video.write_bytes(b"These are not the frames you are looking for.\n" * 40)
    return video


def _empty(folder: Path) -> Path:
    video = folder / "empty.mp4"
    video.write_bytes(b"")
    return video


def _bad_nal_lengths(folder: Path) -> Path:
    # The first video sample's first NAL unit length made one byte too long.
    video = joined(folder, faststart=True)
    data = bytearray(video.read_bytes())
    moov = next(b for b in mp4.walk(data) if b.kind == "moov")
    table = next(t for t in mp4.descendants([moov]) if t.kind == "stco")
    (first,) = struct.unpack_from(">I", data, table.body + 8)
    (length,) = struct.unpack_from(">I", data, first)
    struct.pack_into(">I", data, first, length + 1)
    video.write_bytes(bytes(data))
    return video


REFUSED = {
    "truncated": (_truncated, "truncated or damaged"),
    "fragmented": (_fragmented, "fragmented MP4"),
    "avc3": (_avc3, "expected one 'avc1' sample description, found avc3"),
    "not H.264": (_not_h264, "expected one H.264 track, found 0"),
    "parameter sets change": (_changing, "SPS id 1 comes with two different contents"),
    "offset outside": (_offset_outside, "points outside the media data"),
    "not an MP4": (_garbage, "not an MP4 file"),
    "empty": (_empty, "the file is empty"),
    "NAL lengths": (_bad_nal_lengths, "NAL unit lengths do not add up"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_an_unexpected_file_is_refused_clearly_and_left_untouched(
    case: str, tmp_path: Path
) -> None:
    make, reason = REFUSED[case]
    video = make(tmp_path)
    kept = video.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(mp4.Mp4Error) as raised:
        mp4.complete_parameter_sets(video)
    message = str(raised.value)
    assert message.startswith(f"{video.name}: ") and reason in message, message
    assert "\n" not in message
    assert video.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no temporary file left


# ----------------------------------------------------------------------------- the record


# x264 writes the lowest profile its tools need: ultrafast's would be Constrained Baseline.
HIGH = ("-preset", "veryfast", "-profile:v", "high")


def record(folder: Path, name: str, *options: str) -> mp4.AvcConfig:
    """Return the record x264 writes with *options* (a profile, a level, an id)."""
    return mp4.read_config(recording(folder / f"{name}.mp4", *options))


def test_the_record_round_trips(tmp_path: Path) -> None:
    config = record(tmp_path, "high", *HIGH)
    assert mp4.AvcConfig.parse(config.to_bytes()) == config
    sps = mp4.parse_sps(config.sps[0])
    assert (sps.profile, sps.id, sps.chroma_format, sps.bit_depth_luma) == (100, 0, 1, 8)
    assert config.to_bytes()[-4:] == bytes([0xFD, 0xF8, 0xF8, 0])  # High's extra fields


def test_profiles_levels_and_flags_combine_by_the_rules(tmp_path: Path) -> None:
    """ISO/IEC 14496-15: a profile every SPS conforms to, only the constraint flags all of
    them set, the highest level; where no profile covers them all, a clear refusal."""
    ours = record(tmp_path, "ours", *HIGH, "-level", "3.1",
                  "-x264-params", "sps-id=1")  # fmt: skip
    main = record(tmp_path, "main", "-preset", "veryfast", "-profile:v", "main", "-level", "3.0",
                  "-x264-params", "sps-id=2")  # fmt: skip
    baseline = record(tmp_path, "baseline", "-profile:v", "baseline", "-level", "4.0")
    assert [mp4.parse_sps(c.sps[0]).profile for c in (ours, main, baseline)] == [100, 77, 66]
    assert baseline.compatibility & 0x40  # x264's Baseline is Constrained Baseline

    with_main = mp4.merged(ours, [*main.sps, *main.pps])
    assert (with_main.profile, with_main.level) == (100, 31)
    assert with_main.compatibility == ours.compatibility & main.compatibility
    assert ids(with_main.sps) == [1, 2] and ids(with_main.pps) == [1, 2]
    with_baseline = mp4.merged(ours, [*baseline.sps, *baseline.pps])
    assert (with_baseline.profile, with_baseline.level) == (100, 40)
    assert with_baseline.to_bytes()[-4:] == bytes([0xFD, 0xF8, 0xF8, 0])
    # Main covers a Constrained Baseline too; Main's record has no High fields.
    main_and_baseline = mp4.merged(main, [*baseline.sps, *baseline.pps])
    assert (main_and_baseline.profile, main_and_baseline.level) == (77, 40)
    assert mp4.AvcConfig.parse(main_and_baseline.to_bytes()) == main_and_baseline

    # A Baseline SPS without constraint_set1 may use tools High lacks: refused.
    sps = baseline.sps[0]
    unconstrained = sps[:2] + bytes([sps[2] & ~0x40]) + sps[3:]
    with pytest.raises(mp4.Mp4Error, match=r"no H\.264 profile covers all its SPS"):
        mp4.merged(ours, [unconstrained, *baseline.pps])
    # One id with two contents cannot be described by one sample entry.
    other = record(tmp_path, "other", *HIGH)
    with pytest.raises(mp4.Mp4Error, match="SPS id 0 comes with two different contents"):
        mp4.merged(baseline, [*other.sps])
    # A PPS needs its SPS.
    with pytest.raises(mp4.Mp4Error, match="refers to an SPS the stream lacks"):
        mp4.merged(ours, [*baseline.pps])
