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
"""

from __future__ import annotations

import contextlib
import mmap
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

Data = bytes | bytearray | memoryview | mmap.mmap

# Boxes walked into, with the bytes of fields between their header and their first child
# (full-box version/flags, a sample description's entry count, a visual sample entry's
# fixed fields). Every other box is a leaf whose contents are copied as they are.
CONTAINERS = {
    "moov": 0, "trak": 0, "mdia": 0, "minf": 0, "stbl": 0, "edts": 0, "dinf": 0,
    "udta": 0, "mvex": 0, "moof": 0, "traf": 0, "mfra": 0, "meta": 4, "stsd": 8,
    "avc1": 78, "avc2": 78, "avc3": 78, "avc4": 78,
}  # fmt: skip
# Boxes holding file offsets this module does not move: refused wherever they appear.
FRAGMENTED = {"moof", "mfra", "mvex", "sidx", "ssix", "styp"}
FOREIGN_OFFSETS = {"iloc": "item locations (iloc)", "saio": "auxiliary information (saio)"}
H264_ENTRIES = {"avc1", "avc2", "avc3", "avc4"}
# profile_idc values whose SPS carries chroma_format_idc and bit depths ...
CHROMA_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
# ... and whose avcC record ends with them (ISO/IEC 14496-15, 5.3.3.1.2).
RECORD_EXTENSION = {100, 110, 122, 144}
SPS, PPS, SPS_EXT = 7, 8, 13
HIGH, MAIN = 100, 77
CONSTRAINT_SET1 = 0x40  # "obeys the Main profile's constraints" (a Constrained Baseline)
CONSTRAINT_SET3 = 0x10  # with level_idc 11 in Baseline/Main: level 1b
MAX_SPS = 31  # numOfSequenceParameterSets is 5 bits
COPY_CHUNK = 1 << 20


class Mp4Error(ValueError):
    """The file is not laid out as this module expects; it was left untouched."""


# ----------------------------------------------------------------------------- boxes


@dataclass(frozen=True)
class Box:
    """One box: where it starts in the file, its whole size and its header's length.

    *fields* is the bytes between the header and the first child; *children* is None for
    a leaf (not walked into); *tail* is bytes after the last child (a QuickTime ``udta``'s
    zero terminator).
    """

    kind: str
    start: int
    size: int
    header: int
    large: bool = False  # the size is in the 64-bit "largesize" field
    fields: int = 0
    children: tuple[Box, ...] | None = None
    tail: int = 0

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def body(self) -> int:
        """Return the offset of the box's contents (after its header)."""
        return self.start + self.header

    def all(self, kind: str) -> list[Box]:
        """Return the children of type *kind*."""
        return [child for child in self.children or () if child.kind == kind]

    def one(self, kind: str) -> Box:
        """Return the one child of type *kind*; raise :class:`Mp4Error` unless there is
        exactly one."""
        found = self.all(kind)
        if len(found) != 1:
            raise Mp4Error(f"{self.kind} at byte {self.start} has {len(found)} '{kind}' boxes, "
                           "expected 1")  # fmt: skip
        return found[0]

    def path(self, *kinds: str) -> Box:
        """Return the box reached through one child of each type in *kinds*."""
        box = self
        for kind in kinds:
            box = box.one(kind)
        return box


def walk(data: Data, start: int = 0, end: int | None = None, *, top: bool = True) -> list[Box]:
    """Return the boxes that fill *data* from *start* to *end* exactly, with the contents
    of every box in :data:`CONTAINERS` walked too.

    Raises :class:`Mp4Error` for a size that runs past its parent, a header cut short or
    stray bytes. A size of 0 ("to the end of the file") is accepted for the last box of
    the file only (*top*).
    """
    end = len(data) if end is None else end
    boxes: list[Box] = []
    position = start
    while position < end:
        box = _box(data, position, end, top=top)
        boxes.append(box)
        position = box.end
    return boxes


