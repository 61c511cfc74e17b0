"""The one ffmpeg command that makes video.mp4 from slides, a recording and captions.

Slides come through the concat demuxer at variable frame rate: each is decoded and encoded
once per second it shows (the longest a frame may last), not 30 times. A cross-fade is the
outgoing slide laid over the incoming one with its opacity falling in 15 steps; a video
recording and the fades into and out of it are composed at 30 fps (the "head") and joined
before the slides: only the fades' frames are blended, the recording's other frames reach
the encoder as decoded. Burned-in captions are a last layer of transparent frames on top.
Every frame lies on the 1/30 s grid of :mod:`.timeline`, and the encoder's time base is
that grid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from builder.video import timeline
from builder.video.ffmpeg import INPUT_GUARD, RECORDING_FORMATS
from builder.video.recording import AUDIO_RATE, Recording, output_audio
from builder.video.timeline import (
    FADE,
    FADE_FRAMES,
    FADE_STEP,
    FPS,
    FRAME,
    TICKS,
    Frame,
    Timeline,
    seconds,
)

# H.264 High profile at the level that covers the frame size at 30 fps, with the matching
# VBV limits so hardware decoders (phones, TVs) accept every frame.
LEVELS = {1080: ("4.0", "20M", "25M"), 720: ("3.1", "14M", "17M")}
# Newer ffmpeg takes the colour tags from the frames, not only from -color_* options.
TAGS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"
CRF = "19"  # slides are text: better than x264's default 23 (see video_codec)


@dataclass(frozen=True)
class Job:
    """Everything the encode needs; paths are absolute."""

    output: Path
    size: tuple[int, int]
    background: str  # "#RRGGBB": fills the frame around a recording of another shape
    timeline: Timeline
    slides: Path  # concat list of the slide frames from timeline.head on (splice.py reads it)
    pictures: dict[int, Path]  # each scene's picture, by scene index
    recording: Recording | None = None
    captions: Path | None = None  # concat list of the caption layer (to burn in)
    # The same slide frames as *slides* (timeline.frames from timeline.head on): the one
    # command repeats each decoded picture for them instead of reading the list.
    frames: tuple[Frame, ...] = ()


class Inputs:
    """ffmpeg's input list; :meth:`add` returns the index a filter graph refers to."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.count = 0

    def add(self, path: Path, *options: str) -> int:
        self.args += [*INPUT_GUARD, *options, "-i", str(path)]
        self.count += 1
        return self.count - 1


def command(job: Job) -> list[str]:
    """Return ffmpeg's arguments (without the binary) for *job*."""
    inputs = Inputs()
    # The video's last frame lasts one frame of the grid, as a stream's last frame does.
    graph, sources = held(replace(job, frames=last_frame_alone(list(job.frames))), inputs, "v0")
    if job.recording is not None and job.recording.kind == "clip":
        # The slides' cross-fades are laid over the slides alone (on the video's clock,
        # where the fades are timed), before the head is joined in front: laid over the
        # joined video, every frame of the recording went through each fade's overlay.
        head = job.timeline.head
        graph.append(f"[v0]setpts=PTS+{head}[late]")
        layers, top = fades(job, inputs, "late", sources)
        graph += [*layers, f"[{top}]setpts=PTS-{head}[slides]"]
        parts = [*_head(job, inputs, graph), "slides"]
        joined = "".join(f"[{part}]" for part in parts)
        graph.append(f"{joined}concat=n={len(parts)}:v=1:a=0,settb=1/{TICKS}[v1]")
        top = "v1"
    else:
        layers, top = fades(job, inputs, "v0", sources)
        graph += layers
    if job.captions is not None:
        words = inputs.add(job.captions, "-f", "concat", "-safe", "0")
        graph.append(
            f"[{words}:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,"
            f"settb=1/{TICKS}[words]"
        )
        graph.append(f"[{top}][words]overlay=eof_action=pass:format=yuv420[worded]")
        top = "worded"
    graph.append(f"[{top}]{TAGS}[v]")
    graph.append(audio(job, inputs))
    return [
        *inputs.args,
        "-filter_complex", ";".join(graph),
        "-map", "[v]", "-map", "[a]",
        *video_codec(job, job.timeline.starts()),
        *audio_codec(job),
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-movflags", "+faststart",
        "-f", "mp4", "-y", str(job.output),
    ]  # fmt: skip


