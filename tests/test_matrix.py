"""The hardening matrix (issue 9): every hostile or odd input through the real CLI ends in one
line and exit code 1 with nothing written, or in a build that works.

Cases that other modules already pin through the CLI are not repeated here: a missing pitch
file, an unknown key and a missing field (test_cli.py); `../` and missing images, a text file
named .png and a decompression bomb (test_deck.py, test_site.py); a text file as recording
and a recording named `-clip.mp4` (test_video.py); `--expires 8d` and `-1s`, a bucket with
capitals and an unreachable store (test_share.py, test_share_faults.py). Several loader
cases below are also unit-tested in test_pitch.py; here they go through the command line,
which is what the user sees.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import subprocess
import traceback
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageChops, ImageOps, ImageStat
from s3server import anonymous_status, s3_client

from builder.cli import main
from builder.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ada"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"  # Debian's, for making test media and probing
SARAH_LINE = 18  # the line of "- name: Sarah Kim" in examples/ada/pitch.yaml


# ----------------------------------------------------------------------------- helpers


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run ``build ARGS`` in-process with *env* (None unsets a variable); an unexpected
    exception is kept, not raised."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=True)


def refused(result: Result) -> str:
    """Return the one error line of a refused run; fail on a traceback, exit 2 or more lines."""
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        trace = "".join(traceback.format_exception(error))
        pytest.fail(f"a traceback instead of one line:\n{trace[-2500:]}")
    assert result.exit_code == 1, f"exit code {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}: {lines}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def worked(result: Result) -> None:
    """Fail with the traceback or the messages unless the run succeeded."""
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        trace = "".join(traceback.format_exception(error))
        pytest.fail(f"a traceback instead of a build:\n{trace[-2500:]}")
    assert result.exit_code == 0, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file below *folder* (hidden ones too) with its content."""
    if not folder.exists():
        return {}
    # A lock file may stay by design; everything else must be as it was.
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def earlier_build(tmp_path: Path) -> Path:
    """Return an output folder holding an earlier build that a refused one must not touch."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "deck.pptx").write_bytes(b"last week's deck")
    (out / "notes.txt").write_text("the user's own file\n")
    return out


def ada(tmp_path: Path) -> Path:
    """Return the pitch of a fresh copy of examples/ada in *tmp_path*/ada."""
    shutil.copytree(EXAMPLE, tmp_path / "ada")
    return tmp_path / "ada" / "pitch.yaml"


def edit(pitch: Path, old: str, new: str) -> None:
    """Replace *old* (which must be there) by *new* in *pitch*."""
    text = pitch.read_text(encoding="utf-8")
    assert old in text, old
    pitch.write_text(text.replace(old, new, 1), encoding="utf-8")


def env_for(tmp_path: Path) -> dict[str, str | None]:
    """Return an environment that keeps the run away from the user's data folder."""
    return {"FOLLOWUP_DATA_DIR": str(tmp_path / "data"), "FOLLOWUP_BUCKET": ""}


