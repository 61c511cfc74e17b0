"""`build deck`: the editable .pptx and its PDF, checked by reopening them (real LibreOffice)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.util import Emu

from builder.context import WriteContext
from builder.deck import build_pptx, write
from builder.deck.pdf import convert, find_soffice
from builder.deck.text import fit
from builder.errors import OutputError
from builder.pipeline import select
from builder.pitch import load_pitch
from builder.storyboard import Storyboard
from builder.theme import load_theme

ROOT = Path(__file__).resolve().parent.parent
TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
FOOTERS = {PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE}
ORIGINAL_NAMES = ("ada.jpg", "pipeline.png", "dashboard.png", "lager.png", "dispo.png")
EXIF_WORDS = (b"ExampleCam", b"CameraFirmware")  # the maker notes inside examples/ada/media/ada.jpg
PT = 72  # PDF points per inch
FONTS = {"classic": "Lato", "midnight": "Manrope"}


# --- helpers ------------------------------------------------------------------------------


def build(cli: Any, pitch: Path, out: Path, *extra: str) -> dict[str, Any]:
    """Return the --json report of a successful ``build deck``."""
    result = cli("deck", pitch, "-o", out, "--json", *extra)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def boards(pitch: Path) -> dict[str, Storyboard]:
    """Return each interviewer's storyboard by slug, planned the way the pipeline does."""
    return {board.interviewer.slug: board for board in select(load_pitch(pitch), None)}


def words(text: str) -> str:
    """Return *text* with every run of white space made one space."""
    return " ".join(text.split())


def body_text(slide: Any) -> str:
    """Return the text of a slide's body placeholders (not title, footer or number) and of
    its card (the contact details)."""
    parts = [
        shape.text_frame.text
        for shape in slide.placeholders
        if shape.placeholder_format.type not in TITLES | FOOTERS
    ]
    parts += [shape.text_frame.text for shape in slide.shapes if shape.name == "Card"]
    return words(" ".join(parts))


def links(slide: Any) -> set[str]:
    """Return every hyperlink address on a slide."""
    found = set()
    for shape in slide.shapes:
        if shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                found |= {run.hyperlink.address for run in paragraph.runs if run.hyperlink.address}
    return found


