"""Privacy over every output (issue 9): a candidate's photos carry EXIF, GPS and XMP and
telling file names; none of it reaches the .pptx, .pdf, .mp4, poster, GIF, site or email.
Document properties name only the candidate, speaker notes stay in the .pptx, the site asks
no other host for anything, and shared objects open only through their signed links."""

from __future__ import annotations

import base64
import email
import getpass
import json
import re
import shutil
import socket
import subprocess
import threading
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from PIL import Image, PngImagePlugin
from s3server import anonymous_status, s3_client

from builder.cli import main
from builder.pitch import load_pitch
from builder.store import Store
from builder.storyboard import plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ada"
CANDIDATE = "Ada Example"
PHOTO = "IMG_SECRET_1234.jpg"
PICTURE = "DSC_PRIVATE_5678.png"
SAMPLE = "dashboard.png"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SECRET-XMP-TOOL"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
# Written into the images' metadata: none of these may appear in any output, in any form.
MARKERS = (
    b"SecretCam",
    b"Secret Photographer",
    b"SECRET-",
    b"<x:xmpmeta",
    b"xmpmeta",
    b"http://ns.adobe.com/xap",
    b"Exif\x00\x00",  # the header of an EXIF block
)
# In text (not compressed or base64 data, where three letters can occur by chance).
TEXT_WORDS = ("Exif", "GPS", "xmpmeta", "ns.adobe.com/xap")
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Author"}
LINK = "https://example.com/followup/index.html"


# ----------------------------------------------------------------------------- the build


def secret_exif(image: Image.Image) -> Image.Exif:
    """Return *image*'s EXIF with a camera, a photographer and a GPS position added."""
    exif = image.getexif()
    exif[0x010F] = "SecretCam Maker"  # Make
    exif[0x013B] = "Secret Photographer"  # Artist
    exif[0x010E] = "SECRET-DESCRIPTION"  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 1.0)})
    gps[18] = "SECRET-GPS-DATUM"  # GPSMapDatum
    return exif


def make_media(folder: Path) -> None:
    """Give the pitch in *folder* a photo and a picture full of metadata, under telling names."""
    media = folder / "media"
    with Image.open(media / "ada.jpg") as photo:
        photo.save(media / PHOTO, exif=secret_exif(photo), xmp=XMP, comment=b"SECRET-COMMENT")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Author", "Secret Photographer")
    with Image.open(media / "pipeline.png") as picture:
        picture.save(media / PICTURE, pnginfo=info, exif=secret_exif(picture))
    (media / "ada.jpg").unlink()
    (media / "pipeline.png").unlink()
    with Image.open(media / PHOTO) as check:
        assert check.getexif().get_ifd(0x8825)[18] == "SECRET-GPS-DATUM"
        assert "xmp" in check.info and "comment" in check.info
    pitch = folder / "pitch.yaml"
    text = pitch.read_text(encoding="utf-8")
    text = text.replace("media/ada.jpg", f"media/{PHOTO}")
    pitch.write_text(text.replace("media/pipeline.png", f"media/{PICTURE}"), encoding="utf-8")


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run ``build ARGS`` in-process; fail with the traceback or the messages unless it works."""
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=True)
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        pytest.fail("".join(traceback.format_exception(error))[-2500:])
    assert result.exit_code == 0, result.output
    return result


@dataclass(frozen=True)
class Built:
    pitch: Path
    out: Path
    data: Path  # FOLLOWUP_DATA_DIR of these runs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build everything for a copy of examples/ada whose images carry metadata, then the
    email draft with a link (so it carries its inline picture)."""
    base = tmp_path_factory.mktemp("privacy")
    shutil.copytree(EXAMPLE, base / "ada")
    make_media(base / "ada")
    pitch, out, data = base / "ada" / "pitch.yaml", base / "out", base / "data"
    env: dict[str, str | None] = {"FOLLOWUP_DATA_DIR": str(data), "FOLLOWUP_BUCKET": None}
    run("all", pitch, "-o", out, "--size", "720p", env=env)
    run("email", pitch, "-o", out, "--link", LINK, env=env)
    return Built(pitch, out, data)


# ----------------------------------------------------------------------------- taking apart


@dataclass(frozen=True)
class Piece:
    """One part of an output, as it would be read: text, an image, or other bytes."""

    label: str
    data: bytes
    kind: Literal["text", "image", "binary"]


