"""The pitch loader: strict YAML, every problem at once, each with file:line:col."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.errors import PitchError
from builder.pitch import load_pitch, pitch_schema

MINIMAL = """\
candidate:
  name: Ada Example
  email: ada@example.com
  headline: Data analyst
interview:
  company: The Daily Muse
  role: Analyst
  date: 2026-11-24
  interviewers:
    - name: Sarah Kim
thanks: Thank you for your time.
discussed:
  - Moving the weekly KPI report to dbt
value:
  - title: A tested pipeline
"""


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "pitch.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PitchError) as caught:
        load_pitch(path)
    return caught.value.problems


def test_minimal_pitch_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "pitch.yaml"
    path.write_text(MINIMAL)
    pitch = load_pitch(path)
    assert pitch.language == "en"
    assert pitch.theme == "classic"
    assert pitch.interview.interviewers[0].slug == "sarah-kim"
    assert pitch.folder == tmp_path.resolve()


def test_every_problem_is_listed_with_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL.replace("  email: ada@example.com", "  emial: ada@example.com").replace(
        "date: 2026-11-24", "date: yesterday"
    )
    text = "language: fr\n" + text
    found = problems(tmp_path, text)
    assert "pitch.yaml:1:1: language: must be 'en' or 'de'" in found
    assert "pitch.yaml:2:1: candidate.email: is required" in found
    assert "pitch.yaml:4:3: candidate.emial: unknown field 'emial'; did you mean 'email'?" in found
    assert any(p.startswith("pitch.yaml:9:3: interview.date: must be a date") for p in found)
    assert len(found) == 4


def test_scalars_are_not_reinterpreted_by_yaml_1_1(tmp_path: Path) -> None:
    path = tmp_path / "pitch.yaml"
    path.write_text(MINIMAL.replace("name: Ada Example", "name: NO").replace("Analyst\n", "012\n"))
    pitch = load_pitch(path)
    assert pitch.candidate.name == "NO"
    assert pitch.interview.role == "012"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: !!python/object:os.system echo\n", "custom YAML tag"),
        ("thanks: a\nthanks: b\n", "duplicate key 'thanks'"),
        ("candidate: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "a pitch file is a mapping"),
    ],
)
def test_unsafe_or_broken_yaml_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith("pitch.yaml:")
    assert expected in found[0]


def test_alias_bomb_is_refused_before_expansion(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(9)
    )
    assert "anchors and aliases" in problems(tmp_path, bomb)[0]


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("Ada", "Adé").encode("latin-1"))
    assert found == ["pitch.yaml:2: not UTF-8 text; save the file as UTF-8"]


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(PitchError) as caught:
        load_pitch(tmp_path / "nope.yaml")
    assert caught.value.problems == [f"{tmp_path / 'nope.yaml'}: file not found"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "  headline: Data analyst",
            "  headline: Data analyst\n  photo: ../secret.png",
            "candidate.photo: ../secret.png is outside the pitch's folder",
        ),
        (
            "  headline: Data analyst",
            "  headline: Data analyst\n  photo: /etc/passwd",
            "candidate.photo: /etc/passwd is outside the pitch's folder",
        ),
        (
            "  headline: Data analyst",
            "  headline: Data analyst\n  photo: media/none.png",
            "candidate.photo: media/none.png does not exist",
        ),
        (
            "  headline: Data analyst",
            "  headline: Data analyst\n  photo: -rf.png",
            "candidate.photo: a file name must not start with '-'",
        ),
        (
            "  headline: Data analyst",
            "  headline: Data analyst\n  links:\n    Site: javascript:alert(1)",
            "candidate.links.Site: must be a full http:// or https:// address",
        ),
    ],
)
def test_media_and_links_are_checked(tmp_path: Path, field: str, value: str, message: str) -> None:
    found = problems(tmp_path, MINIMAL.replace(field, value))
    assert len(found) == 1
    assert message in found[0]


def test_sibling_folder_with_same_prefix_is_outside(tmp_path: Path) -> None:
    (tmp_path / "pitch").mkdir()
    (tmp_path / "pitch-evil").mkdir()
    (tmp_path / "pitch-evil" / "x.png").write_bytes(b"x")
    path = tmp_path / "pitch" / "pitch.yaml"
    path.write_text(
        MINIMAL.replace(
            "  headline: Data analyst", "  headline: Data analyst\n  photo: ../pitch-evil/x.png"
        )
    )
    with pytest.raises(PitchError) as caught:
        load_pitch(path)
    assert "outside the pitch's folder" in caught.value.problems[0]


def test_symlink_out_of_the_folder_is_outside(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"x")
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    path = folder / "pitch.yaml"
    path.write_text(
        MINIMAL.replace("  headline: Data analyst", "  headline: Data analyst\n  photo: link.png")
    )
    with pytest.raises(PitchError) as caught:
        load_pitch(path)
    assert "outside the pitch's folder" in caught.value.problems[0]


def test_discussed_is_required_unless_every_interviewer_has_points(tmp_path: Path) -> None:
    without = MINIMAL.replace("discussed:\n  - Moving the weekly KPI report to dbt\n", "")
    assert "discussed: name 1-5 specific moments" in problems(tmp_path, without)[0]
    per_person = without.replace(
        "    - name: Sarah Kim\n", "    - name: Sarah Kim\n      discussed: [The Friday report]\n"
    )
    path = tmp_path / "pitch.yaml"
    path.write_text(per_person)
    assert load_pitch(path).interview.interviewers[0].discussed == ["The Friday report"]


def test_date_keeps_time_and_offset_when_given(tmp_path: Path) -> None:
    path = tmp_path / "pitch.yaml"
    path.write_text(MINIMAL.replace("2026-11-24", "2026-11-24T15:00+01:00"))
    when: Any = load_pitch(path).interview.date
    assert (when.hour, when.utcoffset().total_seconds()) == (15, 3600)


def test_schema_describes_every_top_level_field() -> None:
    schema = pitch_schema()
    assert set(schema["properties"]) == {
        "language",
        "theme",
        "candidate",
        "interview",
        "thanks",
        "discussed",
        "value",
        "samples",
        "closing",
        "video",
        "share",
    }
    assert schema["additionalProperties"] is False


def test_invisible_non_characters_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("Thank you for your time.", '"Thanks \\uFFFF"'))
    assert found == ["pitch.yaml:11:1: thanks: contains control characters; use plain text"]


def test_a_bare_number_is_not_a_date(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("2026-11-24", "20261124"))
    assert found[0].startswith("pitch.yaml:8:3: interview.date: must be a date (2026-11-24)")


def test_a_link_label_may_be_any_word(tmp_path: Path) -> None:
    path = tmp_path / "pitch.yaml"
    path.write_text(
        MINIMAL.replace(
            "  headline: Data analyst",
            "  headline: Data analyst\n  links:\n    image: https://x.example",
        )
    )
    assert load_pitch(path).candidate.links == {"image": "https://x.example"}


def test_non_latin_names_get_distinct_folders(tmp_path: Path) -> None:
    path = tmp_path / "pitch.yaml"
    path.write_text(
        MINIMAL.replace(
            "    - name: Sarah Kim\n", "    - name: Иван Петров\n    - name: Мария Иванова\n"
        ),
        encoding="utf-8",
    )
    people = load_pitch(path).interview.interviewers
    slugs = [p.slug for p in people]
    assert len(set(slugs)) == 2 and all(s.startswith("person-") for s in slugs)
    assert load_pitch(path).interviewer("Иван Петров") == [people[0]]


def test_source_is_not_a_field_of_the_file(tmp_path: Path) -> None:
    assert problems(tmp_path, MINIMAL + "source: /etc\n") == [
        "pitch.yaml:16:1: unknown field 'source'"
    ]


def panel(tmp_path: Path, *names: str) -> Path:
    """Return a pitch whose interviewers are *names*."""
    path = tmp_path / "pitch.yaml"
    people = "".join(f"    - name: {name}\n" for name in names)
    path.write_text(MINIMAL.replace("    - name: Sarah Kim\n", people), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "wanted", ["Anna", "anna", "Beispiel", "beispiel", "Anna Beispiel", "dr-anna-beispiel"]
)
def test_for_finds_a_person_with_a_title_by_any_of_their_names(tmp_path: Path, wanted: str) -> None:
    pitch = load_pitch(panel(tmp_path, "Dr. Anna Beispiel", "Sarah Kim"))
    assert [p.name for p in pitch.interviewer(wanted)] == ["Dr. Anna Beispiel"]


@pytest.mark.parametrize(
    "wanted", ["Öztürk", "ozturk", "OEZTUERK", "mehmet-oeztuerk", "mehmet ozturk", "von Berg"]
)
def test_for_ignores_case_and_accents_and_knows_particles(tmp_path: Path, wanted: str) -> None:
    pitch = load_pitch(panel(tmp_path, "Mehmet Öztürk", "Prof. Dr. Maria von Berg"))
    found = pitch.interviewer(wanted)
    assert len(found) == 1
    assert found[0].name == ("Prof. Dr. Maria von Berg" if "Berg" in wanted else "Mehmet Öztürk")


def test_for_prefers_a_whole_name_to_a_part_of_one(tmp_path: Path) -> None:
    pitch = load_pitch(panel(tmp_path, "Anna", "Anna Schmidt"))
    assert [p.name for p in pitch.interviewer("anna")] == ["Anna"]
    assert [p.name for p in pitch.interviewer("Schmidt")] == ["Anna Schmidt"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Jörg Größler", "joerg-groessler"),
        ("GRÖẞLER", "groessler"),
        ("Mehmet Öztürk", "mehmet-oeztuerk"),
        ("Ärzte Übel", "aerzte-uebel"),
        ("José García", "jose-garcia"),
        ("Søren Łukasz", "soren-lukasz"),
        ("Dr. Anna Beispiel", "dr-anna-beispiel"),
    ],
)
def test_folder_names_spell_german_letters_out_and_drop_no_letter(
    tmp_path: Path, name: str, slug: str
) -> None:
    assert load_pitch(panel(tmp_path, name)).interview.interviewers[0].slug == slug


def test_two_names_with_one_folder_name_are_refused(tmp_path: Path) -> None:
    # Written out, "Müller" is "Mueller": their folders would be the same.
    assert problems(tmp_path, panel(tmp_path, "Jana Müller", "Jana Mueller").read_text()) == [
        "pitch.yaml:9:3: interview.interviewers: 'Jana Müller' and 'Jana Mueller' would share "
        "the folder "
        "'jana-mueller'; tell them apart (a middle initial will do)"
    ]


def long_text(field: str, value: str) -> str:
    """Return MINIMAL with *field*'s line set to *value*."""
    lines = {
        "headline": "  headline: Data analyst",
        "thanks": "thanks: Thank you for your time.",
    }
    return MINIMAL.replace(lines[field], lines[field].split(":")[0] + ": " + value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            long_text("headline", "x" * 161),
            "pitch.yaml:4:3: candidate.headline: is too long: 161 characters, at most 160",
        ),
        (
            long_text("thanks", "y" * 700),
            "pitch.yaml:11:1: thanks: is too long: 700 characters, at most 600",
        ),
        (
            long_text("headline", "Analyst\n  links:\n    " + "L" * 170 + ": https://x.example"),
            "pitch.yaml:6:5: candidate.links: the label 'LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL…' "
            "is too long: 170 characters, at most 160",
        ),
        (
            long_text("headline", "Analyst\n  links:\n    Site: https://x.example/" + "p" * 2000),
            "pitch.yaml:6:5: candidate.links.Site: is too long: 2018 characters, at most 2000",
        ),
        (
            MINIMAL.replace("value:\n", "value:\n" + "  - title: More\n" * 5),
            "pitch.yaml:14:1: value: has 6 items; give at most 5",
        ),
    ],
)
def test_too_long_fields_state_their_length_next_to_the_limit(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert problems(tmp_path, text) == [expected]


def test_a_folder_holding_pitch_yaml_is_the_pitch(tmp_path: Path) -> None:
    (tmp_path / "pitch.yaml").write_text(MINIMAL)
    assert load_pitch(tmp_path).source == (tmp_path / "pitch.yaml").resolve()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PitchError) as caught:
        load_pitch(empty)
    assert caught.value.problems == [
        f"{empty} is a folder without a pitch.yaml; name the pitch file, or run: build init {empty}"
    ]


def test_a_pitch_over_the_size_limit_says_its_size(tmp_path: Path) -> None:
    text = MINIMAL + "# " + "x" * 1_200_000 + "\n"
    assert problems(tmp_path, text) == [
        f"pitch.yaml: larger than 1000 kB ({len(text) / 1000:,.1f} kB); is this a pitch?"
    ]
