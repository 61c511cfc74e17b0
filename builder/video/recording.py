"""The candidate's own recording: probe it, refuse what we cannot use, measure its loudness."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal

from builder.errors import MediaError
from builder.video import ffmpeg

VIDEO_SUFFIXES = {".mp4": "mov,mp4", ".mov": "mov,mp4", ".webm": "matroska,webm"}
AUDIO_SUFFIXES = {".m4a": "mov,mp4", ".mp3": "mp3", ".wav": "wav", ".ogg": "ogg"}
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1"}
AUDIO_CODECS = {
    "aac", "mp3", "opus", "vorbis", "flac", "alac",
    "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8",
}  # fmt: skip
MAX_SECONDS = 180.0  # a thank-you recording, not a lecture
MIN_SECONDS = 1.0
MAX_BYTES = 2_000_000_000
TARGET_LUFS = -16.0  # the usual web/podcast loudness
TARGET_TP = -1.5  # dBTP; leaves room for AAC's overshoot under the -1 dBTP ceiling
TARGET_LRA = 11.0  # LU; loudnorm's limit for keeping a recording's dynamics as they are
# loudnorm's targets, for both its measuring pass and its second pass.
LOUDNORM = f"loudnorm=I={TARGET_LUFS}:TP={TARGET_TP}:LRA={TARGET_LRA}"
AUDIO_RATE = "48000"
# A mono recording keeps one channel (every player sends it to both speakers): two equal
# ones would cost twice the AAC encode, a twentieth of a second per second of sound.
MONO = re.compile(r"\b(mono|1 channels)\b")
# The limiter's ceiling, on samples: the true peak between them and AAC's overshoot rise
# above it (measured on a minute of speech: -1.9 dBTP before AAC, -1.6 after).
LIMIT_DB = TARGET_TP - 0.5
LIMITED_CLOSE = 0.2  # LU: a limited recording this near the target needs no second try
SILENT_LUFS = -60.0  # quieter than this there is nothing to normalise: a muted microphone
# ffmpeg's own words for a file that ends before its header says it should.
DAMAGE = ("partial file", "ended prematurely", "packet corrupt", "invalid nal", "truncat")


@dataclass(frozen=True)
class Loudness:
    """The recording's measured loudness, as the video's sound (:func:`output_audio`):
    EBU R128's integrated loudness, true peak, loudness range and gate, and the offset
    loudnorm's second pass is to apply (0 unless loudnorm measured it)."""

    integrated: float
    true_peak: float
    lra: float
    threshold: float
    offset: float

    def gain(self) -> float | None:
        """Return the one gain in dB that brings the recording to the target loudness, or
        None when its peaks need a limiter (or its loudness range loudnorm) as well.

        The same rule as loudnorm's linear mode (which is then a plain gain, too), without
        its refusal of a range of exactly 0 LU (a steady tone, where one gain is right).
        """
        gain = TARGET_LUFS - self.integrated
        if self.true_peak + gain <= TARGET_TP and self.lra <= TARGET_LRA:
            return gain
        return None


@dataclass(frozen=True)
class Packet:
    """One packet of the recording's video stream, in decode order, in its time base."""

    dts: int
    pts: int
    duration: int
    key: bool


@dataclass(frozen=True)
class Stream:
    """What decides whether an H.264 stream can be copied into the video untouched: its
    parameters (from the stream line and its sequence parameter set) and every packet's
    timing. Filled in only for H.264 recordings."""

    line: str  # the stream line as ffmpeg prints it (pixel format, colour tags, SAR)
    time_base: Fraction
    packets: tuple[Packet, ...]
    profile: int = 0  # profile_idc: 66 Baseline, 77 Main, 100 High (0: not found)
    level: int = 0  # level_idc: 31 is 3.1
    sps_id: int = -1  # the id its slices refer to (-1: not found)


