"""Accessibility: axe-core finds no WCAG 2.1 A/AA violation on the page, the Nu HTML checker
no error, and the deck's tagged PDF has no figure without alternative text.

axe-core and the Nu checker (vnu.jar) come from npm into .cache/node/ (scripts/setup.sh
--test installs both, pinned); the Nu checker runs on Java.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / ".cache" / "node" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"


def _needed(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing; run: scripts/setup.sh --test")
    return path


def built_site(cli: Any, pitch: Path, out: Path) -> list[Path]:
    """Build the site of *pitch* into *out*; return every page it wrote."""
    assert cli("site", pitch, "-o", out).exit_code == 0
    return sorted(out.rglob("site/index.html"))


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "width"), [("ada", 1280), ("ada", 375), ("jonas", 1280)])
def test_axe_finds_no_wcag_21_aa_violation(
    name: str, width: int, example: Any, cli: Any, browser: Any, tmp_path: Path
) -> None:
    axe = _needed(AXE)
    for index in built_site(cli, example(name), tmp_path / "out"):
        # The page's policy forbids scripts (rightly); only this test's context sets it
        # aside, so that axe can be injected. The page itself is served unchanged.
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(index.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.add_script_tag(path=str(axe))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                " resultTypes: ['violations']})",
                WCAG_21_AA,
            )
        finally:
            context.close()
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
        ]
        assert violations == [], violations
        assert len(result["passes"]) >= 10  # axe really ran its rules on the page


def test_nu_checker_finds_no_error(example: Any, cli: Any, tmp_path: Path) -> None:
    vnu = _needed(VNU)
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing; run: scripts/setup.sh --test")
    pages = [
        *built_site(cli, example("ada"), tmp_path / "ada"),
        *built_site(cli, example("jonas"), tmp_path / "jonas"),
    ]
    assert len(pages) == 3
    done = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stderr or done.stdout)  # vnu writes its JSON to stderr
    errors = [(m.get("url", "").rsplit("/", 3)[-3:], m["message"]) for m in report["messages"]]
    assert errors == [], errors
    assert done.returncode == 0


# --- the deck ------------------------------------------------------------------------------


def figures(pdf: Path) -> list[dict[str, Any]]:
    """Return every /Figure element of *pdf*'s structure tree with its /Alt and /BBox."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    root = PdfReader(pdf).trailer["/Root"]
    found: list[dict[str, Any]] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                return
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                attributes = node.get("/A")
                box = attributes.get_object().get("/BBox") if attributes is not None else None
                found.append({"alt": str(node.get("/Alt", "")), "bbox": box})
            for key, value in node.items():
                if key not in ("/P", "/Parent", "/Pg"):
                    walk(value)
        elif isinstance(node, ArrayObject):
            for value in node:
                walk(value)

    walk(root["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_deck_has_no_figure_without_alternative_text(
    name: str, example: Any, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("deck", example(name), "-o", out).exit_code == 0
    for pptx in sorted(out.rglob("deck.pptx")):
        prs = Presentation(str(pptx))
        pictures = 0
        for slide in prs.slides:
            for shape in slide.shapes:
                properties = shape._element.find(".//" + qn("p:cNvPr"))
                decorative = properties is not None and (
                    properties.find(".//" + DECORATIVE) is not None
                )
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                    pictures += 1
                    assert properties.get("descr"), shape.name  # alt text
                else:
                    # Every other shape carries text (the contact card included) or is
                    # marked decorative: nothing a screen reader would meet as an empty figure.
                    has_text = shape.has_text_frame and shape.text_frame.text.strip()
                    assert has_text or decorative, (slide, shape.name)
        found = figures(pptx.with_suffix(".pdf"))
        # LibreOffice makes each picture a figure with its alt text, and nothing else.
        assert len(found) == pictures, found
        assert all(figure["alt"].strip() for figure in found), found
