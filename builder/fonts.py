"""Fontconfig helper: let tools that only see fontconfig (LibreOffice) find a theme's fonts."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

SYSTEM_CONF = Path("/etc/fonts/fonts.conf")

# LibreOffice 7.x renders a variable font at its default instance (Manrope's is ExtraLight)
# when fontconfig offers it beside the static files; only the static files may answer.
_REJECT = ("*Variable*", "*variable*")


def fonts_conf(font_dirs: Iterable[Path], folder: Path) -> Path:
    """Write ``fonts.conf`` into *folder* and return its path.

    The file includes the system configuration and adds *font_dirs*, so a theme's font
    package is found without installing anything system-wide. Its cache goes into *folder*
    too, so nothing outside it is written for fonts the system does not know.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cache = folder / "fontconfig-cache"
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
        # Listed before the system's cache folders, so new caches are written here.
        f"  <cachedir>{escape(str(cache))}</cachedir>",
        f'  <include ignore_missing="yes">{escape(str(SYSTEM_CONF))}</include>',
        *(f"  <dir>{escape(str(Path(d).resolve()))}</dir>" for d in font_dirs),
        "  <selectfont><rejectfont>",
        *(f"    <glob>{escape(pattern)}</glob>" for pattern in _REJECT),
        "  </rejectfont></selectfont>",
        "</fontconfig>",
    ]
    target = folder / "fonts.conf"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def fontconfig_env(
    font_dirs: Iterable[Path], folder: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return a copy of *base* (default: this process's environment) using a private fonts.conf.

    Pass the result as ``env=`` to a subprocess; the configuration file lives in *folder*.
    """
    env = dict(os.environ if base is None else base)
    env["FONTCONFIG_FILE"] = str(fonts_conf(font_dirs, folder))
    return env
