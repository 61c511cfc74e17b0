"""The ``build`` command line: parses arguments, calls the pipeline, prints. Nothing else."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from builder import __version__
from builder.errors import BuilderError

F = TypeVar("F", bound=Callable[..., Any])


# The signals that stop a build: Ctrl-C, `kill` (and systemd, Docker), a closed terminal.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
FOR_HELP = "Only this interviewer: first, family or full name, or folder name."


class _Group(click.Group):
    """Turns the project's own errors into one line on stderr and exit code 1, and a stop
    signal into one line and the shell's exit code for it (130 for Ctrl-C, 143 for TERM)."""

    def invoke(self, ctx: click.Context) -> Any:
        with stop_signals():
            try:
                return super().invoke(ctx)
            except BuilderError as e:
                for line in str(e).splitlines() or ["error"]:
                    click.echo(f"error: {line}", err=True)
                sys.exit(1)
            except KeyboardInterrupt as e:
                click.echo(interrupted_line(e), err=True)
                sys.exit(getattr(e, "exit_code", 130))


def interrupted_line(e: KeyboardInterrupt) -> str:
    """Return the one line an interrupted command prints."""
    done = getattr(e, "done", "")
    return f"interrupted; {done}" if done else "interrupted, nothing was changed"


@contextmanager
def stop_signals() -> Iterator[None]:
    """Make every stop signal an exception (so the staging folder and child processes are
    cleaned up as for Ctrl-C) for the block; restore the previous handlers after it."""
    import signal
    import threading

    from builder.interrupts import deliver

    def handler(signum: int, frame: object) -> None:
        deliver(signum)

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (a test runner's worker thread)
        return
    wanted = [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]
    # A signal ignored by whoever started us (nohup: SIGHUP) stays ignored.
    saved = {s: signal.getsignal(s) for s in wanted if signal.getsignal(s) != signal.SIG_IGN}
    for signum in saved:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="build")
def main() -> None:
    """Personal thank-you media for each interviewer, from one pitch.yaml.

    \b
    Start with:  build init            (writes a commented pitch.yaml)
    Then:        build check pitch.yaml
                 build deck pitch.yaml  (or video, site, all)

    PITCH is a pitch.yaml, or the folder that holds one.
    """


def out_option(help_text: str) -> Callable[[F], F]:
    """Return the ``-o/--out`` option (default ``out``) that every building command has."""
    return click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )


