"""The thank-you email: parsed back with Python's email package, and looked at in Chromium."""

from __future__ import annotations

import base64
import email
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from builder.mail import MAX_MESSAGE, MAX_WORDS, OWNS, Draft, compose, write
from builder.pitch import load_pitch
from builder.share.records import Link
from builder.storyboard import Storyboard, plan

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the morning after the interviews
SIGNED = (
    "http://127.0.0.1:8333/followup/Zm9sbG93dXA/sarah-kim/site/index.html"
    "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261125%2Fus-east-1"
    "%2Fs3%2Faws4_request&X-Amz-Date=20261125T090000Z&X-Amz-Expires=604800"
    "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + "0123456789abcdef" * 4
)


def link(output: str = "site", *, local: bool = False, days: float = 7) -> Link:
    return Link(output=output, url=SIGNED, expires_at=NOW + timedelta(days=days), local=local)


@pytest.fixture
def board(example: Any) -> Callable[..., Storyboard]:
    """Return a function giving the storyboard of an example, its pitch changed by *change*."""

    def make(
        name: str = "ada", who: int = 0, change: Callable[[dict[str, Any]], None] | None = None
    ) -> Storyboard:
        path = example(name)
        if change is not None:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            change(data)
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        pitch = load_pitch(path)
        return plan(pitch, pitch.interview.interviewers[who])

    return make


@pytest.fixture
def gif(tmp_path: Path) -> Path:
    """Return a small two-frame GIF standing in for the video's preview.gif."""
    frames = [Image.new("RGB", (640, 360), colour) for colour in ("#1F5FBF", "#F2A93B")]
    path = tmp_path / "preview.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=500, loop=0)
    return path


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def content(part: EmailMessage) -> str:
    """Return a text part's content with the file's CRLF line ends (RFC 5322) as "\\n"."""
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    return {p.get_content_type(): p for p in message.walk() if isinstance(p, EmailMessage)}


def body_words(draft: Draft) -> int:
    """Return the words before the signature, counted from the text itself."""
    signoff = draft.text.index(draft.text.split("\n\n")[-1])
    return len(draft.text[:signoff].split())


def point_words(text: str) -> set[str]:
    return {line.removeprefix("- ") for line in text.splitlines() if line.startswith("- ")}


# --- the draft file ------------------------------------------------------------------------


