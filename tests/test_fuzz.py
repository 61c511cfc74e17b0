"""Fuzzing (issue 9): random pitch documents and random Unicode text through the loader, the
storyboard and each writer's text fitting. Every run ends in a valid result or a clean
validation error (one line per problem), never in an unexpected exception.

In CI (``CI`` set) the examples are derandomized, so a failure reproduces on every run;
elsewhere each run tries new ones. Hypothesis prints the smallest failing example.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, example, given, note, settings
from hypothesis import strategies as st

from builder.errors import PitchError
from builder.pitch import LINE as LINE_FIELD
from builder.pitch import TEXT as TEXT_FIELD
from builder.pitch import Pitch, load_pitch
from builder.schema import Invalid, Str, validate
from builder.storyboard import MAX_SCENES, plan
from builder.theme import load_theme

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,  # no .hypothesis/ folder in the work tree; failures print their example
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("dev", **_COMMON)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ada"
ADA = (EXAMPLE / "pitch.yaml").read_text(encoding="utf-8")
LINE, TEXT, SCRIPT = 160, 600, 4000  # the limits of one-line fields, texts and the script
THEMES = {name: load_theme(name) for name in ("classic", "midnight")}
FONTS = sorted(
    {
        path
        for theme in THEMES.values()
        for path in (theme.heading.regular, theme.heading.bold, theme.body.regular, theme.body.bold)
    }
)

# What YAML, the loader, the fonts and the layout find hard: YAML 1.1 words, indicators,
# template and markup syntax, controls, bidi and invisible characters, combining marks,
# emoji sequences, other scripts, and very wide glyphs.
NASTY = [
    *("NO", "yes", "off", "012", "12:30", "1e3", "0x1F", "~", "null", ".inf", "-", "- x"),
    *("? x", ": x", "#x", "&a", "*a", "!!python/object:os.system", "%YAML", "---", "...", "|"),
    *("{{ x }}", "{% if %}", "<b>x</b>", "[a](javascript:x)", "**x**", "\\", '"', "'"),
    *("\u202e", "\u2066x\u2069", "\u200b", "\u00ad", "\ufeff", "\x00", "\x1b[31m", "\x7f"),
    *("\u0085", "\u2028", "\r\n", "\t", " ", "e\u0301", "\u0301", "ẞ", "ß", "ǅ", "ﬃ", "İ"),
    *("😀", "👩\u200d👩\u200d👧", "🇩🇪", "日本語", "مرحبا", "Ж", "\ufdfd", "꧅", "\U0001d54f"),
    *("\ufffe", "\U0010ffff", "\ue000", "a" * 161, "x " * 300, "W" * 600),
]


def stretched(chunks: st.SearchStrategy[str], low: int, high: int) -> st.SearchStrategy[str]:
    """Return texts of *low* to *high* characters made by repeating a random chunk (cheap
    to generate, where thousands of random characters would each cost a draw)."""

    def repeat(pair: tuple[str, int]) -> str:
        chunk, n = pair
        return (chunk * (n // len(chunk) + 1))[:n]

    return st.tuples(chunks, st.integers(low, high)).map(repeat)


def sized(limit: int) -> st.SearchStrategy[str]:
    """Return texts of lengths right around *limit* (one under, at, one over)."""
    return stretched(st.text(min_size=1, max_size=30), limit - 1, limit + 1)


def any_text(limit: int) -> st.SearchStrategy[str]:
    """Return any Unicode text: short, nasty, or right at *limit*."""
    nasty = st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map("".join)
    return st.one_of(st.text(max_size=40), nasty, sized(limit))


# Any character the pitch lets through to the writers (no controls, surrogates or
# non-characters), from every script: what the fonts lack must still fit, drawn or not.
UNCONTROLLED = st.characters(
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\ufffe\uffff" + "".join(map(chr, range(0xFDD0, 0xFDF0))),
)


def pitch_text(limit: int, newlines: bool = False) -> st.SearchStrategy[str]:
    """Return text as a pitch field may hold it: short, nasty, or near *limit* characters."""
    alphabet = st.one_of(UNCONTROLLED, *([st.just("\n")] if newlines else []))
    harmless = [n for n in NASTY if newlines or "\n" not in n]
    nasty = st.lists(st.sampled_from(harmless), min_size=1, max_size=4).map("".join)
    long = stretched(st.text(alphabet, min_size=1, max_size=30), limit - 30, limit)
    return st.one_of(st.text(alphabet, max_size=40), nasty, long)


# Text a user could write that every output can draw (the loader refuses the rest, see
# builder.glyphs): Latin with its accents, Greek, Cyrillic, typographic punctuation, €.
DRAWABLE = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xA1, max_codepoint=0x17F).filter(lambda c: c != "\xad"),
    st.characters(min_codepoint=0x391, max_codepoint=0x3C9, categories=("Lu", "Ll")),
    st.characters(min_codepoint=0x410, max_codepoint=0x44F),
    st.sampled_from(["\u2013", "\u2014", "\u2018", "\u2019", "\u201c", "\u201e", "\u2026", "€"]),
)


def fair_text(limit: int, newlines: bool = False) -> st.SearchStrategy[str]:
    """Return plain text of 1 to *limit* characters, often short, sometimes near the limit."""
    alphabet = st.one_of(DRAWABLE, st.just(" "), *([st.just("\n")] if newlines else []))
    words = st.text(alphabet, min_size=1, max_size=min(limit, 40))
    long = stretched(st.text(alphabet, min_size=1, max_size=24), max(1, limit - 20), limit)
    return st.one_of(words, words, long).filter(lambda s: s.strip() != "")


SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
ANY_VALUE = st.recursive(
    SCALAR,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
EMAIL = st.from_regex(r"[a-z][a-z0-9.]{0,12}@[a-z]{1,12}\.[a-z]{2,6}", fullmatch=True)
URL = st.from_regex(r"https://[a-z]{1,12}\.example/[a-z0-9/]{0,20}", fullmatch=True)
OFFSET = st.sampled_from(["Z", "+00:00", "+01:00", "+02:00", "-05:00", "+05:30", "-09:30"])
DATE = st.one_of(
    st.dates(date(2000, 1, 1), date(2099, 12, 31)).map(lambda d: d.isoformat()),
    st.tuples(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.times(), OFFSET).map(
        lambda t: f"{t[0].isoformat()}T{t[1].isoformat(timespec='minutes')}{t[2]}"
    ),
)


def mapping(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


def fair_pitch() -> st.SearchStrategy[dict[str, Any]]:
    """Return pitch documents shaped as the docs describe, with any text within the limits."""
    line, text = fair_text(LINE), fair_text(TEXT, newlines=True)
    candidate = mapping(
        {"name": line, "email": EMAIL, "headline": line},
        {
            "phone": line,
            "photo": st.just("media/ada.jpg"),
            "links": st.dictionaries(fair_text(30), URL, max_size=6),
        },
    )
    person = mapping(
        {"name": line},
        {
            "title": line,
            "email": EMAIL,
            "salutation": line,
            "address": st.sampled_from(["formal", "informal"]),
            "discussed": st.lists(text, max_size=5),
        },
    )
    interview = mapping(
        {"company": line, "role": line, "date": DATE},
        {"interviewers": st.lists(person, min_size=1, max_size=3)},
    )
    value = mapping({"title": line}, {"detail": text, "image": st.just("media/pipeline.png")})
    sample = mapping(
        {"title": line},
        {"description": text, "image": st.just("media/dashboard.png"), "url": URL},
    )
    return mapping(
        {
            "candidate": candidate,
            "interview": interview.map(lambda d: {"interviewers": [{"name": "Sarah Kim"}], **d}),
            "thanks": text,
            "discussed": st.lists(text, min_size=1, max_size=5),
            "value": st.lists(value, min_size=1, max_size=5),
        },
        {
            "language": st.sampled_from(["en", "de"]),
            "theme": st.sampled_from(sorted(THEMES)),
            "samples": st.lists(sample, max_size=5),
            "closing": text,
            "video": mapping({}, {"script": fair_text(SCRIPT, newlines=True)}),
        },
    )


def any_pitch() -> st.SearchStrategy[dict[str, Any]]:
    """Return pitch-shaped documents with random text, wrong types, and missing or extra keys."""
    line, text = any_text(LINE), any_text(TEXT)

    def field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(good, good, good, ANY_VALUE)

    person = mapping({}, {k: field(line) for k in ("name", "title", "email", "salutation")})
    keys = ("language", "theme", "thanks", "closing")
    top: dict[str, st.SearchStrategy[Any]] = {k: field(text) for k in keys}
    top |= {
        "candidate": field(
            mapping({}, {k: field(line) for k in ("name", "email", "headline", "phone", "photo")})
        ),
        "interview": field(
            mapping(
                {},
                {
                    "company": field(line),
                    "role": field(line),
                    "date": field(DATE),
                    "interviewers": field(st.lists(person, max_size=9)),
                },
            )
        ),
        "discussed": field(st.lists(text, max_size=6)),
        "value": field(
            st.lists(mapping({}, {"title": field(line), "detail": field(text)}), max_size=6)
        ),
        "samples": field(st.lists(mapping({}, {"title": field(line), "url": field(line)}))),
        "video": field(mapping({}, {"script": field(any_text(SCRIPT)), "recording": field(line)})),
        "share": field(mapping({}, {"bucket": field(line), "expires": field(line)})),
    }
    extra = st.dictionaries(
        st.one_of(st.sampled_from(["emial", "source", "Thanks", "value "]), st.text(max_size=8)),
        ANY_VALUE,
        max_size=2,
    )
    return st.tuples(mapping({}, top), extra).map(lambda pair: {**pair[0], **pair[1]})


# ----------------------------------------------------------------------------- the loader


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder with the example's media, where each example writes its pitch.yaml."""
    target = tmp_path_factory.mktemp("fuzz") / "ada"
    shutil.copytree(EXAMPLE, target)
    return target


