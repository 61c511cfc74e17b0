"""What every slide layout uses: fitted text in placeholders, the kicker, pictures, footers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation
from pptx.shapes.picture import Picture
from pptx.shapes.placeholder import SlidePlaceholder
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Pt

from builder.deck.layout import EMU_PER_PT, Grid, inches, xywh
from builder.deck.text import Fitted, Para, bullet_indent, fit
from builder.fonts import FALLBACK_FAMILY
from builder.geometry import Box
from builder.glyphs import font_chars, runs
from builder.images import CleanImage, clean_image
from builder.storyboard import ImageRef, Scene, Storyboard
from builder.theme import Theme

Face = Literal["heading", "body", "strong"]
Role = Literal["text", "muted", "accent"]
LANGUAGES = {"en": MSO_LANGUAGE_ID.ENGLISH_US, "de": MSO_LANGUAGE_ID.GERMAN}
BULLET = "•"
KICKER_SIZE = 14
TITLE_SIZES = (40.0, 24.0)  # largest, smallest (points)
FOOTER_SIZE = 11
_BULLET_TAGS = (
    *("a:buClrTx", "a:buClr", "a:buSzTx", "a:buFontTx", "a:buFont"),
    *("a:buNone", "a:buAutoNum", "a:buChar", "a:buBlip"),
)


@dataclass
class Deck:
    """One presentation being written, with what its slides need to know."""

    prs: Presentation
    board: Storyboard
    theme: Theme
    grid: Grid
    scratch: Path  # a temporary folder for cleaned images, never the stage
    bold_heading: bool
    warnings: list[str] = field(default_factory=list)
    _images: dict[Path, CleanImage] = field(default_factory=dict)

    @property
    def language(self) -> MSO_LANGUAGE_ID:
        """Return the proofing language of every text run."""
        return LANGUAGES.get(self.board.language, MSO_LANGUAGE_ID.ENGLISH_US)

    def new_slide(self, layout: str) -> Slide:
        """Return a new slide made from the layout called *layout*."""
        found = self.prs.slide_layouts.get_by_name(layout)
        if found is None:
            raise LookupError(f"the template has no layout {layout!r}")
        slide: Slide = self.prs.slides.add_slide(found)
        return slide

    def para(self, text: str, face: Face = "body", role: Role = "text", **options: Any) -> Para:
        """Return a paragraph of *text* in the theme's *face* and *role* colour."""
        theme = self.theme
        font, family, bold = {
            "heading": (theme.heading.regular, theme.heading.family, self.bold_heading),
            "body": (theme.body.regular, theme.body.family, False),
            "strong": (theme.body.bold, theme.body.family, True),
        }[face]
        colour = {"text": theme.colors.text, "muted": theme.colors.muted}.get(
            role, theme.colors.accent
        )
        options.setdefault("language", self.board.language)
        return Para(" ".join(text.split()), font, family, colour, bold=bold, **options)

    def image(self, ref: ImageRef) -> CleanImage:
        """Return the cleaned copy of *ref* (made once, in the scratch folder)."""
        if ref.path not in self._images:
            self._images[ref.path] = clean_image(ref, self.scratch)
        return self._images[ref.path]

    def fit(self, slide: Slide, paras: list[Para], box: Box, sizes: tuple[float, float]) -> Fitted:
        """Return *paras* fitted to *box* between *sizes*; warn when words had to be cut."""
        fitted = fit(paras, box.width, box.height, *sizes)
        if fitted.shortened:
            number = self.prs.slides.index(slide) + 1
            self.warnings.append(
                f"deck: slide {number} has more text than fits; it was shortened (…), "
                "so shorten it in the pitch"
            )
        return fitted


def heading(deck: Deck, slide: Slide, scene: Scene) -> int:
    """Write *scene*'s kicker and title where the grid puts them; return the title's bottom.

    The title takes as many lines as it needs (up to three), so the text below moves up
    under a short one.
    """
    grid = deck.grid
    if scene.kicker:
        kicker(deck, slide, scene.kicker, grid.kicker)
    title = title_of(slide)
    fitted = deck.fit(slide, [deck.para(scene.title, "heading")], grid.title, TITLE_SIZES)
    box = replace(grid.title, height=fitted.height)
    write(title.text_frame, fitted, deck)
    place(title, box)
    return box.bottom


