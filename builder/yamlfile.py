"""Strict YAML reading: plain data plus the line and column of every value.

Scalars stay strings (the models parse them, see :mod:`builder.schema`), so YAML 1.1
surprises such as ``NO`` -> False or ``012`` -> 10 never happen. Anchors, aliases, custom
tags and duplicate keys are refused.

The parser is libyaml's, through PyYAML (which MkDocs loads anyway): a pure-Python parser
took 25 ms of every command's start to import and run. Only composing is used, never
PyYAML's constructors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

Loc = tuple[str | int, ...]
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    # YAML 1.1 gives a plain "=" and "<<" tags of their own; they are text like any other.
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
}
# libyaml's parser when PyYAML has it (every wheel does); reader errors then count bytes.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OFFSETS_IN_BYTES = _LOADER is not yaml.SafeLoader
# YAML 1.1 (libyaml) breaks lines at NEL, LS and PS too; YAML 1.2 and every editor do not.
# They travel through the parser as non-characters of the same UTF-8 length, and come
# back in the values, where the models refuse them as invisible (with the field's name).
_HIDE = {0x85: "\ufdd0", 0x2028: "\ufdd1", 0x2029: "\ufdd2"}
_SHOW = {ord(hidden): chr(code) for code, hidden in _HIDE.items()}
_NULLS = {"", "~", "null", "Null", "NULL"}
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document: the data and where each value stood (1-based line, col)."""

    path: Path
    data: Any
    positions: dict[Loc, tuple[int, int]]

    def where(self, loc: Loc) -> str:
        """Return ``file:line:col`` for *loc*, or for its nearest parent that has a position."""
        for cut in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:cut]))
            if pos is not None:
                return f"{self.path.name}:{pos[0]}:{pos[1]}"
        return f"{self.path.name}:1:1"


class YamlProblem(Exception):
    """The file is not acceptable YAML; the message already names file:line:col."""


def load_yaml(path: Path) -> YamlDoc:
    """Return the document in *path*, or raise :class:`YamlProblem` with one clear line."""
    text = _read_text(path).translate(_HIDE)
    try:
        _refuse_anchors(text, path)
        node = yaml.compose(text, Loader=_LOADER)
    except ReaderError as e:
        # A character YAML forbids (ESC, most control characters): say where and which.
        before = _text_before(text, int(e.position))
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise YamlProblem(
            f"{path.name}:{line}:{col}: the character U+{int(e.character):04X} is not allowed "
            "in a YAML file; remove it"
        ) from e
    except MarkedYAMLError as e:
        mark = e.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise YamlProblem(f"{path.name}:{line}:{col}: not valid YAML: {e.problem}") from e
    except YAMLError as e:
        raise YamlProblem(f"{path.name}: not valid YAML: {e}") from e
    positions: dict[Loc, tuple[int, int]] = {}
    data = None if node is None else _to_data(node, (), positions, path)
    if any(chr(code) in text for code in _SHOW):
        data = _shown(data)
    return YamlDoc(path=path, data=data, positions=positions)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem(f"{path}: file not found") from None
    except OSError as e:
        raise YamlProblem(f"{path}: cannot read: {e.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise YamlProblem(
            f"{path.name}: larger than {MAX_BYTES // 1000} kB ({len(raw) / 1000:,.1f} kB); "
            "is this a pitch?"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlProblem(f"{path.name}:{line}: not UTF-8 text; save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _text_before(text: str, offset: int) -> str:
    """Return the part of *text* before a reader error's *offset* (bytes for libyaml)."""
    if _OFFSETS_IN_BYTES:
        return text.encode("utf-8")[: max(0, offset)].decode("utf-8", "ignore")
    return text[: max(0, offset)]


def _refuse_anchors(text: str, path: Path) -> None:
    # Anchors and aliases are refused before composing: an alias bomb is tiny on disk and
    # explodes only when expanded, and a pitch has no use for either.
    for event in yaml.parse(text, Loader=_LOADER):
        if getattr(event, "anchor", None) is not None:  # an anchor (&name) or alias (*name)
            mark = event.start_mark
            raise YamlProblem(
                f"{path.name}:{mark.line + 1}:{mark.column + 1}: YAML anchors and aliases "
                "(&name, *name) are not allowed; write the value out"
            )


def _shown(data: Any) -> Any:
    """Return *data* with the line breaks :data:`_HIDE` hid put back, keys included."""
    if isinstance(data, str):
        return data.translate(_SHOW)
    if isinstance(data, list):
        return [_shown(item) for item in data]
    if isinstance(data, dict):
        return {_shown(key): _shown(value) for key, value in data.items()}
    return data


def _to_data(node: Node, loc: Loc, positions: dict[Loc, tuple[int, int]], path: Path) -> Any:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _STANDARD_TAGS:
        where = f"{path.name}:{positions[loc][0]}:{positions[loc][1]}"
        raise YamlProblem(f"{where}: custom YAML tag {node.tag} is not allowed")
    if isinstance(node, ScalarNode):
        # A plain (unquoted) null; libyaml calls the plain style "", the Python parser None.
        if node.tag == "tag:yaml.org,2002:null" and not node.style and node.value in _NULLS:
            return None
        return str(node.value)
    if isinstance(node, SequenceNode):
        return [_to_data(item, (*loc, i), positions, path) for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else None
        where = f"{path.name}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
        if key is None:
            raise YamlProblem(f"{where}: a key must be plain text")
        if key in result:
            raise YamlProblem(f"{where}: duplicate key '{key}' (it is already set above)")
        result[key] = _to_data(value_node, (*loc, key), positions, path)
        positions[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return result
