"""`build preview`: the real command in a subprocess, a real server on a free loopback port,
and a real headless Chromium (Playwright). One preview of examples/ada is built once and
shared by the tests, which run in file order: look, refuse, edit, break, record, share,
stop."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM_ARGS, EXAMPLES

from builder.preview.changes import outputs_to_rebuild, take
from builder.preview.guard import build_file
from builder.preview.yamledit import round_trip, splice

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
HEAVY = ("starlette", "uvicorn", "watchfiles", "pypdfium2", "jinja2", "anyio")


@dataclass
class Served:
    """A running `build preview`: its process, address and files."""

    process: subprocess.Popen[str]
    url: str  # with the token
    port: int
    token: str
    pitch: Path
    out: Path
    log: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie(self) -> str:
        return f"build-preview-{self.port}={self.token}"

    def state(self) -> dict[str, Any]:
        status, body, _ = request(self, "/api/state")
        assert status == 200, body
        data: dict[str, Any] = json.loads(body)
        return data

    def settled(self, after: int, timeout: float = 120) -> dict[str, Any]:
        """Wait until a generation newer than *after* is published and nothing builds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            state = self.state()
            if state["generation"] > after and not state["building"]:
                return state
            time.sleep(0.1)
        raise AssertionError(f"no new generation after {after}; log: {self.log}")