def title_of(slide: Slide) -> Any:
    """Return *slide*'s title placeholder (every layout the deck uses has one)."""
    title = slide.shapes.title
    if title is None:
        raise LookupError("the slide's layout has no title placeholder")
    return title


def rgb(colour: str) -> RGBColor:
    """Return the #RRGGBB *colour* as python-pptx's colour value."""
    value: RGBColor = RGBColor.from_string(colour[1:])  # type: ignore[no-untyped-call]
    return value


def kicker(deck: Deck, slide: Slide, text: str, box: Box) -> Any:
    """Add the small accent-coloured label above a title; return the text box."""
    para = deck.para(text, "strong", "accent", caps=True, tracking=0.08)
    fitted = fit([para], box.width, inches(0.4), KICKER_SIZE, 9)
    shape = slide.shapes.add_textbox(*xywh(replace(box, height=fitted.height)))
    shape.name = "Kicker"
    write(shape.text_frame, fitted, deck)
    return shape


def write(
    frame: TextFrame, fitted: Fitted, deck: Deck, anchor: Any = MSO_ANCHOR.TOP, inset: int = 0
) -> None:
    """Replace *frame*'s text with *fitted*: sizes, colours, bullets and links set per run.

    *inset* (EMU) is the frame's margin on every side.
    """
    frame.text = ""  # one empty paragraph left, as clear() would
    frame.word_wrap = True
    # Sizes are computed here; a renderer's own shrinking would only undo that.
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(inset)
    frame.vertical_anchor = anchor
    for index, para in enumerate(fitted.paras):
        paragraph = frame.paragraphs[0] if index == 0 else _new_paragraph(frame)
        size = fitted.size_of(para)
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.line_spacing = 1.0
        paragraph.space_before = Pt(round(para.space_before * size, 1) if index else 0)
        _bullet(paragraph._p.get_or_add_pPr(), para, size, deck.theme.colors.accent)
        # Characters the theme's font lacks get a run in the fallback font the tool ships,
        # so LibreOffice and PowerPoint never pick a substitute of their own (or a box).
        for text, fallback in runs(para.shown, font_chars(para.font)) or [("", False)]:
            run = paragraph.add_run()
            run.text = text
            _style(run, para, size, FALLBACK_FAMILY if fallback else para.family, deck)


def _style(run: Any, para: Para, size: float, family: str, deck: Deck) -> None:
    font = run.font
    font.size, font.bold, font.name = Pt(size), para.bold, family
    font.color.rgb = rgb(para.color)
    font.language_id = deck.language
    if para.tracking:  # no python-pptx API for letter spacing
        run._r.get_or_add_rPr().set("spc", str(round(para.tracking * size * 100)))
    if para.link:
        run.hyperlink.address = para.link


def _new_paragraph(frame: TextFrame) -> Any:
    return frame.add_paragraph()  # type: ignore[no-untyped-call]


def _bullet(ppr: Any, para: Para, size: float, accent: str) -> None:
    for tag in _BULLET_TAGS:
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    indent = round(bullet_indent(size) * EMU_PER_PT) if para.bullet else 0
    ppr.set("marL", str(indent))
    ppr.set("indent", str(-indent))
    later = ("a:tabLst", "a:defRPr", "a:extLst")
    if not para.bullet:
        ppr.insert_element_before(ppr.makeelement(qn("a:buNone"), {}), *later)
        return
    colour = ppr.makeelement(qn("a:buClr"), {})
    colour.append(colour.makeelement(qn("a:srgbClr"), {"val": accent[1:]}))
    for element in (
        colour,
        # The text's own font: LibreOffice would otherwise draw the bullet in OpenSymbol.
        ppr.makeelement(qn("a:buFont"), {"typeface": para.family}),
        ppr.makeelement(qn("a:buChar"), {"char": BULLET}),
    ):
        ppr.insert_element_before(element, *later)


