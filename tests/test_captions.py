"""Captions: scripts become timed cues, caption files parse strictly, VTT comes out clean."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from builder.captions import (
    CUE,
    LINE,
    CaptionSyntax,
    Cue,
    at,
    chunk_script,
    from_script,
    load,
    parse_srt,
    parse_vtt,
    shifted,
    to_vtt,
)
from builder.errors import MediaError

SCRIPT = (
    "Hi Sarah, thank you for yesterday's conversation. You told me about the Friday "
    "spreadsheet report and the plan to move the weekly KPIs to dbt. I rebuilt a report like "
    "that at Acme and cut its preparation from six hours to twenty minutes. I would love to do "
    "the same for your team, and I am happy to walk you through it in a short call."
)
WHERE = "pitch.yaml: video.captions"


# ----------------------------------------------------------------------------- scripts


def test_script_cues_cover_the_window_in_order_without_gaps() -> None:
    cues = from_script(SCRIPT, 2.0, 30.0)
    assert cues[0].start == 2.0
    assert cues[-1].end == pytest.approx(30.0, abs=0.002)
    for before, after in itertools.pairwise(cues):
        assert before.end == pytest.approx(after.start, abs=0.002)
        assert before.start < before.end


def test_script_cues_keep_every_word_in_order() -> None:
    cues = from_script(SCRIPT, 0.0, 20.0)
    assert " ".join(c.text.replace("\n", " ") for c in cues).split() == SCRIPT.split()


def test_script_cues_are_at_most_two_short_lines() -> None:
    for cue in from_script(SCRIPT * 3, 0.0, 90.0):
        lines = cue.text.split("\n")
        assert len(lines) <= 2
        assert all(len(line) <= LINE for line in lines), lines


def test_each_sentence_starts_a_new_cue() -> None:
    phrases = chunk_script(SCRIPT)
    assert phrases[0] == "Hi Sarah, thank you for yesterday's conversation."
    sentences = [p for p in phrases if p.endswith(".")]
    assert len(sentences) == 4


def test_a_long_sentence_breaks_after_a_comma_not_mid_clause() -> None:
    phrases = chunk_script(
        "I would love to do the same for your team, and I am happy to walk you through it "
        "in a short call."
    )
    assert phrases == [
        "I would love to do the same for your team,",
        "and I am happy to walk you through it in a short call.",
    ]
    assert all(len(p) <= CUE for p in chunk_script("word " * 200))


def test_longer_phrases_stay_on_screen_longer() -> None:
    short, long = from_script("Yes. " + "This sentence is a good deal longer than that.", 0, 10)
    assert long.end - long.start > short.end - short.start


def test_an_empty_script_or_window_gives_no_cues() -> None:
    assert from_script("   ", 0, 10) == []
    assert from_script(SCRIPT, 5, 5) == []


# ----------------------------------------------------------------------------- parsing

VTT = """WEBVTT - made by hand
Kind: captions

NOTE a comment
that spans lines

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:04.500 align:start position:10%
<v Ada>Hello &amp; <b>welcome</b></v>

