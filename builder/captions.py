"""Captions: timed cues from a script or a .vtt/.srt file, written back as clean WebVTT.

Cue text is plain text everywhere: tags in a caption file are dropped and ``&``, ``<``
and ``>`` are escaped on output, so a caption file cannot smuggle markup into the site.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.errors import MediaError
from builder.pitch import CONTROL_CHARS

LINE = 42  # characters per caption line (the BBC and Netflix guidelines' width)
CUE = 2 * LINE  # at most two lines on screen at once
MAX_BYTES = 1_000_000
MAX_CUES = 3000
_TIME = r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)[.,](\d{3})"
_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}(?:[ \t].*)?$")
_STAMP = re.compile(r"^\s*\d+:\d")  # what a timing line starts with
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # WebVTT/SRT tags and SSA overrides like {\an8}


@dataclass(frozen=True)
class Cue:
    """One caption on screen from *start* to *end* seconds; lines separated by newlines."""

    start: float
    end: float
    text: str


class CaptionSyntax(ValueError):
    """A caption file that does not parse; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}")


# ----------------------------------------------------------------------------- scripts


def from_script(script: str, start: float, end: float) -> list[Cue]:
    """Return *script* as cues of at most two lines, spread over *start*..*end* seconds.

    Each cue's share of the time follows its length, the way speech does.
    """
    chunks = [balance(chunk) for chunk in chunk_script(script)]
    if not chunks or end <= start:
        return []
    # A constant per cue stands for the pause between phrases.
    weights = [len(chunk) + 12 for chunk in chunks]
    scale = (end - start) / sum(weights)
    cues, cursor = [], start
    for chunk, weight in zip(chunks, weights, strict=True):
        stop = cursor + weight * scale
        cues.append(Cue(round(cursor, 3), round(stop, 3), chunk))
        cursor = stop
    return cues


def chunk_script(script: str) -> list[str]:
    """Return *script* cut into phrases of at most :data:`CUE` characters.

    Sentences end a phrase; a long sentence breaks after a comma when one is near.
    """
    text = " ".join(script.split())
    phrases: list[str] = []
    for sentence in re.split(r"(?<=[.!?…])\s+", text):
        phrases.extend(_phrases(sentence))
    return [p for p in phrases if p]


