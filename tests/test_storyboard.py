"""The storyboard is pure data; golden JSON pins it for every example and interviewer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from builder.pitch import load_pitch
from builder.storyboard import MAX_SCENES, plan

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
CASES = [
    (example, person.slug)
    for example in ("ada", "jonas")
    for person in load_pitch(ROOT / "examples" / example / "pitch.yaml").interview.interviewers
]


@pytest.mark.parametrize(("example", "slug"), CASES)
def test_storyboard_matches_golden(example: str, slug: str) -> None:
    pitch = load_pitch(ROOT / "examples" / example / "pitch.yaml")
    board = plan(pitch, *pitch.interviewer(slug))
    golden = GOLDEN / f"{example}-{slug}.json"
    actual = json.dumps(board.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"storyboard changed; if intended, rerun with UPDATE_GOLDEN=1 and review {golden.name}"
    )


def test_plan_is_pure_and_comparable() -> None:
    pitch = load_pitch(ROOT / "examples" / "ada" / "pitch.yaml")
    person = pitch.interview.interviewers[0]
    assert plan(pitch, person) == plan(pitch, person)


def test_each_interviewer_gets_their_own_points_first() -> None:
    pitch = load_pitch(ROOT / "examples" / "jonas" / "pitch.yaml")
    petra, mehmet = (plan(pitch, p) for p in pitch.interview.interviewers)
    assert petra.scenes[1].bullets[0].startswith("Die Umstellung der Disposition")
    assert mehmet.scenes[1].bullets[0].startswith("Die Engpässe im Hamburger Lager")
    assert petra.scenes[0].title == "Vielen Dank, Frau Schulz"
    assert mehmet.scenes[1].title == "Worüber wir gesprochen haben"


def test_english_titles_and_scene_order() -> None:
    pitch = load_pitch(ROOT / "examples" / "ada" / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    assert [s.kind for s in board.scenes] == [
        "title",
        "discussed",
        "value",
        "value",
        "sample",
        "closing",
    ]
    assert board.scenes[0].title == "Thank you, Sarah"
    assert board.scenes[1].title == "What we talked about"
    assert 30 <= board.duration <= 120


def test_many_samples_are_merged_to_stay_short(tmp_path: Path) -> None:
    source = (ROOT / "examples" / "ada" / "pitch.yaml").read_text()
    extra = "".join(f"  - title: Extra value {i}\n" for i in range(3))
    samples = "".join(f"  - title: Sample {i}\n" for i in range(4))
    text = source.replace("samples:\n", "samples:\n" + samples).replace(
        "value:\n", "value:\n" + extra
    )
    (tmp_path / "media").mkdir()
    for name in ("ada.jpg", "pipeline.png", "dashboard.png"):
        (tmp_path / "media" / name).write_bytes(
            (ROOT / "examples" / "ada" / "media" / name).read_bytes()
        )
    (tmp_path / "pitch.yaml").write_text(text)
    pitch = load_pitch(tmp_path / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    assert 4 <= len(board.scenes) <= MAX_SCENES
    assert [s.kind for s in board.scenes].count("samples") == 1