def pieces(path: Path, label: str = "") -> Iterator[Piece]:
    """Yield *path* and every part inside it (zip parts, PDF streams, MIME parts, data URIs)."""
    label = label or path.name
    if path.is_dir():
        for child in sorted(path.iterdir()):
            yield from pieces(child, f"{label}/{child.name}")
        return
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".pptx":
        yield from _zip_pieces(data, label)
    elif suffix == ".pdf":
        yield Piece(label, data, "binary")
        yield from _pdf_pieces(path, label)
    elif suffix == ".mp4":
        yield Piece(label, data, "binary")
        yield Piece(f"{label} tags", json.dumps(tags(path)).encode(), "text")
    elif suffix in (".png", ".gif", ".jpg", ".jpeg", ".webp"):
        yield Piece(label, data, "image")
    elif suffix in (".html", ".htm"):
        yield from _html_pieces(data.decode("utf-8"), label)
    elif suffix == ".eml":
        yield from _mail_pieces(data, label)
    else:
        yield Piece(label, data, "text")


def _zip_pieces(data: bytes, label: str) -> Iterator[Piece]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            kind: Literal["text", "image", "binary"] = "binary"
            if name.endswith((".xml", ".rels")):
                kind = "text"
            elif name.startswith("ppt/media/"):
                kind = "image"
            yield Piece(f"{label}:{name}", package.read(name), kind)


def _pdf_pieces(path: Path, label: str) -> Iterator[Piece]:
    """Yield every stream of the PDF decoded, every string in it, and its visible text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        StreamObject,
        TextStringObject,
    )

    reader = PdfReader(path)
    strings: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) not in seen:
                seen.add((item.idnum, item.generation))
                stack.append(item.get_object())
            continue
        if isinstance(item, StreamObject):
            try:
                yield Piece(f"{label} stream", item.get_data(), "binary")
            except (PdfReadError, ValueError, NotImplementedError):
                yield Piece(f"{label} raw stream", bytes(item._data), "binary")
        if isinstance(item, DictionaryObject):
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, TextStringObject):
            strings.append(str(item))
        elif isinstance(item, ByteStringObject):
            strings.append(bytes(item).decode("latin-1"))
    yield Piece(f"{label} strings", "\n".join(strings).encode(), "text")
    yield Piece(f"{label} text", pdf_text(path).encode(), "text")


def _html_pieces(page: str, label: str) -> Iterator[Piece]:
    """Yield the page without its data: URIs as text, and each data: URI decoded."""
    pattern = re.compile(r"data:([a-z0-9.+/-]+)(?:;[a-z0-9=.-]+)*;base64,([A-Za-z0-9+/=]+)")
    for index, match in enumerate(pattern.finditer(page)):
        kind: Literal["image", "binary"] = "image" if match[1].startswith("image/") else "binary"
        yield Piece(f"{label} data:{match[1]} #{index}", base64.b64decode(match[2]), kind)
    yield Piece(label, pattern.sub("data:…", page).encode(), "text")


def _mail_pieces(data: bytes, label: str) -> Iterator[Piece]:
    message = email.message_from_bytes(data, policy=policy.default)
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    yield Piece(f"{label} headers", headers.encode(), "text")
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else b""
        where = f"{label} part {index} {part.get_content_type()}"
        if part.get_content_maintype() == "image":
            yield Piece(where, body, "image")
            yield Piece(f"{where} filename", str(part.get_filename()).encode(), "text")
        elif part.get_content_type() == "text/html":
            yield from _html_pieces(body.decode(part.get_content_charset() or "utf-8"), where)
        else:
            yield Piece(where, body, "text")


def tags(path: Path) -> dict[str, Any]:
    """Return the container's and each stream's metadata tags of a media file (ffprobe)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out)
    return {
        "format": found["format"].get("tags", {}),
        "streams": [
            {"type": s["codec_type"], "tags": s.get("tags", {}), "disposition": s["disposition"]}
            for s in found["streams"]
        ],
    }


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def image_metadata(piece: Piece) -> list[str]:
    """Return what an image piece still says about where and how it was taken."""
    import io

    try:
        with Image.open(io.BytesIO(piece.data)) as image:
            found = [f"EXIF {dict(image.getexif())}"] if image.getexif() else []
            found += [f"info[{key!r}]" for key in image.info if key in METADATA_KEYS]
            return found
    except OSError as e:
        return [f"not an image: {e}"]


