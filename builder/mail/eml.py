"""The .eml draft: headers, text and HTML alternatives, and the inline picture."""

from __future__ import annotations

import io
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from builder import images  # noqa: F401  (registers the decoders by name, see there)
from builder.errors import OutputError
from builder.mail import Draft
from builder.storyboard import Storyboard
from builder.theme import Theme

PICTURE_BYTES = 1_000_000  # mail clients show inline pictures up to about 1 MB without fuss
PICTURE_SIZE = (1280, 720)  # twice the shown width: sharp on high-density screens
_FORMATS = {"GIF": "gif", "PNG": "png", "JPEG": "jpeg"}  # Pillow's name: the MIME subtype
_SUFFIX = {"gif": "gif", "png": "png", "jpeg": "jpg"}


def draft_bytes(
    draft: Draft, board: Storyboard, picture: Path | None, theme: Theme | None
) -> bytes:
    """Return the draft as an RFC 5322 message (CRLF line ends), ready to open in a mail client.

    ``X-Unsent: 1`` makes Outlook and Apple Mail open it as a draft to send. The HTML part
    sits in a multipart/related with the picture as an inline ``cid:`` image.
    """
    message = EmailMessage(policy=policy.default)
    message["From"] = draft.sender
    if draft.to:
        message["To"] = draft.to
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(draft.date)
    message["X-Unsent"] = "1"
    message.set_content(draft.text)
    message.add_alternative(draft.html, subtype="html")
    if draft.cid:
        data, subtype = picture_bytes(board, picture, draft.video, theme)
        html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
        html_part.add_related(
            data,
            maintype="image",
            subtype=subtype,
            cid=f"<{draft.cid}>",
            disposition="inline",
            filename=f"preview.{_SUFFIX[subtype]}",
        )
    # All-ASCII headers where possible; an address with non-ASCII characters (jörg@größler.de)
    # has no ASCII form without IDNA tables, so that draft uses UTF-8 headers (RFC 6532).
    specs = [a.addr_spec for field in ("From", "To") if field in message
             for a in message[field].addresses]  # fmt: skip
    utf8 = not all(spec.isascii() for spec in specs)
    return message.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)


def picture_bytes(
    board: Storyboard, picture: Path | None, play: bool, theme: Theme | None
) -> tuple[bytes, str]:
    """Return the inline picture's bytes and image subtype (``gif``, ``png`` or ``jpeg``).

    *picture* is used as it is when it is small enough; a larger still is scaled down; a
    GIF over 1 MB gives way to the title card. Without *picture* the title card is drawn
    (with a play symbol when *play*).
    """
    if picture is not None:
        try:
            data = picture.read_bytes()
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as image:
                kind, size = image.format or "", image.size
                if kind == "GIF" and len(data) <= PICTURE_BYTES:
                    return data, "gif"
                if kind != "GIF" and len(data) <= PICTURE_BYTES and size[0] <= PICTURE_SIZE[0]:
                    return data, _FORMATS[kind]
                if kind != "GIF":
                    return _encoded(image.convert("RGB"))
        except (OSError, UnidentifiedImageError) as e:
            raise OutputError(f"{picture}: cannot use it as the email's picture: {e}") from None
    return _encoded(_title_card(board, play, theme))


def _title_card(board: Storyboard, play: bool, theme: Theme | None) -> Image.Image:
    from builder.frames import poster
    from builder.theme import load_theme

    theme = theme or load_theme(board.theme, relative_to=board.source.parent)
    return poster(board, theme, PICTURE_SIZE, play=play)


def _encoded(image: Image.Image) -> tuple[bytes, str]:
    """Return *image* at most 1280x720 as PNG, or as JPEG when the PNG is over 1 MB."""
    image = image.copy()
    image.thumbnail(PICTURE_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    if out.tell() <= PICTURE_BYTES:
        return out.getvalue(), "png"
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpeg"