def request(
    served: Served,
    path: str,
    *,
    method: str = "GET",
    host: str | None = None,
    cookie: bool = True,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """Send one raw request (the path exactly as given: no normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    sent = {"Host": host if host is not None else f"127.0.0.1:{served.port}", **(headers or {})}
    if cookie:
        sent["Cookie"] = served.cookie
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data, response


def _follow(process: subprocess.Popen[str], log: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        log.append(line.rstrip("\n"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, s3_store: Any) -> Iterator[Served]:
    """Yield `build preview` of a copy of examples/ada, once its first build is done."""
    folder = tmp_path_factory.mktemp("preview")
    shutil.copytree(EXAMPLES / "ada", folder / "ada")
    pitch, out = folder / "ada" / "pitch.yaml", folder / "out"
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(s3_store.home.parent), "FOLLOWUP_BUCKET": ""}
    command = [sys.executable, "-m", "builder", "preview", str(pitch), "-o", str(out)]
    command += ["--port", "0", "--no-open", "--size", "720p"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=folder
    )
    log: list[str] = []
    threading.Thread(target=_follow, args=(process, log), daemon=True).start()
    try:
        url = _address(process, log)
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", url)
        assert match, url
        served = Served(process, url, int(match.group(1)), match.group(2), pitch, out, log)
        served.settled(0)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def _address(process: subprocess.Popen[str], log: list[str]) -> str:
    end = time.monotonic() + 30
    while time.monotonic() < end:
        for line in log:
            found = re.search(r"(http://\S+)", line)
            if found:
                return found.group(1)
        assert process.poll() is None, log
        time.sleep(0.05)
    raise AssertionError(f"no address printed: {log}")


def wait_until(page: Any, expression: str, timeout: float = 120) -> None:
    """Wait until *expression* is true in *page*, across reloads (Playwright's own
    wait_for_function compiles its predicate with eval, which the page's CSP forbids)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if page.evaluate(expression):
                return
        except Exception:  # the page is reloading: its context went away
            pass
        time.sleep(0.1)
    raise AssertionError(f"still false after {timeout} s: {expression}")


def browser_path() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"


def _page(browser: Any, served: Served, width: int = 1280, path: str = "/") -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(served.url.replace("/?", f"{path}?"))  # the token, exchanged for the cookie
    assert page.url == served.origin + path  # ...and gone from the address
    return page


def test_page_shows_each_output(served: Served, browser: Any, artifacts: Path) -> None:
    started = time.monotonic()
    page = _page(browser, served)
    page.wait_for_load_state("load")
    loaded = time.monotonic() - started
    site = page.frame_locator("#site-frame")
    assert "Sarah" in site.locator("h1").inner_text()
    pages = page.locator(".pages img")
    assert pages.count() == 6
    page.locator("#deck").scroll_into_view_if_needed()
    wait_until(
        page,
        "[...document.querySelectorAll('.pages img')].every(i => i.complete && i.naturalWidth)",
    )
    video = page.locator("#video-player")
    video.evaluate("v => new Promise(r => v.readyState >= 1 ? r() : (v.onloadedmetadata = r))")
    assert video.evaluate("v => v.duration") > 30
    wait_until(page, "document.querySelector('#video-player').textTracks[0].cues?.length > 0")
    assert "Dear Sarah" in page.locator("#email-text").inner_text()
    assert "http" not in page.locator("#message-text").inner_text()  # no link shared yet
    email = page.frame_locator(".email-frame")
    assert "Dear Sarah" in email.locator("body").inner_text()
    assert "window closed" in page.locator("#check").inner_text()  # the 24 hours are over
    print(f"page load {loaded:.2f} s")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 760})
        for section in ("site", "deck", "video", "email", "share", "check"):
            page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
            page.wait_for_timeout(150)
            page.screenshot(path=artifacts / f"preview-{section}-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways
    page.context.close()


def test_listens_on_loopback_only(served: Served) -> None:
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    ours = [row.split()[1] for row in rows if row.split()[1].endswith(f":{served.port:04X}")]
    assert ours and all(address.startswith("0100007F:") for address in ours), ours


def test_the_token_is_needed_and_becomes_a_cookie(served: Served) -> None:
    for path in ("/", "/api/state", "/out/sarah-kim/video.mp4", "/record", "/theme.css"):
        assert request(served, path, cookie=False)[0] == 403, path
    assert request(served, "/?token=wrong", cookie=False)[0] == 403
    wrong_name = {"Cookie": "build-preview-1=" + served.token}  # another port's cookie
    assert request(served, "/", cookie=False, headers=wrong_name)[0] == 403
    status, _, response = request(served, f"/?for=sarah-kim&token={served.token}", cookie=False)
    assert status == 303 and response.getheader("Location") == "/?for=sarah-kim"
    cookie = response.getheader("Set-Cookie") or ""
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and served.token in cookie


def test_another_host_is_refused(served: Served) -> None:
    assert request(served, "/", host=f"localhost:{served.port}")[0] == 200
    for host in (f"evil.example:{served.port}", f"127.0.0.1:{served.port + 1}", "127.0.0.1", ""):
        assert request(served, "/", host=host)[0] == 403, host


def test_only_the_build_folder_is_served(served: Served) -> None:
    site = served.out / "site"
    (site / "leak.txt").symlink_to("/etc/passwd")
    (site / "pitch.txt").symlink_to(served.pitch)
    assert request(served, "/out/sarah-kim/site/index.html")[0] == 200
    refused = [
        "/out/sarah-kim/../../../../../etc/passwd",
        "/out/sarah-kim/site/../../ada/pitch.yaml",
        "/out/sarah-kim/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/out/sarah-kim/site/%2E%2E%2F%2E%2E%2Fada%2Fpitch.yaml",
        "/out/sarah-kim//etc/passwd",
        "/out/sarah-kim/%2Fetc%2Fpasswd",
        "/out/sarah-kim/site/leak.txt",
        "/out/sarah-kim/site/pitch.txt",
        "/out/sarah-kim/site/",
        "/out/sarah-kim/site",
        "/out/sarah-kim/build.json",
        "/out/sarah-kim/.build.lock",
        "/out/nobody/video.mp4",
        "/static/../app.py",
        "/static/%2e%2e%2fapp.py",
        "/fonts/..%2f..%2f..%2fetc%2fpasswd",
        "/deck/sarah-kim/0.png",
        "/deck/sarah-kim/99.png",
        "/email/nobody.html",
        "/etc/passwd",
    ]
    for path in refused:
        status, body, _ = request(served, path)
        assert status in (403, 404), path
        assert b"root:" not in body and b"candidate:" not in body, path


def test_media_are_served_with_ranges_and_the_site_with_its_policy(served: Served) -> None:
    status, body, response = request(
        served, "/out/sarah-kim/video.mp4", headers={"Range": "bytes=0-99"}
    )
    assert status == 206 and len(body) == 100
    _, _, response = request(served, "/out/sarah-kim/site/index.html")
    policy = response.getheader("Content-Security-Policy") or ""
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy
    _, _, response = request(served, "/")
    assert "script-src 'self'" in (response.getheader("Content-Security-Policy") or "")


def test_writes_need_the_page_as_origin(served: Served) -> None:
    before = served.pitch.read_bytes()
    for headers in ({}, {"Origin": "http://evil.example"}, {"Origin": "null"}):
        sent = {"Content-Type": "video/webm", **headers}
        status, _, _ = request(served, "/api/recording", method="POST", headers=sent, body=b"x")
        assert status == 403, headers
        status, _, _ = request(served, "/api/share?for=sarah-kim", method="POST", headers=headers)
        assert status == 403, headers
    # From the page's own origin, but not a recording: refused, and nothing written.
    own = {"Origin": served.origin, "Content-Type": "video/webm"}
    status, body, _ = request(served, "/api/recording", method="POST", headers=own, body=b"<svg/>")
    assert status == 400, body
    assert served.pitch.read_bytes() == before
    assert not list(served.pitch.parent.glob("recording-*")) + list(served.pitch.parent.glob(".*"))


def test_editing_the_pitch_updates_the_page(served: Served, browser: Any) -> None:
    page = _page(browser, served)
    generation = served.state()["generation"]
    text = served.pitch.read_text()
    saved = time.monotonic()
    served.pitch.write_text(text.replace("walk me through", "show me"))
    wait_until(page, f"document.body.dataset.generation > {generation}")
    page.wait_for_load_state("load")
    print(f"edit to refreshed page: {time.monotonic() - saved:.1f} s; log: {served.log[-1]}")
    assert "rebuilt deck, video, site" in served.log[-1]  # the thanks is on a slide too
    site = page.frame_locator("#site-frame")
    assert "show me how the analytics team" in site.locator("body").inner_text()
    assert "show me how" in page.locator("#email-text").inner_text()
    page.context.close()


def test_an_invalid_edit_shows_the_error_and_keeps_the_last_good_preview(
    served: Served, browser: Any, artifacts: Path
) -> None:
    page = _page(browser, served)
    good = served.pitch.read_text()
    generation = served.state()["generation"]
    served.pitch.write_text(good.replace("date: 2026-11-24T15:00+01:00", "date: last Tuesday"))
    wait_until(page, f"document.body.dataset.generation > {generation}")
    page.wait_for_load_state("load")
    problems = page.locator("#problems").inner_text()
    assert re.search(r"pitch\.yaml:16:\d+: interview\.date: must be a date", problems), problems
    assert "errors" in page.locator("#status").inner_text()
    site = page.frame_locator("#site-frame")  # the last good preview is still there
    assert "show me how the analytics team" in site.locator("body").inner_text()
    assert page.locator(".pages img").count() == 6
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=artifacts / f"preview-error-{width}.png")
    generation = served.state()["generation"]
    served.pitch.write_text(good)  # put back as it was built: nothing to rebuild
    wait_until(page, f"document.body.dataset.generation > {generation}")
    page.wait_for_load_state("load")
    assert page.locator("#problems").count() == 0
    page.context.close()


