"""The email's addresses: tel: links from free-text phone numbers, and IDN domains in headers."""

from __future__ import annotations

import email
import re
import sys
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from test_mail import NOW, board, content, link, parse, parts

from builder.mail import compose, write
from builder.mail.eml import ascii_domain

# The fixture, imported from test_mail: named here so pytest finds it and ruff sees it used.
__all__ = ["board"]

# --- tel: links ----------------------------------------------------------------------------

PHONE_ROW = re.compile(r'Phone: <a href="([^"]*)"[^>]*>([^<]*)</a>')


def with_phone(phone: str) -> Any:
    """Return a pitch change that sets the candidate's phone to *phone*."""

    def change(data: dict[str, Any]) -> None:
        data["candidate"]["phone"] = phone

    return change


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("+49 (0)30 1234567", "tel:+49301234567"),  # the trunk prefix is not dialled after +
        ("+44 (0) 20 7946 0958", "tel:+442079460958"),
        ("+49 30 1234567 ext. 12", "tel:+49301234567;ext=12"),
        ("+1 (555) 123-4567 x89", "tel:+15551234567;ext=89"),
        ("+1 555 123 4567 extension 7", "tel:+15551234567;ext=7"),
        ("+49 30 1234567, Ext: 3", "tel:+49301234567;ext=3"),
        ("030/1234567 Durchwahl 12", "tel:0301234567;ext=12"),
        ("+49 30 1234567 DW 12", "tel:+49301234567;ext=12"),
        ("030 1234567", "tel:0301234567"),  # a national number keeps its leading 0
        ("+49 30 1234567", "tel:+49301234567"),
        ("+49\u00a030\u00a01234567", "tel:+49301234567"),  # no-break spaces, as pasted
    ],
)
def test_phone_links_are_rfc3966_and_show_what_was_written(
    board: Any, phone: str, href: str
) -> None:
    html = compose(board("ada", 0, with_phone(phone)), link(), NOW).html
    found = PHONE_ROW.search(html)
    assert found is not None, html
    assert unescape(found.group(1)) == href
    assert unescape(found.group(2)) == phone


@pytest.mark.parametrize(
    "phone",
    ["call me", "n/a", "+49", "+49 30 1234567 (mobile)", "1-800-FLOWERS", "+0 30 1234567"],
)
def test_an_implausible_phone_is_plain_text_not_a_broken_link(board: Any, phone: str) -> None:
    html = compose(board("ada", 0, with_phone(phone)), link(), NOW).html
    assert "tel:" not in html
    assert f"Phone: {phone}<br>" in unescape(html)


def test_the_drafts_html_part_carries_the_fixed_link(board: Any, tmp_path: Path) -> None:
    paths = write(board("ada", 0, with_phone("+49 (0)30 1234567")), link(), tmp_path, NOW, None)
    html = content(parts(parse(paths["eml"]))["text/html"])
    assert 'href="tel:+49301234567"' in html and ">+49 (0)30 1234567</a>" in html


# --- non-ASCII addresses -------------------------------------------------------------------


def addresses(candidate: str, interviewer: str) -> Any:
    """Return a pitch change giving candidate and interviewer these addresses and accented names."""

    def change(data: dict[str, Any]) -> None:
        data["candidate"]["email"] = candidate
        data["candidate"]["name"] = "Jörg Weiß"
        person = data["interview"]["interviewers"][0]
        person.update(email=interviewer, name="José Núñez", salutation="Lieber José")
        data["interview"]["role"] = "Leiter Qualitätssicherung"

    return change


@pytest.mark.parametrize(
    ("candidate", "interviewer", "from_domain", "to_domain"),
    [
        (
            "joerg@straße.example",
            "jose@núñez.example",
            "xn--strae-oqa.example",
            "xn--nez-7ma8b.example",
        ),
        ("joerg@example.com", "jose@Núñez.example", "example.com", "xn--nez-7ma8b.example"),
    ],
)
def test_idn_domains_travel_as_punycode_in_a_7bit_message(
    board: Any, tmp_path: Path, candidate: str, interviewer: str, from_domain: str, to_domain: str
) -> None:
    change = addresses(candidate, interviewer)
    paths = write(board("jonas", 0, change), link(), tmp_path, NOW, None)
    raw = paths["eml"].read_bytes()
    raw.decode("ascii")  # no raw UTF-8 anywhere: the headers are RFC 2047 encoded
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender, to = message["From"].addresses[0], message["To"].addresses[0]
    assert (sender.username, sender.domain) == ("joerg", from_domain)
    assert (to.username, to.domain) == ("jose", to_domain)
    assert (sender.display_name, to.display_name) == ("Jörg Weiß", "José Núñez")
    assert message["Subject"] == "Vielen Dank für das Gespräch – Leiter Qualitätssicherung"  # noqa: RUF001
    assert not message["From"].defects and not message["To"].defects
    # The words the interviewer reads keep the address as the candidate wrote it.
    assert f"E-Mail: {candidate}" in content(parts(message)["text/plain"])


def test_a_non_ascii_local_part_keeps_utf8_headers(board: Any, tmp_path: Path) -> None:
    change = addresses("jörg@straße.example", "jose@núñez.example")
    paths = write(board("jonas", 0, change), link(), tmp_path, NOW, None)
    raw = paths["eml"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("ascii")  # RFC 6532: there is no ASCII form of jörg@
    message = email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
    assert message["From"].addresses[0].addr_spec == "jörg@straße.example"
    assert message["To"].addresses[0].addr_spec == "jose@núñez.example"
    assert message["Subject"] == "Vielen Dank für das Gespräch – Leiter Qualitätssicherung"  # noqa: RUF001


def test_a_domain_idna_refuses_keeps_utf8_headers_and_does_not_crash(
    board: Any, tmp_path: Path
) -> None:
    domain = "ü" + "a" * 70 + ".example"  # a label over 63 characters: no IDNA form
    change = addresses(f"joerg@{domain}", "jose@nordlicht.example")
    paths = write(board("jonas", 0, change), link(), tmp_path, NOW, None)
    message = email.message_from_string(
        paths["eml"].read_bytes().decode("utf-8"), policy=email.policy.default
    )
    assert message["From"].addresses[0].addr_spec == f"joerg@{domain}"
    assert message["To"].addresses[0].addr_spec == "jose@nordlicht.example"


def test_ascii_domain_with_the_idna_package() -> None:
    assert ascii_domain("example.com") == "example.com"
    assert ascii_domain("straße.example") == "xn--strae-oqa.example"  # IDNA 2008: ß stays ß
    assert ascii_domain("Núñez.Example") == "xn--nez-7ma8b.example"
    assert ascii_domain("ü" + "a" * 70 + ".example") is None
    assert ascii_domain("☃.example") is None  # a symbol: not allowed in IDNA 2008


def test_ascii_domain_without_the_idna_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "idna", None)  # "import idna" now raises ImportError
    assert ascii_domain("núñez.example") == "xn--nez-7ma8b.example"
    # Python's IDNA 2003 would give strasse.example: another domain, so no ASCII form.
    assert ascii_domain("straße.example") is None
    assert ascii_domain("ü" + "a" * 70 + ".example") is None