@dataclass(frozen=True)
class Recording:
    """A usable recording: what it is, how long it runs and how loud it is."""

    path: Path
    kind: Literal["clip", "audio"]
    duration: float
    has_audio: bool
    width: int = 0
    height: int = 0
    colour_tagged: bool = False  # the stream names its colour matrix
    hdr: bool = False  # PQ or HLG (a recent phone's default): converted without tone mapping
    loudness: Loudness | None = None
    # The filters that bring its sound, as output_audio makes it, to the target loudness
    # (see _leveling); "" for silence.
    leveling: str = ""
    channels: int = 2  # of the video's sound: 1 for a mono recording, else 2
    speech: tuple[float, float] = (0.0, 0.0)  # first and last moment that is not silence
    stream: Stream | None = None  # an H.264 clip's parameters and packets (see splice.py)
    # Where its picture is read from when that is not *path*: a panel's one encode of it
    # that every interviewer's video copies (see transcode.py).
    picture: Path | None = None

    @property
    def video_path(self) -> Path:
        """Return the file the recording's picture is read from."""
        return self.picture or self.path


@dataclass(frozen=True)
class _Probe:
    container: str
    duration: float | None
    video: str | None  # the first video stream's line, as ffmpeg prints it
    audio: str | None
    log: ffmpeg.Run


def inspect(path: Path, where: str, *, allow_long: bool) -> Recording:
    """Return the recording in *path* once probed, checked and measured.

    *where* names the pitch field (``pitch.yaml: video.recording``) in every error.
    Raises :class:`MediaError` (one line naming the file) for anything unusable.
    """
    stat = (path.resolve(), *_signature(path, where))
    return _inspect(*stat, where=where, allow_long=allow_long)


def _signature(path: Path, where: str) -> tuple[int, int]:
    try:
        info = path.stat()
        with path.open("rb") as handle:  # an unreadable file fails here, not inside ffmpeg
            handle.read(1)
    except OSError as e:
        raise MediaError(f"{where}: cannot read {path.name}: {e.strerror}") from None
    if info.st_size > MAX_BYTES:
        raise MediaError(
            f"{where}: {path.name} is larger than {MAX_BYTES // 10**9} GB "
            f"({info.st_size / 1e9:,.2f} GB)"
        )
    return info.st_size, info.st_mtime_ns


@lru_cache(maxsize=8)  # every interviewer's video uses the same recording: measure it once
def _inspect(path: Path, size: int, mtime: int, *, where: str, allow_long: bool) -> Recording:
    del size, mtime  # part of the cache key only: a changed file is measured again
    suffix = path.suffix.lower()
    kind: Literal["clip", "audio"]
    if suffix in VIDEO_SUFFIXES:
        kind = "clip"
    elif suffix in AUDIO_SUFFIXES:
        kind = "audio"
    else:
        raise MediaError(
            f"{where}: {path.name}: unsupported file type; use a video (.mp4, .mov, .webm) "
            "or an audio file (.m4a, .mp3, .wav, .ogg)"
        )
    probe = _probe(path, where)
    _check_container(probe, path, where, {**VIDEO_SUFFIXES, **AUDIO_SUFFIXES}[suffix])
    _check_streams(probe, path, where, kind)
    if probe.duration is not None:
        _check_length(probe.duration, path, where, allow_long)
    return _measure(path, where, kind, probe, allow_long)


def _probe(path: Path, where: str) -> _Probe:
    # `ffmpeg -i` without an output describes the input and exits 1: that is expected.
    result = ffmpeg.run(
        [*ffmpeg.INPUT_GUARD, *ffmpeg.RECORDING_FORMATS, "-i", str(path)], what=where, check=False
    )
    text = result.text
    header = re.search(r"Input #0, (.+?), from ", text)
    if header is None:
        reason = ffmpeg.last_problem(result) or "not a media file"
        if "moov atom not found" in reason:
            reason = "it is truncated or not really an MP4/MOV (moov atom not found)"
        raise MediaError(f"{where}: {path.name} cannot be read: {reason}")
    duration = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    seconds = None
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    streams = re.findall(r"Stream #0:\d+\S*: (Video|Audio): (.+)", text)
    video = next(
        (rest for kind, rest in streams if kind == "Video" and "attached pic" not in rest), None
    )
    audio = next((rest for kind, rest in streams if kind == "Audio"), None)
    return _Probe(header.group(1), seconds, video, audio, result)


def _check_container(probe: _Probe, path: Path, where: str, expected: str) -> None:
    if not probe.container.startswith(expected):
        raise MediaError(
            f"{where}: {path.name} is a '{probe.container.split(',')[0]}' file, "
            f"not what its {path.suffix} name says; export it again as {path.suffix}"
        )
    damage = [line for line in probe.log.lines("error", "warning") if _damaged(line)]
    if damage:
        raise MediaError(f"{where}: {path.name} is damaged or truncated: {_clean(damage[0])}")