def _duration(path: Path) -> float:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(probe.stdout)["format"]["duration"])


def test_recording_in_the_browser_becomes_part_of_the_video(
    served: Served, browser: Any, artifacts: Path
) -> None:
    before = _duration(served.out / "video.mp4")
    comments = [line for line in served.pitch.read_text().splitlines() if line.startswith("#")]
    # A browser of its own, whose camera and microphone are Chromium's test pattern and tone.
    camera = browser.browser_type.launch(
        executable_path=browser_path(), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    try:
        page = _page(camera, served, path="/record")
        page.wait_for_selector("#start:not([disabled])", timeout=20_000)
        assert "Friday" in page.locator("#prompter").inner_text()  # the script, to read
        page.screenshot(path=artifacts / "preview-record-1280.png")
        page.click("#start")
        page.wait_for_selector("#countdown:not([hidden])")
        page.wait_for_selector("#stop:not([hidden])", timeout=10_000)
        page.wait_for_timeout(3000)
        assert page.evaluate("document.querySelector('#prompter').scrollTop") > 0  # it scrolls
        page.click("#stop")
        page.wait_for_selector("#keep:not([hidden])")
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=artifacts / "preview-record-375.png", full_page=True)
        saved = time.monotonic()
        page.click("#keep")
        page.wait_for_url(f"{served.origin}/#video", timeout=120_000)
        print(f"keep to video shown: {time.monotonic() - saved:.1f} s; log: {served.log[-2:]}")
    finally:
        camera.close()
    state = served.state()
    assert not state["problems"], state
    assert re.fullmatch(r"rebuilt video, site in [\d.]+ s", served.log[-1])  # not the deck
    page = _page(browser, served)
    assert "older than" not in page.locator("#check").inner_text()  # the deck is current
    page.context.close()
    text = served.pitch.read_text()
    name = re.search(r"^  recording: (recording-\d{8}-\d{6}\.webm)$", text, re.M)
    assert name, text
    assert [line for line in text.splitlines() if line.startswith("#")] == comments
    clip = _duration(served.pitch.parent / name.group(1))  # remuxed: it knows its length
    assert 2.0 < clip < 6.0
    after = _duration(served.out / "video.mp4")
    assert after - before == pytest.approx(clip, abs=0.6), (before, after, clip)


