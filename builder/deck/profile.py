"""The fresh LibreOffice profile each PDF conversion starts from, seeded so it starts fast.

LibreOffice runs its graphics self-test (``GraphicsRenderTests``: about a hundred drawings
on surfaces up to 4096 pixels square, some 300,000 page faults and 0.8 s of CPU on a small
machine) whenever the profile's ``ooSetupLastVersion`` is older than the running office.
Only the interactive start-up ever records the version there, so a headless conversion
with a new profile, which is what every build uses, ran the test every time: more than half
of the conversion's cost. Seeding the profile with the office's own version skips it; the
PDF is the same.

A new profile also made LibreOffice start twice: its first start found no record of the
build that last used the profile's extension folder (``user/extensions/buildid``), wiped
that folder, and exited to be restarted (code 81) by its launcher, 0.1 s of each
conversion. The seed writes the running build's id there, so the first start is the only
one.

The seed also names the PDF's language (``ooSetupSystemLocale``; LibreOffice writes the
PDF's /Lang from it, not from the document). It used to come from the process's locale
(``LC_ALL=de_DE.UTF-8``), which most machines do not have installed: LibreOffice then runs
in the C locale, cannot name a file outside ASCII, and waited until it was killed when the
output folder was called ``Bewerbung Größe``. The conversion now runs in ``C.UTF-8``.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

# The office's version ("7.4") as its own configuration declares it.
_VERSION = re.compile(rb'oor:name="ooSetupVersion">\s*<value>(\d+\.\d+)</value>')
# The build's id ("40(Build:2)") as program/versionrc declares it: one printable line.
_BUILD_ID = re.compile(rb"^buildid=([!-~][ -~]*?)\s*$", re.MULTILINE)
# A language tag as the deck writes them ("de-DE"): nothing in it needs escaping in XML.
_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}</oor:items>
"""
_ITEM = """<item oor:path="/org.openoffice.Setup/{group}">\
<prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>
"""


def seed(profile: Path, soffice: str, language: str) -> None:
    """Write the start of a new LibreOffice profile into *profile* (an empty or missing
    folder) for the office that *soffice* starts, converting documents in *language*
    (``de-DE``: the PDFs' language).

    Without the office's version (an unusual installation) only the language is written:
    LibreOffice then makes the rest of the profile itself, as it always did, only slower.
    """
    if not _TAG.fullmatch(language):
        raise ValueError(f"not a language tag: {language!r}")
    items = [_ITEM.format(group="L10N", name="ooSetupSystemLocale", value=language)]
    version = office_version(soffice)
    if version is not None:
        # The version is digits and a dot (see _VERSION): nothing in it needs escaping.
        items.append(_ITEM.format(group="Product", name="ooSetupLastVersion", value=version))
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_SEED.format(items="".join(items)), "utf-8")
    build = build_id(soffice)
    if build is not None:  # else LibreOffice restarts itself once, as it always did
        (user / "extensions").mkdir(exist_ok=True)
        (user / "extensions" / "buildid").write_text(build, "ascii")


@functools.cache
def build_id(soffice: str) -> str | None:
    """Return the build id ("40(Build:2)") of the LibreOffice that *soffice* starts, read
    from its ``program/versionrc``; ``None`` when that file or line is not there."""
    return _declared(soffice, Path("program", "versionrc"), _BUILD_ID)


@functools.cache
def office_version(soffice: str) -> str | None:
    """Return the version ("7.4") of the LibreOffice that *soffice* starts, read from its
    ``share/registry/main.xcd``; ``None`` when that file is not where LibreOffice keeps it."""
    return _declared(soffice, Path("share", "registry", "main.xcd"), _VERSION)


def _declared(soffice: str, inside: Path, pattern: re.Pattern[bytes]) -> str | None:
    """Return what *pattern*'s group finds in the file *inside* the installation that
    *soffice* starts; ``None`` when the file cannot be read or says nothing of it."""
    # /usr/bin/soffice -> .../program/soffice: the installation is the folder above.
    installation = Path(os.path.realpath(soffice)).parent.parent
    try:
        found = pattern.search((installation / inside).read_bytes())
    except OSError:
        return None
    return found.group(1).decode("ascii") if found else None
