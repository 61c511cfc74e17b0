"""The thank-you email for one interviewer: text, HTML, an .eml draft and a direct message.

:func:`compose` words the message from the storyboard and the private link (pure, no I/O);
:func:`write` puts ``email.txt``, ``email.eml`` and ``message.txt`` into a folder. The
words come from :mod:`builder.wording`, the sentences from :mod:`.compose`, the HTML from
:mod:`.html`, the draft file and its inline picture from :mod:`.eml`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit

from builder.artifacts import by_role, owned_by
from builder.check import send_by
from builder.errors import BuilderError
from builder.mail.compose import (
    MAX_MESSAGE,
    MAX_WORDS,
    body_lines,
    count_words,
    direct_message,
    plan_parts,
)
from builder.mail.html import render_html
from builder.share.records import Link
from builder.storyboard import Storyboard
from builder.theme import Theme
from builder.wording import long_date, say

__all__ = ["MAX_MESSAGE", "MAX_WORDS", "OWNS", "Draft", "compose", "write"]

# Every name this step may write into an interviewer's folder (spelled once, in artifacts).
OWNS = owned_by("email")


@dataclass(frozen=True)
class Draft:
    """One ready-to-send message to one interviewer, in every form the user needs."""

    to: str | None  # "Sarah Kim <sarah.kim@dailymuse.example>", when the pitch has the address
    sender: str  # the candidate, as From
    subject: str
    text: str  # the plain body, signature included
    html: str  # the same message as HTML; its picture is "cid:" + cid
    message: str  # for LinkedIn or XING: at most 300 characters, then the link on its own line
    warnings: tuple[str, ...]  # what must be fixed (or known) before sending
    send_by: datetime  # 24 hours after the interview
    cid: str | None  # the Content-ID of the inline picture; None without a link
    date: datetime  # when the draft was made
    video: bool  # whether the message speaks of a video (the picture then shows a play symbol)
    words: int = 0  # words before the signature (at most 150)
    shortened: tuple[str, ...] = ()  # pitch texts left out or cut to stay within 150 words


def compose(
    board: Storyboard, link: Link | None, now: datetime, *, video: bool | None = None
) -> Draft:
    """Return the thank-you message for *board*'s interviewer with *link* (or without one).

    *video* says whether a video was made; by default it is assumed for a link to the site
    or the video, and offered when there is no link. Raises :class:`BuilderError` when the
    link is not an http(s) address.
    """
    if link is not None and urlsplit(link.url).scheme not in ("http", "https"):
        raise BuilderError(f"{board.interviewer.name}: the link is not an http(s) address")
    now = now if now.tzinfo else now.astimezone()
    shows_video = video if video is not None else (link is None or link.output != "deck")
    parts = plan_parts(board, link, shows_video)
    lang, person, me = board.language, board.interviewer, board.candidate
    subject = say("mail_subject", lang, role=board.role)
    cid = _cid(board, link) if link else None
    return Draft(
        to=mailbox(person.name, person.email) if person.email else None,
        sender=mailbox(me.name, me.email),
        subject=subject,
        text="\n".join([*body_lines(parts, board), *signature(board)]) + "\n",
        html=render_html(parts, board, subject, cid),
        message=direct_message(parts, board),
        warnings=_warnings(board, link, now, parts.left_out),
        send_by=send_by(board.interview_date),
        cid=cid,
        date=now,
        video=shows_video,
        words=count_words(parts, board),
        shortened=tuple(dict.fromkeys(parts.left_out)),
    )


def write(
    board: Storyboard,
    link: Link | None,
    folder: Path,
    now: datetime,
    picture: Path | None,
    *,
    video: bool | None = None,
    theme: Theme | None = None,
) -> dict[str, Path]:
    """Write ``email.txt``, ``email.eml`` and ``message.txt`` into *folder*; return their
    paths as ``{"email": ..., "eml": ..., "message": ...}``.

    *picture* (``preview.gif`` when a video was made, else ``poster.png``) is shown inline
    in the HTML, linked to *link*; without it the title card is drawn in *theme* (by default
    the pitch's). Without a link the draft carries no picture and no attachment at all.
    """
    if video is None and picture is not None:
        video = picture.suffix.lower() == ".gif"  # preview.gif exists only beside a video
    return write_draft(compose(board, link, now, video=video), board, folder, picture, theme)


def write_draft(
    draft: Draft, board: Storyboard, folder: Path, picture: Path | None, theme: Theme | None
) -> dict[str, Path]:
    """Write a composed *draft* as ``email.txt``, ``email.eml`` and ``message.txt`` into
    *folder*; return their paths by role (``email``, ``eml``, ``message``)."""
    from builder.mail.eml import draft_bytes

    heading = [f"To: {draft.to}"] if draft.to else []
    # Everything that can fail (the picture) comes before the first file is written.
    contents = {
        "email": "\n".join([*heading, f"Subject: {draft.subject}", "", draft.text]).encode(),
        "eml": draft_bytes(draft, board, picture, theme),
        "message": (draft.message + "\n").encode(),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = {role: folder / by_role(role).name for role in contents}
    for role, data in contents.items():
        paths[role].write_bytes(data)
    return paths


def mailbox(name: str, address: str) -> str:
    """Return ``Name <address>`` as a header shows it (quoted where RFC 5322 needs it).

    Unlike :func:`email.utils.formataddr` the name stays readable ("Mehmet Öztürk"); the
    .eml writer encodes it for transport.
    """
    user, _, domain = address.rpartition("@")
    return str(Address(name, username=user, domain=domain))


def signature(board: Storyboard) -> list[str]:
    """Return the plain-text signature: name, email, phone and labelled links."""
    me, lang = board.candidate, board.language
    return [
        me.name,
        f"{say('email', lang)}: {me.email}",
        *([f"{say('phone', lang)}: {me.phone}"] if me.phone else []),
        *(f"{label}: {url}" for label, url in me.links),
    ]


def _cid(board: Storyboard, link: Link) -> str:
    # Stable for the same link, so a rebuild gives the same draft; the domain is the
    # candidate's, never this machine's name.
    digest = hashlib.sha256(f"{board.interviewer.slug} {link.url}".encode()).hexdigest()[:16]
    domain = board.candidate.email.rpartition("@")[2]
    return f"picture.{digest}@{domain if domain.isascii() else 'followup.invalid'}"


def _warnings(
    board: Storyboard, link: Link | None, now: datetime, left_out: tuple[str, ...]
) -> tuple[str, ...]:
    """Return what the user must know before sending, each naming the interviewer."""
    who, found = board.interviewer.name, []
    if link is not None and link.local:
        found.append(
            f"{who}: the link is from the local store and works only on this computer; "
            "share to a real bucket before sending"
        )
    if link is not None and link.expires_at <= now:
        day = long_date(link.expires_at.astimezone(now.tzinfo), "en")
        found.append(f"{who}: the link expired on {day}; renew it before sending")
    deadline = send_by(board.interview_date)
    if now > deadline:
        hours = int((now - deadline).total_seconds() // 3600)
        found.append(
            f"{who}: the 24-hour window closed {hours} h ago; send it today anyway, and keep it "
            "short"
        )
    if left_out:
        names = ", ".join(dict.fromkeys(left_out))
        found.append(
            f"{who}: to stay within {MAX_WORDS} words the email shortens or leaves out: "
            f"{names}; shorten those texts in the pitch to keep your own words"
        )
    return tuple(found)