def held(
    job: Job,
    inputs: Inputs,
    out: str,
    *,
    origin: int | None = None,
    fading: set[int] | None = None,
) -> tuple[list[str], dict[int, str]]:
    """Return the filter chains making the slide stream ``[out]`` (the frames of
    ``job.frames``, on the 1/600 s time base, tick *origin* at 0; by default the first
    frame's), and the labels of the converted pictures the cross-fades take as their
    outgoing slide (of the scenes in *fading*; by default every fade's source).

    Each picture is read, decoded and converted to BT.709 once, then repeated in memory
    (the loop filter passes references, not copies) and given each frame's time by
    :func:`pts`; the scenes' streams are merged in time order. (Reading the concat list
    instead decoded and converted the picture again for every held frame: about half of
    the filtering time of a slides-only video.)
    """
    frames = job.frames
    origin = frames[0].start if origin is None else origin
    chains, streams, sources = [], [], {}
    if fading is None:
        fading = {fade.source for fade in timeline.fades(job.timeline, since=job.timeline.head)}
    for scene in sorted({f.scene for f in frames}):
        mine = [f.start - origin for f in frames if f.scene == scene]
        # The image demuxer's frame lasts 1/30 s: the last frame of the video keeps that.
        picture = inputs.add(job.pictures[scene], "-framerate", str(FPS))
        source = f"[{picture}:v]{rgb_to_709()},"
        if scene in fading:
            # The fade out of this slide uses the same converted picture (a reference).
            chains.append(f"{source}split=2[pic{scene}][fadepic{scene}]")
            source, sources[scene] = f"[pic{scene}]", f"fadepic{scene}"
        chains.append(
            f"{source}loop=loop={len(mine) - 1}:size=1:start=0,settb=1/{TICKS},"
            # interleave's output is on the microsecond time base, and it moves each frame's
            # time there but not its duration: on that base already, every frame keeps
            # its 1/30 s (the video's last frame lasts that long, ending the edit list).
            f"setpts='{pts(mine)}',settb=AVTB[held{scene}]"
        )
        streams.append(f"[held{scene}]")
    merge = f"interleave=nb_inputs={len(streams)}" if len(streams) > 1 else "null"
    chains.append(f"{''.join(streams)}{merge},settb=1/{TICKS}[{out}]")
    return chains, sources


def last_frame_alone(frames: list[Frame]) -> tuple[Frame, ...]:
    """Return *frames* with the last one cut to one frame of the grid (and the rest of it
    as the frame before): a stream's last frame lasts one frame of its rate, as in
    :func:`builder.video.stills.concat_list`."""
    last = frames[-1]
    if last.length <= FRAME:
        return tuple(frames)
    return (*frames[:-1], Frame(last.scene, last.start, last.length - FRAME),
            Frame(last.scene, last.start + last.length - FRAME, FRAME))  # fmt: skip


def pts(starts: list[int]) -> str:
    """Return an ffmpeg expression giving frame N (0, 1, ...) the tick ``starts[N]``.

    Runs of evenly spaced frames (a fade's steps, a hold's pieces) become one linear
    piece each, so the expression stays short: ``if(lt(N,15),N*20,if(...))``.
    """
    runs: list[tuple[int, int, int]] = []  # (first N, its tick, step)
    for n, tick in enumerate(starts):
        if runs:
            first, at, step = runs[-1]
            if n - first == 1 and tick > at:
                runs[-1] = (first, at, tick - at)
                continue
            if tick == at + (n - first) * step:
                continue
        runs.append((n, tick, 0))
    expression = ""
    for index, (first, at, step) in reversed(list(enumerate(runs))):
        piece = f"{at}+(N-{first})*{step}"
        following = runs[index + 1][0] if index + 1 < len(runs) else None
        expression = piece if following is None else f"if(lt(N,{following}),{piece},{expression})"
    return expression