def media(*args: str | Path) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *map(str, args)], check=True, timeout=120)


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def set_recording(pitch: Path, recording: str) -> None:
    """Replace the pitch's ``video:`` section by one naming *recording*."""
    text = re.sub(r"(?ms)^video:\n(?:[ \t].*\n?)*", "", pitch.read_text(encoding="utf-8"))
    pitch.write_text(
        text.rstrip("\n") + f"\nvideo:\n  recording: {json.dumps(recording)}\n", encoding="utf-8"
    )


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """Yield a socket listening on 127.0.0.1: a URL pointing at it must never be fetched."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def was_contacted(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


# ----------------------------------------------------------------------------- the pitch


def _bomb(pitch: Path) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    rows += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(9)
    ]
    pitch.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _latin1(pitch: Path) -> None:
    text = pitch.read_text(encoding="utf-8").replace("name: Ada Example", "name: Adé Example")
    pitch.write_bytes(text.encode("latin-1"))


def _python_tag(pitch: Path) -> None:
    text = pitch.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("closing:"))
    target = pitch.parent / "PWNED"
    pitch.write_text(
        text.replace(line, f'closing: !!python/object/apply:os.system ["touch {target}"]'),
        encoding="utf-8",
    )


def _over_a_megabyte(pitch: Path) -> None:
    with pitch.open("a", encoding="utf-8") as handle:
        handle.write("# " + "padding " * 130_000 + "\n")


def _name(new: str) -> Callable[[Path], None]:
    return lambda pitch: edit(pitch, "name: Sarah Kim", f"name: {new}")


def _candidate(new: str) -> Callable[[Path], None]:
    return lambda pitch: edit(pitch, "name: Ada Example", f"name: {new}")


SARAH = r"interview\.interviewers\[0\]\.name"
# The way a character is refused may be worded either way; it must name the field.
INVISIBLE = r"(U\+[0-9A-F]{4}|control|bidi|direction)"

PITCH_CASES: dict[str, tuple[Callable[[Path], object], str]] = {
    "empty file": (lambda p: p.write_bytes(b""), r"^pitch\.yaml:1:1: a pitch file is a mapping"),
    "only a comment": (
        lambda p: p.write_text("# nothing yet\n"),
        r"^pitch\.yaml:1:1: a pitch file is a mapping",
    ),
    "non-UTF-8": (_latin1, r"^pitch\.yaml:5: not UTF-8 text"),
    "syntax error": (
        lambda p: edit(p, "company: The Daily Muse", "company: [The Daily Muse"),
        r"^pitch\.yaml:\d+:\d+: not valid YAML",
    ),
    "!!python/object": (_python_tag, r"^pitch\.yaml:\d+:\d+: custom YAML tag"),
    "alias bomb": (_bomb, r"^pitch\.yaml:1:\d+: YAML anchors and aliases"),
    "duplicate key": (
        lambda p: p.write_text(p.read_text() + "thanks: Thanks again.\n"),
        r"^pitch\.yaml:\d+:1: duplicate key 'thanks'",
    ),
    "wrong type": (
        lambda p: edit(p, "company: The Daily Muse", "company: [The, Daily, Muse]"),
        r"^pitch\.yaml:14:3: interview\.company: input should be a valid string",
    ),
    "over 1 MB": (_over_a_megabyte, r"^pitch\.yaml: larger than 1000 kB"),
    "escape sequence written as \\e": (
        _name('"Sarah \\e[2JKim"'),
        rf"^pitch\.yaml:{SARAH_LINE}:\d+: {SARAH}: contains control characters",
    ),
    "raw ESC in a name": (
        _name("Sarah \x1b[31mKim"),
        rf"^pitch\.yaml:{SARAH_LINE}:\d+: .*{INVISIBLE}",
    ),
    "U+202E in the interviewer's name": (
        _name("Sarah \u202emiK"),
        rf"^pitch\.yaml:{SARAH_LINE}:\d+: {SARAH}: .*{INVISIBLE}",
    ),
    "U+202E in the candidate's name": (
        _candidate("Ada \u202eelpmaxE"),
        rf"^pitch\.yaml:5:\d+: candidate\.name: .*{INVISIBLE}",
    ),
    # A paragraph separator is not one line; left in, it crashes Pillow's text layout (raqm).
    "U+2029 in the candidate's name": (
        _candidate('"Ada\\PExample"'),
        r"^pitch\.yaml:5:\d+: candidate\.name: ",
    ),
    "U+2066 isolate in the candidate's name": (
        _candidate("Ada \u2066Example\u2069"),
        rf"^pitch\.yaml:5:\d+: candidate\.name: .*{INVISIBLE}",
    ),
}


@pytest.mark.parametrize("case", PITCH_CASES, ids=list(PITCH_CASES))
def test_a_bad_pitch_is_one_line_and_writes_nothing(case: str, tmp_path: Path) -> None:
    make, expected = PITCH_CASES[case]
    pitch = ada(tmp_path)
    make(pitch)
    out = tmp_path / "out"
    line = refused(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    assert re.search(expected, line.removeprefix("error: ")), line
    assert not out.exists(), sorted(snapshot(out))
    assert not (pitch.parent / "PWNED").exists()


@pytest.mark.parametrize("case", ["U+202E in the interviewer's name", "raw ESC in a name"])
def test_check_refuses_what_the_build_refuses(case: str, tmp_path: Path) -> None:
    make, expected = PITCH_CASES[case]
    pitch = ada(tmp_path)
    make(pitch)
    result = run("check", pitch, "--now", "2026-11-24T18:00+01:00", env=env_for(tmp_path))
    assert result.exit_code == 1, result.output
    errors = [row for row in result.stderr.splitlines() if row.startswith("error: ")]
    assert len(errors) == 1 and re.search(expected, errors[0].removeprefix("error: ")), errors


def test_yaml_1_1_coercions_stay_text_as_written(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    edit(pitch, "name: Ada Example", "name: NO")
    edit(pitch, "headline: Data analyst who", "headline: 012 data analyst who")
    edit(pitch, "company: The Daily Muse", "company: 12:30")
    edit(pitch, 'phone: "+49 30 1234567"', "phone: 0301234567")
    out = tmp_path / "out"
    worked(run("site", pitch, "-o", out, env=env_for(tmp_path)))
    shown = visible_text((out / "site" / "index.html").read_text(encoding="utf-8"))
    assert re.search(r"\bNO\b", shown) and "False" not in shown
    assert "012 data analyst" in shown and "10 data analyst" not in shown
    assert "12:30" in shown and "750" not in shown
    assert "0301234567" in shown


def test_one_line_fields_at_their_limit_build_a_deck(tmp_path: Path) -> None:
    # 160 characters is what the pitch allows; the deck's document properties must hold them.
    pitch = ada(tmp_path)
    edit(pitch, "company: The Daily Muse", "company: " + "Muse " * 31 + "Corp.")
    edit(pitch, "role: Senior Data Analyst", "role: " + "Analyst " * 19 + "Lead.")
    edit(pitch, "name: Sarah Kim", "name: Sarah " + "Kim-" * 36 + "Lee")
    out = tmp_path / "out"
    worked(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    assert (out / "deck.pptx").is_file() and (out / "deck.pdf").is_file()


# ----------------------------------------------------------------------------- paths


def _absolute(pitch: Path) -> str:
    return str(EXAMPLE / "media" / "ada.jpg")


def _symlink_out(pitch: Path) -> str:
    secret = pitch.parent.parent / "secret.jpg"
    shutil.copyfile(EXAMPLE / "media" / "ada.jpg", secret)
    (pitch.parent / "media" / "me.jpg").symlink_to(secret)
    return "media/me.jpg"


def _sibling(pitch: Path) -> str:
    sibling = pitch.parent.parent / f"{pitch.parent.name}-evil"
    sibling.mkdir()
    shutil.copyfile(EXAMPLE / "media" / "ada.jpg", sibling / "me.jpg")
    return f"../{sibling.name}/me.jpg"


def _file_url(pitch: Path) -> str:
    return f"file://{EXAMPLE / 'media' / 'ada.jpg'}"


PATH_CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    "absolute": (_absolute, "outside the pitch's folder"),
    "symlink pointing out": (_symlink_out, "outside the pitch's folder"),
    "sibling with the same prefix": (_sibling, "outside the pitch's folder"),
    "file:// URL": (_file_url, r"(does not exist|address|URL|outside)"),
}


@pytest.mark.parametrize("case", PATH_CASES, ids=list(PATH_CASES))
def test_a_photo_outside_the_folder_is_refused(case: str, tmp_path: Path) -> None:
    make, expected = PATH_CASES[case]
    pitch = ada(tmp_path)
    edit(pitch, "photo: media/ada.jpg", f"photo: {json.dumps(make(pitch))}")
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    assert re.search(rf"^error: pitch\.yaml:9:3: candidate\.photo: .*{expected}", line), line
    assert snapshot(out) == before


def test_a_web_address_as_image_is_refused_and_never_fetched(
    tmp_path: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    pitch = ada(tmp_path)
    edit(pitch, "image: media/pipeline.png", f'image: "http://127.0.0.1:{port}/pipeline.png"')
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    assert re.search(r"^error: pitch\.yaml:\d+:\d+: value\[0\]\.image: ", line), line
    assert not was_contacted(listener)
    assert snapshot(out) == before


# ----------------------------------------------------------------------------- images


def _truncated_jpeg(photo: Path) -> None:
    data = photo.read_bytes()
    photo.write_bytes(data[: len(data) // 2])


def _over_30_mb(photo: Path) -> None:
    # A real JPEG followed by zeros (a sparse file: cheap to make): the size alone refuses it.
    with photo.open("r+b") as handle:
        handle.truncate(31_000_000)


IMAGE_CASES: dict[str, tuple[Callable[[Path], object], str]] = {
    "truncated JPEG": (_truncated_jpeg, "ada.jpg is damaged or truncated"),
    "over 30 MB": (_over_30_mb, "ada.jpg is larger than 30 MB"),
}


@pytest.mark.parametrize("case", IMAGE_CASES, ids=list(IMAGE_CASES))
def test_a_bad_photo_is_one_line_and_writes_nothing(case: str, tmp_path: Path) -> None:
    make, words = IMAGE_CASES[case]
    pitch = ada(tmp_path)
    make(pitch.parent / "media" / "ada.jpg")
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    assert re.search(r"^error: pitch\.yaml(:\d+:\d+)?: candidate\.photo: ", line), line
    assert words in line, line
    assert snapshot(out) == before


def test_a_gif_of_thousands_of_frames_is_used_as_one_still(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    frames = []
    for i in range(3000):
        frame = Image.new("P", (64, 64), 0)
        frame.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
        frame.putpixel((i % 64, (i // 64) % 64), 1)  # every frame differs: none are merged
        frames.append(frame)
    gif = pitch.parent / "media" / "me.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=20, loop=0)
    with Image.open(gif) as opened:
        assert getattr(opened, "n_frames", 1) == 3000
    edit(pitch, "photo: media/ada.jpg", "photo: media/me.gif")
    out = tmp_path / "out"
    worked(run("deck", pitch, "-o", out, env=env_for(tmp_path)))
    worked(run("site", pitch, "-o", out, env=env_for(tmp_path)))
    with zipfile.ZipFile(out / "deck.pptx") as package:
        kinds = {Path(n).suffix for n in package.namelist() if n.startswith("ppt/media/")}
    assert kinds == {".png"}
    page = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert "image/gif" not in page


def test_a_cmyk_jpeg_and_16_bit_pngs_work_in_every_output(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    folder = pitch.parent / "media"
    original = ImageOps.exif_transpose(Image.open(folder / "ada.jpg")).convert("RGB")
    original.convert("CMYK").save(folder / "ada.jpg", quality=95)
    assert Image.open(folder / "ada.jpg").mode == "CMYK"
    # A 16-bit grey ramp from black to white (mode I;16), and a 16-bit colour PNG (rgb48).
    width, height = 400, 300
    ramp = b"".join((x * 65535 // (width - 1)).to_bytes(2, "little") for x in range(width))
    Image.frombytes("I;16", (width, height), ramp * height).save(folder / "pipeline.png")
    media(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240",
        "-frames:v",
        "1",
        "-pix_fmt",
        "rgb48be",
        folder / "dashboard.png",
    )
    out = tmp_path / "out"
    worked(run("all", pitch, "-o", out, "--size", "720p", env=env_for(tmp_path)))
    for name in ("deck.pptx", "deck.pdf", "video.mp4", "poster.png", "site/index.html"):
        assert (out / name).is_file(), name
    with zipfile.ZipFile(out / "deck.pptx") as package:
        pictures = [
            Image.open(io.BytesIO(package.read(n))).convert("RGB")
            for n in package.namelist()
            if n.startswith("ppt/media/")
        ]
    photo = next(p for p in pictures if p.size == original.size)
    difference = ImageStat.Stat(ImageChops.difference(photo, original)).mean
    assert max(difference) < 6, f"the CMYK photo changed colour: {difference}"
    grey = next(p for p in pictures if p.size == (width, height)).convert("L").tobytes()
    middle = height // 2 * width  # one byte per pixel: the ramp's middle row starts here
    row = [grey[middle + x] for x in (0, width // 4, width // 2, 3 * width // 4)]
    # The ramp keeps its shades: not clipped to white past the first 256 of 65,536 levels.
    assert row == sorted(row) and 90 <= row[2] <= 165 and row[1] < row[2] < row[3], row


# ----------------------------------------------------------------------------- text

HOSTILE = {
    "html": "<b>bold</b> <img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "js": "javascript:alert(document.cookie)",
    "template": "{{ 7*7 }} {% include '/etc/passwd' %} ${7*7}",
    "markdown": "[click here](javascript:alert(2)) ![p](http://127.0.0.1:9/t.png) **loud**",
}


def _hostile(pitch: Path) -> None:
    edit(pitch, "Thank you for the time you took", f"{HOSTILE['html']} Thank you for the time")
    edit(
        pitch,
        "  - Moving the weekly KPI report",
        f"  - {json.dumps(HOSTILE['markdown'])}\n  - Moving the weekly KPI report",
    )
    edit(
        pitch,
        "  - How product managers get answers without waiting a week for a query",
        f"  - {json.dumps(HOSTILE['js'] + ' and ' + HOSTILE['script'])}",
    )
    edit(
        pitch,
        "  - title: A tested dbt pipeline in my first 30 days",
        f"  - title: {json.dumps('Pipeline ' + HOSTILE['template'])}",
    )
    text = pitch.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("closing:"))
    closing = HOSTILE["markdown"] + " " + HOSTILE["html"]
    pitch.write_text(text.replace(line, f"closing: {json.dumps(closing)}"), encoding="utf-8")


def pptx_text(path: Path) -> tuple[str, set[str]]:
    """Return all slide text of a .pptx (paragraph by paragraph) and every link target."""
    from pptx import Presentation

    deck = Presentation(str(path))
    paragraphs = [
        "".join(run.text for run in paragraph.runs)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
    ]
    with zipfile.ZipFile(path) as package:
        rels = "".join(package.read(n).decode() for n in package.namelist() if n.endswith(".rels"))
    targets = set(re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels))
    return "\n".join(paragraphs), targets


class _Page(HTMLParser):
    """Collects the tags of a page and the text a browser shows (outside script and style)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def visible_text(page: str) -> str:
    """Return what a browser shows of *page* as text (outside <script> and <style>)."""
    return " ".join(" ".join(parsed(page).parts).split())