def _check_streams(probe: _Probe, path: Path, where: str, kind: str) -> None:
    if kind == "clip":
        if probe.video is None:
            raise MediaError(f"{where}: {path.name} has no video; name an audio file .m4a")
        codec = probe.video.split()[0].strip(",")
        if codec not in VIDEO_CODECS:
            raise MediaError(
                f"{where}: {path.name}: video codec '{codec}' is not supported; "
                "use H.264, HEVC, VP8, VP9 or AV1"
            )
    if kind == "audio" and probe.audio is None:
        raise MediaError(f"{where}: {path.name} has no audio track")
    if probe.audio is not None:
        codec = probe.audio.split()[0].strip(",")
        if codec not in AUDIO_CODECS:
            raise MediaError(
                f"{where}: {path.name}: audio codec '{codec}' is not supported; "
                "use AAC, MP3, Opus, Vorbis, FLAC or PCM"
            )


def _check_length(seconds: float, path: Path, where: str, allow_long: bool) -> None:
    if seconds > MAX_SECONDS and not allow_long:
        raise MediaError(
            f"{where}: {path.name} runs {_clock(seconds)}; keep it under "
            f"{_clock(MAX_SECONDS)} (a short personal note works best) or pass --allow-long"
        )
    if seconds < MIN_SECONDS:
        raise MediaError(f"{where}: {path.name} is shorter than {MIN_SECONDS:g} s")


def _measure(
    path: Path, where: str, kind: Literal["clip", "audio"], probe: _Probe, allow_long: bool
) -> Recording:
    """Read the whole file once: its real length, loudness and where speech starts and ends.

    A file cut short usually probes fine and only fails here, when it is read to the end.
    """
    args = [*ffmpeg.INPUT_GUARD, *ffmpeg.RECORDING_FORMATS, "-i", str(path)]
    channels = 1 if probe.audio is not None and MONO.search(probe.audio) else 2
    if probe.audio is not None:
        # The EBU R128 meter at the video's rate (4x oversampled only for the true peak):
        # loudnorm's measuring pass resamples everything to 192 kHz first, and took 0.9 s
        # for a 60 s recording where this takes 0.2 s. Its log of every 100 ms goes
        # to level "verbose", under what is read ("quiet" is not in ffmpeg 5).
        measure = (
            f"silencedetect=noise=-45dB:duration=0.35,{output_audio(channels)},"
            "ebur128=peak=true:framelog=verbose"
        )
        args += ["-map", "0:a:0", "-af", measure, "-f", "null", "-"]
    h264 = probe.video is not None and probe.video.startswith("h264")
    with tempfile.TemporaryDirectory(prefix="builder-probe-") as folder:
        listing, first = Path(folder) / "packets.txt", Path(folder) / "first.h264"
        if probe.video is not None and not h264:
            args += ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
        elif probe.video is not None:
            # The same read through the file also lists every packet's timing (framecrc
            # hashes packets, it decodes nothing) and keeps the first access unit with its
            # parameter sets: what decides whether the stream can be copied as it is.
            args += ["-map", "0:v:0", "-c", "copy", "-f", "framecrc", str(listing)]
            args += ["-map", "0:v:0", "-c", "copy", "-bsf:v", "h264_mp4toannexb",
                     "-frames:v", "1", "-f", "h264", str(first)]  # fmt: skip
        result = ffmpeg.run(args, what=where, check=False)
        stream = _stream(probe.video, listing, first) if h264 and probe.video else None
    problems = [line for line in result.lines("error", "fatal") if not _benign(line)]
    decoded = result.out_time
    expected = probe.duration or decoded
    if any(_damaged(line) for line in problems) or decoded < expected - max(0.5, expected * 0.05):
        reason = _clean(problems[0]) if problems else f"only {decoded:.1f} of {expected:.1f} s"
        raise MediaError(f"{where}: {path.name} is damaged or truncated: {reason}")
    if problems and decoded < MIN_SECONDS:
        raise MediaError(f"{where}: {path.name} cannot be decoded: {_clean(problems[0])}")
    _check_length(decoded, path, where, allow_long)
    width, height = _size(probe.video)
    loudness = _meter(result.text)
    return Recording(
        path=path,
        kind=kind,
        duration=decoded,
        has_audio=probe.audio is not None,
        width=width,
        height=height,
        colour_tagged=bool(probe.video and re.search(r"bt709|bt470|smpte170|bt2020", probe.video)),
        loudness=loudness,
        leveling=_leveling(path, where, loudness, output_audio(channels)),
        channels=channels,
        speech=_speech(result, decoded),
        hdr=bool(probe.video and re.search(r"smpte2084|arib-std-b67", probe.video)),
        stream=stream,
    )


