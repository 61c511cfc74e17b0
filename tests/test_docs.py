"""The documentation keeps up with the code: every command and every pitch field is described."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from builder.cli import main
from builder.pitch import pitch_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_a_section(command: str) -> None:
    assert f"## build {command}\n" in (DOCS / "commands.md").read_text()


def _fields(schema: dict[str, Any]) -> set[str]:
    """Return every field name in a JSON Schema, nested ones (lists, optionals) included."""
    names = set(schema.get("properties", {}))
    for inner in [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]:
        names |= _fields(inner)
    if isinstance(schema.get("items"), dict):
        names |= _fields(schema["items"])
    return names


@pytest.mark.parametrize("field", sorted(_fields(pitch_schema())))
def test_every_pitch_field_is_in_the_reference(field: str) -> None:
    assert re.search(rf"\| `{field}` \|", (DOCS / "pitch.md").read_text())


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README.read_text(), re.S)
    assert blocks[0].startswith("scripts/setup.sh && .venv/bin/build all examples/")
    assert blocks[1] == "scripts/test.sh"


def test_ci_runs_the_readme_test_command() -> None:
    ci: Any = (README.parent / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
