"""The .pptx package around the slides: document properties, and no trace of the template."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.presentation import Presentation

from builder.storyboard import Storyboard
from builder.theme import Theme
from builder.wording import say

LANGUAGE_TAGS = {"en": "en-US", "de": "de-DE"}

_APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
<TotalTime>0</TotalTime><Words>{words}</Words><PresentationFormat>Widescreen</PresentationFormat>\
<Paragraphs>{paragraphs}</Paragraphs><Slides>{slides}</Slides><Notes>{slides}</Notes>\
<HiddenSlides>0</HiddenSlides><MMClips>0</MMClips><ScaleCrop>false</ScaleCrop>\
<HeadingPairs><vt:vector size="4" baseType="variant">\
<vt:variant><vt:lpstr>Theme</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant>\
<vt:variant><vt:lpstr>Slide Titles</vt:lpstr></vt:variant>\
<vt:variant><vt:i4>{slides}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
<TitlesOfParts><vt:vector size="{parts}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>\
<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
<HyperlinksChanged>false</HyperlinksChanged></Properties>"""


def language_tag(board: Storyboard) -> str:
    """Return the storyboard's language as a tag Office understands (``de-DE``)."""
    return LANGUAGE_TAGS.get(board.language, board.language)


def document_title(board: Storyboard) -> str:
    """Return the deck's document title: ``Thank you, Sarah Kim``."""
    return say("thank_you", board.language, who=board.interviewer.name)


def finish(prs: Presentation, board: Storyboard, theme: Theme) -> None:
    """Set *prs*'s properties from *board* and drop what python-pptx's template left behind."""
    _core_properties(prs, board)
    _app_properties(prs, board, theme)
    _drop_leftovers(prs)


def _fitted(text: str, limit: int = 255) -> str:
    """Return *text*, cut to *limit* characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _core_properties(prs: Presentation, board: Storyboard) -> None:
    # The template says "generated using python-pptx", last modified by its author, in 2013.
    props = prs.core_properties
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    # OOXML core properties hold at most 255 characters; long (valid) names must still fit.
    props.title = _fitted(document_title(board))
    props.subject = _fitted(
        say("title_sub", board.language, role=board.role, company=board.company)
    )
    props.author = props.last_modified_by = board.candidate.name
    props.comments = props.keywords = props.category = ""
    props.content_status = props.identifier = props.version = ""
    props.language = language_tag(board)
    props.created = props.modified = now
    props.revision = 1


def _app_properties(prs: Presentation, board: Storyboard, theme: Theme) -> None:
    # python-pptx never updates app.xml: the template's says "4:3", "0 slides", "Office Theme".
    titles = [theme.title, *(scene.title for scene in board.scenes)]
    words = sum(len(" ".join((s.title, s.text, *s.bullets)).split()) for s in board.scenes)
    paragraphs = sum(1 + bool(s.text) + len(s.bullets) for s in board.scenes)
    xml = _APP_XML.format(
        words=words,
        paragraphs=paragraphs,
        slides=len(board.scenes),
        parts=len(titles),
        titles="".join(f"<vt:lpstr>{escape(t)}</vt:lpstr>" for t in titles),
    )
    prs.part.package.part_related_by(RT.EXTENDED_PROPERTIES).blob = xml.encode("utf-8")


def _drop_leftovers(prs: Presentation) -> None:
    # A thumbnail of an empty 4:3 slide (with EXIF) and an Apple printer's settings.
    package = prs.part.package
    for rel in list(package._rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package.drop_rel(rel.rId)
    for rel in list(prs.part.rels.values()):
        if rel.reltype == RT.PRINTER_SETTINGS:
            prs.part.drop_rel(rel.rId)
