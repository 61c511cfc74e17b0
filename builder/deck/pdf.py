"""The deck's PDF, made by LibreOffice with the theme's fonts and a private profile."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from builder.errors import OutputError
from builder.fonts import fontconfig_env
from builder.theme import Theme

TIMEOUT = 120  # seconds; a normal deck takes about two
INSTALL_HINT = "sudo apt-get install libreoffice-impress-nogui"

# Slides only (no notes pages, no comments), tagged so that alt text reaches the PDF.
_EXPORT = {
    "ExportNotesPages": {"type": "boolean", "value": "false"},
    "ExportNotes": {"type": "boolean", "value": "false"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
}
FILTER = "pdf:impress_pdf_Export:" + json.dumps(_EXPORT, separators=(",", ":"))


def find_soffice() -> str | None:
    """Return the path of LibreOffice's ``soffice`` on PATH, or None when it is missing."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def skipped_warning() -> str:
    """Return the one-line warning shown when the PDF cannot be made."""
    return (
        f"deck: LibreOffice (soffice) not found, so deck.pdf was skipped; install: {INSTALL_HINT}"
    )


def convert(
    pptx: Path,
    target: Path,
    theme: Theme,
    soffice: str,
    language: str = "en-US",
    timeout: float = TIMEOUT,
) -> Path:
    """Write *pptx* as PDF to *target* and return *target*.

    LibreOffice runs on a copy in a private folder, with its own profile (parallel runs
    never share one) and a fonts.conf that adds the theme's font folders, so the PDF
    embeds the theme's fonts rather than substitutes. *language* (``de-DE``) becomes the
    PDF's language, which screen readers follow. Raises :class:`OutputError`.
    """
    with tempfile.TemporaryDirectory(prefix="deck-pdf-") as tmp:
        work = Path(tmp)
        source = work / "in" / pptx.name
        source.parent.mkdir()
        shutil.copyfile(pptx, source)  # LibreOffice leaves lock files beside what it opens
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            FILTER,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        env = fontconfig_env(theme.font_dirs, work / "fonts")
        # LibreOffice takes the PDF's /Lang from the locale, not from the document.
        env["LC_ALL"] = env["LANG"] = language.replace("-", "_") + ".UTF-8"
        code, errors = _run(command, env, timeout)
        made = work / "out" / (pptx.stem + ".pdf")
        if code != 0 or not made.is_file() or made.stat().st_size == 0:
            reason = _last_line(errors) or f"exit code {code}, no PDF written"
            raise OutputError(f"deck.pdf: LibreOffice could not convert {pptx.name}: {reason}")
        shutil.move(made, target)
    return target


def _run(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    # soffice is a launcher that starts soffice.bin: on timeout the whole process group
    # goes, or a stuck converter would outlive us holding the profile.
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as e:
        raise OutputError(f"deck.pdf: cannot run {command[0]}: {e.strerror}") from e
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise OutputError(f"deck.pdf: LibreOffice took longer than {timeout:g} s") from None
    return process.returncode, errors


def _last_line(text: str) -> str:
    # LibreOffice's stderr holds noise such as "failed to launch javaldx"; skip it.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if "javaldx" not in line]
    return useful[-1] if useful else ""
