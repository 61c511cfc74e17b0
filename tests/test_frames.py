"""Slides as pictures: every kind renders in both themes, text always fits, images are safe."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from builder.errors import MediaError
from builder.frames import SIZES, caption_overlay, fit_text, play_badge, poster, render_scene, wrap
from builder.frames.canvas import Canvas
from builder.frames.text import ELLIPSIS, font
from builder.pitch import load_pitch
from builder.storyboard import Scene, Storyboard, plan
from builder.theme import Theme, load_theme, rgb

ROOT = Path(__file__).resolve().parent.parent
THEMES = ("classic", "midnight")


def board_of(name: str, index: int = 0) -> Storyboard:
    pitch = load_pitch(ROOT / "examples" / name / "pitch.yaml")
    return plan(pitch, pitch.interview.interviewers[index])


def plainness(image: Image.Image) -> float:
    """Return how uniform *image* is: 0 for a single colour."""
    return max(ImageStat.Stat(image.convert("RGB")).stddev)


@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("example_name", ["ada", "jonas"])
def test_every_scene_renders_at_both_sizes(
    example_name: str, theme_name: str, artifacts: Path
) -> None:
    board, theme = board_of(example_name), load_theme(theme_name)
    sheet = Image.new("RGB", (1280, 240 * ((len(board.scenes) + 2) // 3)))
    for i, scene in enumerate(board.scenes):
        for size in SIZES.values():
            image = render_scene(scene, board, theme, size)
            assert image.size == size
            assert image.mode == "RGB"
            assert plainness(image) > 10, f"{scene.kind} came out (nearly) blank"
        sheet.paste(image.resize((426, 240)), ((i % 3) * 427, (i // 3) * 240))
    sheet.save(artifacts / f"frames-{example_name}-{theme_name}.png")


def test_720p_is_the_1080p_slide_scaled_down() -> None:
    board, theme = board_of("ada"), load_theme("classic")
    for scene in board.scenes:
        big = render_scene(scene, board, theme, SIZES["1080p"]).resize(SIZES["720p"])
        small = render_scene(scene, board, theme, SIZES["720p"])
        difference = ImageStat.Stat(ImageChops.difference(big, small)).mean
        assert max(difference) < 6, f"{scene.kind}: layouts differ between sizes"


def inkless(strip: Image.Image, page: set[tuple[int, int, int]]) -> bool:
    """Return whether *strip* holds only page colours (a drop shadow's faint tail aside)."""
    for _, colour in strip.getcolors(maxcolors=1 << 20) or []:
        if min(max(abs(a - b) for a, b in zip(colour, p, strict=True)) for p in page) > 16:
            return False
    return True


def stuffed(board: Storyboard) -> Storyboard:
    """Return *board* with every text field at the pitch model's maximum length."""
    paragraph = ("Zusammenarbeitsvereinbarungsentwurf analytics pipeline " * 12)[:600]
    title = ("Eine sehr lange Überschrift, die nicht aufhört " * 4)[:160]
    scenes = []
    for scene in board.scenes:
        bullets = (paragraph,) * 5 if scene.kind in ("discussed", "samples") else scene.bullets
        link = "https://example.com/" + "b" * 400 if scene.kind == "sample" else scene.link
        scenes.append(
            dataclasses.replace(
                scene, title=title, kicker=title, text=paragraph, bullets=bullets, link=link
            )
        )
    # The contact card reads the candidate's typed details: the longest link and phone.
    candidate = dataclasses.replace(
        board.candidate,
        phone="+49 " + "1" * 150,
        links=(*board.candidate.links, ("Long", "https://example.com/" + "a" * 300)),
    )
    return dataclasses.replace(board, scenes=tuple(scenes), candidate=candidate)


@pytest.mark.parametrize("theme_name", THEMES)
@pytest.mark.parametrize("caption_space", [0.0, 0.17])
def test_text_never_runs_into_the_margins_or_the_footer(
    theme_name: str, caption_space: float, artifacts: Path
) -> None:
    board, theme = stuffed(board_of("ada")), load_theme(theme_name)
    width, height = SIZES["720p"]
    canvas = Canvas(Image.new("RGB", (width, height)), theme)
    safe = canvas.safe(caption_space)
    page = {rgb(theme.colors.background), rgb(theme.colors.surface)}  # the page and its panels
    for scene in board.scenes:
        image = render_scene(scene, board, theme, (width, height), caption_space=caption_space)
        image.save(artifacts / f"frames-stuffed-{theme_name}-{scene.kind}.png")
        # Outside the safe area there is only page colour: left and right margins (above
        # the footer) and the band between the content and the footer.
        left = image.crop((0, 0, safe.left - 2, safe.bottom))
        right = image.crop((safe.right + 2, 0, width, safe.bottom))
        band = image.crop((0, safe.bottom + 2, width, height - canvas.px(80)))
        for name, strip in (("left", left), ("right", right), ("bottom", band)):
            assert inkless(strip, page), f"{scene.kind}: something spills into the {name} margin"


def test_fit_text_shrinks_then_cuts_with_an_ellipsis() -> None:
    path = load_theme("classic").body.regular
    roomy = fit_text("short words", path, 40, 20, 800, 200)
    assert roomy.font.size == 40 and roomy.lines == ("short words",)
    tight = fit_text("word " * 40, path, 40, 20, 400, 120)
    assert 20 <= tight.font.size < 40
    assert tight.height <= 120 or tight.lines[-1].endswith(ELLIPSIS)
    cut = fit_text("word " * 400, path, 40, 20, 400, 120)
    assert cut.font.size == 20
    assert cut.height <= 120
    assert cut.lines[-1].endswith(ELLIPSIS)
    assert all(cut.font.getlength(line) <= 400 for line in cut.lines)


def test_wrap_splits_words_wider_than_the_column() -> None:
    face = font(load_theme("classic").body.regular, 30)
    lines = wrap("see https://example.com/" + "x" * 120, face, 300)
    assert len(lines) > 2
    assert all(face.getlength(line) <= 300 for line in lines)


def title_area(image: Image.Image) -> Image.Image:
    width, height = image.size
    return image.crop((0, round(height * 0.1), round(width * 0.6), round(height * 0.4)))


def test_the_title_card_names_the_interviewer(artifacts: Path) -> None:
    petra, mehmet = board_of("jonas", 0), board_of("jonas", 1)
    theme = load_theme("midnight")
    a, b = poster(petra, theme, SIZES["720p"]), poster(mehmet, theme, SIZES["720p"])
    a.save(artifacts / "frames-poster-petra.png")
    # Same card, other person: the title area changes (it names them), the rest barely.
    assert max(ImageStat.Stat(ImageChops.difference(title_area(a), title_area(b))).mean) > 5


def test_play_badge_marks_the_poster_without_covering_the_name(artifacts: Path) -> None:
    board, theme = board_of("ada"), load_theme("classic")
    plain = poster(board, theme, (640, 360))
    marked = poster(board, theme, (640, 360), play=True)
    marked.save(artifacts / "frames-poster-play.png")
    changed = ImageChops.difference(plain, marked).getbbox()
    assert changed is not None
    assert changed[0] > 640 * 0.55 and changed[1] > 360 * 0.45, "badge must sit lower right"
    assert play_badge(plain, theme).tobytes() == marked.tobytes()
    badge = marked.crop(changed)
    accent = rgb(theme.colors.accent)
    colours = badge.getcolors(maxcolors=badge.width * badge.height) or []
    share = sum(
        n for n, c in colours if sum(abs(a - b) for a, b in zip(c, accent, strict=True)) < 24
    )
    assert share > 0.2 * badge.width * badge.height, "the badge is in the accent colour"


def test_caption_overlay_is_transparent_except_the_caption() -> None:
    theme = load_theme("classic")
    overlay = caption_overlay(
        "Hi Sarah, thank you for\nyesterday's conversation.", theme, (1280, 720)
    )
    assert overlay.mode == "RGBA"
    box = overlay.getchannel("A").getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert top > 720 * 0.7 and bottom < 720 * 0.95
    assert abs((left + right) / 2 - 640) <= 2


def test_a_damaged_image_names_its_pitch_field(tmp_path: Path) -> None:
    board, theme = board_of("ada"), load_theme("classic")
    scene = next(s for s in board.scenes if s.image is not None and s.kind == "value")
    assert scene.image is not None
    broken = tmp_path / "pipeline.png"
    broken.write_bytes(scene.image.path.read_bytes()[:300])
    bad = dataclasses.replace(scene, image=dataclasses.replace(scene.image, path=broken))
    with pytest.raises(MediaError, match=r"^pitch\.yaml: value\[0\]\.image: pipeline\.png"):
        render_scene(bad, board, theme, SIZES["720p"])


def test_scenes_without_images_still_fill_the_frame(theme: Theme | None = None) -> None:
    board = board_of("jonas")
    theme = load_theme("classic")
    sample = next(s for s in board.scenes if s.kind == "sample")
    assert sample.image is None and sample.link
    image = render_scene(sample, board, theme, SIZES["720p"])
    right_half = image.crop((700, 100, 1200, 600))
    assert plainness(right_half) > 10, "an image-less sample shows its link in a browser sketch"
    bare = dataclasses.replace(sample, link=None, kind="value")
    assert isinstance(bare, Scene)
    image = render_scene(bare, board, theme, SIZES["720p"])
    assert plainness(image.crop((900, 200, 1200, 500))) > 10, "...and a point shows its number"


def test_a_photo_saved_again_under_its_name_is_drawn_anew(tmp_path: Path) -> None:
    # The fitted photo is kept between title cards (a panel's are all the candidate's);
    # `build preview` rebuilds in one process, so a photo replaced under the same name
    # must show, not the one kept.
    shutil.copytree(ROOT / "examples" / "ada", tmp_path / "ada")
    pitch = load_pitch(tmp_path / "ada" / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    theme = load_theme(pitch.theme, relative_to=pitch.folder)
    photo = board.scenes[0].image
    assert photo is not None and photo.path.name == "ada.jpg"
    before = render_scene(board.scenes[0], board, theme, SIZES["720p"])
    with Image.open(photo.path) as old:
        size = old.size
    Image.new("RGB", size, (200, 30, 30)).save(photo.path, format="JPEG")
    os.utime(photo.path, ns=(1, 1))  # even an older time is another file
    after = render_scene(board.scenes[0], board, theme, SIZES["720p"])
    changed = ImageChops.difference(before, after).getbbox()
    assert changed is not None, "the photo kept from before"
    centre = ((changed[0] + changed[2]) // 2, (changed[1] + changed[3]) // 2)
    red, green, _ = after.getpixel(centre)  # type: ignore[misc]
    assert red > 150 and green < 80, "the new photo, inside the ring"


def test_transparent_pictures_lie_on_the_background_not_on_black(tmp_path: Path) -> None:
    # A logo or a cut-out portrait PNG: its transparent parts were drawn black.
    shutil.copytree(ROOT / "examples" / "ada", tmp_path / "ada")
    clear = Image.new("RGBA", (800, 600), (0, 0, 0, 0))  # invisible pixels hold black
    clear.save(tmp_path / "ada" / "media" / "pipeline.png")
    clear.save(tmp_path / "ada" / "media" / "ada.jpg", format="PNG")  # the photo, too
    pitch = load_pitch(tmp_path / "ada" / "pitch.yaml")
    board = plan(pitch, pitch.interview.interviewers[0])
    theme = load_theme("classic")  # a light page: black would stand out
    for kind in ("title", "value"):
        scene = next(s for s in board.scenes if s.kind == kind and s.image is not None)
        image = render_scene(scene, board, theme, SIZES["720p"])
        # The right side holds only the picture (its shadow, the photo's ring).
        picture_side = image.crop((840, 60, 1270, 600)).convert("L")
        assert picture_side.getextrema()[0] > 60, f"{kind}: black where the picture is clear"


def test_a_text_cut_to_fit_is_warned_about(tmp_path: Path) -> None:
    # The deck warned when it shortened text; the video cut it (…) without a word.
    from builder.context import WriteContext
    from builder.video import _warn_cut

    board, theme = board_of("ada"), load_theme("classic")
    long = " ".join(["Thank you for the time you took to walk me through it all."] * 10)
    title = dataclasses.replace(board.scenes[0], text=long)
    board = dataclasses.replace(board, scenes=(title, *board.scenes[1:]))
    render_scene(title, board, theme, SIZES["720p"], caption_space=0.2)
    ctx = WriteContext(stage=tmp_path, final=tmp_path)
    _warn_cut(board, ctx)
    assert ctx.warnings == [
        'video: "Thank you for the time you took to walk me through it all…" is longer '
        "than its place in the video and was cut (…); shorten it in the pitch"
    ]