def _box(data: Data, position: int, end: int, *, top: bool) -> Box:
    if end - position < 8:
        raise Mp4Error(f"{end - position} stray bytes at byte {position}")
    size, raw = struct.unpack_from(">I4s", data, position)
    kind = raw.decode("latin-1")
    header, large = 8, False
    if size == 1:
        if end - position < 16:
            raise Mp4Error(f"'{kind}' at byte {position}: header cut short")
        (size,) = struct.unpack_from(">Q", data, position + 8)
        header, large = 16, True
    elif size == 0:
        if not top:
            raise Mp4Error(f"'{kind}' at byte {position}: size 0 inside another box")
        size = end - position
    if kind == "uuid":
        header += 16
    if size < header or position + size > end:
        raise Mp4Error(
            f"'{kind}' at byte {position} claims {size} bytes, but its parent has "
            f"{end - position} left (truncated or damaged file)"
        )
    box = Box(kind, position, size, header, large)
    fields = CONTAINERS.get(kind)
    if fields is None:
        return box
    if kind == "meta" and bytes(data[box.body : box.body + 4]) != b"\0\0\0\0":
        fields = 0  # QuickTime's meta has no version and flags
    first, stop = box.body + fields, box.end
    if first > stop:
        raise Mp4Error(f"'{kind}' at byte {position} is too short for its fields")
    tail = 0
    if kind == "udta" and stop - first >= 4 and bytes(data[stop - 4 : stop]) == b"\0\0\0\0":
        # QuickTime ends udta with a 32-bit zero; a child box cannot start with size 0 here.
        tail, stop = 4, stop - 4
    children = tuple(walk(data, first, stop, top=False))
    return replace(box, fields=fields, children=children, tail=tail)


def descendants(boxes: list[Box] | tuple[Box, ...]) -> Iterator[Box]:
    """Yield every box in *boxes* and, depth first, every box walked inside them."""
    for box in boxes:
        yield box
        yield from descendants(box.children or ())


def rebuilt(data: Data, box: Box, replaced: dict[int, bytes]) -> bytes:
    """Return *box* as bytes, with the boxes starting at the offsets in *replaced* swapped
    for their new bytes (and every box around them resized)."""
    if box.start in replaced:
        return replaced[box.start]
    if box.children is None or not any(b.start in replaced for b in descendants(box.children)):
        return bytes(data[box.start : box.end])
    parts = [bytes(data[box.body : box.body + box.fields])]
    parts += [rebuilt(data, child, replaced) for child in box.children]
    parts.append(bytes(data[box.end - box.tail : box.end]))
    payload = b"".join(parts)
    header = bytearray(data[box.start : box.body])
    total = len(header) + len(payload)
    if box.large:
        struct.pack_into(">Q", header, 8, total)
    elif total > 0xFFFFFFFF:
        raise Mp4Error(f"'{box.kind}' would outgrow a 32-bit box size")
    else:
        struct.pack_into(">I", header, 0, total)
    return bytes(header) + payload


# ----------------------------------------------------------------------------- H.264


class _Bits:
    """Reads an H.264 RBSP bit by bit (Exp-Golomb numbers and fixed-width fields)."""

    def __init__(self, rbsp: bytes) -> None:
        self.rbsp, self.position = rbsp, 0

    def bit(self) -> int:
        index = self.position >> 3
        if index >= len(self.rbsp):
            raise Mp4Error("parameter set ends early")
        self.position += 1
        return (self.rbsp[index] >> (7 - (self.position - 1) % 8)) & 1

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while not self.bit():
            zeros += 1
            if zeros > 31:
                raise Mp4Error("parameter set holds a malformed Exp-Golomb number")
        return (1 << zeros) - 1 + self.bits(zeros)


def rbsp(nal: bytes) -> bytes:
    """Return the NAL unit's payload without its header byte and emulation prevention
    bytes (the 3 in every 00 00 03)."""
    out, zeros = bytearray(), 0
    for byte in nal[1:]:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


@dataclass(frozen=True)
class Sps:
    """What the decoder configuration record needs from one sequence parameter set."""

    profile: int
    constraints: int  # the byte of constraint_set flags between profile and level
    level: int
    id: int
    chroma_format: int = 1  # 4:2:0, implied below the High profiles
    bit_depth_luma: int = 8
    bit_depth_chroma: int = 8

    @property
    def level_rank(self) -> float:
        """Return the level as a number that sorts 1b (below 1.1) correctly."""
        one_b = self.level == 11 and self.profile in (66, 77, 88) and self.constraints & 0x10
        return 10.5 if self.level == 9 or one_b else float(self.level)