def fades(
    job: Job, inputs: Inputs, base: str, sources: dict[int, str] | None = None
) -> tuple[list[str], str]:
    """Return one overlay per cross-fade between slides, chained from ``[base]``, and the
    label of the last one's output.

    The outgoing slide, converted once (from *sources*, labels of converted pictures by
    scene, or read again), is repeated for the fade's 15 steps and laid over the incoming
    one with falling opacity. Blending YUV is blending RGB (the conversion is linear), so
    this matches a blend of the two pictures.
    """
    chains, current = [], base
    step = FADE_STEP / TICKS
    for number, fade in enumerate(timeline.fades(job.timeline, since=job.timeline.head), 1):
        if sources and fade.source in sources:
            source = f"[{sources[fade.source]}]"
        else:
            source = f"[{inputs.add(job.pictures[fade.source])}:v]{rgb_to_709()},"
        # Half a step early: the steps show 1/30, 3/30 ... 29/30 of the new slide, like a
        # blend taken at the middle of each step, never a repeat of either slide.
        start = fade.start / TICKS - step / 2
        chains.append(
            f"{source}format=yuva420p,"
            f"loop=loop={FADE_FRAMES - 1}:size=1:start=0,settb=1/{TICKS},"
            f"setpts=N*{FADE_STEP}+{fade.start},"
            f"fade=t=out:st={start:.6f}:d={FADE / TICKS:.6f}:alpha=1[out{number}]"
        )
        chains.append(f"[{current}][out{number}]overlay=eof_action=pass:format=yuv420[in{number}]")
        current = f"in{number}"
    return chains, current


def join_command(job: Job, listing: Path, sound: Path | None = None) -> list[str]:
    """Return the run joining the parts an ffconcat *listing* names (copied, as ``avc1``)
    and adding the job's sound into ``job.output``: encoded here, or copied from *sound*
    (made by :func:`sound_command` for the same job)."""
    inputs = Inputs()
    # -safe 0: the list is ours and names our own parts (by absolute path, or beside it).
    inputs.add(listing, "-f", "concat", "-safe", "0")
    if sound is not None:
        track = ["-map", f"{inputs.add(sound)}:a", "-c:a", "copy"]
    else:  # the graph first: it may add the recording to the inputs
        track = ["-filter_complex", audio(job, inputs), "-map", "[a]", *audio_codec(job)]
    return [
        *inputs.args, "-map", "0:v", "-c:v", "copy", "-tag:v", "avc1", *track,
        "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart",
        "-f", "mp4", "-y", str(job.output),
    ]  # fmt: skip


def sound_command(job: Job, output: Path) -> list[str]:
    """Return the run encoding *job*'s sound alone into *output* (an MP4 with one AAC
    track), for :func:`join_command` to copy: videos of the same length and sound share
    one encode."""
    inputs = Inputs()
    graph = audio(job, inputs)
    return [
        *inputs.args, "-filter_complex", graph, "-map", "[a]", *audio_codec(job),
        "-map_metadata", "-1", "-f", "mp4", "-y", str(output),
    ]  # fmt: skip


def audio_codec(job: Job) -> list[str]:
    channels = channels_of(job)
    # A voice: 128 kb/s in stereo, 96 kb/s in mono (as many bits per channel, and more);
    # silence: the least AAC does well.
    rate = ("128k" if channels == 2 else "96k") if job.recording else "32k"
    return ["-c:a", "aac", "-b:a", rate, "-ar", AUDIO_RATE, "-ac", str(channels)]


def channels_of(job: Job) -> int:
    """Return the number of channels of *job*'s sound: the recording's (1 or 2), else 2."""
    recording = job.recording
    return recording.channels if recording is not None and recording.has_audio else 2


def video_codec(job: Job, starts: list[int]) -> list[str]:
    """Return the H.264 encoder's options, with a keyframe at each tick of *starts*."""
    return codec_for(job.size, starts)


