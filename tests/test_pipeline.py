"""The pipeline: per-interviewer folders, and nothing half-written when anything fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_two_interviewers_get_a_folder_each(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("deck", example("jonas"), "-o", out, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [o["slug"] for o in report["outputs"]] == ["petra-schulz", "mehmet-oeztuerk"]
    for slug in ("petra-schulz", "mehmet-oeztuerk"):
        assert (out / slug / "deck.pptx").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["mehmet-oeztuerk", "petra-schulz"]


def test_for_builds_only_that_person(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("deck", example("jonas"), "-o", out, "--for", "Mehmet")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["mehmet-oeztuerk"]


def test_one_interviewer_writes_directly_into_the_folder(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("deck", example("ada"), "-o", out).exit_code == 0
    assert (out / "deck.pptx").is_file()


def test_failure_leaves_the_previous_build_untouched(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example("ada")
    out = tmp_path / "out"
    assert cli("deck", pitch, "-o", out).exit_code == 0
    before = snapshot(out)
    # A damaged image is found when the pitch is read, with its place in the file (a
    # failure half-way through writing is in test_faults.py: a full disk).
    (pitch.parent / "media" / "dashboard.png").write_bytes(b"not a png")
    result = cli("deck", pitch, "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: pitch.yaml:42:5: samples[0].image: dashboard.png is not an image "
        "(use PNG, JPEG, WebP or GIF)"
    )
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*"))


def test_first_build_failing_leaves_no_files(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    Image.new("1", (10_000, 10_000)).save(pitch.parent / "media" / "pipeline.png")
    out = tmp_path / "out"
    result = cli("deck", pitch, "-o", out)
    assert result.exit_code == 1
    assert "value[0].image: pipeline.png has too many pixels" in result.output
    assert not out.exists()


def test_unwritable_output_folder_is_one_line(example: Any, cli: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = cli("deck", example("ada"), "-o", blocker / "out")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {blocker / 'out'}: cannot write the output folder: Not a directory"
    )


def test_something_in_the_way_is_refused_before_anything_moves(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "deck.pptx").mkdir(parents=True)  # a folder where the deck would go
    result = cli("deck", example("ada"), "-o", out)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {out / 'deck.pptx'} is in the way and was not made by build; "
        "move it or choose another -o"
    )
    assert sorted(p.name for p in out.iterdir()) == ["deck.pptx"]


def test_a_site_folder_of_the_users_own_is_never_replaced(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    (out / "site" / "notes.md").write_text("mine")
    result = cli("site", example("ada"), "-o", out)
    assert result.exit_code == 1
    assert "is in the way and was not made by build" in result.output
    assert (out / "site" / "notes.md").read_text() == "mine"


def test_a_rebuild_leaves_no_stale_captions(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    out = tmp_path / "out"
    assert cli("all", pitch, "-o", out, "--size", "720p").exit_code == 0
    assert (out / "video.vtt").is_file()
    assert 'data-media="video.vtt"' in (out / "site" / "index.html").read_text()
    text = pitch.read_text()
    pitch.write_text(text[: text.index("video:\n")])  # the script (and so the captions) go
    assert cli("all", pitch, "-o", out, "--size", "720p").exit_code == 0
    assert not (out / "video.vtt").exists()
    assert not (out / "site" / "video.vtt").exists()
    assert 'data-media="video.vtt"' not in (out / "site" / "index.html").read_text()


def test_a_relative_output_folder_works_for_every_output(
    example: Any, cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # The README's own command: `-o out/ada`, relative to where the user stands.
    pitch = example("ada")
    monkeypatch.chdir(tmp_path)
    result = cli("all", pitch, "-o", "out/ada")
    assert result.exit_code == 0, result.output
    for name in ("deck.pptx", "deck.pdf", "video.mp4", "site/index.html", "email.eml"):
        assert (tmp_path / "out" / "ada" / name).is_file(), name
    assert not list((tmp_path / "out" / "ada").glob(".*staging*"))
