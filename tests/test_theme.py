"""Themes: data only, fonts from declared packages, and AA contrast for every text colour."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageFont

from builder.errors import ThemeError
from builder.theme import THEMES_DIR, contrast, load_theme, theme_names

AA = 4.5


def test_at_least_one_light_and_one_dark_theme() -> None:
    modes = {load_theme(name).mode for name in theme_names()}
    assert {"light", "dark"} <= modes


@pytest.mark.parametrize("name", theme_names())
def test_text_colours_meet_wcag_aa(name: str) -> None:
    colours = load_theme(name).colors
    pairs = {
        "text on background": (colours.text, colours.background),
        "muted on background": (colours.muted, colours.background),
        "text on surface": (colours.text, colours.surface),
        "muted on surface": (colours.muted, colours.surface),
        "on_accent on accent": (colours.on_accent, colours.accent),
        "accent on background": (colours.accent, colours.background),
    }
    for label, (fg, bg) in pairs.items():
        assert contrast(fg, bg) >= AA, f"{name}: {label} is {contrast(fg, bg):.2f}:1"


@pytest.mark.parametrize("name", theme_names())
def test_fonts_come_from_installed_packages_not_the_system(name: str) -> None:
    theme = load_theme(name)
    for font in (theme.heading, theme.body):
        for file in (font.regular, font.bold):
            assert "site-packages" in file.parts or THEMES_DIR in file.parents
            assert not str(file).startswith("/usr/share/fonts")
            assert ImageFont.truetype(str(file), 20).getname()[0] == font.family


def test_contrast_extremes() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)


def test_unknown_theme_names_the_choices() -> None:
    with pytest.raises(ThemeError, match="theme 'neon' not found; choose one of: classic"):
        load_theme("neon")


def test_theme_folder_by_path_and_bad_colour(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (THEMES_DIR / "classic" / "theme.yaml").read_text()
    (folder / "theme.yaml").write_text(text.replace('accent: "#1F5FBF"', 'accent: "blue"'))
    with pytest.raises(ThemeError, match=r"colors.accent: must be a colour like #1F5FBF$"):
        load_theme("./mine", relative_to=tmp_path)


@pytest.mark.parametrize("colour", ["#-12345", "#1_2345", "#12345G"])
def test_only_six_hex_digits_make_a_colour(tmp_path: Path, colour: str) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (THEMES_DIR / "classic" / "theme.yaml").read_text()
    (folder / "theme.yaml").write_text(text.replace('accent: "#1F5FBF"', f'accent: "{colour}"'))
    with pytest.raises(ThemeError, match="must be a colour"):
        load_theme(str(folder))


def test_theme_fonts_must_be_fonts_inside_the_theme(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "fake.ttf").write_text("not a font")
    text = (THEMES_DIR / "classic" / "theme.yaml").read_text()
    local = text.replace("  package: font_lato\n  regular: Lato-Regular.ttf", "  regular: fake.ttf")
    (folder / "theme.yaml").write_text(local)
    with pytest.raises(ThemeError, match=r"fake\.ttf is not a TrueType or OpenType font"):
        load_theme(str(folder))
    outside = text.replace(
        "  package: font_lato\n  regular: Lato-Regular.ttf", "  regular: ../../secret.ttf"
    )
    (folder / "theme.yaml").write_text(outside)
    with pytest.raises(ThemeError, match="must be a file inside"):
        load_theme(str(folder))