00:00:05.000 --> 00:00:07.250
Second line one
second line two
"""


def test_webvtt_parses_ids_settings_notes_and_markup() -> None:
    cues = parse_vtt(VTT)
    assert cues == [
        Cue(1.0, 4.5, "Hello & welcome"),
        Cue(5.0, 7.25, "Second line one\nsecond line two"),
    ]


def test_subrip_parses_with_commas_tags_and_overrides() -> None:
    srt = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hi</i> {\\an8}there\r\n\r\n"
        "2\r\n01:00:00,000 --> 01:00:01,000\r\nLater\r\n"
    )
    assert parse_srt(srt) == [Cue(1.0, 2.5, "Hi there"), Cue(3600.0, 3601.0, "Later")]


def test_written_vtt_reads_back_the_same_and_escapes_markup() -> None:
    cues = [Cue(0.5, 2.0, "Fish & chips <3"), Cue(2.0, 3.123, "a --> b\nsecond")]
    text = to_vtt(cues)
    assert text.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n")
    assert "Fish &amp; chips &lt;3" in text
    assert "-->" not in text.split("\n", 4)[4].replace(" --> ", "")  # only in timing lines
    assert parse_vtt(text) == cues


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("WEBVT\n\n00:01.000 --> 00:02.000\nx\n", 1, "starts with the line 'WEBVTT'"),
        ("WEBVTT\n\n00:01.000 -> 00:02.000\nx\n", 3, "expected a timing"),
        ("WEBVTT\n\n\n00:03.000 --> 00:02.000\nx\n", 4, "ends before it starts"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nx\n", 2, "blank line after 'WEBVTT'"),
        ("WEBVTT\n\n00:01.00 --> 00:02.000\nx\n", 3, "expected a timing"),
    ],
)
def test_broken_webvtt_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(CaptionSyntax) as caught:
        parse_vtt(text)
    assert caught.value.line == line
    assert words in str(caught.value)


def test_broken_subrip_names_the_line() -> None:
    with pytest.raises(CaptionSyntax, match="line 5: expected a cue number"):
        parse_srt("1\n00:00:01,000 --> 00:00:02,000\nok\n\nnot a number\n00:00:03,000 --> x\n")
    with pytest.raises(CaptionSyntax, match="line 2: expected a timing"):
        parse_srt("1\n00:00:01 --> 00:00:02\nx\n")


def test_load_reads_both_formats(tmp_path: Path) -> None:
    vtt, srt = tmp_path / "a.vtt", tmp_path / "a.srt"
    vtt.write_text("\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", encoding="utf-8")
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n", encoding="utf-8")
    assert load(vtt, WHERE) == load(srt, WHERE) == [Cue(1.0, 2.0, "Hi")]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.txt", b"WEBVTT\n", "must be a .vtt or .srt file"),
        ("a.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\xfe bad\n", "is not UTF-8 text"),
        ("a.vtt", b"WEBVTT\n\nNOTE nothing here\n", "has no captions"),
        ("a.srt", b"1\n00:00:01,000 --> 00:00:00,500\nx\n", "line 2: the cue ends before"),
        ("a.vtt", b"WEBVTT\n" + b"x" * 1_000_001, "larger than 1000 KB"),
    ],
)
def test_load_refuses_bad_files_in_one_line(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError) as caught:
        load(path, WHERE)
    message = str(caught.value)
    assert message.startswith(f"{WHERE}: {name}")
    assert words in message
    assert "\n" not in message


# ----------------------------------------------------------------------------- timing


def test_shifted_moves_cues_and_drops_those_past_the_end() -> None:
    cues = [Cue(0.0, 1.0, "a"), Cue(1.0, 3.0, "b"), Cue(9.0, 10.0, "c")]
    assert shifted(cues, 4.0, end=6.0) == [Cue(4.0, 5.0, "a"), Cue(5.0, 6.0, "b")]


def test_at_finds_the_cue_showing() -> None:
    cues = [Cue(0.0, 1.0, "a"), Cue(2.0, 3.0, "b")]
    assert at(cues, 0.5) == 0
    assert at(cues, 1.5) is None
    assert at(cues, 2.0) == 1
    assert at(cues, 3.0) is None


def test_every_cue_is_two_lines_of_42_where_its_words_allow() -> None:
    # A script with no punctuation gave cues such as "documented weekly customers revenue
    # warehouse" (45) on one of their two lines.
    import random

    from builder.captions import LINE, balance, chunk_script

    words = [
        "documented",
        "weekly",
        "customers",
        "revenue",
        "warehouse",
        "improve",
        "analytics",
        "quarterly",
        "tested",
        "pipeline",
        "die",
        "der",
        "und",
        "Donaudampfschifffahrtsgesellschaftskapitän",
    ]
    chance = random.Random(3)
    for _ in range(100):
        script = " ".join(chance.choice(words) for _ in range(chance.randint(5, 120)))
        for cue in chunk_script(script):
            lines = balance(cue).split("\n")
            assert len(lines) <= 2, cue
            assert all(len(line) <= LINE or " " not in line for line in lines), cue
