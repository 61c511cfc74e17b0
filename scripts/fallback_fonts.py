"""Regenerate themes/_fallback/: static Noto Sans weights cut from the variable font on PyPI.

The fallback font draws what a theme's font lacks (Greek, Cyrillic, most of Latin). PyPI's
``fontpkg-noto-sans`` ships only the variable font, and LibreOffice 7.4 draws a variable font
at its default instance whatever weight is asked for, so the tool ships static weights made
from it. Run with the project's venv (it has fontTools):

    .venv/bin/python scripts/fallback_fonts.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

PACKAGE = "fontpkg-noto-sans==2.15"  # Noto Sans 2.015, OFL-1.1
WEIGHTS = {"Regular": 400, "Bold": 700, "Black": 900}
TARGET = Path(__file__).resolve().parent.parent / "themes" / "_fallback"


def main() -> None:
    TARGET.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            source = Path(tmp) / "NotoSans.ttf"
            source.write_bytes(archive.read("fontpkg_noto_sans/files/NotoSans[wdth,wght].ttf"))
            (TARGET / "OFL.txt").write_bytes(archive.read("fontpkg_noto_sans/LICENSE"))
        for style, weight in WEIGHTS.items():
            font = TTFont(source)
            static = instancer.instantiateVariableFont(
                font, {"wght": weight, "wdth": 100}, updateFontNames=True
            )
            static.save(TARGET / f"NotoSans-{style}.ttf")
            print(f"NotoSans-{style}.ttf", (TARGET / f"NotoSans-{style}.ttf").stat().st_size)


if __name__ == "__main__":
    main()