def assert_inert(page: str) -> None:
    """Fail if hostile pitch text became markup, a handler, a link or an image in *page*."""
    tags = parsed(page).tags
    # A data block (<script type="application/json">) never runs; any other script would.
    names = {tag for tag, attrs in tags if attrs.get("type") != "application/json"}
    assert not names & {"b", "strong", "em", "iframe", "script"}, names
    handlers = [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]
    assert handlers == [], handlers
    targets = [attrs.get("href", "") + attrs.get("src", "") for _, attrs in tags]
    assert not [t for t in targets if "javascript:" in t.lower() or "127.0.0.1:9" in t]
    assert not [attrs for tag, attrs in tags if tag == "img" and attrs.get("src") == "x"]
    assert "49" not in visible_text(page).split()


def test_hostile_text_is_shown_as_text_everywhere(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    _hostile(pitch)
    out = tmp_path / "out"
    env = env_for(tmp_path)
    worked(run("deck", pitch, "-o", out, env=env))
    worked(run("site", pitch, "-o", out, env=env))
    worked(run("email", pitch, "-o", out, "--link", "https://example.com/f/index.html", env=env))

    slides, targets = pptx_text(out / "deck.pptx")
    flat = " ".join(slides.split())
    for value in HOSTILE.values():
        assert value in flat, value
    assert all(t.startswith(("https://", "http://", "mailto:")) for t in targets), targets
    assert not any("127.0.0.1:9" in t or "javascript" in t for t in targets), targets

    page = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert_inert(page)
    shown = visible_text(page)
    for value in HOSTILE.values():
        assert value in shown, value

    import email
    from email import policy

    draft = email.message_from_bytes((out / "email.eml").read_bytes(), policy=policy.default)
    html_part = next(p for p in draft.walk() if p.get_content_type() == "text/html")
    assert_inert(html_part.get_content())


# ----------------------------------------------------------------------------- recordings


def test_an_hls_playlist_named_mp4_is_refused_and_nothing_is_fetched(
    tmp_path: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    pitch = ada(tmp_path)
    secret = tmp_path / "secret.ts"
    secret.write_bytes(b"G" + b"\0" * 187)
    (pitch.parent / "media" / "talk.mp4").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n"
        f"#EXTINF:10,\nhttp://127.0.0.1:{port}/segment.ts\n"
        f"#EXTINF:10,\nfile://{secret}\n#EXT-X-ENDLIST\n"
    )
    set_recording(pitch, "media/talk.mp4")
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("video", pitch, "-o", out, "--size", "720p", env=env_for(tmp_path)))
    assert "video.recording" in line and "talk.mp4" in line, line
    assert not was_contacted(listener)
    assert snapshot(out) == before