def write(folder: Path, content: str | bytes | dict[str, Any]) -> Path:
    """Write *content* (a document, text or raw bytes) as the folder's pitch.yaml."""
    path = folder / "pitch.yaml"
    if isinstance(content, dict):
        content = str(yaml.safe_dump(content, allow_unicode=True, sort_keys=False))
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def load_or_refuse(path: Path) -> Pitch | None:
    """Return the pitch, or None after checking that the refusal is one line per problem."""
    try:
        return load_pitch(path)
    except PitchError as e:
        note(f"refused: {e.problems}")
        assert e.problems, "a PitchError without a problem"
        for problem in e.problems:
            assert problem.strip() and "\n" not in problem, repr(problem)
            assert problem.startswith("pitch.yaml"), repr(problem)
        return None


@settings(max_examples=120)
@given(doc=any_pitch())
@example(doc={"\n": None})  # found here: the unknown key's name broke the message in two
def test_random_pitch_documents_load_or_are_refused_cleanly(
    folder: Path, doc: dict[str, Any]
) -> None:
    pitch = load_or_refuse(write(folder, doc))
    if pitch is not None:
        for person in pitch.interview.interviewers:
            plan(pitch, person)


@settings(max_examples=120)
@given(
    content=st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300),
        st.tuples(st.integers(0, len(ADA)), st.text(max_size=12)).map(
            lambda cut: ADA[: cut[0]] + cut[1] + ADA[cut[0] :]
        ),
        st.tuples(st.integers(0, len(ADA)), st.sampled_from(NASTY)).map(
            lambda cut: ADA[: cut[0]] + cut[1] + ADA[cut[0] :]
        ),
    )
)
@example(content="\x1f")  # found here: ruamel's reader error is two lines, with no position
def test_random_text_files_load_or_are_refused_cleanly(folder: Path, content: str | bytes) -> None:
    pitch = load_or_refuse(write(folder, content))
    if pitch is not None:
        for person in pitch.interview.interviewers:
            plan(pitch, person)