def pdf_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Return each page's words with their boxes (xMin, yMin, xMax, yMax, word) in points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ElementTree.fromstring(html)
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        found = []
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = tuple(float(word.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax"))
            found.append((*box, word.text or ""))
        pages.append(found)
    return pages


def pdf_text(pdf: Path) -> str:
    """Return the PDF's text, white space normalised."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return words(done.stdout)


def pdf_tags(pdf: Path) -> tuple[str, set[str]]:
    """Return the tagged PDF's language and the alt texts in its structure tree."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    root = PdfReader(pdf).trailer["/Root"]
    found: set[str] = set()
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                return
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if "/Alt" in node:
                found.add(str(node["/Alt"]))
            for key, value in node.items():
                if key not in ("/P", "/Parent", "/Pg"):  # links back up the tree
                    walk(value)
        elif isinstance(node, ArrayObject):
            for value in node:
                walk(value)

    walk(root["/StructTreeRoot"])
    return str(root["/Lang"]), found


def listing(folder: Path) -> list[tuple[str, int]]:
    """Return every file under *folder* (hidden ones too) with its size."""
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def render(pdf: Path, pages: tuple[int, ...], target: Path, stem: str) -> list[Path]:
    """Render *pages* of *pdf* at 50 dpi into *target* as ``<stem>-<n>.png``; return them."""
    made = []
    for number in pages:
        prefix = target / f"{stem}-{number}"
        pages = ["-f", str(number), "-l", str(number), "-singlefile"]
        subprocess.run(["pdftoppm", "-png", "-r", "50", *pages, str(pdf), str(prefix)], check=True)
        made.append(prefix.with_suffix(".png"))
    return made


# --- the .pptx -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_every_slide_carries_its_scene(name: str, example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example(name)
    report = build(cli, pitch, tmp_path / "out")
    planned = boards(pitch)
    assert len(report["outputs"]) == len(planned)
    for output in report["outputs"]:
        board = planned[output["slug"]]
        prs = Presentation(output["files"]["pptx"])
        assert len(prs.slides) == len(board.scenes)
        for slide, scene in zip(prs.slides, board.scenes, strict=True):
            assert slide.shapes.title.text_frame.text == scene.title
            shown = body_text(slide)
            assert words(scene.text) in shown
            for line in scene.bullets:
                assert words(line) in shown or line in links(slide), (scene.kind, line)
            assert slide.notes_slide.notes_text_frame.text == scene.notes
            pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
            assert len(pictures) == (scene.image is not None)
            for pic in pictures:
                assert pic._element.nvPicPr.cNvPr.get("descr") == scene.image.alt
                assert not any(n in pic.name for n in ORIGINAL_NAMES)
            if scene.link:
                assert scene.link in links(slide)


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_slides_are_16_9_and_nothing_leaves_them(
    name: str, example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example(name)
    theme = load_theme(load_pitch(pitch).theme)
    margin = theme.margin * Emu(12_192_000)
    for output in build(cli, pitch, tmp_path / "out")["outputs"]:
        prs = Presentation(output["files"]["pptx"])
        width, height = prs.slide_width, prs.slide_height
        assert (Emu(width).inches, Emu(height).inches) == pytest.approx((13.333, 7.5), abs=1e-3)
        for layout in prs.slide_layouts:  # also the layouts a person adds slides from
            for shape in layout.placeholders:
                assert shape.left >= 0 and shape.left + shape.width <= width, layout.name
        for slide in prs.slides:
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0, shape.name
                assert shape.left + shape.width <= width, shape.name
                assert shape.top + shape.height <= height, shape.name
                if shape.has_text_frame:  # text keeps the theme's side margins
                    assert shape.left >= margin - 1
                    assert shape.left + shape.width <= width - margin + 1


def test_document_properties_name_the_candidate(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("jonas")
    for output in build(cli, pitch, tmp_path / "out")["outputs"]:
        board = boards(pitch)[output["slug"]]
        props = Presentation(output["files"]["pptx"]).core_properties
        assert props.author == props.last_modified_by == "Jonas Beispiel"
        assert props.title == f"Vielen Dank, {board.interviewer.name}"
        assert props.language == "de-DE"
        assert props.comments == "" and props.keywords == ""
        prs = Presentation(output["files"]["pptx"])
        runs = [
            run
            for slide in prs.slides
            for shape in slide.shapes
            if shape.has_text_frame
            for paragraph in shape.text_frame.paragraphs
            for run in paragraph.runs
        ]
        assert {run._r.rPr.get("lang") for run in runs} == {"de-DE"}


def test_package_keeps_no_trace_of_template_or_files(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example("ada")
    pptx = Path(build(cli, pitch, tmp_path / "out")["outputs"][0]["files"]["pptx"])
    with zipfile.ZipFile(pptx) as package:
        names = package.namelist()
        blobs = {name: package.read(name) for name in names}
    assert not any("thumbnail" in n or "printerSettings" in n for n in names)
    for name, blob in blobs.items():
        lowered = blob.lower()
        for bad in (b"python-pptx", b"canny", *(n.encode() for n in ORIGINAL_NAMES)):
            assert bad not in lowered, (name, bad)
        for maker in EXIF_WORDS:
            assert maker not in blob, name
    app = blobs["docProps/app.xml"].decode()
    assert "Widescreen" in app and "<Slides>6</Slides>" in app and "4:3" not in app
    assert "Ada Example" in blobs["docProps/core.xml"].decode()
    media = [n for n in names if n.startswith("ppt/media/")]
    assert len(media) == 3
    for name in media:
        with Image.open(io.BytesIO(blobs[name])) as image:
            assert not image.getexif()
            assert "exif" not in image.info and "icc_profile" not in image.info


def test_stage_holds_only_the_deck(example: Any, tmp_path: Path) -> None:
    pitch = load_pitch(example("ada"))
    board = select(pitch, None)[0]
    stage = tmp_path / "stage"
    stage.mkdir()
    ctx = WriteContext(stage=stage, final=tmp_path / "final")
    files = write(board, load_theme(pitch.theme), ctx)
    assert files == {"pptx": stage / "deck.pptx", "pdf": stage / "deck.pdf"}
    assert sorted(p.name for p in stage.iterdir()) == ["deck.pdf", "deck.pptx"]
    assert ctx.warnings == []


# --- the PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_pdf_shows_slides_in_theme_font_without_notes(
    name: str, example: Any, cli: Any, tmp_path: Path, artifacts: Path
) -> None:
    pitch = example(name)
    theme_name = load_pitch(pitch).theme
    planned = boards(pitch)
    for output in build(cli, pitch, tmp_path / "out")["outputs"]:
        pdf = Path(output["files"]["pdf"])
        board = planned[output["slug"]]
        text = pdf_text(pdf)
        for scene in board.scenes:
            assert words(scene.title) in text
            prompt = re.split(r"[.:]", scene.notes)[0]  # the notes' own words, not the slide's
            assert words(prompt) not in text
        language, alt_texts = pdf_tags(pdf)  # tagged: screen readers get the alt text
        assert language == ("de-DE" if board.language == "de" else "en-US")
        assert alt_texts == {s.image.alt for s in board.scenes if s.image is not None}
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        family = FONTS[theme_name]
        embedded = [line for line in fonts.splitlines() if family in line]
        assert embedded and all(" yes " in line for line in embedded), fonts
        assert "DejaVu" not in fonts and "OpenSymbol" not in fonts, fonts
    rendered = render(pdf, (1, 3), artifacts, f"deck-{name}")
    # The slide background is the theme's, edge to edge.
    expected = load_theme(theme_name).colors.background
    with Image.open(rendered[0]) as page:
        assert page.size == (667, 375)
        corner = page.convert("RGB").getpixel((3, 3))
    assert corner == tuple(int(expected[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_pdf_text_stays_inside_margins(name: str, example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example(name)
    margin = load_theme(load_pitch(pitch).theme).margin * 960
    for output in build(cli, pitch, tmp_path / "out")["outputs"]:
        _assert_inside(Path(output["files"]["pdf"]), margin)


def _assert_inside(pdf: Path, margin: float) -> None:
    for number, page in enumerate(pdf_words(pdf), start=1):
        assert page, f"page {number} has no selectable text"
        for x0, y0, x1, y1, word in page:
            where = f"page {number}: {word!r} at ({x0:.0f}, {y0:.0f})-({x1:.0f}, {y1:.0f})"
            assert x0 >= margin - 2 and x1 <= 960 - margin + 2, where
            # Content ends at 6.55 in; only the footer line lives below 6.8 in.
            assert y1 <= 6.6 * PT or y0 >= 6.75 * PT, where
            assert y1 <= 540 - 0.3 * PT, where


# --- outputs, options and the missing converter ------------------------------------------


def test_two_interviewers_get_a_folder_each(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = build(cli, example("jonas"), out)
    assert sorted(p.name for p in out.iterdir()) == ["mehmet-oeztuerk", "petra-schulz"]
    for folder in out.iterdir():
        assert sorted(p.name for p in folder.iterdir()) == ["build.json", "deck.pdf", "deck.pptx"]
    for output in report["outputs"]:
        assert Path(output["folder"]) == out / output["slug"]
        for kind, path in output["files"].items():
            assert Path(path) == out / output["slug"] / f"deck.{kind}"
            assert Path(path).is_file()
    assert report["warnings"] == []


def test_for_builds_only_that_interviewer(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = build(cli, example("jonas"), out, "--for", "Mehmet")
    assert [o["slug"] for o in report["outputs"]] == ["mehmet-oeztuerk"]
    assert [p.name for p in out.iterdir()] == ["mehmet-oeztuerk"]
    prs = Presentation(out / "mehmet-oeztuerk" / "deck.pptx")
    assert prs.slides[0].shapes.title.text_frame.text == "Vielen Dank, Herr Öztürk"


def test_without_libreoffice_the_pptx_comes_with_a_warning(
    example: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # the lookup finds no soffice on this PATH
    out = tmp_path / "out"
    result = cli("deck", example("ada"), "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["build.json", "deck.pptx"]
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1
    assert "deck.pdf was skipped" in warning[0]
    assert "sudo apt-get install libreoffice-impress-nogui" in warning[0]


@pytest.mark.parametrize(
    ("content", "timeout", "reason"),
    [(b"not a presentation", 120, "could not convert deck.pptx"), (None, 0.2, "took longer")],
)
def test_conversion_failure_is_one_clear_line(
    content: bytes | None, timeout: float, reason: str, example: Any, tmp_path: Path
) -> None:
    pitch = load_pitch(example("ada"))
    theme = load_theme(pitch.theme)
    pptx = tmp_path / "deck.pptx"
    if content is None:
        build_pptx(select(pitch, None)[0], theme, pptx, [])
    else:
        pptx.write_bytes(content)
    soffice = find_soffice()
    assert soffice is not None
    with pytest.raises(OutputError) as caught:
        convert(pptx, tmp_path / "deck.pdf", theme, soffice, timeout=timeout)
    message = str(caught.value)
    assert message.startswith("deck.pdf: ") and reason in message and "\n" not in message
    assert not (tmp_path / "deck.pdf").exists()


# --- text that does not fit, and bad input -------------------------------------------------


def _long_pitch(pitch: Path) -> str:
    """Rewrite *pitch* with every text at its longest allowed; return the closing's last word."""
    filler = ["Spreadsheet", "reconciliation", "dashboards", "quarterly", "forecasting"]

    def text(length: int, start: int = 0) -> str:
        out: list[str] = []
        while len(" ".join(out)) < length:
            out.append(filler[(start + len(out)) % len(filler)])
        return " ".join(out)[:length].rsplit(" ", 1)[0]

    source = pitch.read_text()
    source = re.sub(r"(?m)^thanks: >-\n(  .*\n)+", f"thanks: {text(598)}\n", source)
    source = re.sub(r"(?m)^  - title: A tested.*$", f"  - title: {text(158)}", source)
    source = re.sub(r"(?m)^    detail: >-\n(      .*\n)+", f"    detail: {text(598, 3)}\n", source)
    source = re.sub(r"(?m)^  headline: .*$", f"  headline: {text(155)}", source)
    long_links = "\n".join(f"    L{i}: https://example.com/{'x' * 200}{i}" for i in range(4))
    source = source.replace("    GitHub: https://github.com/ada-example", long_links)
    closing = text(598, 5) + " finally"
    source = re.sub(r"(?m)^closing: .*$", f"closing: {closing}", source)
    pitch.write_text(source)
    return "finally"


def test_too_long_text_shrinks_and_still_fits(
    example: Any, cli: Any, tmp_path: Path, artifacts: Path
) -> None:
    pitch = example("ada")
    last = _long_pitch(pitch)
    report = build(cli, pitch, tmp_path / "out")
    pdf = Path(report["outputs"][0]["files"]["pdf"])
    _assert_inside(pdf, load_theme("classic").margin * 960)
    assert last in pdf_text(pdf).split()  # the closing's last word: nothing was cut
    prs = Presentation(report["outputs"][0]["files"]["pptx"])
    sizes = [
        run.font.size.pt
        for slide in prs.slides
        for shape in slide.placeholders
        if shape.placeholder_format.type not in FOOTERS
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    ]
    assert min(sizes) >= 9.5 and max(sizes) <= 60
    render(pdf, (3,), artifacts, "deck-long-text")


SPARSE = """\
language: en
theme: midnight
candidate: {name: Ada Example, email: ada@example.com, headline: Data analyst}
interview:
  company: The Daily Muse
  role: Senior Data Analyst
  date: 2026-11-24
  interviewers: [{name: Sarah Kim}]
thanks: Thank you.
discussed: [dbt]
value:
  - {title: Only a picture, image: media/pipeline.png}
  - {title: Only words}
  - {title: Three, detail: Short.}
  - {title: Four, detail: Short.}
  - {title: Five, detail: Short.}
samples:
  - {title: One, url: "https://a.example/1"}
  - {title: Two}
  - {title: Three}
  - title: Revenue forecasting notebook for the 2025 planning cycle with backtests and error bands
    url: https://a.example/4
  - title: Data dictionary and lineage graph for the finance warehouse, published on the intranet
    url: https://a.example/5
"""


def test_sparse_pitch_gets_every_kind_of_slide(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    pitch.write_text(SPARSE)  # no photo, no closing words, a samples list, a bare picture
    report = build(cli, pitch, tmp_path / "out")
    board = boards(pitch)["sarah-kim"]
    assert "samples" in {scene.kind for scene in board.scenes}
    prs = Presentation(report["outputs"][0]["files"]["pptx"])
    assert [s.shapes.title.text_frame.text for s in prs.slides] == [s.title for s in board.scenes]
    pdf = Path(report["outputs"][0]["files"]["pdf"])
    _assert_inside(pdf, load_theme("midnight").margin * 960)
    assert "Work samples • One • Two • Three" in pdf_text(pdf)
    # Wrapped between words: a linked title was wrapped mid-word by LibreOffice ("err or").
    assert "backtests and error bands" in pdf_text(pdf) and "on the intranet" in pdf_text(pdf)


def test_fit_shrinks_then_shortens() -> None:
    theme = load_theme("classic")
    from builder.deck.text import Para

    para = Para("word " * 40, theme.body.regular, "Lato", "#000000")
    roomy = fit([para], Emu(12_192_000 // 2), Emu(914_400 * 4), 30, 12)
    tight = fit([para], Emu(12_192_000 // 2), Emu(914_400), 30, 12)
    tiny = fit([para], Emu(914_400), Emu(300_000), 30, 12)  # room for about one line
    assert roomy.size == 30 and not roomy.shortened
    assert 12 <= tight.size < 30 and not tight.shortened
    assert tiny.shortened and tiny.paras[0].text.endswith("…")
    assert tiny.height <= 300_000 and len(tiny.paras[0].text.split()) >= 1


def _bomb(path: Path) -> None:
    Image.new("L", (10_000, 10_000)).save(path)  # 100 megapixels of zeros: a tiny file


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("not-an-image", "value[0].image"),
        ("outside", "value[0].image"),
        ("bomb", "samples[0].image"),
        ("missing", "candidate.photo"),
    ],
)
def test_bad_image_fails_in_one_line_and_writes_nothing(
    case: str, field: str, example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example("ada")
    media = pitch.parent / "media"
    source = pitch.read_text()
    if case == "not-an-image":
        (media / "pipeline.png").write_text("this is text, not a picture\n")
    elif case == "outside":
        shutil.copyfile(media / "pipeline.png", tmp_path / "elsewhere.png")
        source = source.replace("image: media/pipeline.png", "image: ../elsewhere.png")
    elif case == "bomb":
        _bomb(media / "dashboard.png")
    else:
        source = source.replace("photo: media/ada.jpg", "photo: media/nobody.jpg")
    pitch.write_text(source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("from an earlier run\n")
    before = listing(out)
    result = cli("deck", pitch, "-o", out)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pitch.yaml" in lines[0] and field in lines[0], lines[0]
    assert listing(out) == before


# --- speed --------------------------------------------------------------------------------


def test_help_does_not_load_python_pptx() -> None:
    code = "import sys, builder.cli; print('pptx' in sys.modules, 'PIL' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["False", "False"]


# --- LibreOffice's profile ------------------------------------------------------------------


def test_profile_names_the_running_office_version() -> None:
    from builder.deck.profile import office_version

    soffice = find_soffice()
    assert soffice is not None
    said = subprocess.run([soffice, "--version"], capture_output=True, text=True, check=True)
    major_minor = re.search(r"LibreOffice (\d+\.\d+)", said.stdout)
    assert major_minor is not None, said.stdout
    assert office_version(soffice) == major_minor.group(1)


@pytest.mark.parametrize("seeded", [True, False])
def test_seeded_profile_skips_the_graphics_self_test(
    seeded: bool, example: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The self-test writes GraphicsRenderTests.log into the profile; unseeded it still runs
    # (which keeps this test honest if a LibreOffice update renames or drops the log).
    from builder.deck import pdf

    if not seeded:
        monkeypatch.setattr(pdf, "seed", lambda profile, soffice, language: None)
    work = _converted(example, tmp_path)
    log = work / "profile" / "user" / "GraphicsRenderTests.log"
    assert log.exists() is not seeded


@pytest.mark.parametrize("seeded", [True, False])
def test_seeded_profile_starts_libreoffice_once(
    seeded: bool, example: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the build id in user/extensions, LibreOffice's first start wipes that folder
    # and exits to be started again (0.1 s): a file left there tells whether it did.
    # Unseeded it still wipes it, which keeps this test honest across LibreOffice updates.
    from builder.deck import pdf, profile

    soffice = find_soffice()
    assert soffice is not None
    build = profile.build_id(soffice)

    def seed(folder: Path, soffice: str, language: str) -> None:
        if not seeded:
            monkeypatch.setattr(profile, "build_id", lambda soffice: None)
        profile.seed(folder, soffice, language)
        (folder / "user" / "extensions").mkdir(exist_ok=True)
        (folder / "user" / "extensions" / "left-here").write_text("")

    monkeypatch.setattr(pdf, "seed", seed)
    extensions = _converted(example, tmp_path) / "profile" / "user" / "extensions"
    assert (extensions / "left-here").exists() is seeded
    assert (extensions / "buildid").read_text() == build  # written by us, or again by it


def _converted(example: Any, tmp_path: Path) -> Path:
    """Convert examples/ada's deck with LibreOffice in *tmp_path*/work, as a build does;
    return that folder (its profile and ``out/deck.pdf`` left in it)."""
    from builder.deck import pdf

    pitch = load_pitch(example("ada"))
    theme = load_theme(pitch.theme)
    build_pptx(select(pitch, None)[0], theme, tmp_path / "deck.pptx", [])
    soffice = find_soffice()
    assert soffice is not None
    work = tmp_path / "work"
    work.mkdir()
    code, errors = pdf._soffice(soffice, [tmp_path / "deck.pptx"], work, theme, "en-US", 120)
    assert code == 0, errors
    assert (work / "out" / "deck.pdf").stat().st_size > 10_000
    return work


def test_a_folder_named_outside_ascii_gets_its_pdf_in_the_decks_language(
    example: Any, tmp_path: Path
) -> None:
    # LibreOffice ran in a locale named after the language (de_DE.UTF-8), which most
    # machines lack: it fell back to C and hung on this path until killed. The language
    # now comes from the profile, in a locale every Linux has.
    from builder.deck import pdf
    from builder.deck.package import language_tag

    pitch = load_pitch(example("jonas"))
    theme = load_theme(pitch.theme)
    board = select(pitch, None)[0]
    folder = tmp_path / "Bewerbung Größe, Müller"
    folder.mkdir()
    build_pptx(board, theme, folder / "deck.pptx", [])
    soffice = find_soffice()
    assert soffice is not None
    started = time.monotonic()
    pdf.convert_many([(folder / "deck.pptx", folder / "deck.pdf")], theme, soffice,
                     language_tag(board), timeout=60)  # fmt: skip
    assert time.monotonic() - started < 30
    language, _ = pdf_tags(folder / "deck.pdf")
    assert language == "de-DE"
    assert words(board.scenes[0].title) in pdf_text(folder / "deck.pdf")


def test_the_profile_seed_names_the_language_and_the_version(tmp_path: Path) -> None:
    from builder.deck.profile import office_version, seed

    soffice = find_soffice()
    assert soffice is not None
    seed(tmp_path / "profile", soffice, "de-DE")
    written = (tmp_path / "profile" / "user" / "registrymodifications.xcu").read_text()
    assert '<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>de-DE</value>' in written
    assert f"<value>{office_version(soffice)}</value>" in written
    build = (tmp_path / "profile" / "user" / "extensions" / "buildid").read_text()
    assert re.fullmatch(r"\S.*", build), build  # LibreOffice's build id, e.g. 40(Build:2)
    with pytest.raises(ValueError, match="not a language tag"):
        seed(tmp_path / "other", soffice, 'de"><x')


def test_a_panel_styles_the_master_once_and_each_deck_gets_its_own_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from builder.deck import master
    from builder.deck.layout import Grid

    theme = load_theme("classic")
    grid = Grid.for_theme(theme)
    master._master_package.cache_clear()
    styled = []
    real = master._styled
    monkeypatch.setattr(master, "_styled", lambda *args: styled.append(args) or real(*args))
    first, second = master.new_presentation(theme, grid), master.new_presentation(theme, grid)
    assert len(styled) == 1
    first.slides.add_slide(first.slide_layouts[1]).shapes.title.text = "Only in the first"
    assert (len(first.slides), len(second.slides)) == (1, 0)
    assert first.slide_width == second.slide_width == Emu(12_192_000)  # 16:9, as styled
