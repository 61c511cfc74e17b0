"""Font files: the fallback font the tool ships, and a fonts.conf for LibreOffice.

LibreOffice finds fonts only through fontconfig, so :func:`fontconfig_env` makes one that
adds a theme's font folders and the fallback's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from builder.theme import THEMES_DIR

SYSTEM_CONF = Path("/etc/fonts/fonts.conf")

# Noto Sans 2.015 (OFL) as static weights, made by scripts/fallback_fonts.py: it draws what a
# theme's font lacks (most of Latin, Greek, Cyrillic) in the deck, the frames and the page.
FALLBACK_DIR = THEMES_DIR / "_fallback"
FALLBACK_FAMILY = "Noto Sans"
FALLBACK_FILES = {
    weight: FALLBACK_DIR / f"NotoSans-{style}.ttf"
    for weight, style in ((400, "Regular"), (700, "Bold"), (900, "Black"))
}

# LibreOffice 7.x renders a variable font at its default instance (Manrope's is ExtraLight)
# when fontconfig offers it beside the static files; only the static files may answer.
_REJECT = ("*Variable*", "*variable*")


def fonts_conf(font_dirs: Iterable[Path], folder: Path) -> Path:
    """Write ``fonts.conf`` into *folder* and return its path.

    The file includes the system configuration and adds *font_dirs*, so a theme's font
    package is found without installing anything system-wide. Its cache goes into *folder*
    too, so nothing outside it is written for fonts the system does not know.
    """
    # Imported here: xml.sax pulls in urllib and the email parser, on every command.
    from xml.sax.saxutils import escape

    folder.mkdir(parents=True, exist_ok=True)
    cache = folder / "fontconfig-cache"
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
        # Listed before the system's cache folders, so new caches are written here.
        f"  <cachedir>{escape(str(cache))}</cachedir>",
        f'  <include ignore_missing="yes">{escape(str(SYSTEM_CONF))}</include>',
        *(f"  <dir>{escape(str(d))}</dir>" for d in _with_fallback(font_dirs)),
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


def _with_fallback(font_dirs: Iterable[Path]) -> list[Path]:
    folders = [Path(d).resolve() for d in font_dirs]
    fallback = FALLBACK_DIR.resolve()
    return folders if fallback in folders else [*folders, fallback]


@lru_cache(maxsize=32)
def weight_of(font: Path) -> int:
    """Return the weight class (100-900) the font file *font* declares."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font), lazy=True) as face:
        return int(face["OS/2"].usWeightClass) if "OS/2" in face else 400


def fallback_for(font: Path) -> Path:
    """Return the fallback font file whose weight is nearest to *font*'s (heavier on a tie).

    Lato Black and Manrope ExtraBold get Noto Sans Black, a bold face Noto Sans Bold.
    """
    weight = weight_of(font)
    return FALLBACK_FILES[min(FALLBACK_FILES, key=lambda w: (abs(w - weight), -w))]