def codec_for(size: tuple[int, int], starts: list[int]) -> list[str]:
    """Return the H.264 encoder's options for a video of *size* (see :func:`video_codec`)."""
    level, maxrate, bufsize = LEVELS[1080 if size[1] > 720 else 720]
    keyframes = ",".join(seconds(t) for t in starts)
    return [
        # superfast plus x264's macroblock tree (veryfast has it, superfast leaves it out)
        # and full-pixel motion search (own options: the copy path sets -x264-params).
        # Slides do not move, and a cross-fade changes brightness in place, so sub-pixel
        # search finds nothing. Measured on the example (75 s, 1080p): x264's CPU a third
        # lower than veryfast's; at CRF 19 SSIM and PSNR against a lossless encode match
        # veryfast at CRF 20, and the file is 19% larger (2.4 MB for 75 s).
        "-c:v", "libx264", "-preset", "superfast", "-mbtree", "1", "-subq", "0",
        "-crf", CRF,
        "-profile:v", "high", "-level:v", level, "-maxrate", maxrate, "-bufsize", bufsize,
        # No B-frames: with frames up to 1 s long, reordering would shift decode times by
        # seconds and give the MP4 a long edit list; plain P-frames keep dts == pts.
        "-bf", "0", "-g", str(5 * FPS),
        # Memory: x264's frame threads and look-ahead hold whole frames. Two threads and a
        # 5-frame look-ahead keep a 1080p build well under 600 MB at the same speed on two
        # cores (measured: -70 MB).
        "-threads", "2", "-rc-lookahead", "5",
        "-force_key_frames", keyframes,
        # Held frames at variable rate, timed in whole frames of the 30 fps grid. The time
        # base is what the H.264 stream declares as its frame rate: a finer one (it was
        # 1/600 s) declares 600 fps, over the level's limit; ffmpeg distrusts a rate that
        # high and guessed 1 fps from the held title card, so decoding or re-encoding the
        # video squeezed its frames onto whole seconds.
        "-fps_mode", "vfr", "-enc_time_base:v", f"1/{FPS}",
        "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv",
    ]  # fmt: skip


def rgb_to_709() -> str:
    # swscale converts RGB with the BT.601 matrix unless told otherwise; tagging the result
    # BT.709 without converting with BT.709 would shift every brand colour.
    return "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd,format=yuv420p"


def _head(job: Job, inputs: Inputs, graph: list[str]) -> list[str]:
    """Add to *graph* the chains composing title card -> recording -> next scene at 30 fps;
    return the labels of its pieces, in order, for the concat filter.

    Only the 15 frames of each fade go through xfade: it works in 4:4:4, so every frame
    passing through it was converted there and back (the recording's chroma resampled
    twice, and most of the filtering time). The title card's hold is its converted picture
    repeated; the recording's frames between the fades are passed on as decoded.
    """
    recording, clip = job.recording, job.timeline.clip
    assert recording is not None and clip is not None
    following = job.timeline.slots[job.timeline.slots.index(clip) + 1].scene
    assert following is not None  # the closing scene always follows the recording
    # Video and sound of the recording are read as two inputs: through one input, reading
    # the sound ahead would also decode (and hold in memory) every picture read past.
    camera = inputs.add(recording.video_path, *RECORDING_FORMATS, "-an")
    first, after = inputs.add(job.pictures[0]), inputs.add(job.pictures[following])
    frames = clip.length // FRAME  # at least 30: shorter recordings are refused (MIN_SECONDS)
    fade = f"{FADE / TICKS:.6f}"
    graph += [
        f"[{first}:v]{rgb_to_709()},split=2[title][titlefade]",
        f"[title]{still_loop(clip.start // FRAME)}[lead]",
        f"[titlefade]{still_loop(FADE_FRAMES)}[titleout]",
        f"[{after}:v]{rgb_to_709()},{still_loop(FADE_FRAMES)}[after]",
        # Exactly the slot's frames (the last one repeated if the picture ends early), then
        # three views of them: the fade in, the frames between the fades, the last frame.
        f"[{camera}:v]{camera_frames(job.size, job.background, recording, frames)},"
        f"split=3[cam0][cam1][cam2]",
        f"[cam0]trim=end_frame={FADE_FRAMES}[camin]",
        f"[cam1]trim=start_frame={FADE_FRAMES},setpts=PTS-STARTPTS[camera]",
        f"[cam2]trim=start_frame={frames - 1},setpts=PTS-STARTPTS,"
        f"{still_loop(FADE_FRAMES)}[camout]",
        f"[titleout][camin]{_xfade(fade, 0)}[opening]",
        f"[camout][after]{_xfade(fade, 0)}[closing]",
    ]
    return ["lead", "opening", "camera", "closing"]


