"""Never a box: every character is drawn by a font the tool ships, or refused by name.

The pitches here mix German (ß, ẞ), Turkish, Czech and Polish letters, Greek and Cyrillic
(which Lato lacks: the fallback font draws them) with emoji, Chinese, Hebrew and Devanagari
(which are refused, one message per field). Each output is checked where it is drawn: the
frames against each font's character map and a .notdef rendering, the PDF with pdffonts and
pdftotext, the page with Chromium's own record of the fonts it used.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pptx import Presentation
from pptx.oxml.ns import qn

from builder.errors import PitchError
from builder.fonts import FALLBACK_FAMILY, FALLBACK_FILES, fallback_for, weight_of
from builder.frames import SIZES, render_scene
from builder.frames.canvas import Canvas
from builder.frames.pieces import kicker
from builder.frames.text import font
from builder.glyphs import (
    capitals,
    caption_problem,
    clusters,
    fallback_chars,
    font_chars,
    kind,
    pitch_problems,
    refuse_undrawable,
    runs,
    theme_chars,
)
from builder.pitch import load_pitch, read_pitch
from builder.storyboard import Storyboard, plan
from builder.theme import load_theme, theme_names
from builder.wording import WORDS

# Letters that Lato (the classic theme) lacks and the fallback font draws.
EUROPEAN = "Ayşe Ğ İ ı Dvořák Łódź Ţ ț ș ő ű ẞ Ελλάδα Αθήνα Київ Привет Việt"  # noqa: RUF001
REFUSED = {
    "candidate.headline": "🚀",
    "interview.interviewers[1].name": "王小明",
    "interview.interviewers[1].discussed[0]": "עברית",
    "value[1].title": "हिन्दी",
}


def intl_pitch(pitch: Path) -> Path:
    """Rewrite the copied jonas example into a classic-theme pitch full of letters Lato lacks."""
    text = pitch.read_text(encoding="utf-8")
    for old, new in (
        ("theme: midnight", "theme: classic"),
        ("name: Jonas Beispiel", "name: Jonas Größler-Dvořák"),
        ("name: Petra Schulz", "name: Ayşe Straße"),
        ("Liebe Frau Schulz", "Liebe Frau Straße"),
        ("role: Teamleiter Disposition", "role: Teamleiter Disposition (Ελλάδα)"),
        (
            "  - Wie Fehlbestände früher erkannt werden können",
            "  - Wie Fehlbestände in Київ und Αθήνα früher erkannt werden, ẞ und ß",
        ),
        ("title: Bestandsprognose 2025", "title: Prognose für Łódź, Ţara und Việt Nam"),
    ):
        assert old in text
        text = text.replace(old, new)
    pitch.write_text(text, encoding="utf-8")
    return pitch


def refused_pitch(pitch: Path) -> Path:
    """Put one refused script into each field of ``REFUSED`` (and an emoji into a file name,
    which is never drawn and so is fine)."""
    text = pitch.read_text(encoding="utf-8")
    for old, new in (
        ("headline: Logistikplaner", "headline: 🚀 Logistikplaner"),
        ("name: Mehmet Öztürk", "name: 王小明"),
        ("Die Engpässe im Hamburger", "Die Engpässe (עברית) im Hamburger"),
        ("title: Ein Dispositionsboard", "title: Ein Dispositionsboard हिन्दी"),
        ("image: media/dispo.png", "image: media/📷.png"),
    ):
        assert old in text
        text = text.replace(old, new)
    shutil.copyfile(pitch.parent / "media" / "dispo.png", pitch.parent / "media" / "📷.png")
    pitch.write_text(text, encoding="utf-8")
    return pitch


def first_board(pitch: Path) -> Storyboard:
    loaded = load_pitch(pitch)
    return plan(loaded, loaded.interview.interviewers[0])


# --- the rules -----------------------------------------------------------------------------


def test_capitals_follow_the_german_rule_in_every_output() -> None:
    assert capitals("Größler") == "GRÖSSLER"  # ß -> SS, as CSS text-transform does
    assert capitals("ẞ") == "ẞ"  # a capital typed as one stays one
    assert capitals("Ayşe Ελλάδα") == "AYŞE ΕΛΛΆΔΑ"


def test_each_character_has_a_class() -> None:
    assert [kind(c) for c in "😀中ע؋हЖẞ"] == [
        "emoji",
        "east-asian",
        "right-to-left",
        "right-to-left",
        "complex",
        "other",
        "other",
    ]


def test_every_character_below_the_first_special_range_is_plain() -> None:
    # font_chars skips classing these one by one: that shortcut must never change a class.
    from builder.glyphs import _PLAIN_BELOW

    assert _PLAIN_BELOW == 0x0590
    assert {kind(chr(c)) for c in range(_PLAIN_BELOW)} == {"other"}
    assert kind(chr(_PLAIN_BELOW)) == "right-to-left"


def test_the_fallback_draws_european_scripts_in_every_weight() -> None:
    chars = fallback_chars()
    assert all(ord(c) in chars for c in EUROPEAN if not c.isspace())
    maps = {weight: font_chars(path) for weight, path in FALLBACK_FILES.items()}
    assert len(set(maps.values())) == 1  # the weights draw the same characters
    assert {weight_of(path) for path in FALLBACK_FILES.values()} == {400, 700, 900}
    # Scripts no output can set stay out, even where Noto Sans has a few of their letters.
    assert not any(kind(chr(c)) in ("complex", "right-to-left") for c in chars)


@pytest.mark.parametrize("name", theme_names())
def test_the_tools_own_words_need_no_fallback(name: str) -> None:
    theme = load_theme(name)
    words = "".join(text for voices in WORDS.values() for text in voices.values())
    faces = (theme.heading.regular, theme.heading.bold, theme.body.regular, theme.body.bold)
    for face in faces:
        lacking = {c for c in words + capitals(words) if ord(c) not in font_chars(face)}
        assert lacking <= {"\n"}, (face.name, lacking)
        assert fallback_for(face) in FALLBACK_FILES.values()


def test_a_letter_keeps_its_accents_in_one_font() -> None:
    assert list(clusters("e\u0301a\u0308!")) == ["e\u0301", "a\u0308", "!"]
    # Joiners stay with the character before them; between digits or letters they join
    # nothing drawn, so a word too long for its line can still be split after them.
    assert list(clusters("0\u200c0\u200d0")) == ["0\u200c", "0\u200d", "0"]
    assert list(clusters("\U0001f469\u200d\U0001f4bb")) == ["\U0001f469\u200d\U0001f4bb"]
    lato = font_chars(load_theme("classic").body.regular)
    assert runs("Dvořák", lato) == [("Dvo", False), ("ř", True), ("ák", False)]
    # A combining mark Lato lacks takes its letter along to the fallback font.
    assert runs("ne\u0323m", lato) == [("n", False), ("e\u0323", True), ("m", False)]


# --- refused characters --------------------------------------------------------------------


def test_the_loader_refuses_with_one_message_per_field(example: Any) -> None:
    pitch = refused_pitch(example("jonas"))
    with pytest.raises(PitchError) as caught:
        load_pitch(pitch)
    problems = caught.value.problems
    assert len(problems) == len(REFUSED), problems
    for field, chars in REFUSED.items():
        found = [p for p in problems if f": {field}: " in p]
        assert len(found) == 1, (field, problems)
        assert re.match(r"^pitch\.yaml:\d+:\d+: ", found[0])
        assert f"'{chars[0]}' (U+{ord(chars[0]):04X})" in found[0]
    assert problems[0] == (
        "pitch.yaml:9:3: candidate.headline: the character '🚀' (U+1F680) cannot be drawn: "
        "emoji need a colour font, and LibreOffice's PDF export draws none; remove it"
    )
    assert "write them in Latin letters or remove them" in "\n".join(problems)


def test_check_and_build_refuse_before_writing_anything(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = refused_pitch(example("jonas"))
    checked = cli("check", pitch)
    assert checked.exit_code == 1
    assert "candidate.headline: the character '🚀' (U+1F680) cannot be drawn" in checked.output
    out = tmp_path / "out"
    built = cli("deck", pitch, "-o", out)
    assert built.exit_code == 1
    assert "U+1F680" in built.output and "Traceback" not in built.output
    assert not out.exists() or not any(out.rglob("deck.*"))


def test_every_theme_draws_what_the_fallback_draws() -> None:
    for name in theme_names():
        assert fallback_chars() <= theme_chars(load_theme(name))


def test_a_theme_chosen_at_build_time_is_checked_too(example: Any) -> None:
    pitch = example("jonas")
    pitch.write_text(pitch.read_text(encoding="utf-8").replace("Hamburg", "Hamburg →"))
    loaded = load_pitch(pitch)  # midnight: Manrope has the arrow
    refuse_undrawable(loaded, load_theme("midnight"))
    with pytest.raises(PitchError, match=r"'→' \(U\+2192\) cannot be drawn"):
        refuse_undrawable(loaded, load_theme("classic"))  # Lato and Noto Sans have none


def test_a_theme_that_cannot_load_still_gets_the_check(example: Any) -> None:
    pitch, doc = read_pitch(example("ada"))
    broken = dataclasses.replace(pitch, theme="./no-such-theme")
    assert pitch_problems(broken, doc) == []  # the build reports the theme itself


# --- the frames ----------------------------------------------------------------------------


def test_frames_draw_every_character_with_a_font_that_has_it(example: Any, artifacts: Path) -> None:
    board = first_board(intl_pitch(example("jonas")))
    theme = load_theme("classic")
    faces = (theme.heading.regular, theme.heading.bold, theme.body.regular, theme.body.bold)
    texts = [board.candidate.name, board.candidate.headline]
    for scene in board.scenes:
        texts += [scene.title, scene.text, scene.kicker, capitals(scene.kicker), *scene.bullets]
    for path in faces:
        face = font(path, 40)
        for text in texts:
            for run, used in face.pieces(text):
                chars = font_chars(path) if used is face.main else fallback_chars()
                assert all(ord(c) in chars or c.isspace() for c in run), (path.name, run)
    sheet = Image.new("RGB", (1920, 360 * -(-len(board.scenes) // 3)))
    for i, scene in enumerate(board.scenes):
        image = render_scene(scene, board, theme, SIZES["720p"])
        sheet.paste(image.resize((640, 360)), ((i % 3) * 640, (i // 3) * 360))
    sheet.save(artifacts / "frames-intl-classic.png")


def _drawn(face: Any, text: str) -> Image.Image:
    image = Image.new("L", (200, 120), 0)
    if hasattr(face, "draw"):
        face.draw(ImageDraw.Draw(image), (20, 90), text, (255,), anchor="ls")
    else:
        ImageDraw.Draw(image).text((20, 90), text, font=face, fill=255, anchor="ls")
    return image


def test_a_glyph_the_theme_lacks_is_not_a_box() -> None:
    lato = load_theme("classic").body.regular
    face = font(lato, 80)
    for char in "ẞŞЖΩ":
        box = _drawn(ImageFont.truetype(str(lato), 80), char)  # what Pillow alone would draw
        spare = _drawn(ImageFont.truetype(str(fallback_for(lato)), 80), char)
        ours = _drawn(face, char)
        assert ImageChops.difference(ours, box).getbbox() is not None, char
        assert ImageChops.difference(ours, spare).getbbox() is None, char


def test_the_kicker_writes_sharp_s_as_the_deck_and_page_do() -> None:
    theme = load_theme("classic")

    def label(text: str) -> Image.Image:
        canvas = Canvas(Image.new("RGB", (1280, 200), "white"), theme)
        kicker(canvas, text, 20, 20, 1200)
        return canvas.image

    assert ImageChops.difference(label("Ayşe Straße"), label("AYŞE STRASSE")).getbbox() is None


# --- the deck ------------------------------------------------------------------------------


def test_deck_and_pdf_draw_every_character_with_shipped_fonts(
    example: Any, cli: Any, tmp_path: Path, artifacts: Path
) -> None:
    pitch = intl_pitch(example("jonas"))
    out = tmp_path / "out"
    assert cli("deck", pitch, "-o", out, "--for", "Ayşe").exit_code == 0
    pptx, pdf = next(out.rglob("deck.pptx")), next(out.rglob("deck.pdf"))
    prs = Presentation(str(pptx))
    lato = font_chars(load_theme("classic").body.regular)
    families: dict[str, str] = {}
    for slide in prs.slides:
        for run in slide._element.iter(qn("a:r")):
            text = run.findtext(qn("a:t")) or ""
            rpr = run.find(qn("a:rPr"))
            assert rpr is not None and rpr.get("cap") is None  # capitals are written out
            latin = rpr.find(qn("a:latin"))
            families[text] = latin.get("typeface") if latin is not None else ""
    spare = {t for t, family in families.items() if family == FALLBACK_FAMILY}
    assert {"Ş", "ř", "Київ", "Αθήνα", "ẞ"} <= spare | {t.strip() for t in spare}
    assert all(all(ord(c) not in lato or c.isspace() for c in t) for t in spare)
    kickers = [s for s in prs.slides[1].shapes if s.name == "Kicker"]
    assert kickers[0].text_frame.text == "AYŞE STRASSE"

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert names and all(n.startswith(("Lato-", "NotoSans-")) for n in names), fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("Größler-Dvořák", "AYŞE STRASSE", "Київ", "Αθήνα", "ΕΛΛΆΔΑ", "Łódź", "Việt"):
        assert word in text, word
    prefix = artifacts / "deck-intl-2"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )


# --- the page ------------------------------------------------------------------------------


def test_page_draws_every_character_with_its_embedded_fonts(
    example: Any, cli: Any, browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    pitch = intl_pitch(example("jonas"))
    out = tmp_path / "out"
    assert cli("site", pitch, "-o", out, "--for", "Ayşe").exit_code == 0
    index = next(out.rglob("site/index.html"))
    html = index.read_text(encoding="utf-8")
    # The fallback faces are cut down to what Lato lacks, and hold those glyphs.
    spare = re.findall(r'font-family:"Noto Sans Text";[^}]*base64,([A-Za-z0-9+/=]+)', html)
    assert spare
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(base64.b64decode(spare[0]))).getBestCmap()
    assert all(ord(c) in cmap for c in "şřКиївΑθήνα")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(index.as_uri())
        page.evaluate("document.fonts.ready")
        page.screenshot(path=artifacts / "site-intl-1280.png", full_page=True)
        recipient = page.inner_text(".recipient")  # shown in capitals by the CSS
        assert recipient == capitals(page.text_content(".recipient") or "")
        assert "AYŞE STRASSE" in recipient
        used = _platform_fonts(context, page)
    finally:
        context.close()
    assert used and all(custom for _, custom in used), used  # never a system font
    assert {name for name, _ in used} >= {"Lato", "Noto Sans"}


def _platform_fonts(context: Any, page: Any) -> set[tuple[str, bool]]:
    """Return (family, embedded?) of every font Chromium drew the page's text with."""
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})["nodeIds"]
    used = set()
    for node in nodes:
        for found in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            used.add((found["familyName"], found["isCustomFont"]))
    return used