# ----------------------------------------------------------------------------- the storyboard

# Every one-line field at its limit: found here, a role and a company of 130 characters each
# made python-pptx refuse the deck's subject (its core properties hold 255 characters).
LONGEST: dict[str, Any] = {
    "candidate": {"name": "N" * LINE, "email": "a@b.example", "headline": "H" * LINE},
    "interview": {
        "company": "C" * LINE,
        "role": "R" * LINE,
        "date": "2026-11-24",
        "interviewers": [{"name": "I" * LINE, "title": "T" * LINE, "salutation": "S" * LINE}],
    },
    "thanks": "t" * TEXT,
    "discussed": ["d" * TEXT],
    "value": [{"title": "V" * LINE, "detail": "v" * TEXT}],
    "samples": [{"title": "S" * LINE, "description": "s" * TEXT}],
    "closing": "c" * TEXT,
}


@settings(max_examples=40)
@given(doc=fair_pitch())
@example(doc=LONGEST)
def test_fair_pitches_plan_and_every_text_fits(folder: Path, doc: dict[str, Any]) -> None:
    pitch = load_or_refuse(write(folder, doc))
    assume(pitch is not None)
    assert pitch is not None
    theme = THEMES[pitch.theme]
    for person in pitch.interview.interviewers:
        board = plan(pitch, person)
        assert 4 <= len(board.scenes) <= MAX_SCENES
        assert all(scene.title.strip() for scene in board.scenes)
        json.dumps(board.to_dict())  # what the golden tests compare
        for scene in board.scenes:
            for words in filter(None, (scene.title, scene.kicker, scene.text, *scene.bullets)):
                check_deck_fit([words], theme.body.regular, 18.0, 10.0, 4_000_000, 900_000)
            # One-line pieces: titles, kickers and the contact rows of the closing card. (Whole
            # paragraphs go through the frames in the next test, drawn as the video draws them.)
            lines = [scene.title, scene.kicker, *(scene.bullets if scene.kind == "closing" else ())]
            for words in filter(None, lines):
                check_frame_line(words, theme.body.regular, 30, 600)


