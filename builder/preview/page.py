"""The preview's pages: what each section shows, read from the build folder, and the
theme's colours and fonts as CSS. Rendering is Jinja2 with autoescaping: pitch text is
always text, never markup."""

from __future__ import annotations

import base64
import email
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.preview.session import Person, View
from builder.storyboard import WORDS_PER_SECOND
from builder.theme import Theme

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_ROLES = ("heading", "heading-bold", "body", "body-bold")
_CID = re.compile(r"""(["'(])cid:([^"')\s]+)""")


@dataclass(frozen=True)
class Panel:
    """What one interviewer's preview holds, as the build folder has it now."""

    person: Person
    site: bool
    pdf: bool
    pptx: bool
    video: bool
    captions: bool
    poster: bool
    pages: int
    email_text: str | None
    message: str | None
    email_html: bool


def panel(view: View, person: Person) -> Panel:
    """Return the sections of *person*'s preview, from their build folder."""
    folder = person.folder
    return Panel(
        person=person,
        site=(folder / "site" / "index.html").is_file(),
        pdf=(folder / "deck.pdf").is_file(),
        pptx=(folder / "deck.pptx").is_file(),
        video=(folder / "video.mp4").is_file(),
        captions=(folder / "video.vtt").is_file(),
        poster=(folder / "poster.png").is_file(),
        pages=len(view.pages.get(person.slug, ())),
        email_text=_text(folder / "email.txt"),
        message=_text(folder / "message.txt"),
        email_html=(folder / "email.eml").is_file(),
    )


def status(view: View) -> tuple[str, str]:
    """Return the state (``busy``, ``error``, ``ok``) and the line the page's status shows."""
    if view.building:
        parts = [
            f"{what} {round(view.progress[what] * 100)} %" if what in view.progress else what
            for what in view.building
        ]
        return "busy", f"Rebuilding {', '.join(parts)}…"
    if view.problems:
        return "error", "The pitch has errors: showing the last good preview"
    if view.built_at is None:
        return "busy", "Building…"
    return "ok", f"Up to date · built {view.built_at:%H:%M:%S} in {view.took:.1f} s"


def state_json(view: View) -> dict[str, Any]:
    """Return what the page polls: the generation (a new one reloads the page) and status."""
    state, line = status(view)
    return {
        "generation": view.generation,
        "state": state,
        "status": line,
        "building": list(view.building),
        "problems": list(view.problems),
    }


def render(template: str, **context: Any) -> str:
    """Return the page *template* rendered with *context* (autoescaped)."""
    html: str = (
        _environment().get_template(template).render(words_per_second=WORDS_PER_SECOND, **context)
    )
    return html


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def email_html(folder: Path) -> str | None:
    """Return the HTML part of the folder's ``email.eml`` with its inline picture as a
    ``data:`` URI (a sandboxed frame loads nothing else), or None without a draft."""
    path = folder / "email.eml"
    if not path.is_file():
        return None
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("html",))
    if body is None:
        return None
    html = str(body.get_content())
    pictures = {
        str(part["Content-ID"]).strip("<>"): part
        for part in message.walk()
        if part["Content-ID"] and part.get_content_maintype() == "image"
    }

    def inline(match: re.Match[str]) -> str:
        part = pictures.get(match.group(2))
        if part is None:
            return match.group(0)
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        data = base64.b64encode(raw).decode("ascii")
        return f"{match.group(1)}data:{part.get_content_type()};base64,{data}"

    return _CID.sub(inline, html)


def theme_css(theme: Theme) -> str:
    """Return the theme's colours and fonts as CSS variables for the preview's own page."""
    from builder.site.assets import palette

    values = {
        **palette(theme),
        "font-heading": '"Preview Heading", system-ui, sans-serif',
        "font-body": '"Preview Text", system-ui, sans-serif',
    }
    faces = [
        ("Preview Heading", 700, "heading"),
        ("Preview Heading", 800, "heading-bold"),
        ("Preview Text", 400, "body"),
        ("Preview Text", 700, "body-bold"),
    ]
    rules = [
        f'@font-face{{font-family:"{family}";font-weight:{weight};font-display:swap;'
        f'src:url(/fonts/{role}) format("{_format(font_file(theme, role))}");}}'
        for family, weight, role in faces
    ]
    variables = "".join(f"--{name}:{value};" for name, value in values.items())
    return "\n".join([*rules, f":root{{{variables}color-scheme:{theme.mode};}}"]) + "\n"


def font_file(theme: Theme, role: str) -> Path:
    """Return the theme's font file for *role* (one of :data:`FONT_ROLES`)."""
    font = theme.heading if role.startswith("heading") else theme.body
    return font.bold if role.endswith("-bold") else font.regular


def _format(path: Path) -> str:
    return "opentype" if path.suffix.lower() == ".otf" else "truetype"


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