def test_an_m3u8_playlist_is_not_a_recording(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    (pitch.parent / "media" / "talk.m3u8").write_text("#EXTM3U\n#EXTINF:10,\nseg.ts\n")
    set_recording(pitch, "media/talk.m3u8")
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("video", pitch, "-o", out, "--size", "720p", env=env_for(tmp_path)))
    assert "video.recording: talk.m3u8: unsupported file type" in line, line
    assert snapshot(out) == before


def test_a_30_minute_recording_is_refused_in_one_line(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    media(
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=8000:cl=mono",
        "-t",
        "1800",
        "-c:a",
        "aac",
        "-b:a",
        "8k",
        pitch.parent / "media" / "long.m4a",
    )
    set_recording(pitch, "media/long.m4a")
    out = earlier_build(tmp_path)
    before = snapshot(out)
    line = refused(run("video", pitch, "-o", out, "--size", "720p", env=env_for(tmp_path)))
    assert "video.recording: long.m4a runs 30:00 min; keep it under 3:00 min" in line, line
    assert snapshot(out) == before


def test_an_8k_recording_is_scaled_to_the_video_size(tmp_path: Path) -> None:
    pitch = ada(tmp_path)
    clip = pitch.parent / "media" / "big.mp4"
    media(
        "-f",
        "lavfi",
        "-i",
        "color=c=0x336699:size=7680x4320:rate=1:duration=1.5",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        clip,
    )
    set_recording(pitch, "media/big.mp4")
    out = tmp_path / "out"
    worked(run("video", pitch, "-o", out, "--size", "720p", env=env_for(tmp_path)))
    video = next(s for s in probe(out / "video.mp4")["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1280, 720)


# ----------------------------------------------------------------------------- sharing


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the output folder of `build deck` for a copy of examples/ada (not shared)."""
    folder = tmp_path_factory.mktemp("matrix-share")
    pitch = ada(folder)
    out = folder / "out"
    worked(run("deck", pitch, "-o", out, env=env_for(folder)))
    return out


def keys(store: Store, bucket: str) -> set[str]:
    listed = s3_client(store).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def aws_env(store: Store, tmp_path: Path, bucket: str) -> dict[str, str | None]:
    """Return an environment that reaches *store* as a configured bucket with its own keys."""
    return {
        "FOLLOWUP_DATA_DIR": str(tmp_path / "data"),
        "FOLLOWUP_BUCKET": bucket,
        "AWS_ENDPOINT_URL_S3": store.endpoint,
        "AWS_ACCESS_KEY_ID": store.access_key,
        "AWS_SECRET_ACCESS_KEY": store.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PROFILE": None,
        "AWS_SESSION_TOKEN": None,
        "NO_PROXY": "127.0.0.1",
    }


def test_expired_credentials_are_one_line_and_upload_nothing(
    built: Path, tmp_path: Path, s3_store: Store
) -> None:
    # What an ended SSO session or assumed role looks like to boto3: a credential process
    # that hands out keys whose expiry has passed.
    helper = tmp_path / "credentials.sh"
    helper.write_text(
        "#!/bin/sh\necho '"
        + json.dumps(
            {
                "Version": 1,
                "AccessKeyId": s3_store.access_key,
                "SecretAccessKey": s3_store.secret_key,
                "SessionToken": "token",
                "Expiration": "2020-01-01T00:00:00Z",
            }
        )
        + "'\n"
    )
    helper.chmod(0o700)
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\nregion = us-east-1\ncredential_process = {helper}\n")
    env = aws_env(s3_store, tmp_path, s3_store.bucket)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env[name] = None
    env["AWS_CONFIG_FILE"] = str(config)
    before = keys(s3_store, s3_store.bucket)
    line = refused(run("share", built, env=env))
    assert "expired" in line, line
    assert keys(s3_store, s3_store.bucket) == before


def test_a_bucket_name_with_dots_works_on_a_custom_endpoint(
    built: Path, tmp_path: Path, s3_store: Store
) -> None:
    bucket = "team.follow-ups"
    client = s3_client(s3_store)
    if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=bucket)
    result = run("share", built, "--json", env=aws_env(s3_store, tmp_path, bucket))
    worked(result)
    [row] = [r for r in json.loads(result.stdout)["links"] if r["output"] == "deck"]
    assert f"/{bucket}/" in row["url"]
    assert anonymous_status(row["url"]) == 200
    assert anonymous_status(row["url"].split("?")[0]) == 403


def test_an_unknown_aws_profile_is_one_line_and_uploads_nothing(
    built: Path, tmp_path: Path, s3_store: Store
) -> None:
    env = aws_env(s3_store, tmp_path, s3_store.bucket) | {"AWS_PROFILE": "no-such-profile"}
    before = keys(s3_store, s3_store.bucket)
    line = refused(run("share", built, env=env))
    assert "no-such-profile" in line, line
    assert keys(s3_store, s3_store.bucket) == before