def fit_camera(job: Job, recording: Recording) -> str:
    """Return the filters fitting camera pictures into the frame, in BT.709 4:2:0."""
    return fit_into(job.size, job.background, recording)


def camera_frames(size: tuple[int, int], background: str, recording: Recording, frames: int) -> str:
    """Return the filters giving exactly *frames* of the recording's pictures at 30 fps
    (the last one repeated if the picture ends early), fitted into *size*."""
    return (
        f"setpts=PTS-STARTPTS,fps={FPS},tpad=stop=-1:stop_mode=clone,trim=end_frame={frames},"
        f"{fit_into(size, background, recording)},setpts=PTS-STARTPTS"
    )


def fit_into(size: tuple[int, int], background: str, recording: Recording) -> str:
    """Return the filters fitting *recording*'s pictures into *size* on *background*."""
    width, height = size
    # Untagged camera footage: HD is BT.709 and SD is BT.601 by convention.
    matrix = (
        "auto" if recording.colour_tagged else ("bt709" if recording.height >= 720 else "bt601")
    )
    return (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease:in_color_matrix={matrix}:"
        f"out_color_matrix=bt709:out_range=tv,"
        f"pad={width}:{height}:-1:-1:color={background},setsar=1,format=yuv420p"
    )


def _xfade(duration: str, at: int) -> str:
    return f"xfade=transition=fade:duration={duration}:offset={at / TICKS:.6f}"


def still_loop(frames: int) -> str:
    # The loop filter repeats the decoded frame in memory; looping the input instead
    # would decode the PNG again for every frame.
    return f"loop=loop={frames - 1}:size=1:start=0,settb=1/{FPS},setpts=N,fps={FPS}"


def audio(job: Job, inputs: Inputs) -> str:
    """Return the audio chain ending in ``[a]``: the recording's voice at -16 LUFS, 48 kHz
    (mono for a mono recording, else stereo), placed on the timeline; silence before and
    after it."""
    total = f"{job.timeline.total / TICKS:.6f}"
    silence = f"anullsrc=r={AUDIO_RATE}:cl={'mono' if channels_of(job) == 1 else 'stereo'}"
    recording = job.recording
    if recording is None or not recording.has_audio:
        # A silent track rather than none: players show the same controls for every video,
        # and a later edit (adding narration, joining videos) keeps working.
        return f"{silence},atrim=end={total}[a]"
    voice = inputs.add(recording.path, *RECORDING_FORMATS, "-vn")
    # The recording was measured, and its leveling chosen, as output_audio makes it.
    steps = [f"[{voice}:a]asetpts=PTS-STARTPTS", output_audio(recording.channels)]
    if recording.leveling:
        steps.append(recording.leveling)
    clip = job.timeline.clip
    if clip is None:
        return ",".join(steps) + f",apad=whole_dur={total},atrim=end={total}[a]"
    # Silence, then the voice: a generated lead-in (unlike adelay) reads nothing ahead.
    steps.append(f"atrim=end={clip.length / TICKS:.6f}[voice]")
    lead = f"{silence},atrim=end={clip.start / TICKS:.6f}[lead]"
    joined = f"[lead][voice]concat=n=2:v=0:a=1,apad=whole_dur={total},atrim=end={total}[a]"
    return ";".join([",".join(steps), lead, joined])
