"""Copying the candidate's recording into the video untouched, where that joins cleanly.

Encoding a 60 s camera clip again costs far more than everything else in the video, and
loses a generation of quality. When the probe shows the recording's H.264 stream can sit in
the video's one track as it is, the video is made in parts and joined without re-encoding:

1. **lead** (encoded): the title card, held (variable frame rate);
2. **fade** (encoded): the cross-fade from the title card into the recording, up to the
   recording's first keyframe after the fade (its first group of pictures is decoded and
   re-encoded: a cut is only clean at a keyframe, the "smart render" of video editors);
3. **copy**: the recording's own packets from that keyframe to its end, bit for bit;
4. **tail** (encoded): the fade from the recording's last frame into the next scene and
   every slide after it (the usual variable-rate slides with their cross-fades).

Our parts are encoded with their parameter sets under id 1 (x264's ``sps-id``), so they
never clash with the recording's (id 0, which the copy carries in-band before its
keyframes). ffmpeg's MP4 muxer puts only the first part's in the ``avc1`` sample entry;
once it has written the file, :func:`finish` lists the recording's there too
(:mod:`.mp4`), as ISO/IEC 14496-15 wants of an ``avc1`` track: the in-band copies are then
repeats. All our parts must therefore send the very same parameter sets (one SAR for all
of them: x264 writes it into the SPS). Where the recording reorders frames
(B-frames), our parts' decode times are moved back by the same delay so decode order stays
monotonic across the joins: a constant offset, one ordinary edit list at the start.
Anything the probe cannot vouch for takes the encode path (:mod:`.encode`), where the
recording is decoded and encoded once, in one ffmpeg command.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from builder.errors import OutputError
from builder.video import encode, mp4, timeline
from builder.video.ffmpeg import RECORDING_FORMATS
from builder.video.recording import Packet, Recording, Stream
from builder.video.timeline import FADE, FADE_FRAMES, FPS, FRAME, TICKS

PROFILES = {66, 77, 100}  # Baseline, Main, High: all within what a High decoder plays
BASELINE = 66  # only as Constrained Baseline (constraint_set1: it obeys Main's limits)
LEVELS = {720: 31, 1080: 40}  # the output's level (encode.LEVELS), as level_idc
OUR_SPS_ID = 1
# The parts are MPEG-TS: it stores decode and display times of every packet (NUT and
# Matroska store only display times and guess the rest, wrongly for a copy with
# B-frames), H.264 inside is Annex B as the join needs, and its 90 kHz clock holds the
# 1/30 s grid exactly. No mux delay: each part starts at its first frame.
TS = ("-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", "-y")
MAX_REORDER = 16  # frames a packet may decode ahead of its display (B-frames)
# Every part says its pixels are square: x264 writes the SAR into the SPS, and the parts'
# SPS (all id 1) must be identical for the sample entry to describe them (see finish).
SQUARE = "setsar=1"
# Copying a recording with B-frames works in ffmpeg 7+ and Chromium, but the MP4 then needs
# composition offsets and a start edit list: Debian's ffprobe 5.1 misreads the held
# frames' durations there and GStreamer's last frame ends two frames early. Until that is
# solved, such recordings are encoded (once).
REORDERED = False


@dataclass(frozen=True)
class Splice:
    """Where the copy starts and ends in the recording's frames, and its decode delay."""

    first: int  # the frame (keyframe) the copy starts at; earlier frames are re-encoded
    frames: int  # the recording's frames used (the clip's slot)
    delay: int  # frames the recording's decode times run ahead of its presentation
    time_base: Fraction


def decide(recording: Recording | None, size: tuple[int, int], clip_frames: int,
           burned: bool) -> Splice | str:  # fmt: skip
    """Return how to copy *recording* into a video of *size*, or the reason it must be
    encoded (a short phrase, for the log and the tests).

    *clip_frames* is the recording's slot in frames; *burned* says captions are drawn
    into the frames (over the recording too, so its pictures must be encoded).
    """
    if recording is None or recording.kind != "clip":
        return "no video recording"
    stream = recording.stream
    if stream is None:
        return "not H.264"
    problem = _parameters(recording, stream, size) or ("captions burned in" if burned else "")
    if problem:
        return problem
    return _timing(stream, clip_frames)


