"""The HTML part of the email: the same words as the text, every pitch text escaped."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from builder.mail.compose import Parts
from builder.storyboard import Storyboard
from builder.wording import display_url, say

PICTURE_WIDTH = 560  # CSS px: the picture fills the column of a 600 px wide message
# Inline styles only: Gmail and Outlook drop or rewrite <style> blocks in many cases.
_BODY = (
    "margin:0;padding:0;background:#ffffff;color:#1f2328;"
    "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:16px;"
    "line-height:1.5"
)
_COLUMN = "max-width:600px;margin:0 auto;padding:24px 20px"
_P = "margin:0 0 16px 0"
_LINK = "color:#1a56db;text-decoration:underline"
_MUTED = "color:#57606a;font-size:14px"
_PICTURE = (
    f"display:block;width:100%;max-width:{PICTURE_WIDTH}px;height:auto;border:0;border-radius:8px"
)


def render_html(parts: Parts, board: Storyboard, subject: str, cid: str | None) -> str:
    """Return the message as a small HTML document; the picture is ``cid:`` *cid* if given."""
    lang = board.language
    lead, listed = parts.point_lines(lang)
    items = "".join(f'<li style="margin:0 0 6px 0">{escape(p)}</li>' for p in listed)
    points = f"<p style={_q(_P)}>{escape(lead)}</p>" + (
        f'<ul style="margin:0 0 16px 0;padding-left:24px">{items}</ul>' if items else ""
    )
    body = [
        _para(f"{parts.greeting},"),
        _para(parts.thanks),
        points,
        _para(parts.value_line(lang)),
        _media(parts, board, cid),
        _para(parts.closing),
        f"<p style={_q(_P)}>{escape(parts.signoff)}<br>{escape(board.candidate.name)}</p>",
        _signature(board),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(subject)}</title>\n</head>\n<body style={_q(_BODY)}>\n"
        f"<div style={_q(_COLUMN)}>\n" + "\n".join(body) + "\n</div>\n</body>\n</html>\n"
    )


def _media(parts: Parts, board: Storyboard, cid: str | None) -> str:
    """Return the picture and the link (hidden behind its label), or the offer without one."""
    media = parts.media
    if media.url is None:
        return _para(media.offer)
    href = escape(media.url, quote=True)
    alt = f"{board.scenes[0].title}. {media.label}"
    picture = (
        f'<p style={_q(_P)}><a href="{href}"><img src="cid:{escape(cid, quote=True)}" '
        f'width="{PICTURE_WIDTH}" alt="{escape(alt, quote=True)}" style={_q(_PICTURE)}></a></p>'
        if cid
        else ""
    )
    return (
        _para(f"{media.made}:")
        + picture
        + f'<p style={_q(_P)}><a href="{href}" style={_q(_LINK + ";font-weight:bold")}>'
        f"{escape(media.label)}</a><br><span style={_q(_MUTED)}>{escape(media.until)}</span></p>"
    )


def _signature(board: Storyboard) -> str:
    """Return the contact lines: email, phone and the labelled links, each clickable."""
    person, lang = board.candidate, board.language
    rows = [_row(say("email", lang), f"mailto:{quote(person.email, safe='@.+-_')}", person.email)]
    if person.phone:
        rows.append(_row(say("phone", lang), "tel:" + re.sub(r"[^0-9+]", "", person.phone),
                         person.phone))  # fmt: skip
    rows += [_row(label, url, display_url(url)) for label, url in person.links]
    return f"<p style={_q(_P + ';' + _MUTED)}>" + "<br>".join(rows) + "</p>"


def _row(label: str, href: str, shown: str) -> str:
    return (
        f'{escape(label)}: <a href="{escape(href, quote=True)}" style={_q(_LINK)}>'
        f"{escape(shown)}</a>"
    )


def _para(text: str) -> str:
    return f"<p style={_q(_P)}>{escape(text)}</p>"


def _q(style: str) -> str:
    """Return *style* as a quoted attribute value (our own constants, never pitch text)."""
    return f'"{style}"'