def _phrases(sentence: str) -> list[str]:
    """Return *sentence* in the fewest chunks of at most :data:`CUE` characters, as even in
    length as possible and preferring to break after a comma (a small dynamic program)."""
    words = sentence.split()
    if not words:
        return []
    length = len(" ".join(words))
    target = length / -(-length // CUE)  # the even share of the fewest chunks that fit
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * len(words)
    for end in range(1, len(words) + 1):
        size = -1
        for begin in range(end - 1, -1, -1):
            size += len(words[begin]) + 1
            if size > CUE and begin < end - 1:
                break
            if size > LINE and begin < end - 1 and not _two_lines(words[begin:end]):
                continue  # no break between its words leaves two lines of LINE at most
            clause = end == len(words) or words[end - 1][-1] in ",;:"
            cost = best[begin][0] + (size - target) ** 2 + (0 if clause else 150.0)
            if cost < best[end][0]:
                best[end] = (cost, begin)
    chunks, end = [], len(words)
    while end > 0:
        begin = best[end][1]
        chunks.append(" ".join(words[begin:end]))
        end = begin
    return chunks[::-1]


def _two_lines(words: list[str]) -> bool:
    """Return whether *words* can be set as two lines of at most :data:`LINE` characters."""
    left, total = -1, len(" ".join(words))
    for word in words[:-1]:
        left += len(word) + 1
        if left <= LINE and total - left - 1 <= LINE:
            return True
    return False


def balance(text: str) -> str:
    """Return *text* on one line, or on two lines of similar length when it is too wide."""
    if len(text) <= LINE:
        return text
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        return text
    best = min(spaces, key=lambda i: max(i, len(text) - i - 1))
    return f"{text[:best]}\n{text[best + 1 :]}"


# ----------------------------------------------------------------------------- files


def load(path: Path, where: str) -> list[Cue]:
    """Return the cues of the .vtt or .srt file *path*.

    *where* names the pitch field; every problem raises :class:`MediaError` as one line
    naming the file and, for syntax errors, the line number.
    """
    suffix = path.suffix.lower()
    if suffix not in (".vtt", ".srt"):
        raise MediaError(f"{where}: {path.name}: captions must be a .vtt or .srt file")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise MediaError(f"{where}: cannot read {path.name}: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise MediaError(
            f"{where}: {path.name} is larger than {MAX_BYTES // 1000} KB "
            f"({len(raw) / 1000:,.1f} KB)"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise MediaError(f"{where}: {path.name} is not UTF-8 text (byte {e.start})") from None
    try:
        cues = parse_vtt(text) if suffix == ".vtt" else parse_srt(text)
    except CaptionSyntax as e:
        raise MediaError(f"{where}: {path.name} {e}") from None
    if not cues:
        raise MediaError(f"{where}: {path.name} has no captions in it")
    return cues


def parse_vtt(text: str) -> list[Cue]:
    """Return the cues of a WebVTT document; raise :class:`CaptionSyntax` where it is wrong."""
    blocks = list(_blocks(text))
    if not blocks or not re.match(r"^WEBVTT(?:[ \t].*)?$", blocks[0][1][0]):
        raise CaptionSyntax(1, "a WebVTT file starts with the line 'WEBVTT'")
    header_number, header = blocks[0]
    for offset, line in enumerate(header):
        if "-->" in line:
            raise CaptionSyntax(header_number + offset, "leave a blank line after 'WEBVTT'")
    cues = []
    for number, lines in blocks[1:]:
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            continue
        # An optional cue id comes first, unless that line is already a (broken) timing.
        named = "-->" not in lines[0] and not _STAMP.match(lines[0]) and len(lines) > 1
        timing = 1 if named else 0
        cues.append(_cue(number + timing, lines[timing], lines[timing + 1 :]))
    return _checked(cues)


def parse_srt(text: str) -> list[Cue]:
    """Return the cues of a SubRip file; raise :class:`CaptionSyntax` where it is wrong."""
    cues = []
    for number, lines in _blocks(text):
        if not lines[0].strip().isdigit():
            raise CaptionSyntax(number, f"expected a cue number, found '{_short(lines[0])}'")
        if len(lines) < 2:
            raise CaptionSyntax(number, "a cue number without a timing line")
        cues.append(_cue(number + 1, lines[1], lines[2:]))
    return _checked(cues)


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    """Yield (first line number, lines) for each blank-line separated block."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _cue(number: int, timing: str, body: list[str]) -> Cue:
    match = _TIMING.match(timing.strip())
    if match is None:
        raise CaptionSyntax(
            number,
            f"expected a timing like 00:00:01.000 --> 00:00:04.000, found '{_short(timing)}'",
        )
    groups = match.groups()
    start, end = _seconds(groups[:4]), _seconds(groups[4:])
    if end <= start:
        raise CaptionSyntax(number, "the cue ends before it starts")
    text = "\n".join(_plain(line) for line in body)
    return Cue(start, end, text.strip())


def _seconds(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = (int(p) if p else 0 for p in parts)
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _plain(line: str) -> str:
    text = html.unescape(_TAG.sub("", line))
    return " ".join(CONTROL_CHARS.sub(" ", text).split())


def _short(line: str) -> str:
    return line if len(line) <= 40 else line[:39] + "…"


def _checked(cues: list[Cue]) -> list[Cue]:
    if len(cues) > MAX_CUES:
        raise CaptionSyntax(1, f"more than {MAX_CUES} cues")
    return sorted((c for c in cues if c.text), key=lambda c: (c.start, c.end))


# ----------------------------------------------------------------------------- output


def to_vtt(cues: Iterable[Cue]) -> str:
    """Return *cues* as a WebVTT document (plain text, escaped)."""
    parts = ["WEBVTT", ""]
    for cue in cues:
        parts += [f"{_stamp(cue.start)} --> {_stamp(cue.end)}", _escape(cue.text), ""]
    return "\n".join(parts)


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _escape(text: str) -> str:
    # "-->" inside cue text would end the cue early in some parsers.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("-->", "--&gt;")


def shifted(cues: Iterable[Cue], offset: float, *, end: float) -> list[Cue]:
    """Return *cues* moved by *offset* seconds and cut to 0..*end*; cues outside are dropped."""
    moved = []
    for cue in cues:
        start, stop = max(0.0, cue.start + offset), min(end, cue.end + offset)
        if stop - start >= 0.05:
            moved.append(Cue(round(start, 3), round(stop, 3), cue.text))
    return moved


def at(cues: list[Cue], seconds: float) -> int | None:
    """Return the index of the cue showing at *seconds* (the latest to start), or None."""
    found = None
    for index, cue in enumerate(cues):
        if cue.start <= seconds < cue.end:
            found = index
    return found