def _parameters(recording: Recording, stream: Stream, size: tuple[int, int]) -> str:
    """Return why the stream's parameters do not match the video's ("" when they do)."""
    line = stream.line
    if (recording.width, recording.height) != size:
        return f"size {recording.width}x{recording.height}, not {size[0]}x{size[1]}"
    if "yuv420p(" not in line and "yuv420p," not in line:
        return "not 8-bit 4:2:0 (yuv420p)"
    if "progressive" not in line:
        return "interlaced or field order unknown"
    if "[SAR" in line and "[SAR 1:1" not in line:
        return "pixels not square"
    # Our parts are tagged BT.709 limited range; untagged HD footage is BT.709 by
    # convention (the encode path assumes the same), anything else would shift colours.
    tags = line[line.index("yuv420p") :].split(")")[0]
    if recording.hdr or any(word in tags for word in ("bt601", "bt470", "smpte170", "bt2020")):
        return "colours not BT.709"
    if "pc" in tags.replace("(", " ").replace(",", " ").split():
        return "full-range colour"
    if stream.profile not in PROFILES:
        return f"H.264 profile_idc {stream.profile} (not Baseline/Main/High 8-bit)"
    if stream.profile == BASELINE and "Constrained Baseline" not in line:
        # Without constraint_set1 a Baseline stream may use tools (FMO, ASO, redundant
        # slices) a High decoder lacks, and no profile covers both in the sample entry.
        return "H.264 Baseline, not Constrained Baseline"
    if stream.level > LEVELS[1080 if size[1] > 720 else 720]:
        return f"H.264 level {stream.level / 10:g} above the video's"
    if stream.sps_id != 0:
        return "parameter sets not numbered 0"
    return ""