def test_share_shows_the_link_and_the_message(
    served: Served, browser: Any, artifacts: Path
) -> None:
    page = _page(browser, served)
    page.click("#share-button")
    page.wait_for_selector("#share-link", timeout=120_000)
    link = page.locator("#share-link").inner_text()
    assert link.startswith("http") and "X-Amz-Signature=" in link
    assert link in page.locator("#share-message").inner_text()
    assert "only on this computer" in page.locator("#share").inner_text()
    email = page.frame_locator(".email-frame")  # with a link, the HTML shows the picture
    assert email.locator("img").evaluate("i => i.decode().then(() => i.naturalWidth > 0)")
    assert link in page.locator("#email-text").inner_text()
    # The page scrolls to the link once loaded.
    wait_until(page, "document.getElementById('share').getBoundingClientRect().top < 200", 5)
    page.screenshot(path=artifacts / "preview-shared-1280.png")
    page.context.close()


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    started = time.monotonic()
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=15) == 0, served.log
    assert time.monotonic() - started < 5
    time.sleep(0.1)
    assert served.log[-1] == "preview stopped"
    assert not [p for p in served.out.iterdir() if p.name.startswith(".staging")]


# Below: no server needed.


def test_what_changed_decides_what_is_rebuilt(example: Any) -> None:
    from builder.pipeline import select
    from builder.pitch import load_pitch

    pitch_path: Path = example("ada")

    def snap() -> Any:
        pitch = load_pitch(pitch_path)
        return take(pitch, select(pitch, None), pitch.theme)

    first = snap()
    assert outputs_to_rebuild(None, first) == ("deck", "video", "site")
    assert outputs_to_rebuild(first, snap()) == ()
    text = pitch_path.read_text()
    pitch_path.write_text(text.replace("Hi Sarah,", "Hello Sarah,"))
    assert outputs_to_rebuild(first, snap()) == ("video", "site")
    pitch_path.write_text(text + "share:\n  expires: 3d\n")
    share_only = snap()
    assert outputs_to_rebuild(first, share_only) == () and share_only != first  # email only
    pitch_path.write_text(text)
    image = pitch_path.parent / "media" / "pipeline.png"
    os.utime(image, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert outputs_to_rebuild(first, snap()) == ("deck", "video", "site")


def test_setting_the_recording_keeps_every_other_byte() -> None:
    ada = (EXAMPLES / "ada" / "pitch.yaml").read_text()
    edited = splice(ada, "recording-1.webm")
    assert edited is not None
    assert edited.replace("  recording: recording-1.webm\n", "") == ada
    replaced = splice("video:\n  recording: old.mp4  # mine\n", "new.webm")
    assert replaced == "video:\n  recording: new.webm  # mine\n"
    jonas = (EXAMPLES / "jonas" / "pitch.yaml").read_text()
    assert splice(jonas, "r.webm") == jonas + "video:\n  recording: r.webm\n"
    # Shapes a local edit does not handle go through ruamel's round trip, comments kept.
    empty = "# mine\nvideo:   # later\nvalue:\n  - title: x   # keep\n"
    assert splice(empty, "r.webm") is None
    assert round_trip(empty, "r.webm") == empty.replace(
        "# later\n", "# later\n  recording: r.webm\n"
    )


def test_build_file_stays_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("ok")
    (tmp_path / "site" / "out").symlink_to(tmp_path.parent)
    assert build_file(tmp_path, "site/index.html") == (tmp_path / "site" / "index.html")
    for bad in ("../x", "/etc/passwd", "site/../site/index.html", "site/out/x", "site", ""):
        assert build_file(tmp_path, bad) is None, bad


def test_help_stays_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); from click.testing import CliRunner; "
        "from builder.cli import main; CliRunner().invoke(main, ['preview', '--help']); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_without_a_pdf_the_page_says_why(tmp_path: Path) -> None:
    from builder.preview import page
    from builder.preview.session import Person, View

    (tmp_path / "deck.pptx").write_bytes(b"pptx")
    person = Person("Sarah Kim", "sarah-kim", tmp_path)
    view = View(generation=3, people=(person,))
    html = page.render(
        "page.html",
        view=view,
        panel=page.panel(view, person),
        share=None,
        pitch="pitch.yaml",
        state="ok",
        status="Up to date",
    )
    assert "No PDF" in html and "LibreOffice is not installed" in html
    assert 'href="/out/sarah-kim/deck.pptx?v=3"' in html


def test_out_naming_a_file_is_one_line_before_any_server_starts(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    result = cli("preview", example("ada"), "-o", taken, "--no-open", "--port", "0")
    assert result.exit_code == 1
    assert result.output.strip() == f"error: -o {taken}: is a file, not a folder; choose another -o"
    assert taken.read_text() == "mine"