@settings(max_examples=12)
@given(doc=fair_pitch())
@example(doc=LONGEST)
def test_fair_pitches_draw_as_frames_and_slides(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, doc: dict[str, Any]
) -> None:
    from builder.deck import build_pptx
    from builder.frames import render_scene

    pitch = load_or_refuse(write(folder, doc))
    assume(pitch is not None)
    assert pitch is not None
    board = plan(pitch, pitch.interview.interviewers[0])
    theme = THEMES[pitch.theme]
    for scene in board.scenes:
        assert render_scene(scene, board, theme, (256, 144)).size == (256, 144)
    target = tmp_path_factory.mktemp("deck") / "deck.pptx"
    warnings: list[str] = []
    assert build_pptx(board, theme, target, warnings).is_file()


# ----------------------------------------------------------------------------- text fitting

# The writers are given pitch text that the loader accepted: random text goes through the
# same field validation first, and a refusal there is the clean outcome.


def accepted(field: Str, text: str) -> str | None:
    """Return *text* as the pitch would hold it, or None when the pitch refuses it."""
    try:
        return str(validate(field, text))
    except Invalid:
        return None


def check_deck_fit(
    texts: list[str], font: Path, largest: float, smallest: float, width: int, height: int
) -> None:
    """Fit *texts* as paragraphs into a deck box (EMU) and check what comes back."""
    from builder.deck.text import ELLIPSIS, Para, fit

    paras = [Para(text=t, font=font, family="Theme", color="#000000") for t in texts]
    fitted = fit(paras, width, height, largest, smallest)
    assert smallest <= fitted.size <= largest
    assert fitted.paras, "every paragraph was dropped"
    if not fitted.shortened:
        assert [p.text for p in fitted.paras] == texts
        assert fitted.height <= height + 1
    else:
        assert fitted.size == smallest
        assert fitted.paras[-1].text.endswith(ELLIPSIS)
        kept = fitted.paras[-1].text.removesuffix(ELLIPSIS).split()
        original = texts[len(fitted.paras) - 1].split()
        assert kept == original[: len(kept)], "shortening changed the words it kept"


def clusters_in(text: str) -> int:
    """Return how many pieces *text* has that are never split: a character with its
    combining marks and joiners (builder.glyphs.clusters)."""
    from builder.glyphs import clusters

    return len(list(clusters(text)))