def _stream(line: str, listing: Path, first: Path) -> Stream | None:
    """Return the H.264 stream's parameters and packets; None when ffmpeg wrote no list."""
    try:
        text = listing.read_text(encoding="utf-8")
        head = first.read_bytes() if first.exists() else b""
    except OSError:
        return None
    base = re.search(r"^#tb 0: (\d+)/(\d+)", text, re.M)
    if base is None:
        return None
    packets = []
    for match in _PACKET.finditer(text):
        dts, pts, duration, flags = match.groups()
        # framecrc prints flags only when they differ from "key frame".
        key = flags is None or bool(int(flags, 16) & 1)
        packets.append(Packet(int(dts), int(pts), int(duration), key))
    profile, level, sps_id = _sps(head)
    return Stream(line, Fraction(int(base.group(1)), int(base.group(2))), tuple(packets),
                  profile, level, sps_id)  # fmt: skip


# framecrc's line per packet: stream, dts, pts, duration, size, checksum[, F=flags]
_PACKET = re.compile(
    r"^0,\s*(-?\d+),\s*(-?\d+),\s*(\d+),\s*\d+,\s*\S+?(?:, F=(0x[0-9a-fA-F]+))?$", re.M
)


def _sps(data: bytes) -> tuple[int, int, int]:
    """Return (profile_idc, level_idc, seq_parameter_set_id) of the first SPS in the Annex B
    bytes *data*; zeros and -1 when there is none."""
    for unit in re.split(b"\x00\x00\x01", data)[1:]:
        if unit and unit[0] & 0x1F == 7 and len(unit) >= 5:
            # The id is the first Exp-Golomb number after profile, constraints and level.
            bits = "".join(f"{byte:08b}" for byte in unit[4:12])
            zeros = len(bits) - len(bits.lstrip("0"))
            sps_id = int(bits[zeros : 2 * zeros + 1], 2) - 1 if zeros < 16 else -1
            return unit[1], unit[3], sps_id
    return 0, 0, -1


def output_audio(channels: int) -> str:
    """Return the filters that make a recording's sound the video's: 48 kHz, *channels*
    (1 or 2). It is measured, leveled and encoded as that."""
    layout = "mono" if channels == 1 else "stereo"
    return f"aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts={layout}"


def _leveling(path: Path, where: str, level: Loudness | None, shape: str) -> str:
    """Return the filters that bring the recording at *level*, as *shape* (its
    :func:`output_audio`) makes it, to the target loudness.

    One gain where the peaks allow it; a gain and a limiter where they do not (close-miked
    speech: its peaks often stand 20 dB over its loudness); loudnorm (its dynamic mode)
    only for a loudness range wider than it keeps. The gain and the limiter run at the video's
    rate: loudnorm resamples to 192 kHz, and took 0.9 s to measure a 60 s recording and
    1.3 s of CPU to apply to it, where a limiter's trial read takes 0.3 s.
    """
    if level is None:
        return ""
    gain = level.gain()
    if gain is not None:
        return f"volume={gain:.2f}dB"
    if level.lra <= TARGET_LRA:
        return _limited(path, where, TARGET_LUFS - level.integrated, shape)
    args = [*_reading(path), "-af", f"{shape},{LOUDNORM}:print_format=json",
            "-f", "null", "-"]  # fmt: skip
    measured = _loudnorm(ffmpeg.run(args, what=where, check=False).text) or level
    return (
        f"{LOUDNORM}:measured_I={measured.integrated}:measured_TP={measured.true_peak}:"
        f"measured_LRA={measured.lra}:measured_thresh={measured.threshold}:"
        f"offset={measured.offset}:linear=true,{shape}"
    )


