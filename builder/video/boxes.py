"""ISO base media (MP4) boxes: walking a file's box tree and rebuilding a box with new contents.

The lowest layer of :mod:`.mp4`: it knows box headers and which boxes hold children, nothing
of what a box means. Anything it does not understand raises :class:`Mp4Error`.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace

Data = bytes | bytearray | memoryview | mmap.mmap

# Boxes walked into, with the bytes of fields between their header and their first child
# (full-box version/flags, a sample description's entry count, a visual sample entry's
# fixed fields). Every other box is a leaf whose contents are copied as they are.
CONTAINERS = {
    "moov": 0, "trak": 0, "mdia": 0, "minf": 0, "stbl": 0, "edts": 0, "dinf": 0,
    "udta": 0, "mvex": 0, "moof": 0, "traf": 0, "mfra": 0, "meta": 4, "stsd": 8,
    "avc1": 78, "avc2": 78, "avc3": 78, "avc4": 78,
}  # fmt: skip


class Mp4Error(ValueError):
    """The file is not laid out as :mod:`.mp4` expects (boxes, records or parameter sets it
    does not understand); it was left untouched."""


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
