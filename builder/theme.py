"""Themes: palette, fonts and spacing shared by the deck, the video and the site."""

from __future__ import annotations

import importlib.util
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from builder.errors import ThemeError
from builder.schema import Choice, Invalid, Parsed, Str, rule, validate
from builder.yamlfile import YamlProblem, load_yaml


def _themes_dir() -> Path:
    # A source checkout keeps themes/ beside the package; a wheel carries them inside it.
    here = Path(__file__).resolve().parent
    beside = here.parent / "themes"
    return beside if beside.is_dir() else here / "themes"


THEMES_DIR = _themes_dir()
_FONT_MAGIC = {b"\x00\x01\x00\x00", b"OTTO", b"true"}  # TrueType, CFF OpenType, Apple


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError("must be a colour like #1F5FBF")
    return value.upper()


def _number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # "nan" and "inf" parse, but are no margin
        raise ValueError("must be a number")
    return number


COLOUR = Str(checks=(_hex_colour,), strip=False)
TEXT = Str(strip=False)
NUMBER = Parsed(_number, (("type", "number"),), expected="must be a number")


@dataclass(frozen=True, kw_only=True)
class Palette:
    """The theme's colours, as #RRGGBB."""

    background: str = rule(COLOUR)
    surface: str = rule(COLOUR)  # cards and panels on the background
    text: str = rule(COLOUR)
    muted: str = rule(COLOUR)  # secondary text
    accent: str = rule(COLOUR)
    on_accent: str = rule(COLOUR)  # text on an accent-coloured area


@dataclass(frozen=True, kw_only=True)
class FontSpec:
    """A font family: its files, in the theme's fonts/ or in an installed *package*."""

    family: str = rule(TEXT)
    package: str | None = rule(TEXT, default=None)  # a Python package shipping files/
    regular: str = rule(TEXT)
    bold: str = rule(TEXT)


@dataclass(frozen=True, kw_only=True)
class ThemeSpec:
    """A theme.yaml file, validated."""

    title: str = rule(TEXT)
    mode: Literal["light", "dark"] = rule(Choice(("light", "dark")))
    description: str = rule(TEXT, default="")
    colors: Palette = rule(Palette)
    heading: FontSpec = rule(FontSpec)
    body: FontSpec = rule(FontSpec)
    margin: float = rule(NUMBER, default=0.07)  # fraction of the frame width free each side


@dataclass(frozen=True)
class Font:
    """A font family with the files that render it."""

    family: str
    regular: Path
    bold: Path


@dataclass(frozen=True)
class Theme:
    """A loaded theme: every output reads its look from here."""

    name: str
    title: str
    mode: str
    description: str
    folder: Path
    colors: Palette
    heading: Font
    body: Font
    margin: float

    @property
    def font_dirs(self) -> list[Path]:
        """Return the folders holding this theme's font files (for fontconfig)."""
        files = (self.heading.regular, self.heading.bold, self.body.regular, self.body.bold)
        return sorted({f.parent for f in files})


def theme_names() -> list[str]:
    """Return the names of the themes that ship with the tool."""
    return sorted(p.parent.name for p in THEMES_DIR.glob("*/theme.yaml"))


def load_theme(name_or_path: str, relative_to: Path | None = None) -> Theme:
    """Return the theme called *name_or_path*, or the one in that folder.

    A path is taken relative to *relative_to* (the pitch's folder) when given.
    """
    folder = _find(name_or_path, relative_to)
    try:
        file = folder / "theme.yaml"
        stat = file.stat()
        spec = _read_spec(file, stat.st_mtime_ns, stat.st_size)
    except YamlProblem as e:
        raise ThemeError(f"theme '{name_or_path}': {e}") from None
    except OSError as e:
        raise ThemeError(f"theme '{name_or_path}': cannot read theme.yaml: {e.strerror}") from None
    except Invalid as e:
        first = e.problems[0]
        where = ".".join(str(p) for p in first.loc)
        raise ThemeError(f"{folder / 'theme.yaml'}: {where}: {first.message}") from None
    return Theme(
        name=folder.name,
        title=spec.title,
        mode=spec.mode,
        description=spec.description,
        folder=folder,
        colors=spec.colors,
        heading=_font(spec.heading, folder),
        body=_font(spec.body, folder),
        margin=spec.margin,
    )


@lru_cache(maxsize=16)
def _read_spec(file: Path, mtime_ns: int, size: int) -> ThemeSpec:
    """Return the validated theme.yaml in *file*; raise YamlProblem or Invalid.

    Every command loads its theme more than once (the glyph check, then the build), and a
    long-running preview on every change: the file is read again only when it changed, as
    its modification time and size (part of the cache key) tell.
    """
    spec: ThemeSpec = validate(ThemeSpec, load_yaml(file).data)
    return spec


def _find(name_or_path: str, relative_to: Path | None) -> Path:
    if "/" in name_or_path or name_or_path.startswith("."):
        base = relative_to or Path.cwd()
        folder = (base / name_or_path).resolve()
    else:
        folder = THEMES_DIR / name_or_path
    if not (folder / "theme.yaml").is_file():
        known = ", ".join(theme_names())
        raise ThemeError(f"theme '{name_or_path}' not found; choose one of: {known}")
    return folder


def _font(spec: FontSpec, folder: Path) -> Font:
    base = folder / "fonts"
    if spec.package is not None:
        found = importlib.util.find_spec(spec.package)
        if found is None or found.origin is None:
            raise ThemeError(
                f"font package '{spec.package}' is not installed; run: pip install "
                f"{spec.package.replace('_', '-')}"
            )
        base = Path(found.origin).parent / "files"
    font = Font(family=spec.family, regular=base / spec.regular, bold=base / spec.bold)
    for file in (font.regular, font.bold):
        if not file.resolve().is_relative_to(base.resolve()):
            raise ThemeError(f"{folder.name}: font {file} must be a file inside {base}")
        if not file.is_file():
            raise ThemeError(f"{folder.name}: font file {file.name} not found in {base}")
        with file.open("rb") as handle:
            if handle.read(4) not in _FONT_MAGIC:
                raise ThemeError(f"{folder.name}: {file.name} is not a TrueType or OpenType font")
    return font


def contrast(foreground: str, background: str) -> float:
    """Return the WCAG contrast ratio of two #RRGGBB colours (1.0 to 21.0)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def rgb(colour: str) -> tuple[int, int, int]:
    """Return a #RRGGBB colour as an (r, g, b) tuple."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