def _limited(path: Path, where: str, gain: float, shape: str) -> str:
    """Return a gain and a limiter that bring the recording to the target loudness.

    The limiter takes loudness off the peaks it holds, so the chain is read once as it
    would be applied and the loss made up; when that try missed by more than
    :data:`LIMITED_CLOSE`, a second one gives the slope of loudness over gain (less than
    1 dB per dB: more gain is more limiting), and the gain is set along it.
    """
    tries: list[tuple[float, float]] = []
    while len(tries) < 2:
        # Sample peaks: the loudness is what is wanted here, and true peaks double the read.
        chain = f"{shape},{_limiter(gain)},ebur128=peak=sample:framelog=verbose"
        level = _meter(ffmpeg.run([*_reading(path), "-af", chain, "-f", "null", "-"],
                                  what=where, check=False).text)  # fmt: skip
        if level is None:
            break
        miss = TARGET_LUFS - level.integrated
        if abs(miss) <= LIMITED_CLOSE:
            break
        tries.append((gain, level.integrated))
        if len(tries) == 2:
            (g1, i1), (g2, i2) = tries
            slope = min(1.0, max(0.25, (i2 - i1) / (g2 - g1))) if g2 != g1 else 1.0
            gain += miss / slope
        else:
            gain += miss
    return _limiter(gain)


def _limiter(gain: float) -> str:
    # latency=1: the limiter looks 5 ms ahead, and without it the voice would lag the lips.
    # level=0: its "auto level" would lift the whole recording to the ceiling.
    return f"volume={gain:.2f}dB,alimiter=limit={10 ** (LIMIT_DB / 20):.4f}:level=0:latency=1"


def _reading(path: Path) -> list[str]:
    """Return ffmpeg's arguments that read the recording's first sound stream."""
    return [*ffmpeg.INPUT_GUARD, *ffmpeg.RECORDING_FORMATS, "-i", str(path), "-map", "0:a:0"]


def _meter(text: str) -> Loudness | None:
    """Parse the summary the ebur128 filter prints when it ends (its peak is the true
    peak, or the sample peak when that is what it was asked for)."""
    summary = re.search(
        r"Integrated loudness:\s+I:\s+(\S+) LUFS\s+Threshold:\s+(\S+) LUFS\s+"
        r"Loudness range:\s+LRA:\s+(\S+) LU.*?(?:True|Sample) peak:\s+Peak:\s+(\S+) dBFS",
        text,
        re.S,
    )
    if summary is None:
        return None
    i, thresh, lra, tp = summary.groups()
    return _measured((i, tp, lra, thresh, "0"))


def _loudnorm(text: str) -> Loudness | None:
    """Parse the JSON block loudnorm's measuring pass prints."""
    block = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", text)
    if block is None:
        return None
    data = json.loads(block.group(0))
    keys = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
    if not all(k in data for k in keys):
        return None
    return _measured(tuple(str(data[k]) for k in keys))


def _measured(values: tuple[str, ...]) -> Loudness | None:
    """Return the Loudness of (integrated, true peak, range, gate, offset) as a meter
    printed them; None when one is not a number, or for silence."""
    try:
        i, tp, lra, thresh, offset = (float(v) for v in values)
    except ValueError:
        return None
    if not all(abs(v) < 1000 for v in (i, tp, lra, thresh)) or i < SILENT_LUFS:
        return None  # "-inf": silence, nothing to measure
    return Loudness(i, tp, lra, thresh, offset)


def _speech(result: ffmpeg.Run, duration: float) -> tuple[float, float]:
    """Return (start, end) of the sound, leaving out silence at either end."""
    starts = [float(v) for v in re.findall(r"silence_start: (-?[\d.]+)", result.text)]
    ends = [float(v) for v in re.findall(r"silence_end: ([\d.]+)", result.text)]
    first, last = 0.0, duration
    if starts and ends and starts[0] <= 0.05:
        first = ends[0]
    if starts and starts[-1] > first and (len(ends) < len(starts) or ends[-1] >= duration - 0.05):
        last = starts[-1]
    if last - first < MIN_SECONDS:
        return 0.0, duration
    return max(0.0, first), min(duration, last)


def _size(stream: str | None) -> tuple[int, int]:
    match = re.search(r"(\d{2,5})x(\d{2,5})", stream or "")
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _damaged(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in DAMAGE)


def _benign(line: str) -> bool:
    # Printed on every run that has no output file: not a problem with the recording.
    return "At least one output file" in line


def _clean(line: str) -> str:
    return ffmpeg._strip_prefix(line)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d} min"
