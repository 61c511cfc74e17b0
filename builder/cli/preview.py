"""``build preview``: the live preview in the browser (its server lives in builder.preview)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from builder.cli import F, main, out_option, share_options, share_settings
from builder.errors import BuilderError


def _with_share_options(func: F) -> F:
    for decorate in reversed(share_options()):
        func = decorate(func)
    return func


@main.command()
@click.argument("pitch", type=click.Path(path_type=Path))
@out_option("Output folder, as for `build all`: what you see is what you share.")
@click.option("--port", type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (default: 8350+).")
@click.option("--no-open", is_flag=True, help="Do not open the browser.")
@click.option("--theme", help="Theme name (see `build themes`) or a theme folder.")
@click.option("--for", "for_", metavar="INTERVIEWER", help="Only this interviewer.")
@click.option(
    "--size",
    type=click.Choice(["1080p", "720p"]),
    default="1080p",
    show_default=True,
    help="Video frame size (720p rebuilds faster).",
)
@_with_share_options
def preview(
    pitch: Path,
    out: Path,
    port: int | None,
    no_open: bool,
    theme: str | None,
    for_: str | None,
    size: Literal["1080p", "720p"],
    expires: str | None,
    bucket: str | None,
    include_pptx: bool,
) -> None:
    """Show every output of PITCH in the browser, rebuilt on every save; record your video.

    PITCH is a pitch.yaml, or the folder that holds one. The Share button uploads like
    --share (with --expires, --bucket, --include-pptx).
    """
    from builder.context import Options
    from builder.preview.server import serve

    settings = share_settings(expires, bucket, include_pptx)
    if pitch.is_dir():  # the folder `build init` made
        pitch = pitch / "pitch.yaml"
    if out.exists() and not out.is_dir():
        raise BuilderError(f"-o {out}: is a file, not a folder; choose another -o")

    def say(line: str) -> None:
        click.echo(line, err=line.startswith(("not rebuilt", "Traceback", "waiting")))

    serve(
        pitch,
        out,
        say=say,
        port=port,
        open_browser=not no_open,
        theme=theme,
        for_=for_,
        options=Options(size=size, share=settings),
        data_dir=settings.data_dir,
    )
