"""The documentation keeps up with the code: every command and every pitch field is described."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from builder.cli import main
from builder.pitch import Pitch

DOCS = Path(__file__).resolve().parent.parent / "docs"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_a_section(command: str) -> None:
    assert f"## build {command}\n" in (DOCS / "commands.md").read_text()


def _fields(model: type[BaseModel]) -> set[str]:
    names = set()
    for name, info in model.model_fields.items():
        if name == "source":
            continue
        names.add(name)
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            for inner in (arg, *getattr(arg, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _fields(inner)
    return names


@pytest.mark.parametrize("field", sorted(_fields(Pitch)))
def test_every_pitch_field_is_in_the_reference(field: str) -> None:
    assert re.search(rf"\| `{field}` \|", (DOCS / "pitch.md").read_text())


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README.read_text(), re.S)
    assert blocks[0].startswith("scripts/setup.sh && .venv/bin/build all examples/")
    assert blocks[1] == "scripts/test.sh"


def test_ci_runs_the_readme_test_command() -> None:
    ci: Any = (README.parent / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