def parse_sps(nal: bytes) -> Sps:
    """Return the fields of the SPS NAL unit *nal* that the record repeats."""
    if not nal or nal[0] & 0x1F != SPS or len(nal) < 5:
        raise Mp4Error("not a sequence parameter set")
    bits = _Bits(rbsp(nal))
    profile, constraints, level = bits.bits(8), bits.bits(8), bits.bits(8)
    sps = Sps(profile, constraints, level, bits.ue())
    if profile in CHROMA_PROFILES:
        chroma = bits.ue()
        if chroma == 3:
            bits.bit()  # separate_colour_plane_flag
        sps = replace(sps, chroma_format=chroma, bit_depth_luma=bits.ue() + 8,
                      bit_depth_chroma=bits.ue() + 8)  # fmt: skip
    if sps.id > MAX_SPS or sps.chroma_format > 3:
        raise Mp4Error(f"sequence parameter set with id {sps.id} is out of range")
    return sps


def parameter_set_id(nal: bytes) -> int:
    """Return the id an SPS, PPS or SPS extension NAL unit is stored under."""
    kind = nal[0] & 0x1F
    if kind == SPS:
        return parse_sps(nal).id
    if kind in (PPS, SPS_EXT):
        number = _Bits(rbsp(nal)).ue()
        if number > (255 if kind == PPS else MAX_SPS):
            raise Mp4Error(f"parameter set (NAL type {kind}) with id {number} is out of range")
        return number
    raise Mp4Error(f"NAL unit of type {kind} is not a parameter set")


@dataclass(frozen=True)
class AvcConfig:
    """An AVCDecoderConfigurationRecord (the contents of ``avcC``)."""

    profile: int
    compatibility: int
    level: int
    length_size: int  # bytes of each NAL unit's length prefix in the samples
    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]
    chroma_format: int = 1
    bit_depth_luma: int = 8
    bit_depth_chroma: int = 8
    sps_ext: tuple[bytes, ...] = ()

    @classmethod
    def parse(cls, record: bytes) -> AvcConfig:
        """Return the record in *record*; raise :class:`Mp4Error` unless it parses exactly."""
        if len(record) < 7 or record[0] != 1:
            raise Mp4Error("avcC is not a version 1 AVC decoder configuration record")
        length_size = (record[4] & 3) + 1
        if length_size == 3:
            raise Mp4Error("avcC gives NAL units a 3-byte length, which is not allowed")
        sps, position = _sets(record, 6, record[5] & 0x1F, "SPS")
        if position >= len(record):
            raise Mp4Error("avcC ends before its picture parameter sets")
        pps, position = _sets(record, position + 1, record[position], "PPS")
        config = cls(record[1], record[2], record[3], length_size, sps, pps)
        if position < len(record) and record[1] in RECORD_EXTENSION:
            if len(record) - position < 4:
                raise Mp4Error("avcC's High profile fields are cut short")
            chroma, luma, depth, count = record[position : position + 4]
            ext, position = _sets(record, position + 4, count, "SPS extension")
            config = replace(config, chroma_format=chroma & 3, bit_depth_luma=(luma & 7) + 8,
                             bit_depth_chroma=(depth & 7) + 8, sps_ext=ext)  # fmt: skip
        if position != len(record):
            raise Mp4Error(f"avcC has {len(record) - position} unexpected bytes at its end")
        typed = [*((s, SPS) for s in sps), *((p, PPS) for p in pps)]
        for nal, kind in [*typed, *((e, SPS_EXT) for e in config.sps_ext)]:
            if not nal or nal[0] & 0x1F != kind:
                raise Mp4Error("avcC lists a NAL unit that is not a parameter set of its kind")
        return config

    def to_bytes(self) -> bytes:
        """Return the record as ``avcC``'s contents."""
        if not 1 <= len(self.sps) <= MAX_SPS or not 1 <= len(self.pps) <= 255:
            raise Mp4Error(f"avcC cannot list {len(self.sps)} SPS and {len(self.pps)} PPS")
        out = bytearray([1, self.profile, self.compatibility, self.level,
                         0xFC | (self.length_size - 1), 0xE0 | len(self.sps)])  # fmt: skip
        for nal in self.sps:
            out += struct.pack(">H", len(nal)) + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += struct.pack(">H", len(nal)) + nal
        if self.profile in RECORD_EXTENSION:
            out += bytes([0xFC | self.chroma_format, 0xF8 | (self.bit_depth_luma - 8),
                          0xF8 | (self.bit_depth_chroma - 8), len(self.sps_ext)])  # fmt: skip
            for nal in self.sps_ext:
                out += struct.pack(">H", len(nal)) + nal
        return bytes(out)