OUTPUTS = [
    "deck.pptx",
    "deck.pdf",
    "video.mp4",
    "video.vtt",
    "poster.png",
    "preview.gif",
    "site",
    "email.eml",
    "email.txt",
    "message.txt",
]


# ----------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("output", OUTPUTS)
def test_no_exif_gps_or_xmp(built: Built, output: str) -> None:
    leaks: list[str] = []
    for piece in pieces(built.out / output):
        leaks += [f"{piece.label}: {m!r}" for m in MARKERS if m in piece.data]
        if piece.kind == "text":
            text = piece.data.decode("utf-8", "replace")
            leaks += [f"{piece.label}: {word!r}" for word in TEXT_WORDS if word in text]
        if piece.kind == "image":
            leaks += [f"{piece.label}: {found}" for found in image_metadata(piece)]
    assert leaks == []


@pytest.mark.parametrize("output", OUTPUTS)
def test_no_original_file_name_or_path(built: Built, output: str) -> None:
    folder = str(built.pitch.parent)
    names = [PHOTO, PICTURE, SAMPLE, Path(PHOTO).stem, Path(PICTURE).stem, folder]
    leaks = []
    for piece in pieces(built.out / output):
        lowered = piece.data.lower()
        # PDF strings (often UTF-16) and MIME parts are decoded in their own pieces.
        leaks += [f"{piece.label}: {n}" for n in names if n.lower().encode() in lowered]
    assert leaks == []


def machine_words() -> list[str]:
    """Return what identifies this computer and its user: never in document properties."""
    return [getpass.getuser(), socket.gethostname(), str(Path.home())]


def mentions(value: str, word: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", value, re.IGNORECASE) is not None


def test_deck_properties_name_only_the_candidate(built: Built) -> None:
    with zipfile.ZipFile(built.out / "deck.pptx") as package:
        names = package.namelist()
        core = package.read("docProps/core.xml").decode()
        app = package.read("docProps/app.xml").decode()
    assert not [
        n for n in names if n.startswith("docProps/") and "core" not in n and "app" not in n
    ]
    people = re.findall(r"<(?:dc:creator|cp:lastModifiedBy)>([^<]*)<", core)
    assert people == [CANDIDATE, CANDIDATE]
    values = re.findall(r">([^<>]+)<", core + app)
    for value in values:
        assert "python-pptx" not in value.lower() and "canny" not in value.lower(), value
        assert "/" not in value and "\\" not in value, value
        for word in machine_words():
            assert not mentions(value, word), (word, value)
    assert not re.search(r"<(Company|Manager)>[^<]", app)


def test_pdf_properties_name_only_the_candidate(built: Built) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built.out / "deck.pdf")
    info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    assert info.get("/Author") == CANDIDATE
    root: Any = reader.trailer["/Root"]
    xmp = root.get("/Metadata")
    texts = list(info.values()) + ([xmp.get_object().get_data().decode()] if xmp else [])
    for value in texts:
        assert "python-pptx" not in value.lower() and "canny" not in value.lower(), value
        assert str(built.pitch.parent) not in value and "/tmp" not in value, value
        for word in machine_words():
            assert not mentions(value, word), (word, value)


def test_video_and_email_carry_no_machine_or_place(built: Built) -> None:
    found = tags(built.out / "video.mp4")
    assert {s["type"] for s in found["streams"]} == {"video", "audio"}
    assert not any(s["disposition"].get("attached_pic") for s in found["streams"])
    every = {**found["format"], **{k: v for s in found["streams"] for k, v in s["tags"].items()}}
    assert not [k for k in every if "location" in k.lower() or k.lower() in ("artist", "author")]
    message = email.message_from_bytes(
        (built.out / "email.eml").read_bytes(), policy=policy.default
    )
    values = [str(v) for v in every.values()] + [str(v) for v in message.values()]
    for value in values:
        assert str(built.pitch.parent) not in value, value
        for word in machine_words():
            assert not mentions(value, word), (word, value)
    assert message["From"].addresses[0].display_name == CANDIDATE


