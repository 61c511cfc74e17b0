"""The deck writer: an editable 16:9 .pptx per storyboard, and its PDF through LibreOffice."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from builder.artifacts import owned_by
from builder.context import WriteContext, scratch
from builder.storyboard import Storyboard
from builder.theme import Theme

PPTX_NAME = "deck.pptx"
PDF_NAME = "deck.pdf"


# Every name this output may write into an interviewer's folder (from the one list); one
# it did not make this time is removed there by the pipeline.
OWNS = owned_by("deck")


def write(board: Storyboard, theme: Theme, ctx: WriteContext) -> dict[str, Path]:
    """Write ``deck.pptx`` and ``deck.pdf`` into ``ctx.stage``; return ``{"pptx", "pdf"}`` paths.

    Without LibreOffice only the .pptx is written (and returned), and a warning says how to
    install it. Bad images raise :class:`~builder.errors.MediaError`, a failed conversion
    :class:`~builder.errors.OutputError`.
    """
    return write_all([(board, ctx)], theme)[0]


def write_all(
    jobs: Sequence[tuple[Storyboard, WriteContext]], theme: Theme
) -> list[dict[str, Path]]:
    """Write every job's deck (as :func:`write` does); return their paths, in order.

    All the .pptx files come first, then one LibreOffice run converts them all: it starts
    once per build, not once per interviewer.
    """
    from builder.deck import pdf
    from builder.deck.package import language_tag

    files = []
    try:
        for board, ctx in jobs:
            ctx.report("deck", 0.0)
            files.append({"pptx": build_pptx(board, theme, ctx.stage / PPTX_NAME, ctx.warnings)})
            ctx.report("deck", 0.3 * len(files) / len(jobs))
    finally:
        for _, ctx in jobs:
            ctx.decks_written.set()  # also on failure: nothing may wait for ever
    soffice = pdf.find_soffice()
    if soffice is None:
        for _, ctx in jobs:
            if pdf.skipped_warning() not in ctx.warnings:
                ctx.warnings.append(pdf.skipped_warning())
    elif jobs:
        targets = [
            (made["pptx"], ctx.stage / PDF_NAME) for made, (_, ctx) in zip(files, jobs, strict=True)
        ]
        pdf.convert_many(targets, theme, soffice, language_tag(jobs[0][0]))
        for made, (_, target) in zip(files, targets, strict=True):
            made["pdf"] = target
    for _, ctx in jobs:
        ctx.report("deck", 1.0)
    return files


def build_pptx(board: Storyboard, theme: Theme, target: Path, warnings: list[str]) -> Path:
    """Write *board*'s slides in *theme* to the .pptx file *target* and return *target*.

    Warnings (text that had to be shortened) are appended to *warnings*.
    """
    from builder.deck.draw import Deck, footer, notes
    from builder.deck.layout import Grid
    from builder.deck.master import heading_is_bold, new_presentation
    from builder.deck.package import finish
    from builder.deck.slides import SLIDES

    grid = Grid.for_theme(theme)
    # Cleaned images go into a hidden folder beside the deck (in a build: inside the stage,
    # so an interrupted build leaves no copy of them), removed once they are in the .pptx.
    with scratch(target.parent, "deck-images") as images:
        prs = new_presentation(theme, grid)
        deck = Deck(prs, board, theme, grid, images, heading_is_bold(theme))
        signature = f"{board.candidate.name} · {board.candidate.email}"
        for scene in board.scenes:
            slide = SLIDES[scene.kind](deck, scene)
            if scene.kind != "title":
                footer(deck, slide, signature)
            notes(slide, scene)
        finish(deck.prs, board, theme)
        deck.prs.save(str(target))
    warnings.extend(w for w in deck.warnings if w not in warnings)
    return target
