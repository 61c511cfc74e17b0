"""H.264 parameter sets and the ``avcC`` decoder configuration record that lists them.

Reads what :mod:`.mp4` needs of a sequence parameter set (profile, level, chroma format and
bit depths), parses and writes the record (ISO/IEC 14496-15, 5.3.3.1), and merges in-band
parameter sets into it. A record or parameter set that does not parse raises
:class:`~builder.video.boxes.Mp4Error`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

from builder.video.boxes import Mp4Error

# profile_idc values whose SPS carries chroma_format_idc and bit depths ...
CHROMA_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
# ... and whose avcC record ends with them (ISO/IEC 14496-15, 5.3.3.1.2).
RECORD_EXTENSION = {100, 110, 122, 144}
SPS, PPS, SPS_EXT = 7, 8, 13
HIGH, MAIN = 100, 77
CONSTRAINT_SET1 = 0x40  # "obeys the Main profile's constraints" (a Constrained Baseline)
CONSTRAINT_SET3 = 0x10  # with level_idc 11 in Baseline/Main: level 1b
MAX_SPS = 31  # numOfSequenceParameterSets is 5 bits


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
        kind, nal = (nal[0] & 0x1F if nal else 0), trimmed(nal)
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


def trimmed(nal: bytes) -> bytes:
    # A NAL unit never ends in a zero byte (H.264 7.4.1); Annex B trailing zeros can stick.
    return nal.rstrip(b"\0")


def _within(sps: Sps, profile: int) -> bool:
    """Return whether a stream of *sps* conforms to *profile* too: its own, High for Main
    and for anything obeying Main's constraints (a Constrained Baseline), Main for that."""
    if sps.profile == profile:
        return True
    main = sps.profile == MAIN or bool(sps.constraints & CONSTRAINT_SET1)
    return main and profile in (HIGH, MAIN)
