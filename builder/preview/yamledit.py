"""Setting ``video.recording`` in a pitch's text without disturbing the rest of it.

:func:`splice` edits the text at the positions ruamel's composer reports, so every other
byte (comments, quotes, folded lines, indentation) stays as the user wrote it. For the rare
shapes it does not handle, :func:`round_trip` loads and dumps with ruamel's round-trip mode,
which keeps comments, with the file's own indentation.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from builder.errors import BuilderError

FIELD, KEY = "video", "recording"


def splice(text: str, name: str) -> str | None:
    """Return *text* with ``video.recording`` set to *name* by a local edit, or None when
    the document's shape needs :func:`round_trip` (a flow mapping, an empty ``video:``)."""
    root = _compose(text)
    if not isinstance(root, MappingNode) or root.flow_style:
        return None
    video = _value(root, FIELD)
    edited: str | None
    if video is None:
        end = "" if text.endswith("\n") or not text else "\n"
        edited = f"{text}{end}{FIELD}:\n{' ' * _mapping_indent(root)}{KEY}: {name}\n"
    elif isinstance(video, MappingNode) and not video.flow_style and video.value:
        edited = _set_in(text, video, name)
    else:
        return None
    return edited if edited is not None and _recording_of(edited) == name else None


def round_trip(text: str, name: str) -> str:
    """Return *text* with ``video.recording`` set to *name*, dumped by ruamel's round trip
    (comments kept, indentation as the file's). Raises :class:`BuilderError`."""
    root = _compose(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    mapping = _mapping_indent(root) if root is not None else 2
    sequence, offset = _sequence_indent(root) if root is not None else (mapping, 0)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    try:
        data = yaml.load(text)
    except YAMLError as e:
        raise BuilderError(f"not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise BuilderError("a pitch file is a mapping of fields")
    video = data.get(FIELD)
    if isinstance(video, dict):
        video[KEY] = name
    else:
        data[FIELD] = {KEY: name}
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _compose(text: str) -> Node | None:
    try:
        node: Node | None = YAML(typ="rt").compose(text)
    except YAMLError as e:
        raise BuilderError(f"not valid YAML: {e}") from None
    return node


def _value(mapping: MappingNode, key: str) -> Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            node: Node = value_node
            return node
    return None


def _set_in(text: str, video: MappingNode, name: str) -> str | None:
    current = _value(video, KEY)
    if current is None:
        # A new first line of the mapping, at its keys' indentation.
        first = video.value[0][0]
        start = text.rfind("\n", 0, first.start_mark.index) + 1
        if text[start : first.start_mark.index].strip():
            return None  # something else stands before the key on its line
        line = f"{' ' * first.start_mark.column}{KEY}: {name}\n"
        return text[:start] + line + text[start:]
    plain_value = isinstance(current, ScalarNode) and current.style in (None, "", "'", '"')
    if not plain_value or current.start_mark.index == current.end_mark.index:
        return None  # a block scalar or an empty value: let the round trip write it
    return text[: current.start_mark.index] + name + text[current.end_mark.index :]


def _recording_of(text: str) -> Any:
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return None
    video = data.get(FIELD) if isinstance(data, dict) else None
    return video.get(KEY) if isinstance(video, dict) else None


def _mapping_indent(root: Node) -> int:
    """Return how far the file indents a nested mapping's keys (2 when it has none)."""
    for node in _nodes(root):
        if not isinstance(node, MappingNode) or node.flow_style:
            continue
        for key, value in node.value:
            if isinstance(value, MappingNode) and value.value and not value.flow_style:
                step = value.value[0][0].start_mark.column - key.start_mark.column
                if step > 0:
                    return int(step)
    return 2


def _sequence_indent(root: Node) -> tuple[int, int]:
    """Return ruamel's (sequence, offset) for the file's first block list under a key."""
    for node in _nodes(root):
        if not isinstance(node, MappingNode):
            continue
        for key, value in node.value:
            if isinstance(value, SequenceNode) and value.value and not value.flow_style:
                dash = value.start_mark.column - key.start_mark.column
                item = value.value[0].start_mark.column - key.start_mark.column
                if item > dash >= 0:
                    return int(item), int(dash)
    return 2, 0


def _nodes(node: Node) -> list[Node]:
    found = [node]
    if isinstance(node, MappingNode):
        for key, value in node.value:
            found += [*_nodes(key), *_nodes(value)]
    elif isinstance(node, SequenceNode):
        for item in node.value:
            found += _nodes(item)
    return found