def check_frame_fit(
    text: str, font: Path, sizes: tuple[int, int], box: tuple[int, int], leading: float = 1.22
) -> None:
    """Fit *text* (a multi-line pitch text) into a frame box (pixels) and check the block."""
    from builder.frames.text import ELLIPSIS, fit_text, wrap

    (size, min_size), (width, height) = sizes, box
    block = fit_text(text, font, size, min_size, width, height, leading=leading)
    room = max(1, height // max(1, round(block.font.size * leading)))
    assert len(block.lines) <= room
    for line in block.lines:
        # A line fits its box, unless one character (with its marks) alone is wider.
        fits = block.font.getlength(line) <= width + 0.5
        assert fits or clusters_in(line.removesuffix(ELLIPSIS)) <= 1, (line, width)
    if len(wrap(text, block.font, width)) <= room:  # nothing was cut: no character is lost
        assert "".join("".join(block.lines).split()) == "".join(text.split())


def check_frame_line(text: str, font: Path, size: int, width: int) -> None:
    """Fit *text* (a one-line pitch field) on one frame line and check the result."""
    from builder.frames.text import ELLIPSIS, fit_line
    from builder.frames.text import font as load_font

    face = load_font(font, size)
    shown = fit_line(text, face, width)
    assert shown == text or shown.endswith(ELLIPSIS)
    assert face.getlength(shown) <= width + 0.5 or clusters_in(shown) <= 2


FONT = st.sampled_from(FONTS)


@settings(max_examples=100)
@given(
    texts=st.lists(pitch_text(TEXT, newlines=True), min_size=1, max_size=4),
    font=FONT,
    sizes=st.tuples(st.floats(8, 60), st.floats(6, 60)).map(sorted),
    box=st.tuples(st.integers(300_000, 12_000_000), st.integers(150_000, 6_800_000)),
)
def test_deck_text_fitting_always_ends_in_a_fit(
    texts: list[str], font: Path, sizes: list[float], box: tuple[int, int]
) -> None:
    kept = [accepted(TEXT_FIELD, t) for t in texts]
    event("refused by the pitch" if None in kept else "fitted")
    if None in kept:
        return  # refused by the pitch: never reaches a writer
    smallest, largest = sizes
    check_deck_fit([t for t in kept if t is not None], font, largest, smallest, *box)


@settings(max_examples=25)
@given(
    text=pitch_text(TEXT, newlines=True),
    font=FONT,
    sizes=st.tuples(st.integers(8, 120), st.integers(6, 120)).map(sorted),
    box=st.tuples(st.integers(60, 1800), st.integers(10, 1000)),
    leading=st.floats(1.0, 1.6),
)
def test_frame_text_fitting_always_ends_in_a_fit(
    text: str, font: Path, sizes: list[int], box: tuple[int, int], leading: float
) -> None:
    kept = accepted(TEXT_FIELD, text)
    event("refused by the pitch" if kept is None else "fitted")
    if kept is not None:
        check_frame_fit(kept, font, (sizes[1], sizes[0]), box, leading)


@settings(max_examples=100)
@given(
    text=pitch_text(LINE),
    font=FONT,
    size=st.integers(8, 120),
    width=st.integers(30, 1800),
)
# Found here: U+2029 passes as "one line" and Pillow's layout (raqm) fails on it.
@example(text="Ada\u2029Example", font=FONTS[0], size=30, width=600)
def test_frame_line_fitting_always_ends_in_a_line(
    text: str, font: Path, size: int, width: int
) -> None:
    kept = accepted(LINE_FIELD, text)
    event("refused by the pitch" if kept is None else "fitted")
    if kept is not None:
        check_frame_line(kept, font, size, width)


@settings(max_examples=25)
@given(text=pitch_text(TEXT, newlines=True), theme=st.sampled_from(sorted(THEMES)))
def test_captions_draw_any_text(text: str, theme: str) -> None:
    from builder.frames import caption_overlay

    event("refused by the pitch" if accepted(TEXT_FIELD, text) is None else "drawn")
    if accepted(TEXT_FIELD, text) is None:
        return
    frame = caption_overlay(text, THEMES[theme], (384, 216))
    assert frame.size == (384, 216) and frame.mode == "RGBA"
