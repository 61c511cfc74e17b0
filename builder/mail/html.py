"""The HTML part of the email: the same words as the text, every pitch text escaped."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from builder.mail.compose import Parts
from builder.storyboard import Storyboard
from builder.wording import display_url, say

# An extension at the end of a phone number: "ext. 12", "x89", "Durchwahl 12", "DW 12". The
# word must not end another word ("text 12"), so a letter right before it is not allowed.
_EXTENSION = re.compile(
    r"[\s,;]*(?<![^\W\d_])(?:extension|ext\.?|x|durchwahl|dw\.?)\s*[:.]?\s*([0-9]{1,10})\s*$",
    re.IGNORECASE,
)
# "+49 (0)30 ...": the trunk prefix is dialled only from inside the country, never after "+".
_TRUNK = re.compile(r"\(\s*0\s*\)")
# What people put between digits: spaces (also no-break ones), hyphens and dashes, dots,
# slashes ("030/1234567") and parentheses. Anything else (letters, "#", "*") is not a number.
_SEPARATORS = re.compile(r"[\s\-./()\u2010-\u2015]")
# E.164: at most 15 digits; a country code never starts with 0. The lower bounds only keep
# fragments ("12", "+49") from becoming links.
_GLOBAL_DIGITS = re.compile(r"[1-9][0-9]{6,14}")
_LOCAL_DIGITS = re.compile(r"[0-9]{4,15}")

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
        tel = tel_uri(person.phone)
        # A number we cannot dial stays readable text: a wrong link is worse than none.
        rows.append(
            _row(say("phone", lang), tel, person.phone)
            if tel
            else f"{escape(say('phone', lang))}: {escape(person.phone)}"
        )
    rows += [_row(label, url, display_url(url)) for label, url in person.links]
    return f"<p style={_q(_P + ';' + _MUTED)}>" + "<br>".join(rows) + "</p>"


def tel_uri(phone: str) -> str | None:
    """Return the RFC 3966 ``tel:`` URI for the free-text *phone*, or None when it is not a
    plausible number.

    "+49 (0)30 1234567" gives ``tel:+49301234567`` (the trunk prefix dropped), "+1 (555)
    123-4567 x89" gives ``tel:+15551234567;ext=89``; a national number keeps its digits
    ("030 1234567" gives ``tel:0301234567``).
    """
    number, extension = phone.strip(), ""
    if found := _EXTENSION.search(number):
        number, extension = number[: found.start()], f";ext={found.group(1)}"
    international = number.startswith("+")
    if international:
        number = _TRUNK.sub("", number[1:])
    digits = _SEPARATORS.sub("", number)
    plausible = _GLOBAL_DIGITS if international else _LOCAL_DIGITS
    if not plausible.fullmatch(digits):
        return None
    return "tel:" + ("+" if international else "") + digits + extension


def _row(label: str, href: str, shown: str) -> str:
    """Return one contact line: *label*, then *shown* linked to *href*."""
    return (
        f'{escape(label)}: <a href="{escape(href, quote=True)}" style={_q(_LINK)}>'
        f"{escape(shown)}</a>"
    )


def _para(text: str) -> str:
    """Return *text* as one escaped paragraph."""
    return f"<p style={_q(_P)}>{escape(text)}</p>"


def _q(style: str) -> str:
    """Return *style* as a quoted attribute value (our own constants, never pitch text)."""
    return f'"{style}"'
