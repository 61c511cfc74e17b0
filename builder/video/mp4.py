"""Completing an MP4's H.264 sample entry: every parameter set the stream uses, in ``avcC``.

A video whose H.264 track joins two encoders' pictures (ours and the candidate's recording,
see :mod:`.splice`) uses two sets of parameter sets; ffmpeg's MP4 muxer stores only the
first part's in the ``avc1`` sample entry, and the others travel in-band, before keyframes.
ISO/IEC 14496-15 wants every parameter set an ``avc1`` stream uses in its decoder
configuration record (in-band copies are then only repeats), and some players (Apple's,
hardware decoders) read them only from there. :func:`complete_parameter_sets` finds the
in-band ones and rewrites the record to list them all.

The record sits in ``moov/trak/mdia/minf/stbl/stsd/avc1/avcC``, so growing it grows each of
those boxes; when ``moov`` comes before the media data (``-movflags +faststart``), every
chunk offset (``stco``/``co64``) of every track moves by as much. Anything this module does
not understand (fragmented files, offsets it cannot account for, a record or sample that
does not parse, parameter sets that change under one id) raises :class:`Mp4Error` and
leaves the file as it was; the new file is written beside it and checked before it
replaces the old one.

The box tree is read by :mod:`.boxes`, the parameter sets and the record by :mod:`.avc`;
this module finds the track's samples, reads the in-band sets and rewrites the file.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.video.avc import (
    PPS,
    SPS,
    SPS_EXT,
    AvcConfig,
    merged,
    parameter_set_id,
    parse_sps,
    trimmed,
)
from builder.video.boxes import Box, Data, Mp4Error, descendants, rebuilt, walk

__all__ = [
    "AvcConfig", "Box", "Mp4Error", "complete_parameter_sets", "descendants",
    "in_band_parameter_sets", "merged", "parameter_set_id", "parse_sps", "read_config",
    "rebuilt", "walk", "write_config",
]  # fmt: skip

# Boxes holding file offsets the rewrite does not move: refused wherever they appear.
FRAGMENTED = {"moof", "mfra", "mvex", "sidx", "ssix", "styp"}
FOREIGN_OFFSETS = {"iloc": "item locations (iloc)", "saio": "auxiliary information (saio)"}
H264_ENTRIES = {"avc1", "avc2", "avc3", "avc4"}
COPY_CHUNK = 1 << 20


# ----------------------------------------------------------------------------- tracks


@dataclass(frozen=True)
class _Track:
    trak: Box
    stbl: Box
    offsets: tuple[int, ...]  # its chunk offsets
    table: Box  # stco or co64


def _tracks(moov: Box, data: Data) -> list[_Track]:
    tracks = []
    for trak in moov.all("trak"):
        stbl = trak.path("mdia", "minf", "stbl")
        tables = stbl.all("stco") + stbl.all("co64")
        if len(tables) != 1:
            raise Mp4Error(f"a track has {len(tables)} chunk offset tables, expected 1")
        tracks.append(_Track(trak, stbl, _chunk_offsets(data, tables[0]), tables[0]))
    return tracks


def _full_box(data: Data, box: Box, entry: int, count_at: int = 4) -> tuple[int, int]:
    """Return (entry count, first entry's offset) of a table box, checking its size."""
    if box.size < box.header + count_at + 4:
        raise Mp4Error(f"'{box.kind}' at byte {box.start} is too short")
    (count,) = struct.unpack_from(">I", data, box.body + count_at)
    first = box.body + count_at + 4
    if first + count * entry != box.end:
        raise Mp4Error(f"'{box.kind}' at byte {box.start}: {count} entries do not fill it")
    return count, first


def _chunk_offsets(data: Data, table: Box) -> tuple[int, ...]:
    width = 8 if table.kind == "co64" else 4
    count, first = _full_box(data, table, width)
    return struct.unpack_from(f">{count}{'Q' if width == 8 else 'I'}", data, first)


def _samples(data: Data, track: _Track) -> list[tuple[int, int]]:
    """Return (file offset, size) of each sample of *track*, from its sample table."""
    stsz, stsc = track.stbl.one("stsz"), track.stbl.one("stsc")
    if stsz.size < stsz.header + 12:
        raise Mp4Error("'stsz' is too short")
    constant, count = struct.unpack_from(">II", data, stsz.body + 4)
    if constant:
        if stsz.size != stsz.header + 12:
            raise Mp4Error("'stsz' with a constant size has a table too")
        sizes: tuple[int, ...] = (constant,) * count
    else:
        _, first = _full_box(data, stsz, 4, count_at=8)
        sizes = struct.unpack_from(f">{count}I", data, first)
    runs_count, first = _full_box(data, stsc, 12)
    runs = [struct.unpack_from(">III", data, first + 12 * i) for i in range(runs_count)]
    chunks = len(track.offsets)
    if runs and runs[0][0] != 1:
        raise Mp4Error("'stsc' does not start at chunk 1")
    found: list[tuple[int, int]] = []
    for index, (start, per_chunk, description) in enumerate(runs):
        stop = runs[index + 1][0] if index + 1 < len(runs) else chunks + 1
        if description != 1 or not start < stop <= chunks + 1:
            raise Mp4Error("'stsc' names another sample description or chunks out of order")
        for chunk in range(start - 1, stop - 1):
            position = track.offsets[chunk]
            for size in sizes[len(found) : len(found) + per_chunk]:
                found.append((position, size))
                position += size
    if len(found) != count:
        raise Mp4Error(f"'stsc' places {len(found)} samples, 'stsz' sizes {count}")
    return found


def _in_band(data: Data, samples: list[tuple[int, int]], length_size: int) -> list[bytes]:
    """Return the parameter set NAL units inside the samples, in order of appearance
    (each distinct one once); raise :class:`Mp4Error` where the NAL lengths do not add
    up to a sample's size."""
    found: dict[bytes, None] = {}
    for position, size in samples:
        end = position + size
        while position < end:
            if position + length_size >= end:
                raise Mp4Error(f"sample at byte {position}: NAL unit lengths do not add up")
            length = int.from_bytes(data[position : position + length_size], "big")
            position += length_size
            if not 0 < length <= end - position:
                raise Mp4Error(f"sample at byte {position}: NAL unit lengths do not add up")
            if data[position] & 0x1F in (SPS, PPS, SPS_EXT):
                found.setdefault(bytes(data[position : position + length]))
            position += length
    return list(found)


# ----------------------------------------------------------------------------- the file


@dataclass(frozen=True)
class _Layout:
    moov: Box
    tracks: list[_Track]
    avcc: Box  # the H.264 track's decoder configuration record
    samples: list[tuple[int, int]]


def _layout(data: Data, size: int) -> _Layout:
    """Return the parts of the file the rewrite touches, after checking it holds nothing
    this module cannot rewrite safely."""
    if size < 16:
        raise Mp4Error("not an MP4 file (too short)")
    first = bytes(data[4:8]).decode("latin-1")
    if first not in ("ftyp", "free", "skip", "wide"):
        raise Mp4Error(f"not an MP4 file (it starts with {first!r}, not 'ftyp')")
    top = walk(data)
    kinds = [box.kind for box in top]
    if kinds.count("moov") != 1 or "mdat" not in kinds:
        raise Mp4Error(f"expected one 'moov' and media data, found {' '.join(kinds)}")
    for box in descendants(top):
        if box.kind in FRAGMENTED:
            raise Mp4Error(f"a fragmented MP4 ('{box.kind}' box) is not supported")
        if box.kind in FOREIGN_OFFSETS:
            raise Mp4Error(f"it holds file offsets of {FOREIGN_OFFSETS[box.kind]}")
    moov = top[kinds.index("moov")]
    tracks = _tracks(moov, data)
    mdats = [box for box in top if box.kind == "mdat"]
    for track in tracks:
        for offset in track.offsets:
            if not any(m.body <= offset <= m.end for m in mdats):
                raise Mp4Error(f"a chunk offset ({offset}) points outside the media data")
    h264 = []
    for track in tracks:
        stsd = track.stbl.one("stsd")
        entries = stsd.children or ()
        if any(entry.kind in H264_ENTRIES for entry in entries):
            h264.append((track, entries))
    if len(h264) != 1:
        raise Mp4Error(f"expected one H.264 track, found {len(h264)}")
    track, entries = h264[0]
    if len(entries) != 1 or entries[0].kind != "avc1":
        found = " ".join(entry.kind for entry in entries)
        raise Mp4Error(f"expected one 'avc1' sample description, found {found}")
    entry = entries[0]
    samples = _samples(data, track)
    for position, length in samples:
        if not any(m.body <= position and position + length <= m.end for m in mdats):
            raise Mp4Error(f"a video sample (byte {position}) lies outside the media data")
    return _Layout(moov, tracks, entry.one("avcC"), samples)


def read_config(path: Path) -> AvcConfig:
    """Return the decoder configuration record of the H.264 track in the MP4 *path*."""
    with _named(path), _mapped(path) as data:
        layout = _layout(data, len(data))
        return AvcConfig.parse(bytes(data[layout.avcc.body : layout.avcc.end]))


def in_band_parameter_sets(path: Path) -> list[bytes]:
    """Return the parameter set NAL units inside the H.264 track's samples of *path*."""
    with _named(path), _mapped(path) as data:
        layout = _layout(data, len(data))
        config = AvcConfig.parse(bytes(data[layout.avcc.body : layout.avcc.end]))
        return _in_band(data, layout.samples, config.length_size)


def complete_parameter_sets(path: Path) -> bool:
    """Rewrite the H.264 sample entry of the MP4 *path* so its record lists every
    parameter set the samples carry; return whether the file changed (False when the
    record already lists them all).

    Raises :class:`Mp4Error` (the file untouched) for anything unexpected.
    """
    with _named(path), _mapped(path) as data:
        layout = _layout(data, len(data))
        config = AvcConfig.parse(bytes(data[layout.avcc.body : layout.avcc.end]))
        complete = merged(config, _in_band(data, layout.samples, config.length_size))
        if _listed(complete) == _listed(config):
            return False  # nothing new (the record's own header is left as it is)
        _rewrite(path, data, layout, complete)
    return True


def write_config(path: Path, config: AvcConfig) -> None:
    """Replace the decoder configuration record of the H.264 track in *path* with
    *config* (moving every chunk offset as the file's layout requires)."""
    with _named(path), _mapped(path) as data:
        _rewrite(path, data, _layout(data, len(data)), config)


def _listed(config: AvcConfig) -> set[bytes]:
    return {trimmed(nal) for nal in (*config.sps, *config.pps, *config.sps_ext)}


@contextlib.contextmanager
def _mapped(path: Path) -> Iterator[mmap.mmap]:
    """Yield the file *path* mapped read-only into memory."""
    try:
        handle = path.open("rb")
    except OSError as e:
        raise Mp4Error(f"cannot read it: {e.strerror}") from None
    with handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise Mp4Error("the file is empty")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    """Put the file's name in front of every :class:`Mp4Error` raised inside."""
    try:
        yield
    except Mp4Error as e:
        raise Mp4Error(f"{path.name}: {e}") from None


def _rewrite(path: Path, data: mmap.mmap, layout: _Layout, config: AvcConfig) -> None:
    """Write the file with *config* as its record into a temporary file beside *path*,
    check it, and put it in place."""
    avcc = layout.avcc
    record = bytes(data[avcc.start : avcc.body]) + config.to_bytes()
    growth = len(record) - avcc.size
    moov = layout.moov
    replaced = {avcc.start: _resized(data, avcc, record)}
    moved = {}
    for track in layout.tracks:
        offsets = tuple(_moved(offset, moov, growth) for offset in track.offsets)
        moved[track.trak.start] = offsets
        replaced[track.table.start] = _offset_table(data, track.table, offsets)
    new_moov = rebuilt(data, moov, replaced)
    if len(new_moov) != moov.size + growth:
        raise Mp4Error("the rewritten 'moov' has an unexpected size")  # a bug, not the file
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            _copy(data, 0, moov.start, out)
            out.write(new_moov)
            _copy(data, moov.end, len(data), out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, temporary)
        _check(temporary, data, layout, config, moved)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _resized(data: Data, box: Box, new: bytes) -> bytes:
    """Return *new* (a whole box as it was, header included, with new contents) with its
    size field set."""
    out = bytearray(new)
    if box.large:
        struct.pack_into(">Q", out, 8, len(out))
    elif len(out) > 0xFFFFFFFF:
        raise Mp4Error(f"'{box.kind}' would outgrow a 32-bit box size")
    else:
        struct.pack_into(">I", out, 0, len(out))
    return bytes(out)


def _moved(offset: int, moov: Box, growth: int) -> int:
    """Return where the byte at *offset* lands once *moov* grows by *growth*."""
    if offset < moov.start:
        return offset
    if offset >= moov.end:
        return offset + growth
    raise Mp4Error(f"a chunk offset ({offset}) points inside 'moov'")


def _offset_table(data: Data, table: Box, offsets: tuple[int, ...]) -> bytes:
    head = bytes(data[table.start : table.body + 8])  # header, version/flags, count
    if table.kind == "stco":
        if offsets and max(offsets) > 0xFFFFFFFF:
            raise Mp4Error("the chunk offsets would outgrow 'stco' (a 64-bit 'co64' needed)")
        return head + struct.pack(f">{len(offsets)}I", *offsets)
    return head + struct.pack(f">{len(offsets)}Q", *offsets)


def _copy(data: mmap.mmap, start: int, end: int, out: BinaryIO) -> None:
    for position in range(start, end, COPY_CHUNK):
        out.write(data[position : min(end, position + COPY_CHUNK)])


def _check(new: Path, old: mmap.mmap, layout: _Layout, config: AvcConfig,
           moved: dict[int, tuple[int, ...]]) -> None:  # fmt: skip
    """Read the rewritten file back: the record is *config*, every track's chunks sit at
    their moved offsets and start with the bytes they started with."""
    with _mapped(new) as data:
        again = _layout(data, len(data))
        if AvcConfig.parse(bytes(data[again.avcc.body : again.avcc.end])) != config:
            raise Mp4Error("the rewritten record does not read back")
        before = {track.trak.start: track for track in layout.tracks}
        if len(again.tracks) != len(before):
            raise Mp4Error("the rewritten file has another number of tracks")
        for track, (start, offsets) in zip(again.tracks, moved.items(), strict=True):
            if track.offsets != offsets:
                raise Mp4Error("the rewritten chunk offsets do not read back")
            old_offsets = before[start].offsets
            if not offsets:
                continue
            for old_offset, new_offset in {(old_offsets[0], offsets[0]),
                                           (old_offsets[-1], offsets[-1])}:  # fmt: skip
                if old[old_offset : old_offset + 64] != data[new_offset : new_offset + 64]:
                    raise Mp4Error("a chunk moved to the wrong place")
        if len(again.samples) != len(layout.samples):
            raise Mp4Error("the rewritten file has another number of video samples")