def test_a_theme_chosen_with_theme_is_checked_too(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("jonas")  # theme: midnight, whose Manrope draws arrows; Lato does not
    text = pitch.read_text(encoding="utf-8")
    pitch.write_text(text.replace("closing: Gern", "closing: Nächster Schritt → Gern", 1))
    assert cli("deck", pitch, "-o", tmp_path / "ok", "--for", "Petra").exit_code == 0
    result = cli("deck", pitch, "-o", tmp_path / "out", "--theme", "classic")
    assert result.exit_code == 1
    assert "closing: the character '→' (U+2192) cannot be drawn" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


# LS, PS and NEL are line breaks to YAML 1.1 (libyaml): refused in the field, like the rest,
# not as a broken YAML file.
@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u2028", "\u2029", "\x85", "\u200f"])
def test_invisible_reordering_characters_are_refused(example: Any, cli: Any, char: str) -> None:
    pitch = example("ada")
    text = pitch.read_text(encoding="utf-8")
    pitch.write_text(text.replace("name: Sarah Kim", f"name: Sarah{char} Kim", 1))
    result = cli("check", pitch)
    assert result.exit_code == 1
    assert "interview.interviewers[0].name: contains control characters; use plain text" in (
        result.output
    )


def test_a_fonts_characters_come_from_the_cache_and_match_a_fresh_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import glyphs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    noto = next(iter(FALLBACK_FILES.values()))
    fresh = glyphs._drawable(noto.read_bytes(), noto)
    glyphs.font_chars.cache_clear()
    assert glyphs.font_chars(noto) == fresh
    (entry,) = (tmp_path / "xdg" / "followup-builder" / "checks").glob("*.chars")
    entry.write_bytes(b"\x41\x00\x00\x00")  # a forged entry: the cache is what is read
    glyphs.font_chars.cache_clear()
    assert glyphs.font_chars(noto) == frozenset({0x41})
    entry.write_bytes(b"\x41\x00\x00")  # damaged: not whole numbers, so read afresh
    glyphs.font_chars.cache_clear()
    assert glyphs.font_chars(noto) == fresh
    glyphs.font_chars.cache_clear()


# --- captions burned into the video --------------------------------------------------------


def test_a_caption_the_frames_cannot_draw_is_named_by_its_words() -> None:
    drawable = theme_chars(load_theme("classic"))
    assert caption_problem([EUROPEAN, "Prof. Dr. Maria von Berg"], drawable) is None
    one = caption_problem(["Danke, Frau von Berg! \U0001f389 Grüße", "fine"], drawable)
    assert one is not None
    assert one.startswith('the caption "Danke, Frau von Berg! \U0001f389 Grüße": ')
    assert "'\U0001f389' (U+1F389) cannot be drawn" in one
    assert "the video's frames are drawn without" in one and "LibreOffice" not in one
    assert one.endswith("or build without --burn-captions (players show the captions file "
                        "in the viewer's own fonts)")  # fmt: skip
    long = "Vielen Dank für das Gespräch über die Bestandsprognose 王"
    many = caption_problem([long, "王", "\u05e2"], drawable)
    assert many is not None
    assert '"Vielen Dank für das Gespräch über die B\u2026" (and 2 more captions)' in many
    assert "(and 1 more caption)" in (caption_problem(["王", "王"], drawable) or "")