# ----------------------------------------------------------------------------- speaker notes


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_speaker_notes_are_only_in_the_pptx(built: Built) -> None:
    from pptx import Presentation

    pitch = load_pitch(built.pitch)
    board = plan(pitch, pitch.interview.interviewers[0])
    # The notes open with words for the candidate alone ("Explain how this helps ...").
    prompts = [re.match(r"(.+?[.:])(?:\s|$)", scene.notes) for scene in board.scenes]
    private = {squeeze(m.group(1)) for m in prompts if m is not None}
    assert len(private) >= 4, private
    deck = Presentation(str(built.out / "deck.pptx"))
    notes = squeeze(" ".join(s.notes_slide.notes_text_frame.text for s in deck.slides))
    assert all(sentence in notes for sentence in private)  # they are there, in the notes

    shown = {
        "deck.pdf": pdf_text(built.out / "deck.pdf"),
        "video.vtt": (built.out / "video.vtt").read_text(encoding="utf-8"),
        "site": (built.out / "site" / "index.html").read_text(encoding="utf-8"),
        "email.txt": (built.out / "email.txt").read_text(encoding="utf-8"),
        "message.txt": (built.out / "message.txt").read_text(encoding="utf-8"),
        "email.eml": "\n".join(
            p.data.decode("utf-8", "replace")
            for p in pieces(built.out / "email.eml")
            if p.kind == "text"
        ),
    }
    leaks = [
        (name, sentence)
        for name, text in shown.items()
        for sentence in private
        if sentence in squeeze(text)
    ]
    assert leaks == []
    video = (built.out / "video.mp4").read_bytes()
    assert not [s for s in private if s.encode() in video]


# ----------------------------------------------------------------------------- the site


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(built: Built) -> Iterator[str]:
    """Yield the address of the built site, served on 127.0.0.1."""
    handler = partial(_Quiet, directory=str(built.out / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_site_asks_no_other_host_for_anything(built: Built, served: str, browser: Any) -> None:
    origin = served.rstrip("/")
    own: list[str] = []
    foreign: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(("data:", origin + "/")):
            own.append(url)
            request_route.continue_()
        else:
            foreign.append(url)
            request_route.abort()

    context = browser.new_context()
    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "request",
            lambda r: None if r.url.startswith(("data:", origin)) else foreign.append(r.url),
        )
        page.goto(served, wait_until="load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.evaluate(
            "document.querySelector('video') && document.querySelector('video').play()"
            ".catch(() => null)"
        )
        page.wait_for_timeout(1500)
    finally:
        context.close()
    assert foreign == []
    assert any(url.endswith(("video.mp4", "poster.png")) for url in own), own
    head = (built.out / "site" / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta name="referrer" content="no-referrer">' in head
    policy_meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', head)
    assert policy_meta and "default-src 'none'" in policy_meta.group(1)


# ----------------------------------------------------------------------------- shared objects


def test_shared_objects_are_never_publicly_readable(built: Built, s3_store: Store) -> None:
    bucket = "privacy-shares"
    client = s3_client(s3_store)
    if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=bucket)
    env: dict[str, str | None] = {
        "FOLLOWUP_DATA_DIR": str(built.data),
        "FOLLOWUP_BUCKET": bucket,
        "AWS_ENDPOINT_URL_S3": s3_store.endpoint,
        "AWS_ACCESS_KEY_ID": s3_store.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_store.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PROFILE": None,
        "AWS_SESSION_TOKEN": None,
    }
    result = run("share", built.out, "--json", "--include-pptx", env=env)
    links = [row["url"] for row in json.loads(result.stdout)["links"]]
    prefix = urlsplit(links[0]).path.split("/")[2]
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix + "/")
    keys = sorted(item["Key"] for item in listed.get("Contents", []))
    names = sorted(key.split("/", 1)[1] for key in keys)
    # What leaves the computer: the page, its media and the deck; the .pptx only when asked.
    assert "index.html" in names and "deck.pptx" in names and "share.json" in names
    assert not {"preview.gif", "email.eml", "email.txt", "message.txt", "build.json"} & set(names)
    for url in links:
        assert anonymous_status(url) == 200, url  # the signed link opens
    for key in keys:
        assert anonymous_status(f"{s3_store.endpoint}/{bucket}/{key}") == 403, key
        grants = client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert all(g["Grantee"]["Type"] == "CanonicalUser" for g in grants), (key, grants)
    for listing in (f"/{bucket}", f"/{bucket}/?prefix={prefix}/", "/"):
        assert anonymous_status(s3_store.endpoint + listing) == 403, listing