def _output_options(func: F) -> F:
    decorators = [
        click.argument("pitch", type=click.Path(path_type=Path)),
        out_option("Output folder."),
        click.option("--theme", help="Theme name (see `build themes`) or a theme folder."),
        click.option(
            "--for",
            "for_",
            metavar="INTERVIEWER",
            help=FOR_HELP,
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the written paths as JSON."),
        click.option("-v", "--verbose", is_flag=True, help="Show the tools' own messages."),
        click.option("--share", is_flag=True, help="Upload privately and print expiring links."),
        *share_options(),
    ]
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


def share_options() -> list[Callable[[F], F]]:
    """Return the options of every command that uploads: --expires, --bucket, --include-pptx."""
    return [
        click.option(
            "--expires",
            metavar="SPAN",
            help="How long links work: 90m, 36h, 7d (at most 7d; default 7d).",
        ),
        click.option(
            "--bucket",
            envvar="FOLLOWUP_BUCKET",
            show_envvar=True,
            help="S3-compatible bucket; default: the pitch's share.bucket, else the local store.",
        ),
        click.option(
            "--include-pptx", is_flag=True, help="Also upload the editable .pptx (not needed)."
        ),
    ]


def _video_options(func: F) -> F:
    decorators = [
        click.option(
            "--size",
            type=click.Choice(["1080p", "720p"]),
            default="1080p",
            show_default=True,
            help="Video frame size.",
        ),
        click.option("--burn-captions", is_flag=True, help="Draw the captions into the frames."),
        click.option("--allow-long", is_flag=True, help="Accept a recording over 3 minutes."),
    ]
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


@main.command()
@_output_options
def deck(**kwargs: Any) -> None:
    """Build an editable 16:9 deck (.pptx) and its PDF for each interviewer."""
    _run(["deck"], **kwargs)


@main.command()
@_output_options
@_video_options
def video(**kwargs: Any) -> None:
    """Build a short video (MP4, captions, poster, preview GIF) for each interviewer."""
    _run(["video"], **kwargs)


@main.command()
@_output_options
def site(**kwargs: Any) -> None:
    """Build a one-page private microsite for each interviewer."""
    _run(["site"], **kwargs)


@main.command(name="all")
@_output_options
@_video_options
def all_(**kwargs: Any) -> None:
    """Build the deck, the video and the site, then the email drafts (with links, if shared)."""
    _run(["deck", "video", "site"], **kwargs, email=True)


@main.command()
@click.argument("pitch", type=click.Path(path_type=Path))
@out_option("Build folder the drafts go into.")
@click.option("--for", "for_", metavar="INTERVIEWER", help=FOR_HELP)
@click.option(
    "--link",
    "links",
    multiple=True,
    metavar="URL",
    help="The link to send (once for all, or once per interviewer); default: the newest share.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the drafts as JSON.")
def email(pitch: Path, out: Path, for_: str | None, links: tuple[str, ...], as_json: bool) -> None:
    """Write and print the thank-you email for each interviewer, with their private link.

    PITCH may also be the folder of an earlier build (as for `build share`).
    """
    from builder.cli.report import print_build
    from builder.context import Options
    from builder.pipeline import build, from_folder, run_steps
    from builder.pitch import is_build_folder

    options = Options(share=share_settings(None, None, False), links=links)
    if pitch.is_dir() and not (pitch / "pitch.yaml").exists() and is_build_folder(pitch):
        from builder.outdir import locked

        with locked(pitch):  # a build moving files in meanwhile would mix two
            done = run_steps(from_folder(pitch, for_), ["email"], options)
    else:
        done = build(pitch, [], out, for_=for_, options=options, steps=["email"])
    print_build(done, as_json)


def _run(
    outputs: list[str],
    pitch: Path,
    out: Path,
    theme: str | None,
    for_: str | None,
    as_json: bool,
    verbose: bool,
    share: bool,
    expires: str | None,
    bucket: str | None,
    include_pptx: bool,
    size: Literal["1080p", "720p"] = "1080p",
    burn_captions: bool = False,
    allow_long: bool = False,
    email: bool = False,
) -> None:
    from builder.cli.report import print_build
    from builder.context import Options
    from builder.pipeline import build

    options = Options(
        size=size,
        burn_captions=burn_captions,
        allow_long=allow_long,
        verbose=verbose,
        share=share_settings(expires, bucket, include_pptx),
    )
    steps = [*(["share"] if share else []), *(["email"] if email else [])]
    if share:
        _refuse_bad_expiry(options)
    else:
        _refuse_share_options_alone(expires, include_pptx)
    with progress_display(enabled=not as_json and sys.stderr.isatty()) as progress:
        done = build(pitch, outputs, out, theme, for_, options, progress, steps)
    print_build(done, as_json, hint=None if share else out)


def share_settings(expires: str | None, bucket: str | None, include_pptx: bool) -> Any:
    """Return the ShareOptions for these command-line values (the data folder is the
    user's, unless FOLLOWUP_DATA_DIR names another: tests and portable setups)."""
    import os

    from builder.context import ShareOptions

    folder = os.environ.get("FOLLOWUP_DATA_DIR")
    if folder and Path(folder).exists() and not Path(folder).is_dir():
        raise BuilderError(f"FOLLOWUP_DATA_DIR: {folder} is a file, not a folder")
    return ShareOptions(
        bucket=bucket or None,
        expires=expires,
        include_pptx=include_pptx,
        data_dir=Path(folder) if folder else None,
    )


def _refuse_share_options_alone(expires: str | None, include_pptx: bool) -> None:
    """Refuse --expires, --include-pptx or a --bucket given without --share: ignored, they
    would let a user believe their link lives 9 days, or went to their bucket."""
    given = click.get_current_context().get_parameter_source("bucket")
    flags = [
        *(["--expires"] if expires is not None else []),
        *(["--include-pptx"] if include_pptx else []),
        *(["--bucket"] if given == click.core.ParameterSource.COMMANDLINE else []),
    ]
    if flags:
        raise BuilderError(
            f"{' and '.join(flags)}: only with --share (or later: build share OUT_DIR)"
        )


def _refuse_bad_expiry(options: Any) -> None:
    # Before anything is built: a typo in --expires must not cost a whole build.
    from builder.share.expiry import parse_expires

    if options.share.expires is not None:
        try:
            parse_expires(options.share.expires)
        except ValueError as e:
            raise BuilderError(f"--expires: {e}") from None


@contextmanager
def progress_display(enabled: bool) -> Iterator[Callable[[str, float], None] | None]:
    """Yield a progress callback drawing one rich display on a terminal, else ``None``."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(what: str, fraction: float) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=1.0)
            bar.update(tasks[what], completed=fraction)

        yield update


@main.command()
@click.argument("pitch", type=click.Path(path_type=Path))
@click.option("--now", help="Check timeliness against this ISO time instead of the clock.")
def check(pitch: Path, now: str | None) -> None:
    """Validate PITCH and check it against the follow-up rules."""
    from builder.check import run_checks
    from builder.share.ledger import default_data_dir

    settings = share_settings(None, None, False)
    report = run_checks(pitch, now=now, data_dir=settings.data_dir or default_data_dir())
    for line in report.lines():
        click.echo(line, err=line.startswith(("error", "warning")))
    if report.errors:
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
def init(folder: Path) -> None:
    """Write a commented starter pitch.yaml into FOLDER."""
    from builder.starter import write_starter

    path = write_starter(folder)
    click.echo(f"wrote {path}; fill it in, then run: build check {path}")


@main.command()
def themes() -> None:
    """List the themes that ship with the tool."""
    from builder.theme import load_theme, theme_names

    for name in theme_names():
        theme = load_theme(name)
        click.echo(f"{name:<10} {theme.mode:<6} {theme.description}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of pitch.yaml (for editor autocompletion)."""
    from builder.pitch import pitch_schema

    click.echo(json.dumps(pitch_schema(), indent=2, ensure_ascii=False))


# The sharing commands live in their own module; importing it registers them on `main`.
from builder.cli import preview as _preview  # noqa: E402, F401
from builder.cli import sharing as _sharing  # noqa: E402, F401
