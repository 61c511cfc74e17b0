"""Shared fixtures: example pitches in a scratch folder, the CLI, and a real headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from s3server import s3_store  # noqa: F401  (a real SeaweedFS S3 server for the session)

from builder.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"  # screenshots and frames kept for people to look at

# Chromium must never reach beyond this machine: these flags stop its background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's share ledger and local store out of the user's own data folder."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(folder))
    monkeypatch.delenv("FOLLOWUP_BUCKET", raising=False)
    return folder


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the tool's cache (fonts, images, templates) at one folder for this test session,
    never the user's own."""
    folder = tmp_path_factory.getbasetemp() / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "followup-builder" / "site"


@pytest.fixture
def example(tmp_path: Path) -> Any:
    """Return a function that copies examples/<name> into a scratch folder and gives its pitch."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        if not target.exists():
            shutil.copytree(EXAMPLES / name, target)
        return target / "pitch.yaml"

    return copy


@pytest.fixture
def cli() -> Any:
    """Return a function that runs ``build ARGS...`` in-process and gives click's Result."""
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the folder where tests keep screenshots and frames for humans to inspect."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Yield a real headless Chromium (Debian's package) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("chromium is not installed; run the README's test command (it installs it)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()