def _sets(record: bytes, position: int, count: int, what: str) -> tuple[tuple[bytes, ...], int]:
    found = []
    for _ in range(count):
        if position + 2 > len(record):
            raise Mp4Error(f"avcC ends inside its {what} list")
        (length,) = struct.unpack_from(">H", record, position)
        if position + 2 + length > len(record):
            raise Mp4Error(f"avcC ends inside one of its {what}")
        found.append(bytes(record[position + 2 : position + 2 + length]))
        position += 2 + length
    return tuple(found), position


def merged(config: AvcConfig, in_band: list[bytes]) -> AvcConfig:
    """Return *config* listing also the parameter sets in *in_band* (NAL units from the
    samples): each id keeps one set, the record's own ones first; profile, compatibility
    and level describe them all (ISO/IEC 14496-15: a profile every SPS conforms to, the
    constraint flags all of them set, the highest level).

    Raises :class:`Mp4Error` when an id is sent with two different contents (the stream
    changes its parameter sets, which one sample entry cannot describe) or no profile
    covers every SPS.
    """
    tables: dict[int, dict[int, bytes]] = {SPS: {}, PPS: {}, SPS_EXT: {}}
    names = {SPS: "SPS", PPS: "PPS", SPS_EXT: "SPS extension"}
    for nal in (*config.sps, *config.pps, *config.sps_ext, *in_band):
        kind, nal = (nal[0] & 0x1F if nal else 0), _trimmed(nal)
        if kind not in tables:
            raise Mp4Error(f"a NAL unit of type {kind} is not a parameter set")
        number = parameter_set_id(nal)
        if tables[kind].setdefault(number, nal) != nal:
            raise Mp4Error(
                f"{names[kind]} id {number} comes with two different contents: the stream "
                "changes parameter sets mid-way, which one avc1 sample entry cannot describe"
            )
    sets = [parse_sps(nal) for nal in tables[SPS].values()]
    for nal in tables[PPS].values():
        bits = _Bits(rbsp(nal))
        bits.ue()
        if bits.ue() not in tables[SPS]:
            raise Mp4Error(f"PPS id {parameter_set_id(nal)} refers to an SPS the stream lacks")
    profile = next((s.profile for s in sets if all(_within(o, s.profile) for o in sets)), None)
    if profile is None:
        found = ", ".join(str(s.profile) for s in sets)
        raise Mp4Error(f"no H.264 profile covers all its SPS (profile_idc {found})")
    formats = {(s.chroma_format, s.bit_depth_luma, s.bit_depth_chroma) for s in sets}
    if len(formats) != 1:
        raise Mp4Error("its SPS differ in chroma format or bit depth")
    compatibility = 0xFF
    for sps in sets:
        compatibility &= sps.constraints
    top = max(sets, key=lambda s: s.level_rank)
    level = top.level
    if top.level_rank == 10.5:  # level 1b: 9 in the High profiles, else 11 with set3
        level = 9 if profile in CHROMA_PROFILES else 11
        compatibility |= 0 if profile in CHROMA_PROFILES else CONSTRAINT_SET3
    chroma, luma, depth = formats.pop()
    return replace(
        config, profile=profile, compatibility=compatibility, level=level,
        sps=tuple(tables[SPS].values()), pps=tuple(tables[PPS].values()),
        sps_ext=tuple(tables[SPS_EXT].values()),
        chroma_format=chroma, bit_depth_luma=luma, bit_depth_chroma=depth,
    )  # fmt: skip


def _trimmed(nal: bytes) -> bytes:
    # A NAL unit never ends in a zero byte (H.264 7.4.1); Annex B trailing zeros can stick.
    return nal.rstrip(b"\0")


def _within(sps: Sps, profile: int) -> bool:
    """Return whether a stream of *sps* conforms to *profile* too: its own, High for Main
    and for anything obeying Main's constraints (a Constrained Baseline), Main for that."""
    if sps.profile == profile:
        return True
    main = sps.profile == MAIN or bool(sps.constraints & CONSTRAINT_SET1)
    return main and profile in (HIGH, MAIN)


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
    return {_trimmed(nal) for nal in (*config.sps, *config.pps, *config.sps_ext)}


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
