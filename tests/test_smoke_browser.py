"""The browser fixture really starts Chromium and renders a local page."""

from pathlib import Path
from typing import Any


def test_chromium_renders_a_local_page(browser: Any, tmp_path: Path) -> None:
    page_file = tmp_path / "p.html"
    page_file.write_text("<!doctype html><title>t</title><h1 id=x>Hello</h1>")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    assert page.inner_text("#x") == "Hello"
    page.close()