def place(shape: Any, box: Box) -> None:
    """Move and size *shape* to *box*."""
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height


def remove(shape: Any) -> None:
    """Take *shape* (an unused placeholder) off its slide."""
    element = shape._element
    element.getparent().remove(element)


def picture(deck: Deck, slide: Slide, ref: ImageRef, box: Box, round_: bool = False) -> Picture:
    """Add *ref*, cleaned, as large as fits in *box*; alt text set, original name nowhere.

    With *round_* the picture is cropped to a square and shown as a circle (a portrait).
    """
    clean = deck.image(ref)
    width, height = clean.width, clean.height
    if round_:
        width = height = min(width, height)
    place_at = box.fit(width, height)
    pic = slide.shapes.add_picture(str(clean.path), *xywh(place_at))
    if round_:
        side = min(clean.width, clean.height)
        pic.crop_left = pic.crop_right = (clean.width - side) / 2 / clean.width
        pic.crop_top = pic.crop_bottom = (clean.height - side) / 2 / clean.height
        pic.auto_shape_type = MSO_SHAPE.OVAL
    # python-pptx writes the image's file name into descr; alt text belongs there instead.
    element: Any = pic._element
    properties = element.nvPicPr.cNvPr
    properties.set("descr", ref.alt)
    properties.set("name", f"Picture {len(slide.shapes)}")
    return pic


CARD_ROUNDING = 0.06  # corner radius as a share of the card's shorter side


def card(deck: Deck, slide: Slide, box: Box, fitted: Fitted, pad: int) -> Any:
    """Add a flat, rounded panel in the theme's surface colour holding *fitted* text *pad*
    EMU from its edges; return the shape.

    The panel carries its text itself. A shape without text would be a figure without
    alternative text in the tagged PDF, and LibreOffice 7.4 ignores Office's "decorative"
    mark (adec:decorative) that would make it an artifact.
    """
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *xywh(box))
    shape.name = "Card"
    shape.adjustments[0] = CARD_ROUNDING
    # Without its style reference the shape has no theme outline, shadow or text colour.
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb(deck.theme.colors.surface)
    shape.line.fill.background()
    # A rounded rectangle's text area already stands in from its edges (the preset's text
    # rectangle, 29.289 % of the corner radius, in PowerPoint and LibreOffice alike).
    corner = round(0.29289 * CARD_ROUNDING * min(box.width, box.height))
    write(shape.text_frame, fitted, deck, inset=max(0, pad - corner))
    return shape


def footer(deck: Deck, slide: Slide, text: str) -> None:
    """Give *slide* the layout's footer and slide-number placeholders, filled in."""
    tree = slide.shapes._spTree  # python-pptx never copies these two from the layout
    next_id = max(int(i) for i in tree.xpath("//p:cNvPr/@id")) + 1
    layout: Any = slide.slide_layout.placeholders  # python-pptx types its __iter__ oddly
    for placeholder in layout:
        kind = placeholder.placeholder_format.type
        if kind not in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER):
            continue
        element = copy.deepcopy(placeholder._element)
        element.nvSpPr.cNvPr.set("id", str(next_id))
        next_id += 1
        tree.append(element)
        if kind == PP_PLACEHOLDER.FOOTER:
            para = deck.para(text, role="muted")
            fitted = fit([para], placeholder.width, placeholder.height, FOOTER_SIZE, 8)
            frame = SlidePlaceholder(element, slide.shapes).text_frame
            write(frame, fitted, deck, anchor=MSO_ANCHOR.MIDDLE)
        else:
            # The number is a field: it keeps counting when slides are moved.
            for shown in element.xpath(".//a:fld/a:t"):
                shown.text = str(deck.prs.slides.index(slide) + 1)


def notes(slide: Slide, scene: Scene) -> None:
    """Put what the candidate would say into *slide*'s speaker notes."""
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        frame.text = scene.notes
