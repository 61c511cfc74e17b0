"""Strict YAML reading: plain data plus the line and column of every value.

Scalars stay strings (the models parse them, see builder.schema), so YAML 1.1 surprises
such as ``NO`` -> False or ``012`` -> 10 never happen. Anchors, aliases, custom tags and
duplicate keys are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

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
}
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
    text = _read_text(path)
    yaml = YAML(typ="safe", pure=True)
    try:
        _refuse_aliases(yaml, text, path)
        node = yaml.compose(text)
    except ReaderError as e:
        # A character YAML forbids (ESC, most control characters): say where and which.
        before = text[: max(0, int(e.position))]
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


def _refuse_aliases(yaml: YAML, text: str, path: Path) -> None:
    # Anchors and aliases are refused before composing: an alias bomb is tiny on disk and
    # explodes only when expanded, and a pitch has no use for either.
    for event in yaml.parse(text):
        anchor = getattr(event, "anchor", None)
        if anchor is not None or type(event).__name__ == "AliasEvent":
            mark = event.start_mark
            raise YamlProblem(
                f"{path.name}:{mark.line + 1}:{mark.column + 1}: YAML anchors and aliases "
                "(&name, *name) are not allowed; write the value out"
            )


def _to_data(node: Node, loc: Loc, positions: dict[Loc, tuple[int, int]], path: Path) -> Any:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _STANDARD_TAGS:
        where = f"{path.name}:{positions[loc][0]}:{positions[loc][1]}"
        raise YamlProblem(f"{where}: custom YAML tag {node.tag} is not allowed")
    if isinstance(node, ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" and node.style is None and node.value in _NULLS:
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
