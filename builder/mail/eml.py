"""The .eml draft: headers, text and HTML alternatives, and the inline picture."""

from __future__ import annotations

import io
import unicodedata
from email import policy
from email.headerregistry import Address
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
    # All-ASCII headers where possible: mail clients opening a draft, and Python's own
    # parser, handle raw UTF-8 headers poorly. Only an address that has no ASCII form (a
    # non-ASCII local part, jörg@example.de) makes the draft use UTF-8 headers (RFC 6532).
    utf8 = not _ascii_addresses(message)
    return message.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)


def _ascii_addresses(message: EmailMessage) -> bool:
    """Return whether every address in From and To has an ASCII form; when it has, the
    headers are rewritten with each non-ASCII domain in its IDNA form (``xn--``).

    When one address has none, the message is left as it is: it travels as UTF-8 anyway.
    """
    fields = {field: tuple(message[field].addresses) for field in ("From", "To")
              if field in message}  # fmt: skip
    forms = {field: tuple(_ascii_address(a) for a in found) for field, found in fields.items()}
    if any(a is None for found in forms.values() for a in found):
        return False
    for field, found in forms.items():
        if found != fields[field]:  # rewrite only what changes: ASCII drafts stay byte-identical
            message.replace_header(field, found)
    return True


def _ascii_address(address: Address) -> Address | None:
    """Return *address* with its domain in ASCII (IDNA) form, or None when it has no ASCII
    form: its local part is not ASCII, or IDNA cannot encode its domain."""
    if address.addr_spec.isascii():
        return address
    if not address.username.isascii():
        return None
    domain = ascii_domain(address.domain)
    return None if domain is None else Address(address.display_name, address.username, domain)


def ascii_domain(domain: str) -> str | None:
    """Return *domain* in its ASCII form (each non-ASCII label as ``xn--``), or None when
    IDNA cannot encode it.

    Uses the ``idna`` package (IDNA 2008 with the UTS 46 mapping, as browsers and mail
    servers do), a dependency of this tool. Should it be missing, Python's own IDNA 2003
    codec is used only where both agree (see :func:`_idna2003`).
    """
    if domain.isascii():
        return domain
    try:
        import idna
    except ImportError:
        return _idna2003(domain)
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except UnicodeError:  # idna.IDNAError and its kinds: too long, empty or disallowed labels
        return None


def _idna2003(domain: str) -> str | None:
    """Return *domain* encoded by Python's IDNA 2003 codec, or None when it cannot be or
    when the result names another domain."""
    try:
        encoded = domain.encode("idna")
        back = encoded.decode("idna")
    except UnicodeError:
        return None
    # IDNA 2003 maps some letters to others (straße to strasse, a final sigma to sigma):
    # that is another domain, perhaps someone else's, so such a domain keeps its UTF-8 form.
    if back.lower() != unicodedata.normalize("NFC", domain).lower():
        return None
    return encoded.decode("ascii")


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