def test_english_draft_parses_with_headers_parts_picture_and_link(
    board: Any, gif: Path, tmp_path: Path
) -> None:
    paths = write(board("ada"), link(), tmp_path / "out", NOW, gif)
    assert paths == {"email": tmp_path / "out" / OWNS[0], "eml": tmp_path / "out" / OWNS[1],
                     "message": tmp_path / "out" / OWNS[2]}  # fmt: skip
    message = parse(paths["eml"])
    assert message["To"] == "Sarah Kim <sarah.kim@dailymuse.example>"
    assert message["From"] == "Ada Example <ada@example.com>"
    assert message["Subject"] == "Thank you for the interview – Senior Data Analyst"  # noqa: RUF001
    assert message["X-Unsent"] == "1"
    assert message["Date"].datetime == NOW
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    found = parts(message)
    html = content(found["text/html"])
    picture = found["image/gif"]
    assert picture.get_content_disposition() == "inline"
    assert picture.get_content() == gif.read_bytes()
    cid = picture["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    # The picture links to the private link; the long URL hides behind link text.
    assert re.search(rf'<a href="{re.escape(SIGNED.replace("&", "&amp;"))}"><img src="cid:', html)
    assert SIGNED not in re.sub(r'href="[^"]*"', "", unescape(html))
    # In the plain text the link stands alone on its own line.
    assert SIGNED in content(plain).splitlines()
    assert "Dear Sarah," in content(plain) and "Dear Sarah," in html


def test_email_txt_and_message_txt(board: Any, tmp_path: Path) -> None:
    paths = write(board("ada"), link(), tmp_path, NOW, None)
    text = paths["email"].read_text(encoding="utf-8")
    assert text.startswith("To: Sarah Kim <sarah.kim@dailymuse.example>\nSubject: Thank you")
    dm = paths["message"].read_text(encoding="utf-8").rstrip("\n")
    before, _, url = dm.rpartition("\n")
    assert url == SIGNED and len(before) <= MAX_MESSAGE
    assert before.startswith("Dear Sarah, thank you")


def test_without_a_picture_the_title_card_is_drawn_small(board: Any, tmp_path: Path) -> None:
    paths = write(board("ada"), link(), tmp_path, NOW, None)
    picture = parts(parse(paths["eml"]))["image/png"]
    data = picture.get_content()
    assert len(data) <= 1_000_000
    (tmp_path / "card.png").write_bytes(data)
    with Image.open(tmp_path / "card.png") as image:
        assert image.size == (1280, 720)


def test_a_large_poster_is_scaled_down(board: Any, tmp_path: Path) -> None:
    noise = Image.effect_noise((1920, 1080), 80).convert("RGB")
    poster = tmp_path / "poster.png"
    noise.save(poster)
    assert poster.stat().st_size > 1_000_000
    paths = write(board("ada"), link(), tmp_path / "out", NOW, poster)
    found = parts(parse(paths["eml"]))
    image = found.get("image/png") or found["image/jpeg"]
    assert len(image.get_content()) <= 1_000_000


# --- one interviewer, one message ----------------------------------------------------------


def test_german_panel_gives_two_personal_drafts(board: Any, tmp_path: Path) -> None:
    petra, mehmet = (compose(board("jonas", who), link(), NOW) for who in (0, 1))
    assert petra.text.startswith("Liebe Frau Schulz,\n\nvielen Dank für das offene Gespräch")
    assert mehmet.text.startswith("Lieber Herr Öztürk,\n\nvielen Dank")
    assert petra.to == "Petra Schulz <petra.schulz@nordlicht.example>"
    assert mehmet.to == "Mehmet Öztürk <mehmet.oeztuerk@nordlicht.example>"
    # Each opens with the points discussed with that person.
    assert "Die Umstellung der Disposition auf tägliche Bestandsprognosen" in point_words(
        petra.text
    )
    assert "Die Engpässe im Hamburger Lager vor dem Weihnachtsgeschäft" in point_words(mehmet.text)
    assert point_words(petra.text) != point_words(mehmet.text)
    for draft in (petra, mehmet):
        # "Liebe Frau Schulz" is friendly, and still Sie: never du.
        assert "Für Sie habe ich" in draft.text and "Der Link ist privat" in draft.text
        assert not re.search(r"\b(du|dich|dir|dein|deine)\b", draft.text + draft.message)
        assert "bei Nordlicht Logistik GmbH" in draft.text
        assert not re.search(r"\b(der|die|das|den) Nordlicht", draft.text)
        assert draft.subject == "Vielen Dank für das Gespräch – Teamleiter Disposition"  # noqa: RUF001
        assert "Viele Grüße\nJonas Beispiel\nE-Mail: jonas@beispiel.example" in draft.text


def test_english_pitch_gives_english(board: Any) -> None:
    draft = compose(board("ada"), link(), NOW)
    assert draft.text.startswith("Dear Sarah,\n\nThank you for the time you took")
    assert "Two things we talked about stay with me:\n- Your plan to retire" in draft.text
    assert (
        "What I would bring to The Daily Muse: a tested dbt pipeline in my first 30 days and "
        "self-service answers for product managers." in draft.text
    )
    assert "The link is private and works until 2 December 2026, 10:00 (UTC+1)." in draft.text
    assert "Best regards,\nAda Example\nEmail: ada@example.com\nPhone: +49 30 1234567\n" in (
        draft.text
    )
    assert "Portfolio: https://ada.example.com\nGitHub: https://github.com/ada-example" in (
        draft.text
    )
    assert 3 <= len(re.findall(r"[.:?!](\s|$)", draft.text.split("Best regards")[0])) <= 8
    assert draft.words == body_words(draft) <= MAX_WORDS


def informal(data: dict[str, Any]) -> None:
    data["interview"]["interviewers"][0]["salutation"] = "Liebe Petra"


def no_salutation(data: dict[str, Any]) -> None:
    del data["interview"]["interviewers"][0]["salutation"]


@pytest.mark.parametrize(
    ("change", "opening", "pronoun"),
    [
        (informal, "Liebe Petra,", "Für dich habe ich"),
        (no_salutation, "Guten Tag Petra Schulz,", "Für Sie habe ich"),
    ],
)
def test_german_register_follows_the_salutation(
    board: Any, change: Any, opening: str, pronoun: str
) -> None:
    draft = compose(board("jonas", 0, change), link(), NOW)
    assert draft.text.startswith(opening + "\n\n")
    assert pronoun in draft.text
    assert not re.search(r"\b(Frau|Herr)\b", draft.text.split("\n")[0].replace("Liebe Petra", ""))


def test_address_overrides_the_register(board: Any) -> None:
    def du(data: dict[str, Any]) -> None:
        no_salutation(data)
        data["interview"]["interviewers"][0]["address"] = "informal"

    draft = compose(board("jonas", 0, du), None, NOW)
    assert draft.text.startswith("Hallo Petra,\n\n")
    assert "gern schicke ich sie dir." in draft.text
    assert "deine Rückmeldung" not in draft.text or "Ihre" not in draft.text


def test_names_with_titles_and_particles(board: Any) -> None:
    def titled(data: dict[str, Any]) -> None:
        data["interview"]["interviewers"][0]["name"] = "Dr. Anna Beispiel"
        data["interview"]["interviewers"][0]["address"] = None

    english = board("ada", 0, titled)
    assert english.scenes[0].title == "Thank you, Anna"
    assert compose(english, link(), NOW).text.startswith("Dear Anna,\n")

    def professor(data: dict[str, Any]) -> None:
        person = data["interview"]["interviewers"][0]
        person["name"] = "Prof. Dr. Maria von Berg"
        person.pop("salutation")

    german = board("jonas", 0, professor)
    draft = compose(german, link(), NOW)
    assert draft.text.startswith("Guten Tag Prof. Dr. Maria von Berg,\n")
    assert german.scenes[0].title == "Vielen Dank, Prof. Dr. Maria von Berg"
    assert draft.to == '"Prof. Dr. Maria von Berg" <petra.schulz@nordlicht.example>'


def test_umlauts_and_sharp_s_in_headers(board: Any, gif: Path, tmp_path: Path) -> None:
    def unicode_names(data: dict[str, Any]) -> None:
        data["candidate"]["name"] = "Zoë Größler-Öztürk"
        data["interview"]["interviewers"][0]["name"] = "Jörg Weiß"
        data["interview"]["interviewers"][0]["salutation"] = "Lieber Jörg"
        data["interview"]["role"] = "Leiter Qualitätssicherung"

    paths = write(board("jonas", 0, unicode_names), link(), tmp_path, NOW, gif)
    raw = paths["eml"].read_bytes()
    raw.decode("ascii")  # every header and part is encoded for 7-bit transport
    message = parse(paths["eml"])
    assert message["From"].addresses[0].display_name == "Zoë Größler-Öztürk"
    assert message["To"].addresses[0].display_name == "Jörg Weiß"
    assert message["Subject"] == "Vielen Dank für das Gespräch – Leiter Qualitätssicherung"  # noqa: RUF001
    text = content(parts(message)["text/plain"])
    assert text.startswith("Lieber Jörg,\n") and "Für dich habe ich" in text
    assert "Zoë Größler-Öztürk\nE-Mail:" in text


# --- without a link, and what must not be sent ---------------------------------------------


def test_without_a_link_it_offers_deck_and_video(board: Any, gif: Path, tmp_path: Path) -> None:
    paths = write(board("ada"), None, tmp_path, NOW, gif)
    message = parse(paths["eml"])
    found = parts(message)
    assert set(found) == {"multipart/alternative", "text/plain", "text/html"}  # nothing attached
    text = content(found["text/plain"])
    assert "I have also made a short video and a few slides on how I would help" in text
    assert "http://127.0.0.1" not in text and "cid:" not in content(found["text/html"])
    dm = paths["message"].read_text(encoding="utf-8")
    assert "video" in dm and "http" not in dm and len(dm.rstrip("\n")) <= MAX_MESSAGE
    german = compose(board("jonas"), None, NOW, video=False)
    assert "Außerdem habe ich meine Ideen auf ein paar Folien zusammengefasst" in german.text


@pytest.mark.parametrize(
    ("output", "says", "label"),
    [
        ("site", "I made a short video and a few slides for you:", "Open the video and slides"),
        ("video", "I made a short video for you:", "Watch the video"),
        ("deck", "I put my ideas on a few slides for you:", "Open the slides"),
    ],
)
def test_wording_follows_what_the_link_opens(
    board: Any, output: str, says: str, label: str
) -> None:
    draft = compose(board("ada"), link(output), NOW)
    assert says in draft.text
    assert f">{label}</a>" in draft.html


def test_site_without_video_speaks_of_slides_only(board: Any, tmp_path: Path) -> None:
    draft = compose(board("ada"), link("site"), NOW, video=False)
    assert "video" not in draft.text.lower() and "video" not in draft.message.lower()


def test_local_link_expired_link_and_late_draft_warn(board: Any) -> None:
    assert compose(board("ada"), link(), NOW).warnings == ()
    local = compose(board("ada"), link(local=True), NOW).warnings
    assert any("works only on this computer; share to a real bucket" in w for w in local)
    expired = compose(board("ada"), link(days=-1), NOW).warnings
    assert any("the link expired on 24 November 2026; renew it" in w for w in expired)
    late = compose(board("ada"), link(), NOW + timedelta(days=2))
    assert any("the 24-hour window closed" in w for w in late.warnings)
    assert late.send_by == datetime(2026, 11, 25, 15, 0, tzinfo=UTC) - timedelta(hours=1)


def test_unsafe_link_is_refused(board: Any) -> None:
    from builder.errors import BuilderError

    with pytest.raises(BuilderError, match="not an http"):
        compose(board("ada"), Link("site", "javascript:alert(1)", NOW + timedelta(days=1)), NOW)


# --- length, escaping, size ----------------------------------------------------------------


def longest(data: dict[str, Any]) -> None:
    """Fill every text the email shows to its longest allowed length, in short words."""
    line, text = " ".join(["go"] * 53), " ".join(["go"] * 200)  # 158 and 599 characters
    person = data["interview"]["interviewers"][0]
    person["discussed"] = [text] * 5
    person["salutation"] = "Dear Sarah " + " ".join(["go"] * 49)
    data["thanks"], data["closing"], data["discussed"] = text, text, [text] * 5
    data["candidate"]["phone"] = "+49 " + " ".join(["30"] * 51)
    data["interview"].update(company=line, role=line)
    for point in data["value"]:
        point["title"] = line


def test_longest_texts_stay_within_150_words_and_300_characters(board: Any) -> None:
    for made in (compose(board("ada", 0, longest), which, NOW) for which in (link(), None)):
        assert made.words == body_words(made) <= MAX_WORDS
        assert len(made.message.removesuffix("\n" + SIGNED)) <= MAX_MESSAGE
        assert made.message.endswith(SIGNED) or "http" not in made.message
        assert made.shortened and any("150 words" in w for w in made.warnings)
        assert len(made.html.encode("utf-8")) < 100_000


def test_typical_html_is_small_and_escapes_pitch_text(board: Any) -> None:
    def hostile(data: dict[str, Any]) -> None:
        data["interview"]["interviewers"][0]["discussed"] = ["<script>alert(1)</script> & more"]
        data["value"][0]["title"] = '"><img src=x onerror=alert(2)>'

    draft = compose(board("ada", 0, hostile), link(), NOW)
    assert "<script>" not in draft.html and "<img src=x" not in draft.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in draft.html
    assert len(draft.html.encode("utf-8")) < 100_000
    assert draft.html.count("<a ") == 2 + 4  # picture, link text; email, phone, two links


# --- in a real browser ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "width"), [("ada", 800), ("jonas", 375)])
def test_html_part_in_chromium(
    board: Any, browser: Any, artifacts: Path, tmp_path: Path, name: str, width: int
) -> None:
    paths = write(board(name), link(), tmp_path, NOW, None)
    found = parts(parse(paths["eml"]))
    picture = found["image/png"]
    cid = picture["Content-ID"].strip("<>")
    data = base64.b64encode(picture.get_content()).decode("ascii")
    # Chromium cannot resolve cid: (a mail client does): give it the same bytes inline.
    html = content(found["text/html"]).replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(html, wait_until="load")
        assert page.evaluate("document.images[0].naturalWidth") == 1280
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shown = page.evaluate("document.images[0].getBoundingClientRect().width")
        assert 300 <= shown <= 560
        page.screenshot(path=str(artifacts / f"mail-{name}-{width}.png"), full_page=True)
    finally:
        page.close()


def test_non_ascii_addresses_travel_as_utf8_headers(board: Any, tmp_path: Path) -> None:
    def international(data: dict[str, Any]) -> None:
        data["candidate"]["email"] = "jörg@größler.example"
        data["interview"]["interviewers"][0]["email"] = "petra@schulz.example"

    paths = write(board("jonas", 0, international), link(), tmp_path, NOW, None)
    # RFC 6532: the whole message is UTF-8 text (Python's bytes parser would not decode it).
    message = email.message_from_string(
        paths["eml"].read_bytes().decode("utf-8"), policy=policy.default
    )
    assert isinstance(message, EmailMessage)
    assert message["From"].addresses[0].addr_spec == "jörg@größler.example"
    assert message["To"].addresses[0].addr_spec == "petra@schulz.example"
    assert "E-Mail: jörg@größler.example" in content(parts(message)["text/plain"])
