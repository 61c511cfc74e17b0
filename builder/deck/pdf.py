"""The deck's PDF, made by LibreOffice with the theme's fonts and a private profile."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

from builder.children import kill, reaped
from builder.context import scratch
from builder.deck.profile import seed
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
    """Write *pptx* as PDF to *target* and return *target* (see :func:`convert_many`)."""
    convert_many([(pptx, target)], theme, soffice, language, timeout)
    return target


def convert_many(
    jobs: list[tuple[Path, Path]],
    theme: Theme,
    soffice: str,
    language: str = "en-US",
    timeout: float = TIMEOUT,
) -> None:
    """Write each (pptx, target) of *jobs* as PDF to its target, in one LibreOffice run.

    LibreOffice starts once per run, not once per deck: a panel's decks cost little more
    than one. It works on copies in a private folder, with its own profile (parallel runs
    never share one) and a fonts.conf that adds the theme's font folders, so the PDF
    embeds the theme's fonts rather than substitutes. *language* (``de-DE``) becomes the
    PDFs' language, which screen readers follow. Raises :class:`OutputError`; each PDF is
    checked.

    The private folder is a hidden one beside the first target (in a build: inside the
    stage), and LibreOffice's own temporary files go there too: an interrupted build leaves
    no profile or PDF of the candidate's in the system's temp folder.
    """
    # The profile's address must be absolute (a file: URI).
    jobs = [(pptx, target.absolute()) for pptx, target in jobs]
    with scratch(jobs[0][1].parent, "deck-pdf") as work:
        (work / "in").mkdir()
        sources = []
        for index, (pptx, _) in enumerate(jobs):
            # Distinct names (every deck is deck.pptx); a copy, since LibreOffice leaves
            # lock files beside what it opens.
            sources.append(work / "in" / f"{index}-{pptx.name}")
            shutil.copyfile(pptx, sources[-1])
        code, errors = _soffice(soffice, sources, work, theme, language, timeout)
        for source, (pptx, target) in zip(sources, jobs, strict=True):
            made = work / "out" / (source.stem + ".pdf")
            if code != 0 or not made.is_file() or made.stat().st_size == 0:
                reason = _failure(code, errors, work)
                raise OutputError(f"deck.pdf: LibreOffice could not convert {pptx.name}: {reason}")
            shutil.move(made, target)


def _soffice(
    soffice: str, sources: list[Path], work: Path, theme: Theme, language: str, timeout: float
) -> tuple[int, str]:
    """Run LibreOffice once on *sources* into ``work/out``; return its exit code and stderr."""
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
        *map(str, sources),
    ]
    env = fontconfig_env(theme.font_dirs, work / "fonts")
    # A UTF-8 locale every Linux has: in one that is not installed (the user's, or one
    # named after the language) LibreOffice falls back to C and hangs on a path outside
    # ASCII. The PDF's language comes from the profile (see profile.py).
    if sys.platform.startswith("linux"):
        env["LC_ALL"] = env["LANG"] = "C.UTF-8"
        env.pop("LANGUAGE", None)
    (work / "tmp").mkdir()
    # Skips LibreOffice's start-up self-test, and names the PDFs' language (profile.py).
    seed(work / "profile", soffice, language)
    env["TMPDIR"] = str(work / "tmp")  # LibreOffice's own lu*.tmp working folders
    try:
        return _run(command, env, timeout * len(sources))
    finally:
        _remove_pipe(work / "profile")


def _run(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str]:
    # soffice is a launcher that starts soffice.bin, in a session of its own (so Ctrl-C in
    # the terminal does not reach it half-way): on a timeout, an error or an interruption
    # the whole process group goes, or the converter would outlive us holding the profile.
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
    with reaped(process, group=True):
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill(process, group=True)
            raise OutputError(f"deck.pdf: LibreOffice took longer than {timeout:g} s") from None
    return process.returncode, errors


def _remove_pipe(profile: Path) -> None:
    """Remove the socket a killed LibreOffice leaves in /tmp for *profile*, if any.

    LibreOffice names it after the MD5 of the profile's URL (UTF-16, hex digits without
    zero padding) in /tmp, whatever TMPDIR says; it holds nothing, but nothing may stay.
    """
    digest = hashlib.md5(profile.as_uri().encode("utf-16-le"), usedforsecurity=False)
    name = f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_" + "".join(f"{b:x}" for b in digest.digest())
    for folder in ("/tmp", "/var/tmp"):
        pipe = Path(folder) / name
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(pipe.lstat().st_mode):
                pipe.unlink()


def _failure(code: int, errors: str, work: Path) -> str:
    """Return why LibreOffice made no PDF: a full disk, a signal, or its last words."""
    # On a full disk LibreOffice aborts with a stack trace that never says so: ask the disk.
    full = _cannot_write(work)
    if full:
        return full
    if code < 0:
        return signal.strsignal(-code) or f"signal {-code}"
    return _last_line(errors) or f"exit code {code}, no PDF written"


def _cannot_write(folder: Path) -> str:
    """Return why a megabyte cannot be written into *folder*, or "" when it can."""
    probe = folder / ".space-probe"
    try:
        with probe.open("wb") as handle:
            handle.write(bytes(1 << 20))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as e:
        return e.strerror or str(e)
    finally:
        probe.unlink(missing_ok=True)
    return ""


def _last_line(text: str) -> str:
    # LibreOffice's stderr holds noise such as "failed to launch javaldx", and a crash
    # ends in a stack trace of library paths; neither says what went wrong.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [
        line
        for line in lines
        if "javaldx" not in line and not line.startswith(("/", "Stack:", "Fatal exception"))
    ]
    return useful[-1] if useful else ""
