"""The fresh LibreOffice profile each PDF conversion starts from, seeded so it starts fast.

LibreOffice runs its graphics self-test (``GraphicsRenderTests``: about a hundred drawings
on surfaces up to 4096 pixels square, some 300,000 page faults and 0.8 s of CPU on a small
machine) whenever the profile's ``ooSetupLastVersion`` is older than the running office.
Only the interactive start-up ever records the version there, so a headless conversion
with a new profile, which is what every build uses, ran the test every time: more than half
of the conversion's cost. Seeding the profile with the office's own version skips it; the
PDF is the same.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

# The office's version ("7.4") as its own configuration declares it.
_VERSION = re.compile(rb'oor:name="ooSetupVersion">\s*<value>(\d+\.\d+)</value>')
_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product">\
<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>{version}</value></prop></item>
</oor:items>
"""


def seed(profile: Path, soffice: str) -> None:
    """Write the start of a new LibreOffice profile into *profile* (an empty or missing
    folder) for the office that *soffice* starts.

    Nothing is written when the office's version cannot be read (an unusual installation):
    LibreOffice then makes the whole profile itself, as it always did, only slower.
    """
    version = office_version(soffice)
    if version is None:
        return
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    # The version is digits and a dot (see _VERSION): nothing in it needs escaping.
    (user / "registrymodifications.xcu").write_text(_SEED.format(version=version), "utf-8")


@functools.cache
def office_version(soffice: str) -> str | None:
    """Return the version ("7.4") of the LibreOffice that *soffice* starts, read from its
    ``share/registry/main.xcd``; ``None`` when that file is not where LibreOffice keeps it."""
    program = Path(os.path.realpath(soffice)).parent  # /usr/bin/soffice -> .../program/
    try:
        found = _VERSION.search((program.parent / "share" / "registry" / "main.xcd").read_bytes())
    except OSError:
        return None
    return found.group(1).decode("ascii") if found else None