def _timing(stream: Stream, clip_frames: int) -> Splice | str:
    """Return the splice when every frame sits on the 30 fps grid, one after the other,
    and a keyframe after the fade closes a group of pictures; else the reason not."""
    packets = stream.packets
    per_frame = 1 / (stream.time_base * FPS)
    if per_frame.denominator != 1 or not packets:
        return "time base not a whole divisor of 1/30 s"
    step = per_frame.numerator
    origin = min(p.pts for p in packets)
    if origin != 0 or not packets[0].key:
        return "does not start at 0 with a keyframe"
    if any(p.duration != step or (p.pts - origin) % step for p in packets):
        return "not constant 30 fps"
    frames = sorted((p.pts - origin) // step for p in packets)
    if frames != list(range(len(packets))) or len(packets) != clip_frames:
        return "frames missing, repeated or past the clip's end"
    dts = [p.dts for p in packets]
    if any(b <= a for a, b in itertools.pairwise(dts)):
        return "decode times not increasing"
    # Our parts' decode times move back by the recording's initial delay (what B-frames
    # need); then decode times rise across both joins if the cut keyframe is no later in
    # decode order than that delay, and the last packet decodes before the tail begins.
    delay = packets[0].pts - packets[0].dts
    offsets = [p.pts - p.dts for p in packets]
    if delay % step or min(offsets) < 0 or max(offsets) > MAX_REORDER * step:
        return "unusual frame reordering"
    if len(packets) * step - (packets[-1].dts - origin) <= delay:
        return "unusual frame reordering at the end"
    if delay and not REORDERED:
        return "B-frames (frame reordering)"
    first = _cut(packets, step, origin, delay)
    if first is None:
        return "no keyframe after the fade to cut at"
    return Splice(first, clip_frames, delay // step, stream.time_base)


def _cut(found: tuple[Packet, ...], step: int, origin: int, delay: int) -> int | None:
    """Return the first keyframe (as a frame number) at or after the fade's end where no
    packet before it in decode order shows later, none after it earlier (a closed group of
    pictures), leaving something to copy; None when there is none."""
    limit = len(found) - FADE_FRAMES  # at least half a second copied, else not worth it
    for index, packet in enumerate(found):
        frame = (packet.pts - origin) // step
        late = packet.pts - packet.dts > delay  # would decode before our part ends
        if not packet.key or late or frame < FADE_FRAMES or frame > limit:
            continue
        before, after = found[:index], found[index:]
        if all(p.pts < packet.pts for p in before) and all(p.pts >= packet.pts for p in after):
            return frame
    return None


def commands(job: encode.Job, splice: Splice, work: Path) -> tuple[list[str], list[str], list[str]]:
    """Return the three ffmpeg runs (arguments without the binary) that make
    ``job.output`` from the recording's own packets: the encoded parts and the copy; the
    sound; then the join of both. The first two may run at once (the sound's AAC encode
    is one thread, and as long as the parts' encode); :func:`finish` must follow."""
    recording, plan = job.recording, job.timeline
    clip = plan.clip
    assert recording is not None and clip is not None
    following = plan.slots[plan.slots.index(clip) + 1].scene
    assert following is not None
    inputs = encode.Inputs()
    lead = inputs.add(_lead_list(job, clip.start, work), "-f", "concat", "-safe", "0")
    title, after = inputs.add(job.pictures[0]), inputs.add(job.pictures[following])
    # The recording three times: its first frames (decoded for the fade in), its last
    # frame (sought, for the fade out) and its packets (copied, never decoded).
    head = inputs.add(recording.video_path, *RECORDING_FORMATS, "-an",
                      "-t", f"{(splice.first + 1) / FPS:.6f}")  # fmt: skip
    last = (splice.frames - 1) / FPS - 0.5 / FPS
    tail = inputs.add(recording.video_path, *RECORDING_FORMATS, "-an", "-ss", f"{last:.6f}")
    # Sought a quarter frame after the cut: the demuxer starts at the last keyframe at or
    # before that time (from the MP4's index), which is the cut keyframe whatever the
    # rounding; a stream copy keeps every packet from there on.
    cut = f"{(splice.first + 0.25) / FPS:.6f}"
    packets = inputs.add(recording.video_path, *RECORDING_FORMATS, "-an", "-ss", cut)
    slides = inputs.add(job.slides, "-f", "concat", "-safe", "0")
    camera = encode.fit_camera(job, recording)
    fade = f"{FADE / TICKS:.6f}"
    graph = [
        f"[{lead}:v]{encode.rgb_to_709()},settb=1/{TICKS},{encode.TAGS},{SQUARE}[lead]",
        f"[{title}:v]{encode.rgb_to_709()},{encode.still_loop(FADE // FRAME)}[title]",
        f"[{head}:v]setpts=PTS-STARTPTS,fps={FPS},trim=end_frame={splice.first},{camera}[opening]",
        f"[title][opening]xfade=transition=fade:duration={fade}:offset=0,settb=1/{TICKS},{encode.TAGS},{SQUARE}[fade]",
        f"[{after}:v]{encode.rgb_to_709()},{encode.still_loop(FADE // FRAME)}[after]",
        f"[{tail}:v]trim=end_frame=1,{camera},{encode.still_loop(FADE // FRAME)}[closing]",
        f"[closing][after]xfade=transition=fade:duration={fade}:offset=0,settb=1/{TICKS}[out]",
        f"[{slides}:v]{encode.rgb_to_709()},settb=1/{TICKS}[v0]",
        # The concat filter starts the slides where the fade out ends; the whole is then put
        # on the video's clock for the slide fades (timed there), and moved back to 0.
        f"[out][v0]concat=n=2:v=1:a=0,settb=1/{TICKS},setpts=PTS+{seconds(clip.end)}/TB[v1]",
    ]
    layers, top = encode.fades(job, inputs, "v1")
    graph += [*layers, f"[{top}]setpts=PTS-{seconds(clip.end)}/TB,{encode.TAGS},{SQUARE}[tail]"]
    names = ("lead.ts", "fade.ts", "copy.ts", "tail.ts")
    parts = [work / name for name in names]
    starts = [0, clip.start, clip.end]
    encoded = [
        _part(job, "[lead]", parts[0], starts[0], clip.start, splice),
        _part(job, "[fade]", parts[1], starts[1], clip.start + splice.first * FRAME, splice),
        _part(job, "[tail]", parts[3], starts[2], plan.total, splice),
    ]
    # The copy: Annex B with the parameter sets repeated before every keyframe (the copy
    # starts at a later one, which the file itself sends without them), so the join
    # needs no parameter sets of the recording in the MP4's sample entry.
    copy = ["-map", f"{packets}:v:0", "-c:v", "copy",
            "-bsf:v", "h264_mp4toannexb,dump_extra=freq=keyframe", *TS, str(parts[2])]  # fmt: skip
    first = [*inputs.args, "-filter_complex", ";".join(graph), *encoded[0], *encoded[1],
             *copy, *encoded[2]]  # fmt: skip
    joined = work / "join.ffconcat"
    copied = (splice.frames - splice.first) * FRAME
    joined.write_text(join_list([
        (parts[0], 0, -1, clip.start),
        (parts[1], 0, -1, splice.first * FRAME),
        (parts[2], 0, -1, copied),
        (parts[3], 0, -1, plan.total - clip.end),
    ]), encoding="utf-8")  # fmt: skip
    sound = work / "sound.m4a"
    return first, encode.sound_command(job, sound), encode.join_command(job, joined, sound)


def finish(video: Path) -> None:
    """List every parameter set the copied video uses in its MP4 sample entry: ffmpeg
    wrote only our parts' (id 1); the recording's (id 0) are in its samples (before each
    keyframe) and join them there. Raises :class:`OutputError` when the file is not as
    expected (it is then left as ffmpeg wrote it, and the build fails)."""
    try:
        mp4.complete_parameter_sets(video)
    except (mp4.Mp4Error, OSError) as e:
        raise OutputError(f"cannot list the recording's H.264 parameter sets in the MP4 "
                          f"sample entry: {e}") from None  # fmt: skip


def _lead_list(job: encode.Job, end: int, work: Path) -> Path:
    """Write the title card's held frames up to tick *end* as a concat list; return it."""
    from builder.video.stills import concat_list

    held = [f for f in timeline.frames(job.timeline, [], since=0) if f.scene == 0]
    entries = [(job.pictures[0].name, f.start, f.length) for f in held if f.start < end]
    listing = work / "lead.ffconcat"
    listing.write_text(concat_list(entries), encoding="utf-8")
    return listing


def _part(job: encode.Job, label: str, path: Path, start: int, end: int,
          splice: Splice) -> list[str]:  # fmt: skip
    """Return the output options encoding the ticks *start* to *end* of the video, from
    filter output *label*, into *path* (MPEG-TS: see :data:`TS`)."""
    keys = [t - start for t in job.timeline.starts() if start <= t < end]
    codec = encode.video_codec(job, keys or [0])
    # Our parameter sets under id 1: the recording's (id 0) stay valid beside them.
    codec += ["-x264-params", f"sps-id={OUR_SPS_ID}"]
    if splice.delay:
        # The recording's B-frames decode ahead of display; ours move back by as much,
        # so decode times rise across every join.
        codec += ["-bsf:v", f"setts=dts=DTS-{splice.delay}/({FPS}*TB)"]
    return ["-map", label, *codec, *TS, str(path)]


def bounds(plan: timeline.Timeline, splice: Splice) -> tuple[int, int, int]:
    """Return the ticks where the fade part starts, the copy starts and the tail starts."""
    clip = plan.clip
    assert clip is not None
    return clip.start, clip.start + splice.first * FRAME, clip.end


def seconds(ticks: int) -> str:
    """Return *ticks* as exact-enough seconds for an ffconcat list."""
    return f"{ticks / TICKS:.6f}"


def join_list(parts: list[tuple[Path, int, int, int]]) -> str:
    """Return an ffconcat script joining (file, inpoint ticks, outpoint ticks or -1,
    length ticks) in turn: each part's length is given, so every part starts exactly where
    the plan says (the demuxer would otherwise guess from the last packet)."""
    lines = ["ffconcat version 1.0"]
    for path, inpoint, outpoint, length in parts:
        lines.append(f"file '{path.name}'")
        if inpoint:
            lines.append(f"inpoint {seconds(inpoint)}")
        if outpoint >= 0:
            lines.append(f"outpoint {seconds(outpoint)}")
        lines.append(f"duration {seconds(length)}")
    return "\n".join(lines) + "\n"
