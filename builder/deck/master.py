"""The slide master in the theme's look: 16:9 layouts, background, colours, fonts, text styles."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache, partial
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationFile
from pptx.slide import SlideMaster
from pptx.util import Emu

from builder.deck.draw import rgb
from builder.deck.layout import SLIDE_HEIGHT, SLIDE_WIDTH, Grid, inches
from builder.geometry import Box
from builder.theme import Theme

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
BOLD_STYLES = ("bold", "black", "heavy", "extrabold", "semibold", "demibold")

# python-pptx's template is 4:3; its content frame (title top to body bottom, 0.5 in side
# margins) is mapped onto ours so that every layout, used or not, suits a 16:9 slide.
OLD_LEFT, OLD_WIDTH = 457_200, 8_229_600
OLD_TOP, OLD_BOTTOM = 274_638, 6_126_163
FOOTERS = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}

TITLE_SIZE = 40  # points: what a new slide's title starts at when edited by hand
BODY_SIZE = 24
FOOTER_SIZE = 11
BULLET_INDENT = inches(0.4)


def new_presentation(theme: Theme, grid: Grid) -> PresentationFile:
    """Return an empty 16:9 presentation whose master and layouts wear *theme*: a fresh
    copy of the one made for this theme and grid (a panel's decks share it)."""
    return Presentation(io.BytesIO(_master_package(theme, grid)))


@lru_cache(maxsize=4)
def _master_package(theme: Theme, grid: Grid) -> bytes:
    """Return the saved .pptx of an empty presentation in *theme*.

    Styling eleven layouts and the master takes about 35 ms; opening the saved result
    takes 5 ms, so each run does the styling once per theme, not once per interviewer.
    """
    package = io.BytesIO()
    _styled(theme, grid).save(package)
    return package.getvalue()


def _styled(theme: Theme, grid: Grid) -> PresentationFile:
    """Return python-pptx's template presentation restyled in *theme* on *grid*."""
    prs = Presentation()  # python-pptx's own template: one master, eleven layouts
    prs.slide_width, prs.slide_height = Emu(SLIDE_WIDTH), Emu(SLIDE_HEIGHT)
    # The template says "screen4x3"; a 13.333 x 7.5 in slide is PowerPoint's unnamed default.
    prs.part._element.find(qn("p:sldSz")).attrib.pop("type", None)
    master = prs.slide_master
    _style_theme_part(master, theme)
    # Layouts first: a placeholder that inherits the master's 4:3 position gets it mapped.
    for layout in prs.slide_layouts:
        exact = _exact_boxes(layout.name, grid)
        _place(layout.placeholders, partial(_layout_box, grid=grid, exact=exact))
        _left_align(layout._element)
    _place(master.placeholders, partial(_master_box, grid=grid))
    _style_master(master, theme)
    return prs


def heading_is_bold(theme: Theme) -> bool:
    """Return whether the heading font's regular file is a bold weight (Lato Bold, ...)."""
    from PIL import ImageFont

    style = ImageFont.truetype(str(theme.heading.regular), 10).getname()[1] or ""
    return style.lower().replace(" ", "") in BOLD_STYLES


def _style_theme_part(master: SlideMaster, theme: Theme) -> None:
    # The colour and font scheme make PowerPoint's pickers offer the theme's own choices.
    part = master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    root.set("name", theme.title)
    colours = theme.colors
    # bg1/tx1/bg2/tx2 always mean background/text/surface/muted (see the clrMap below).
    if theme.mode == "dark":
        scheme = {"dk1": colours.background, "lt1": colours.text}
        scheme |= {"dk2": colours.surface, "lt2": colours.muted}
    else:
        scheme = {"dk1": colours.text, "lt1": colours.background}
        scheme |= {"dk2": colours.muted, "lt2": colours.surface}
    scheme |= {"accent1": colours.accent, "hlink": colours.accent, "folHlink": colours.muted}
    clr = root.find(f"{{{A}}}themeElements/{{{A}}}clrScheme")
    clr.set("name", theme.title)
    for name, value in scheme.items():
        slot = clr.find(f"{{{A}}}{name}")
        slot.clear()
        etree.SubElement(slot, f"{{{A}}}srgbClr", val=value[1:])
    fonts = root.find(f"{{{A}}}themeElements/{{{A}}}fontScheme")
    fonts.set("name", theme.title)
    fonts.find(f"{{{A}}}majorFont/{{{A}}}latin").set("typeface", theme.heading.family)
    fonts.find(f"{{{A}}}minorFont/{{{A}}}latin").set("typeface", theme.body.family)
    part.blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style_master(master: SlideMaster, theme: Theme) -> None:
    element = master._element
    if theme.mode == "dark":
        element.find(qn("p:clrMap")).attrib.update(
            {"bg1": "dk1", "tx1": "lt1", "bg2": "dk2", "tx2": "lt2"}
        )
    fill = master.background.fill
    fill.solid()
    fill.fore_color.rgb = rgb(theme.colors.background)
    styles = element.find(qn("p:txStyles"))
    # A title typed into a new slide sits just above the text, however many lines it has.
    for placeholder in _all(master.placeholders):
        if placeholder.placeholder_format.type == PP_PLACEHOLDER.TITLE:
            placeholder._element.txBody.find(qn("a:bodyPr")).set("anchor", "b")
    title = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    title.set("algn", "l")
    _font(title, theme.heading.family, TITLE_SIZE, bold=heading_is_bold(theme))
    for level, ppr in enumerate(styles.find(qn("p:bodyStyle")), start=1):
        ppr.set("marL", str(BULLET_INDENT * level))
        ppr.set("indent", str(-BULLET_INDENT))
        _font(ppr, theme.body.family, max(14, BODY_SIZE - 4 * (level - 1)))
        _bullet_style(ppr, theme.body.family)
    _style_footers(master, theme)
    _left_align(element)


def _style_footers(master: SlideMaster, theme: Theme) -> None:
    # Date, footer and slide number: small and muted (tx2), in the body font.
    for placeholder in _all(master.placeholders):
        if placeholder.placeholder_format.type not in FOOTERS:
            continue
        rpr = placeholder._element.txBody.find(
            f"{qn('a:lstStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}"
        )
        rpr.set("sz", str(FOOTER_SIZE * 100))
        for old in list(rpr):
            rpr.remove(old)
        fill = etree.SubElement(rpr, qn("a:solidFill"))
        etree.SubElement(fill, qn("a:schemeClr"), val="tx2")
        etree.SubElement(rpr, qn("a:latin"), typeface=theme.body.family)


def _all(placeholders: Any) -> list[Any]:
    # python-pptx types the placeholder collections' __iter__ in a way mypy rejects.
    return list(placeholders)


def _font(ppr: Any, family: str, size: float, bold: bool = False) -> None:
    rpr = ppr.find(qn("a:defRPr"))
    rpr.set("sz", str(round(size * 100)))
    if bold:
        rpr.set("b", "1")
    rpr.find(qn("a:latin")).set("typeface", family)


def _bullet_style(ppr: Any, family: str) -> None:
    # Accent-coloured bullets in the text's own font: no Arial substitute in the PDF.
    for tag in ("a:buClr", "a:buFont", "a:buFontTx"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    spacing = ppr.find(qn("a:spcBef"))
    colour = etree.Element(qn("a:buClr"))
    etree.SubElement(colour, qn("a:schemeClr"), val="accent1")
    spacing.addnext(colour)
    colour.addnext(etree.Element(qn("a:buFont"), typeface=family))


def _place(placeholders: Any, box_of: Callable[[Any], Box | None]) -> None:
    for placeholder in placeholders:
        box = box_of(placeholder)
        if box is not None:
            placeholder.left, placeholder.top = box.left, box.top
            placeholder.width, placeholder.height = box.width, box.height
        # Text starts exactly at the margins, so what is measured is what is drawn.
        body = placeholder._element.txBody.find(qn("a:bodyPr"))
        body.attrib.update({"lIns": "0", "rIns": "0"})
        if placeholder.placeholder_format.type not in FOOTERS:
            body.attrib.update({"tIns": "0", "bIns": "0"})


def _master_box(placeholder: Any, grid: Grid) -> Box | None:
    boxes = {
        PP_PLACEHOLDER.TITLE: grid.title,
        PP_PLACEHOLDER.BODY: grid.body,
        PP_PLACEHOLDER.DATE: grid.date,
        PP_PLACEHOLDER.FOOTER: grid.footer,
        PP_PLACEHOLDER.SLIDE_NUMBER: grid.number,
    }
    return boxes.get(placeholder.placeholder_format.type)


def _layout_box(placeholder: Any, grid: Grid, exact: dict[int, Box]) -> Box | None:
    if placeholder.placeholder_format.type in FOOTERS:
        return _master_box(placeholder, grid)
    return exact.get(placeholder.placeholder_format.idx) or _mapped(placeholder, grid)


def _exact_boxes(name: str, grid: Grid) -> dict[int, Box]:
    # The layouts the deck uses get the grid exactly; idx 0 is the title.
    left, right = grid.body.columns(0.5, grid.gutter)
    hero = grid.content.columns(0.62, grid.gutter)[0]
    return {
        "Title Slide": {
            0: replace(hero, top=inches(2.0), height=inches(2.0)),
            1: replace(hero, top=inches(4.2), height=inches(1.9)),
        },
        "Title and Content": {0: grid.title, 1: grid.body},
        "Two Content": {0: grid.title, 1: left, 2: right},
        "Title Only": {0: grid.title},
    }.get(name, {})


def _mapped(placeholder: Any, grid: Grid) -> Box:
    top = grid.title.top
    sx = grid.content.width / OLD_WIDTH
    sy = (grid.body.bottom - top) / (OLD_BOTTOM - OLD_TOP)
    return Box(
        left=round(grid.margin + (placeholder.left - OLD_LEFT) * sx),
        top=round(top + (placeholder.top - OLD_TOP) * sy),
        width=round(placeholder.width * sx),
        height=round(placeholder.height * sy),
    )


def _left_align(element: Any) -> None:
    # Centred titles and subtitles look lost on a wide slide whose text starts at the margin.
    for ppr in element.iter():
        if ppr.get("algn") == "ctr" and str(ppr.tag).endswith("pPr"):
            ppr.set("algn", "l")
