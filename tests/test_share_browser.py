"""The shared microsite opens from its one link in headless Chromium, against the real store:
every section, style and image, the video with captions, and the PDF."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from click.testing import CliRunner

from builder.cli import main
from builder.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def wait_for(page: Any, expression: str, seconds: float = 20.0) -> None:
    """Poll *expression* until it is true. (Playwright's wait_for_function evaluates a
    string, which the page's CSP rightly forbids; the CSP must stay on for this test.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def test_shared_site_opens_whole_from_its_link(
    s3_store: Store, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    shutil.copytree(EXAMPLES / "ada", tmp_path / "ada")
    env = {"FOLLOWUP_DATA_DIR": str(s3_store.home.parent), "FOLLOWUP_BUCKET": ""}
    result = CliRunner().invoke(
        main,
        [
            "all",
            str(tmp_path / "ada" / "pitch.yaml"),
            "-o",
            str(tmp_path / "out"),
            "--share",
            "--json",
        ],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    links = {row["output"]: row["url"] for row in json.loads(result.stdout)["links"]}
    store_origin = s3_store.endpoint
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    failures: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    # Chromium cancels a media request once it has what it needs and goes on with ranges:
    # that is not a failure (the test asserts the video plays).
    context.on(
        "requestfailed",
        lambda r: (
            None
            if r.resource_type == "media" and r.failure == "net::ERR_ABORTED"
            else failures.append(f"{r.url} {r.failure}")
        ),
    )
    context.on(
        "response", lambda r: failures.append(f"{r.url} {r.status}") if r.status >= 400 else None
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    try:
        page.goto(links["site"], wait_until="load")
        page.evaluate("document.fonts.ready")
        # Every section of the storyboard is on the page, styled by the theme's CSS.
        sections = page.evaluate("[...document.querySelectorAll('main section')].length")
        assert sections >= 5
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Lato')
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        assert broken == 0
        # The video plays from its own signed link, with its captions.
        wait_for(page, "document.querySelector('video').readyState >= 2")
        assert page.evaluate("document.querySelector('video').duration") > 10
        page.evaluate("document.querySelector('video').textTracks[0].mode = 'showing'")
        wait_for(page, "document.querySelector('track').readyState === 2")
        assert page.evaluate("document.querySelector('video').textTracks[0].cues.length") > 3
        page.evaluate("document.querySelector('video').play()")
        wait_for(page, "document.querySelector('video').currentTime > 0.5")
        poster = page.evaluate("document.querySelector('video').poster")
        assert poster.startswith(store_origin) and "X-Amz-Signature=" in poster
        page.screenshot(path=artifacts / "shared-site-ada.png", full_page=True)
        # The slides' link is signed too, and the PDF it opens arrives whole.
        deck = page.evaluate("document.querySelector('a[data-media=\"deck.pdf\"]').href")
        assert deck.startswith(store_origin) and "X-Amz-Signature=" in deck
        pdf = context.request.get(deck)
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    finally:
        context.close()
    assert failures == []
    assert console == []
    # Nothing but the store was asked for anything (data: URIs are inside the page).
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in requests if ":" in u}
    assert origins - {"data://"} == {store_origin}
