"""build site: one self-contained, private, safe and accessible page, checked in real Chromium."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
import yaml
from PIL import Image, ImageDraw

from builder.context import WriteContext
from builder.errors import MediaError, OutputError, PitchError
from builder.pitch import load_pitch
from builder.storyboard import Storyboard, plan
from builder.theme import contrast, load_theme, theme_names

WIDTHS = (1280, 375)
MEDIA_NAMES = ("video.mp4", "video.vtt", "poster.png", "deck.pdf")


# --- helpers -------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".vtt": "text/vtt",
        ".mp4": "video/mp4",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve *folder* on a free 127.0.0.1 port; yield its base URL (ending in '/')."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def opened(
    browser: Any, url: str, width: int = 1280, js: bool = True, allowed: tuple[str, ...] = ()
) -> Iterator[tuple[Any, list[str]]]:
    """Open *url*; yield the page and a list that collects every request leaving its origin.

    Such requests are also aborted, so a failing test never reaches another host.
    """
    origin = _origin(url)
    foreign: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=js)

    def guard(route: Any) -> None:
        target = route.request.url
        if target.startswith("data:") or _origin(target) in (origin, *allowed):
            route.continue_()
        else:
            foreign.append(target)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith("data:") or _origin(r.url) in (origin, *allowed)
            else foreign.append(r.url)
        ),
    )
    page.goto(url, wait_until="load")
    try:
        yield page, foreign
    finally:
        context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme != "file" else "file://"


def snapshot(folder: Path) -> dict[str, str]:
    """Return every file under *folder* (hidden ones too) with a hash of its bytes."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_media(folder: Path) -> None:
    """Write what `build video` and `build deck` leave behind: a real MP4, captions, poster, PDF."""
    import imageio_ffmpeg

    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-y", "-v", "error", "-f", "lavfi", "-i", "color=c=0x1F5FBF:s=320x180:d=2:r=10"),
            *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"),
            str(folder / "video.mp4"),
        ],
        check=True,
        timeout=60,
    )
    (folder / "video.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.500\nHello from Ada.\n")
    poster = Image.new("RGB", (640, 360), "#1F5FBF")
    ImageDraw.Draw(poster).ellipse((270, 130, 370, 230), fill="white")
    poster.save(folder / "poster.png")
    (folder / "deck.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def board_of(pitch: Path, index: int = 0) -> Storyboard:
    loaded = load_pitch(pitch)
    return plan(loaded, loaded.interview.interviewers[index])


def manifest_of(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="media-manifest">(.*?)</script>', page, re.S
    )
    assert found, "the page has no media manifest"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# Every text element, its colour and the first solid background behind it, as WCAG ratios.
CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => x / 255).map(
      x => x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('video')) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden') continue;
    const a = lum(rgb(st.color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    out.push({text: el.textContent.trim().slice(0, 40), ratio, need: large ? 3 : 4.5});
  }
  return out;
}"""


# --- building -----------------------------------------------------------------------------


def test_site_is_one_page_with_private_headers(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("site", example("ada"), "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "site").iterdir()) == ["index.html"]
    page = (out / "site" / "index.html").read_text()
    assert '<html lang="en"' in page
    assert page.count("<h1") == 1
    assert '<meta name="referrer" content="no-referrer">' in page
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    assert "noindex" in page
    # Nothing is fetched from anywhere but the page itself: no external script, style or font.
    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="https://', ""))
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script type="application/json" id="media-manifest">'
    ]
    assert '<link rel="stylesheet"' not in page and "@import" not in page
    assert manifest_of(page) == {"version": 1, "files": {}}
    assert not list(out.glob(".staging-*"))


def test_json_output_names_the_page(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("site", example("ada"), "-o", out, "--json")
    assert result.exit_code == 0
    done = json.loads(result.stdout)
    assert done["outputs"][0]["files"] == {"site": str(out / "site" / "index.html")}


def test_german_pitch_gets_one_personal_page_per_interviewer(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("site", example("jonas"), "-o", out).exit_code == 0
    petra = (out / "petra-schulz" / "site" / "index.html").read_text()
    mehmet = (out / "mehmet-oeztuerk" / "site" / "index.html").read_text()
    assert '<html lang="de"' in petra and '<html lang="de"' in mehmet
    assert "Vielen Dank, Frau Schulz" in petra and "Frau Schulz" not in mehmet
    assert "Vielen Dank, Herr Öztürk" in mehmet
    assert "Hamburger Lager" in mehmet and "Hamburger Lager" not in petra
    assert "24. November 2026" in petra
    assert "Wie ich helfen würde" in petra and "E-Mail schreiben" in petra


def test_for_builds_only_that_interviewer(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("site", example("jonas"), "-o", out, "--for", "Petra").exit_code == 0
    assert (out / "petra-schulz" / "site" / "index.html").is_file()
    assert not (out / "mehmet-oeztuerk").exists()


def test_theme_option_overrides_the_pitch(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("site", example("ada"), "-o", out, "--theme", "midnight").exit_code == 0
    page = (out / "site" / "index.html").read_text()
    assert "--bg:#0F1729;" in page and 'data-mode="dark"' in page
    assert 'font-family:"Manrope Heading"' in page


def test_smallest_and_largest_pitches(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    data = yaml.safe_load(pitch.read_text())
    small = {k: v for k, v in data.items() if k not in ("samples", "closing", "video")}
    small["candidate"] = {k: data["candidate"][k] for k in ("name", "email", "headline")}
    small["interview"]["date"] = "2026-11-24"
    small["value"] = [{"title": point["title"]} for point in data["value"]]
    (pitch.parent / "small.yaml").write_text(yaml.safe_dump(small, allow_unicode=True))
    assert cli("site", pitch.parent / "small.yaml", "-o", tmp_path / "small").exit_code == 0
    page = (tmp_path / "small" / "site" / "index.html").read_text()
    assert 'id="samples"' not in page and "<img" not in page and 'id="contact"' in page

    big = dict(data, interview=dict(data["interview"], date="2026-11-24"))
    big["value"] = [{"title": f"Point {i}", "image": "media/pipeline.png"} for i in range(5)]
    big["samples"] = [
        {
            "title": f"Sample {i}",
            "description": f"What sample {i} shows.",
            "url": f"https://a.example/{i}",
        }
        for i in range(5)
    ]
    (pitch.parent / "big.yaml").write_text(yaml.safe_dump(big, allow_unicode=True))
    assert cli("site", pitch.parent / "big.yaml", "-o", tmp_path / "big").exit_code == 0
    page = (tmp_path / "big" / "site" / "index.html").read_text()
    assert page.count('class="row row-with-image"') == 5
    # Too many samples for the video and deck, which list their titles: the page still
    # shows each one whole, its description and its link.
    for i in range(5):
        assert f">Sample {i}<" in page and f"What sample {i} shows." in page
        assert f'href="https://a.example/{i}"' in page


def test_mkdocs_never_sees_pitch_text(
    example: Any, cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from mkdocs.config.base import Config
    from mkdocs.config.defaults import MkDocsConfig

    seen: list[str] = []  # everything MkDocs' configuration was loaded from
    load_file, load_dict = MkDocsConfig.load_file, Config.load_dict

    def file_spy(self: Any, config_file: Any) -> Any:
        seen.append(config_file.getvalue().decode())
        return load_file(self, config_file)

    def dict_spy(self: Any, patch: dict[str, Any]) -> Any:
        seen.append(repr(patch))
        return load_dict(self, patch)

    monkeypatch.setattr(MkDocsConfig, "load_file", file_spy)
    monkeypatch.setattr(Config, "load_dict", dict_spy)
    assert cli("site", example("ada"), "-o", tmp_path / "out").exit_code == 0
    assert "site_name: followup\n" in seen  # the one file: a constant
    assert any("custom_dir" in loaded for loaded in seen)  # the options were seen too
    for text in ("Sarah", "Ada", "Daily Muse", "dbt"):
        assert not any(text in loaded for loaded in seen)


def test_mkdocs_logs_only_with_verbose(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    logger = logging.getLogger("mkdocs")
    before = (logger.level, logger.propagate, list(logger.handlers))
    quiet = cli("site", pitch, "-o", tmp_path / "a")
    assert quiet.exit_code == 0 and "mkdocs" not in quiet.stderr.lower()
    loud = cli("site", pitch, "-o", tmp_path / "b", "--verbose")
    assert loud.exit_code == 0
    assert "mkdocs: Building documentation" in loud.stderr
    assert (logger.level, logger.propagate, list(logger.handlers)) == before  # restored


def test_fonts_travel_whole_without_fonttools(
    example: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from builder.site import assets

    theme = load_theme("classic")
    # The pitch loader has read the fonts' character maps (with fontTools) by now; here,
    # as when this test runs alone, this call does it.
    assets.stylesheet(theme, "Hello")
    monkeypatch.setitem(sys.modules, "fontTools", None)  # import fails: the optional path
    assets._font_data.cache_clear()
    try:
        css = assets.stylesheet(theme, "Hello")
    finally:
        assets._font_data.cache_clear()
    assert css.count("data:font/ttf;base64,") == 4


@pytest.mark.parametrize("name", theme_names())
def test_every_theme_colour_pair_on_the_page_meets_aa(name: str) -> None:
    from builder.site.assets import readable

    c = load_theme(name).colors
    ink = readable(c.accent, (c.background, c.surface), c.text)
    for fg, bg in [
        (c.text, c.background),
        (c.text, c.surface),
        (c.muted, c.background),
        (c.muted, c.surface),
        (ink, c.background),
        (ink, c.surface),
        (c.on_accent, c.accent),
    ]:
        assert contrast(fg, bg) >= 4.5, (name, fg, bg)


def test_unreadable_accent_is_darkened_for_text() -> None:
    from builder.site.assets import readable

    ink = readable("#7FB2FF", ("#FFFFFF", "#F1F4F9"), "#17202E")
    assert contrast(ink, "#FFFFFF") >= 4.5 and contrast(ink, "#F1F4F9") >= 4.5
    assert ink != "#17202E"  # still a blue, not simply the text colour


# --- the cache of fonts, images and templates -----------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: Any) -> Iterator[Path]:
    """Yield an empty site cache folder; fonts made earlier in this process are forgotten."""
    from builder.site import assets

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assets._font_data.cache_clear()
    yield tmp_path / "xdg" / "followup-builder" / "site"
    assets._font_data.cache_clear()


def _entries(folder: Path) -> dict[str, float]:
    """Return the font and image entries of the cache *folder* with their modification times."""
    return {p.name: p.stat().st_mtime for p in folder.iterdir() if p.suffix in (".woff", ".img")}


def _rebuild(cli: Any, pitch: Path, out: Path) -> str:
    """Build the site of *pitch* into *out* as a new process would (fonts not in memory)."""
    from builder.site import assets

    assets._font_data.cache_clear()
    assert cli("site", pitch, "-o", out).exit_code == 0
    return (out / "site" / "index.html").read_text()


def test_second_build_reads_the_cache_and_makes_the_same_page(
    example: Any, cli: Any, tmp_path: Path, fresh_cache: Path
) -> None:
    pitch = example("ada")
    first = _rebuild(cli, pitch, tmp_path / "a")
    made = _entries(fresh_cache)
    # Three Lato files (the heading's regular face is the body's bold) and three images.
    assert sorted(Path(name).suffix for name in made) == [".img"] * 3 + [".woff"] * 3
    assert any(p.name.startswith("templates-") for p in fresh_cache.iterdir())
    assert fresh_cache.stat().st_mode & 0o077 == 0  # the candidate's images: private
    for name in made:
        os.utime(fresh_cache / name, (1_000_000, 1_000_000))
    assert _rebuild(cli, pitch, tmp_path / "b") == first
    again = _entries(fresh_cache)
    assert again.keys() == made.keys()  # nothing new was made ...
    assert all(when > 1_000_000 for when in again.values())  # ... every entry was read


def test_damaged_cache_entries_are_made_again(
    example: Any, cli: Any, tmp_path: Path, fresh_cache: Path
) -> None:
    pitch = example("ada")
    first = _rebuild(cli, pitch, tmp_path / "a")
    for index, name in enumerate(sorted(_entries(fresh_cache))):
        damage = (b"", b"wOF", b"image/png 1 1\nnot a png", b"image/gif x y\n")[index % 4]
        (fresh_cache / name).write_bytes(damage)
    for entry in fresh_cache.glob("templates-*/*"):
        entry.write_bytes(b"j2 but not bytecode")
    assert _rebuild(cli, pitch, tmp_path / "b") == first
    assert all((fresh_cache / name).stat().st_size > 100 for name in _entries(fresh_cache))


def test_build_works_without_a_usable_cache_folder(
    example: Any, cli: Any, tmp_path: Path, fresh_cache: Path, monkeypatch: Any
) -> None:
    pitch = example("ada")
    first = _rebuild(cli, pitch, tmp_path / "a")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert _rebuild(cli, pitch, tmp_path / "b") == first


def test_changed_image_is_encoded_again(
    example: Any, cli: Any, tmp_path: Path, fresh_cache: Path
) -> None:
    pitch = example("ada")
    first = _rebuild(cli, pitch, tmp_path / "a")
    before = _entries(fresh_cache)
    Image.new("RGB", (400, 300), "#C0392B").save(pitch.parent / "media" / "dashboard.png")
    second = _rebuild(cli, pitch, tmp_path / "b")
    assert second != first
    assert len(_entries(fresh_cache).keys() - before.keys()) == 1


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ada", "jonas"])
def test_page_in_chromium_desktop_and_phone(
    name: str, example: Any, cli: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli("site", example(name), "-o", out).exit_code == 0
    index = next(out.rglob("site/index.html"))
    theme = load_theme("classic" if name == "ada" else "midnight")
    for width in WIDTHS:
        with served(index.parent) as base, opened(browser, base, width) as (page, foreign):
            page.evaluate("document.fonts.ready")
            page.screenshot(path=artifacts / f"site-{name}-{width}.png", full_page=True)
            assert foreign == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.locator("h1").count() == 1
            assert page.evaluate("document.documentElement.lang") == (
                "en" if name == "ada" else "de"
            )
            _assert_fonts_images_styles(page, theme.colors.background)
            low = [c for c in page.evaluate(CONTRAST_JS) if c["ratio"] < c["need"]]
            assert low == [], low
            levels = page.evaluate(
                "[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])"
            )
            assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
            _assert_visible_focus(page)


def _assert_visible_focus(page: Any) -> None:
    """Tab reaches the skip link first, on screen, then each link shows a focus outline."""
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "(() => { const e = document.activeElement, r = e.getBoundingClientRect(),"
        " s = getComputedStyle(e); return [e.className, r.top, s.outlineStyle,"
        " parseFloat(s.outlineWidth)]; })()"
    )
    assert skip[0] == "skip-link" and skip[1] >= 0 and skip[2] != "none" and skip[3] >= 2
    for _ in range(3):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)];"
            " })()"
        )
        assert style[0] == "A" and style[1] != "none" and style[2] >= 2, style


def _assert_fonts_images_styles(page: Any, background: str) -> None:
    faces = page.evaluate(
        "[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.weight, f.status])"
    )
    assert len(faces) == 4 and all(status == "loaded" for _, _, status in faces), faces
    family = faces[0][0]
    assert page.evaluate(f"document.fonts.check('800 16px \"{family}\"')")
    images = page.evaluate(
        "[...document.images].map(i => [i.complete && i.naturalWidth > 0, i.alt,"
        " i.src.slice(0, 5)])"
    )
    assert images and all(ok and alt and src == "data:" for ok, alt, src in images), images
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == f"rgb({r}, {g}, {b})"


def test_page_reads_with_javascript_off(
    example: Any, cli: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    make_media(out)
    assert cli("site", example("ada"), "-o", out).exit_code == 0
    with (
        served(out / "site") as base,
        opened(browser, base, 375, js=False) as (page, foreign),
    ):
        page.screenshot(path=artifacts / "site-ada-375-nojs.png", full_page=True)
        text = page.inner_text("body")
        assert foreign == []
    for expected in (
        "Thank you, Sarah",
        "What we talked about",
        "How I would help",
        "KPI dashboard",
    ):
        assert expected in text
    assert "Open the slides" in text and "Write an email" in text


def test_page_travels_alone_with_its_media(
    example: Any, cli: Any, browser: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    make_media(out)
    assert cli("site", example("ada"), "-o", out).exit_code == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("index.html", *MEDIA_NAMES):
        shutil.copy(out / "site" / name, alone / name)
    shutil.rmtree(out)  # nothing of the build remains to lean on
    with opened(browser, (alone / "index.html").as_uri()) as (page, foreign):
        page.evaluate("document.fonts.ready")
        assert foreign == []
        _assert_fonts_images_styles(page, load_theme("classic").colors.background)
        assert page.evaluate("document.querySelector('video').poster").startswith("file:")


def test_video_captions_and_deck_sit_beside_the_page(
    example: Any, cli: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    make_media(out)  # as an earlier `build video` and `build deck` left them
    result = cli("site", example("ada"), "-o", out)
    assert result.exit_code == 0 and "warning" not in result.output
    site = out / "site"
    assert sorted(p.name for p in site.iterdir()) == sorted(["index.html", *MEDIA_NAMES])
    page_html = (site / "index.html").read_text()
    files = manifest_of(page_html)["files"]
    assert {name: entry["url"] for name, entry in files.items()} == {n: n for n in MEDIA_NAMES}
    assert files["video.mp4"] == {
        "role": "video",
        "type": "video/mp4",
        "bytes": (out / "video.mp4").stat().st_size,
        "url": "video.mp4",
    }
    references = re.findall(r'data-media="([^"]+)" (?:src|href|poster)="([^"]*)"', page_html)
    assert sorted(set(references)) == sorted((n, n) for n in MEDIA_NAMES)
    with served(site) as base, opened(browser, base) as (page, foreign):
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=15000)
        assert 1.5 < page.evaluate("document.querySelector('video').duration") < 2.5
        page.wait_for_function("document.querySelector('track').readyState === 2", timeout=15000)
        cue = page.evaluate("document.querySelector('video').textTracks[0].cues[0].text")
        assert cue == "Hello from Ada."
        deck = page.evaluate("document.querySelector('a[data-media=\"deck.pdf\"]').href")
        assert deck == base + "deck.pdf"
        assert urllib.request.urlopen(deck, timeout=10).read().startswith(b"%PDF")
        page.locator("#media").screenshot(path=artifacts / "site-ada-media.png")
        assert foreign == []


def test_media_made_in_the_same_run_are_used(example: Any, tmp_path: Path) -> None:
    import builder.site

    board = board_of(example("ada"))
    ctx = WriteContext(stage=tmp_path / "stage", final=tmp_path / "final")
    make_media(ctx.stage)
    files = builder.site.write(board, load_theme("classic"), ctx)
    assert files == {"site": ctx.stage / "site" / "index.html"}
    assert set(manifest_of(files["site"].read_text())["files"]) == set(MEDIA_NAMES)
    assert ctx.warnings == []


def test_captions_and_poster_without_a_video_are_left_out(example: Any, tmp_path: Path) -> None:
    import builder.site

    ctx = WriteContext(stage=tmp_path / "stage", final=tmp_path / "final")
    make_media(ctx.stage)
    (ctx.stage / "video.mp4").unlink()
    page = builder.site.write(board_of(example("ada")), load_theme("classic"), ctx)["site"]
    assert set(manifest_of(page.read_text())["files"]) == {"deck.pdf"}
    assert "<video" not in page.read_text() and "The slides" in page.read_text()


def test_media_older_than_the_pitch_is_used_with_a_warning(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example("ada")
    out = tmp_path / "out"
    make_media(out)
    pitch.touch()  # edited after the video was made
    stamp = pitch.stat().st_mtime - 60
    for name in MEDIA_NAMES:
        os.utime(out / name, (stamp, stamp))
    result = cli("site", pitch, "-o", out)
    assert result.exit_code == 0
    assert "warning: site: video.mp4 is older than pitch.yaml; rebuild it" in result.stderr
    assert "warning: site: deck.pdf is older than pitch.yaml" in result.stderr


# --- safety ----------------------------------------------------------------------------------

HOSTILE = {
    "name": "Ada <b>Bold</b> Example",
    "headline": '"><img src=x onerror=alert(1)> analyst',
    "thanks": "<script>alert('thanks')</script> Thank you {{ 7*7 }} {% raw %}",
    "discussed": "javascript:alert(1) and <a href=javascript:alert(2)>click</a>",
    "value": "<style>body{display:none}</style>Value {{ config.site_name }}",
    "detail": "Detail with <iframe src=https://evil.example></iframe> and " + "x" * 140,
    "closing": "</section><script>alert(3)</script>",
}


def _hostile_pitch(folder: Path) -> Path:
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "ada", folder)
    data = {
        "language": "en",
        "theme": "classic",
        "candidate": {
            "name": HOSTILE["name"],
            "email": "ada@example.com",
            "headline": HOSTILE["headline"],
            "photo": "media/ada.jpg",
            "links": {"<b>Site</b>": 'https://ada.example.com/?q=<script>&x="y"'},
        },
        "interview": {
            "company": "Muse & <Co>",
            "role": "Analyst {{ role }}",
            "date": "2026-11-24",
            "interviewers": [{"name": "Sarah Kim", "discussed": [HOSTILE["discussed"]]}],
        },
        "thanks": HOSTILE["thanks"],
        "value": [
            {"title": HOSTILE["value"], "detail": HOSTILE["detail"], "image": "media/pipeline.png"}
        ],
        "samples": [
            {
                "title": "Sample onerror=alert(4)",
                "url": "https://ada.example.com/a?b=1&c=<x>",
                "image": "media/dashboard.png",
            }
        ],
        "closing": HOSTILE["closing"],
    }
    pitch = folder / "pitch.yaml"
    pitch.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return pitch


def test_pitch_text_is_always_plain_text(
    cli: Any, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    pitch = _hostile_pitch(tmp_path / "hostile")
    out = tmp_path / "out"
    result = cli("site", pitch, "-o", out)
    assert result.exit_code == 0, result.output
    page_html = (out / "site" / "index.html").read_text()
    for raw in ("<script>alert", "<img src=x", "<b>", "<iframe", "<style>body", "</section><"):
        assert raw not in page_html
    assert "Thank you 49" not in page_html and "Thank you {{ 7*7 }}" in page_html
    dialogs: list[str] = []
    with served(out / "site") as base, opened(browser, base, 375) as (page, foreign):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.screenshot(path=artifacts / "site-hostile-375.png", full_page=True)
        text = page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.locator("b, iframe, main script, img[src=x], section style").count() == 0
        hrefs = page.evaluate("[...document.links].map(a => a.protocol)")
        assert foreign == []
    assert dialogs == []
    assert set(hrefs) <= {"http:", "https:", "mailto:"}
    for value in HOSTILE.values():
        assert value.split(" and ")[0].strip() in text
    assert "{{ 7*7 }}" in text and "{% raw %}" in text and "{{ config.site_name }}" in text
    assert "Muse & <Co>" in text


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        ("samples[0].url", "javascript:alert(1)"),
        ("samples[0].url", "data:text/html,<script>alert(1)</script>"),
        ("candidate.links.GitHub", "javascript:alert(1)"),
        ("samples[0].url", "ftp://ada.example.com/file"),
    ],
)
def test_bad_links_are_one_clear_error_and_nothing_is_written(
    where: str, bad: str, example: Any, cli: Any, tmp_path: Path
) -> None:
    pitch = example("ada")
    old = (
        "url: https://ada.example.com/dashboard"
        if where.startswith("samples")
        else "GitHub: https://github.com/ada-example"
    )
    pitch.write_text(pitch.read_text().replace(old, f"{old.split(':')[0]}: '{bad}'"))
    out = tmp_path / "out"
    before = _previous_build(cli, tmp_path, out)
    result = cli("site", pitch, "-o", out)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: pitch.yaml:")
    assert where in lines[0] and "http" in lines[0]
    assert snapshot(out) == before


def _previous_build(cli: Any, tmp_path: Path, out: Path) -> dict[str, str]:
    """Fill *out* with a good earlier build and return its snapshot."""
    good = tmp_path / "good"
    if not good.exists():
        shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "ada", good)
    assert cli("site", good / "pitch.yaml", "-o", out).exit_code == 0
    return snapshot(out)


def test_writer_refuses_unsafe_links_itself(example: Any, tmp_path: Path) -> None:
    import builder.site

    board = board_of(example("ada"))
    scenes = tuple(
        dataclasses.replace(s, link="javascript:alert(1)") if s.kind == "sample" else s
        for s in board.scenes
    )
    ctx = WriteContext(stage=tmp_path / "stage", final=tmp_path / "final")
    ctx.stage.mkdir()
    with pytest.raises(PitchError) as caught:
        builder.site.write(dataclasses.replace(board, scenes=scenes), load_theme("classic"), ctx)
    assert str(caught.value) == (
        "pitch.yaml: samples[0].url: only http://, https:// and mailto: links are allowed"
    )
    assert list(ctx.stage.iterdir()) == []


def test_writer_refuses_images_outside_the_pitch_folder(example: Any, tmp_path: Path) -> None:
    import builder.site

    board = board_of(example("ada"))
    outside = tmp_path / "secret.png"
    Image.new("RGB", (10, 10)).save(outside)
    scenes = tuple(
        dataclasses.replace(s, image=dataclasses.replace(s.image, path=outside))
        if s.kind == "value" and s.image
        else s
        for s in board.scenes
    )
    ctx = WriteContext(stage=tmp_path / "stage", final=tmp_path / "final")
    ctx.stage.mkdir()
    with pytest.raises(MediaError, match=r"^pitch.yaml: value\[0\].image: secret.png is outside"):
        builder.site.write(dataclasses.replace(board, scenes=scenes), load_theme("classic"), ctx)
    assert list(ctx.stage.iterdir()) == []


def test_bad_image_is_one_line_and_output_unchanged(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _previous_build(cli, tmp_path, out)
    pitch = example("ada")
    (pitch.parent / "media" / "dashboard.png").write_bytes(b"<svg onload=alert(1)>not a png")
    result = cli("site", pitch, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: pitch.yaml:42:5: samples[0].image: dashboard.png is not an image "
        "(use PNG, JPEG, WebP or GIF)"
    ]
    assert snapshot(out) == before


def test_image_outside_the_pitch_folder_is_refused(example: Any, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _previous_build(cli, tmp_path, out)
    pitch = example("ada")
    Image.new("RGB", (10, 10)).save(pitch.parent.parent / "secret.png")
    pitch.write_text(pitch.read_text().replace("media/pipeline.png", "../secret.png"))
    result = cli("site", pitch, "-o", out)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "pitch.yaml:" in lines[0] and "value[0].image" in lines[0] and "outside" in lines[0]
    assert snapshot(out) == before


def test_images_lose_their_metadata(example: Any, cli: Any, tmp_path: Path) -> None:
    pitch = example("ada")
    photo = pitch.parent / "media" / "ada.jpg"
    image = Image.open(photo)
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    image.save(photo, exif=exif, comment=b"SecretComment")
    out = tmp_path / "out"
    assert cli("site", pitch, "-o", out).exit_code == 0
    page = (out / "site" / "index.html").read_text()
    for uri in re.findall(r'src="data:image/[a-z]+;base64,([^"]+)"', page):
        raw = base64.b64decode(uri)
        assert (
            b"SecretCameraMaker" not in raw and b"SecretComment" not in raw and b"Exif" not in raw
        )
    assert "ada.jpg" not in page and "pipeline.png" not in page


# --- sharing: the media manifest contract ----------------------------------------------------


def test_relink_points_media_at_signed_links_on_the_same_origin(
    example: Any, cli: Any, browser: Any, tmp_path: Path
) -> None:
    from builder.site import relink

    out = tmp_path / "out"
    make_media(out)
    assert cli("site", example("ada"), "-o", out).exit_code == 0
    bucket = tmp_path / "bucket"
    (bucket / "k").mkdir(parents=True)
    for name in MEDIA_NAMES:
        shutil.copy(out / "site" / name, bucket / "k" / f"x-{name}")
    with served(bucket) as base:
        signed = {n: f"{base}k/x-{n}?X-Amz-Signature=ab&X-Amz-Expires=60" for n in MEDIA_NAMES}
        page_html = relink((out / "site" / "index.html").read_text(), signed)
        (bucket / "index.html").write_text(page_html)
        files = manifest_of(page_html)["files"]
        assert {n: e["url"] for n, e in files.items()} == signed
        assert not re.search(r'(src|href|poster)="(video|poster|deck)\.', page_html)
        assert "X-Amz-Signature=ab&amp;X-Amz-Expires=60" in page_html  # escaped in attributes
        with opened(browser, base + "index.html") as (page, foreign):
            page.wait_for_function("document.querySelector('track').readyState === 2")
            assert (
                page.evaluate("document.querySelector('video').currentSrc") == signed["video.mp4"]
            )
            assert foreign == []


def test_relink_to_another_origin_widens_the_policy(
    example: Any, cli: Any, browser: Any, tmp_path: Path
) -> None:
    from builder.site import relink

    out = tmp_path / "out"
    make_media(out)
    assert cli("site", example("ada"), "-o", out).exit_code == 0
    with served(out / "site") as media_base, served(tmp_path / "out") as page_base:
        urls = {n: media_base + n for n in ("video.mp4", "poster.png")}
        page_html = relink((out / "site" / "index.html").read_text(), urls)
        policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page_html)
        assert policy is not None
        origin = media_base.rstrip("/")
        assert f"media-src 'self' {origin}" in policy.group(1)
        assert f"img-src data: 'self' {origin}" in policy.group(1)
        (out / "relinked.html").write_text(page_html)
        with opened(browser, page_base + "relinked.html", allowed=(origin,)) as (page, foreign):
            page.wait_for_function("document.querySelector('video').readyState >= 1")
            assert foreign == []


def test_relink_refuses_unknown_names_and_unsafe_urls(
    example: Any, cli: Any, tmp_path: Path
) -> None:
    from builder.site import relink

    out = tmp_path / "out"
    make_media(out)
    assert cli("site", example("ada"), "-o", out).exit_code == 0
    page = (out / "site" / "index.html").read_text()
    with pytest.raises(OutputError, match=r"does not use secret\.txt"):
        relink(page, {"secret.txt": "https://s3.example/x"})
    with pytest.raises(OutputError, match="not an http"):
        relink(page, {"deck.pdf": "javascript:alert(1)"})
    with pytest.raises(OutputError, match="not a plain host"):
        relink(page, {"deck.pdf": 'https://a.example"onload=x/deck.pdf'})
    assert relink(page, {}) == page
    twice = relink(
        relink(page, {"deck.pdf": "https://a.example/1"}), {"deck.pdf": "https://b.example/2"}
    )
    assert 'href="https://b.example/2"' in twice and "a.example/1" not in twice
