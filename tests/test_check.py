"""`build check`: the follow-up rules, each with a clear message and the right exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from builder.check import names_person, public_wall, run_checks, send_by
from builder.pitch import load_pitch

IN_TIME = "2026-11-25T10:00+01:00"


def edit(pitch: Path, old: str, new: str) -> Path:
    text = pitch.read_text(encoding="utf-8")
    assert old in text
    pitch.write_text(text.replace(old, new, 1), encoding="utf-8")
    return pitch


def test_examples_pass(example: Any, cli: Any) -> None:
    for name in ("ada", "jonas"):
        result = cli("check", example(name), "--now", "2026-11-24T20:00+01:00")
        assert result.exit_code == 0, result.output
        assert "check passed: 0 error(s), 0 warning(s)" in result.output


def test_deadline_is_24_hours_after_the_interview(example: Any, cli: Any) -> None:
    pitch = load_pitch(example("ada"))
    assert send_by(pitch.interview.date).isoformat() == "2026-11-25T15:00:00+01:00"
    result = cli("check", example("ada"), "--now", IN_TIME)
    assert "send by Wed 2026-11-25 15:00 +0100 (5 h 0 min left)" in result.output


def test_late_follow_up_is_a_warning_not_an_error(example: Any, cli: Any) -> None:
    result = cli("check", example("ada"), "--now", "2026-11-25T15:30+01:00")
    assert result.exit_code == 0
    assert "warning: the 24-hour window closed 0 h 30 min ago" in result.output


def test_placeholders_are_errors_with_position(example: Any, cli: Any) -> None:
    pitch = edit(example("ada"), "cut its preparation", "TODO cut its preparation")
    edit(pitch, "Moving the weekly KPI report", "Moving the {{ topic }} report")
    result = cli("check", pitch, "--now", IN_TIME)
    assert result.exit_code == 1
    assert "error: pitch.yaml:31:5: value[0].detail: left-over placeholder 'TODO'" in result.output
    assert (
        "error: pitch.yaml:27:5: discussed[0]: left-over template placeholder '{{ topic }}'"
        in result.output
    )


def test_lorem_and_angle_placeholders(example: Any) -> None:
    pitch = edit(example("ada"), "The Daily Muse", "<company>")
    edit(pitch, "I would be glad", "Lorem ipsum, I would be glad")
    report = run_checks(pitch, now=IN_TIME)
    assert any("interview.company: left-over placeholder '<company>'" in e for e in report.errors)
    assert any("closing: left-over placeholder text 'Lorem ipsum'" in e for e in report.errors)


def test_salutation_must_name_the_interviewer(example: Any) -> None:
    pitch = edit(example("jonas"), "Liebe Frau Schulz", "Sehr geehrte Damen und Herren")
    report = run_checks(pitch, now=IN_TIME)
    assert any(
        "interview.interviewers[0].salutation: 'Sehr geehrte Damen und Herren' does not name "
        "Petra Schulz" in e
        for e in report.errors
    )
    assert any("impersonal phrase 'Sehr geehrte Damen und Herren'" in e for e in report.errors)


def test_vague_points_and_long_texts_are_warnings(example: Any) -> None:
    pitch = edit(example("ada"), "Moving the weekly KPI report from spreadsheets to dbt", "dbt")
    edit(pitch, "I would be glad to show", "I would be glad to show " + "really " * 60)
    report = run_checks(pitch, now=IN_TIME)
    assert not report.errors
    assert any("discussed[0]: 'dbt' is vague" in w for w in report.warnings)
    assert any("closing:" in w and "keep it under 250" in w for w in report.warnings)


def test_invalid_pitch_reports_validation_errors(example: Any, cli: Any) -> None:
    pitch = edit(example("ada"), "  email: ada@example.com", "  email: not-an-address")
    result = cli("check", pitch)
    assert result.exit_code == 1
    assert "error: pitch.yaml:6:3: candidate.email: is not an email address" in result.output


def test_bad_now_is_one_line(example: Any, cli: Any) -> None:
    result = cli("check", example("ada"), "--now", "garbage")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: --now garbage: not an ISO date or time (like 2026-11-25T09:00+01:00)"
    )


def test_interview_in_the_future_is_questioned(example: Any) -> None:
    report = run_checks(example("ada"), now="2025-11-20T10:00+01:00")
    assert any("interview.date lies in the future" in w for w in report.warnings)


# --- the message rules (build email) -------------------------------------------------------


def test_public_company_pages_are_not_a_thank_you(example: Any) -> None:
    pitch = edit(
        example("ada"),
        "    GitHub: https://github.com/ada-example",
        "    GitHub: https://github.com/ada-example\n"
        "    LinkedIn: https://www.linkedin.com/in/ada-example\n"
        "    Our page: https://www.linkedin.com/company/the-daily-muse/\n"
        "    Thanks post: https://www.linkedin.com/posts/ada-example_thank-you-activity-7\n"
        "    Shout-out: https://x.com/dailymuse",
    )
    report = run_checks(pitch, now=IN_TIME)
    walls = [e for e in report.errors if "public social-media page or post" in e]
    assert [e.split(": ", 2)[1] for e in walls] == [
        "candidate.links.Our page",
        "candidate.links.Thanks post",
        "candidate.links.Shout-out",
    ]
    assert walls[0].startswith("pitch.yaml:14:5: candidate.links.Our page: ")
    assert not any("linkedin.com/in/ada-example" in e for e in report.errors)


def test_public_wall_recognises_pages_posts_and_review_sites() -> None:
    company = "Nordlicht Logistik GmbH"
    assert public_wall("https://www.xing.com/pages/nordlicht-logistik", "XING", company)
    assert public_wall("https://www.facebook.com/NordlichtLogistik", "Facebook", company)
    assert public_wall("https://www.kununu.com/de/nordlicht", "Bewertung", company)
    assert public_wall("https://www.linkedin.com/posts/jonas_danke-activity-1", "Post", company)
    assert not public_wall("https://www.xing.com/profile/Jonas_Beispiel", "XING", company)
    assert not public_wall("https://www.linkedin.com/pulse/prognosen-jonas", "Artikel", company)
    assert not public_wall("https://jonas.beispiel.example/nordlicht", "Portfolio", company)


def test_email_placeholders_are_found_where_they_came_from(example: Any) -> None:
    pitch = edit(
        example("ada"),
        "Moving the weekly KPI report from spreadsheets to dbt",
        "Moving the {report} from [Tool] to dbt",
    )
    report = run_checks(pitch, now=IN_TIME)
    found = sorted(e for e in report.errors if "(it would be in the email)" in e)
    assert found == [
        f"pitch.yaml:27:5: discussed[0]: left-over placeholder '{text}' (it would be in the email)"
        for text in ("[Tool]", "{report}")
    ]


def test_greeting_must_name_the_interviewer_not_just_a_title(example: Any) -> None:
    pitch = edit(example("jonas"), "name: Petra Schulz", "name: Dr. Petra Schulz")
    edit(pitch, "Liebe Frau Schulz", "Sehr geehrter Dr. Müller")
    report = run_checks(pitch, now=IN_TIME)
    assert any(
        "'Sehr geehrter Dr. Müller' does not name Dr. Petra Schulz" in e for e in report.errors
    )
    assert names_person("Liebe Frau Dr. Schulz", "Dr. Petra Schulz")
    assert names_person("Lieber Herr Oztürk", "Mehmet Öztürk")
    assert not names_person("Sehr geehrte Frau von Bergen", "Prof. Maria von Berg")


def test_a_long_pitch_gets_a_shorter_email_and_a_warning(example: Any) -> None:
    pitch = edit(
        example("ada"),
        "I would be glad to show",
        " ".join(["We could also talk about it"] * 18) + ". I would be glad to show",
    )
    edit(pitch, "Thank you for the time", " ".join(["Thank you so much"] * 20) + " for the time")
    report = run_checks(pitch, now=IN_TIME)
    assert not report.errors
    assert any(
        w.startswith("email to Sarah Kim: to stay within 150 words it shortens or leaves out "
                     "your closing")
        for w in report.warnings
    )  # fmt: skip


def test_a_placeholder_shared_by_a_panel_is_reported_once(example: Any) -> None:
    pitch = edit(example("jonas"), "Wie Fehlbestände früher", "Wie {Thema} früher")
    report = run_checks(pitch, now=IN_TIME)
    assert [e for e in report.errors if "{Thema}" in e] == [
        "pitch.yaml:33:5: discussed[0]: left-over placeholder '{Thema}' (it would be in the email)"
    ]


def test_german_texts_that_say_sie_to_someone_greeted_with_du(example: Any, cli: Any) -> None:
    pitch = edit(example("jonas"), "salutation: Liebe Frau Schulz", "salutation: Hallo Petra")
    result = cli("check", pitch, "--now", "2026-11-24T20:00+01:00")
    assert result.exit_code == 0
    assert (
        "warning: email to Petra Schulz: the message says du, but your texts say 'Ihnen', 'Ihr' "
        "(Sie); make them match (or set the interviewer's 'address')"
    ) in result.output
    assert "email to Mehmet Öztürk: the message says" not in result.output


def test_a_salutation_at_odds_with_the_address_setting(example: Any, cli: Any) -> None:
    # "Sehr geehrte Frau Schulz, ... gern schicke ich sie dir": never right in German.
    pitch = edit(
        example("jonas"),
        "salutation: Liebe Frau Schulz",
        "salutation: Sehr geehrte Frau Schulz\n      address: informal",
    )
    result = cli("check", pitch, "--now", "2026-11-24T20:00+01:00")
    assert result.exit_code == 0
    assert (
        "warning: email to Petra Schulz: address: informal makes the message say du, but the "
        "salutation 'Sehr geehrte Frau Schulz' says Sie; change one of them"
    ) in result.output
    assert "email to Mehmet Öztürk: address:" not in result.output


def _bomb(path: Path) -> None:
    Image.new("1", (10_000, 10_000)).save(path, format="PNG")  # 100 megapixels, a few KB


def _text(path: Path) -> None:
    path.write_text("not a picture at all")


def _truncated_jpeg(path: Path) -> None:
    Image.effect_noise((800, 600), 64).convert("RGB").save(path, format="JPEG")
    path.write_bytes(path.read_bytes()[:5000])


def _over_30_mb(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(31_000_000)  # sparse: no 31 MB of disk needed


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_bomb, "dashboard.png has too many pixels (100,000,000; at most 40,000,000)"),
        (_text, "dashboard.png is not an image (use PNG, JPEG, WebP or GIF)"),
        (_truncated_jpeg, "dashboard.png is damaged or truncated"),
        (_over_30_mb, "dashboard.png is larger than 30 MB (31.0 MB); export it smaller"),
    ],
)
def test_check_refuses_the_images_the_build_would_refuse(
    example: Any, cli: Any, tmp_path: Path, damage: Callable[[Path], None], message: str
) -> None:
    pitch = example("ada")
    damage(pitch.parent / "media" / "dashboard.png")
    result = cli("check", pitch, "--now", IN_TIME)
    assert result.exit_code == 1
    assert f"error: pitch.yaml:42:5: samples[0].image: {message}" in result.output
    build = cli("deck", pitch, "-o", tmp_path / "out")  # the build says the same
    assert build.exit_code == 1
    assert f"error: pitch.yaml:42:5: samples[0].image: {message}" in build.output


def test_check_refuses_the_recording_and_captions_the_video_would_refuse(
    example: Any, cli: Any
) -> None:
    pitch = example("ada")
    (pitch.parent / "media" / "hello.mp4").write_text("#EXTM3U\nhttp://example.com/a.ts\n")
    (pitch.parent / "media" / "words.vtt").write_text("not WebVTT\n")
    edit(pitch, "video:\n", "video:\n  recording: media/hello.mp4\n  captions: media/words.vtt\n")
    result = cli("check", pitch, "--now", IN_TIME)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert [line.split(": ")[1:3] for line in errors] == [
        ["pitch.yaml:46:3", "video.recording"],
        ["pitch.yaml:47:3", "video.captions"],
    ]


def test_captions_the_frames_cannot_draw_are_a_warning_for_burning_them(
    example: Any, cli: Any
) -> None:
    pitch = example("ada")
    (pitch.parent / "media" / "words.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nDanke, Frau von Berg! Łódź, Київ\n\n"
        "00:00:03.000 --> 00:00:05.000\n谢谢\n",
        encoding="utf-8",
    )
    edit(pitch, "video:\n", "video:\n  captions: media/words.vtt\n")
    result = cli("check", pitch, "--now", IN_TIME)
    assert result.exit_code == 0, result.output  # beside the video the player draws them
    warning = [line for line in result.output.splitlines() if "video.captions" in line]
    assert warning == [
        "warning: pitch.yaml:46:3: video.captions: words.vtt: with --burn-captions, the "
        "caption \"谢谢\": the character '谢' (U+8C22) cannot be drawn: the tool ships no "
        "font for Chinese, Japanese or Korean; write it in Latin letters or remove it, or "
        "build without --burn-captions (players show the captions file in the viewer's own "
        "fonts)"
    ]


def test_an_oversized_recording_says_its_size(example: Any, cli: Any) -> None:
    pitch = example("ada")
    with (pitch.parent / "media" / "big.mp4").open("wb") as handle:
        handle.truncate(2_100_000_000)  # sparse: no disk space needed
    edit(pitch, "video:\n", "video:\n  recording: media/big.mp4\n")
    result = cli("check", pitch, "--now", IN_TIME)
    assert result.exit_code == 1
    assert (
        "error: pitch.yaml:46:3: video.recording: big.mp4 is larger than 2 GB (2.10 GB)"
        in result.output
    )
