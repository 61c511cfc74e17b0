"""The microsite: one self-contained, private ``site/index.html`` per interviewer, via MkDocs.

Styles, fonts and images are inside the page (``data:`` URIs); only the heavy media (video,
captions, poster, deck PDF) sit beside it, listed in the page's media manifest so the
sharing step can point each at its own signed link with :func:`relink`.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
from pathlib import Path

from markupsafe import Markup

from builder.artifacts import owned_by
from builder.context import WriteContext
from builder.site.media import copy_media, csp, find_media, manifest, relink
from builder.storyboard import Storyboard
from builder.theme import Theme

__all__ = ["relink", "write"]


# Every name this output may write into an interviewer's folder (from the one list); one
# it did not make this time is removed there by the pipeline.
OWNS = owned_by("site")


def prepare(theme: Theme) -> None:
    """Ready what :func:`write` needs first (MkDocs, Jinja and a loaded configuration:
    about 0.13 s) ahead of the build's site, while the deck or the video is still being
    written."""
    from builder.site import render

    render.prepare(theme)


def write(board: Storyboard, theme: Theme, ctx: WriteContext) -> dict[str, Path]:
    """Write ``site/index.html`` (and its media) into ``ctx.stage``; return ``{"site": path}``.

    Everything that can fail (images, links, templates) is done before the first file is
    written, so an error leaves no half-written ``site/`` behind.
    """
    from builder.site.assets import stylesheet
    from builder.site.render import render
    from builder.site.view import page_text, page_view

    ctx.report("site", 0.0)
    media = find_media(board, ctx)
    view = page_view(board, theme.mode, media)
    ctx.report("site", 0.3)
    css = stylesheet(theme, page_text(view))
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    view = dataclasses.replace(
        view,
        # Markup: our own CSS and JSON go into the page verbatim; they hold no pitch text
        # (the manifest's names are fixed, and the JSON escapes '<', '>' and '&').
        css=Markup(css),
        csp=Markup(csp(digest)),
        manifest=Markup(manifest(media)),
    )
    with ctx.scratch("site") as work:
        page = render(view, theme, work, verbose=ctx.options.verbose)
    ctx.report("site", 0.9)
    folder = ctx.stage / "site"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    copy_media(media, folder)
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    ctx.report("site", 1.0)
    return {"site": index}
