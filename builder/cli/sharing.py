"""The sharing commands: share, links, revoke, renew and store (start, stop, status)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from builder.cli import FOR_HELP, F, main, progress_display, share_options, share_settings


def _data_dir() -> Path:
    """Return the folder of the share ledger and the local store."""
    from builder.share.ledger import default_data_dir

    return share_settings(None, None, False).data_dir or default_data_dir()


def _seconds(expires: str | None) -> int:
    from builder.share.step import expires_seconds

    return expires_seconds(expires)


def _with_share_options(func: F) -> F:
    for decorate in reversed(share_options()):
        func = decorate(func)
    return func


@main.command(name="share")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--for", "for_", metavar="INTERVIEWER", help=FOR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
@_with_share_options
def share(
    out_dir: Path,
    for_: str | None,
    as_json: bool,
    expires: str | None,
    bucket: str | None,
    include_pptx: bool,
) -> None:
    """Upload an earlier build in OUT_DIR privately and print its expiring links."""
    from builder.cli.report import print_build
    from builder.context import Options
    from builder.interrupts import telling
    from builder.outdir import locked
    from builder.pipeline import from_folder, run_steps

    options = Options(share=share_settings(expires, bucket, include_pptx))
    _seconds(options.share.expires)  # a bad --expires fails before anything starts
    if not out_dir.is_dir():
        from_folder(out_dir, for_)  # says what is wrong; the lock would make the folder
    # Held while reading and uploading: a build moving new files into the folder meanwhile
    # would mix two builds in one share, and a second share would race for the ledger.
    with locked(out_dir, "share"):
        done = from_folder(out_dir, for_)
        with progress_display(enabled=not as_json and sys.stderr.isatty()) as progress:
            run_steps(done, ["share"], options, progress)
    # Made and recorded (an interrupted upload takes back all it put): a signal from here
    # on must not say that nothing changed.
    with telling("the share was made: build links shows its links"):
        print_build(done, as_json)


@main.command()
@click.argument("pitch", type=click.Path(path_type=Path), required=False)
@click.option("--clean", is_flag=True, help="Delete the files of expired and revoked shares.")
@click.option("--json", "as_json", is_flag=True, help="Print the shares as JSON.")
def links(pitch: Path | None, clean: bool, as_json: bool) -> None:
    """List every share made on this computer (or only those of PITCH)."""
    from builder.cli.report import share_json, when
    from builder.share import ledger, manage

    data_dir = _data_dir()
    if pitch is not None:
        from builder.errors import PitchError
        from builder.pitch import pitch_file

        pitch = pitch_file(pitch)
        if not pitch.is_file():  # else "no shares yet": true, and no help
            raise PitchError([f"{pitch}: no such file"])
    if clean:
        from builder.interrupts import telling

        with telling("some files may be deleted already: run build links --clean again"):
            for old in manage.clean(data_dir, pitch=pitch):
                # With --json, stdout holds the JSON alone.
                click.echo(f"deleted the files of share {old.share_id} ({old.interviewer})",
                           err=as_json)  # fmt: skip
    shares = ledger.all_shares(data_dir, pitch)
    now = datetime.now(UTC)
    if as_json:
        rows = [row for share in shares for row in share_json(share, now)]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not shares:
        of = f" of {pitch}" if pitch is not None else ""
        click.echo(f"no shares{of} yet; build with --share, or run: build share OUT_DIR")
    for share in shares:
        status = share.status(now)
        gone = " (files deleted)" if share.cleaned_at and status != "revoked" else ""
        place = "this computer only" if share.local else share.bucket
        click.echo(f"{share.share_id}  {share.interviewer}  {status}{gone}  [{place}]")
        click.echo(f"  outputs  {', '.join(link.output for link in share.links)}")
        click.echo(f"  link     {share.main_link.url}")
        click.echo(f"  expires  {when(share.expires_at, now)}")


@main.command()
@click.argument("share_id")
def revoke(share_id: str) -> None:
    """Delete a share's files now, and check that its link no longer opens."""
    from builder.cli.report import when
    from builder.interrupts import telling
    from builder.share.manage import revoke as do_revoke

    with telling(
        f"the files of {share_id} may be partly deleted: run build revoke {share_id} again"
    ):
        share, status, earlier = do_revoke(share_id, _data_dir())
    if earlier is not None:
        click.echo(
            f"{share.share_id} ({share.interviewer}) was revoked {when(earlier)}; "
            f"checked again: no files left, the link answers {status}"
        )
        return
    click.echo(
        f"revoked {share.share_id} ({share.interviewer}): files deleted; "
        f"the link now answers {status}"
    )


@main.command()
@click.argument("share_id")
@click.option("--expires", metavar="SPAN", help="How long the new links work (default 7d).")
def renew(share_id: str, expires: str | None) -> None:
    """Sign new links for a share's files (a link can never outlive 7 days)."""
    from builder.cli.report import print_share
    from builder.interrupts import telling
    from builder.share.manage import renew as do_renew

    seconds = _seconds(expires)
    with telling(f"{share_id} may be half renewed: run build renew {share_id} again"):
        share = do_renew(share_id, seconds, _data_dir())
        click.echo(f"{share.interviewer}:")
        print_share(share, renewed=True)


@main.group()
def store() -> None:
    """The local object store that --share uses when no bucket is configured."""


@store.command(name="start")
def store_start() -> None:
    """Start the local store (links made earlier work again until they expire)."""
    from builder.interrupts import telling
    from builder.store import ensure_running

    with telling("the local store may be running: build store status says"):
        running = ensure_running(_data_dir())
    click.echo(f"local store running at {running.endpoint} (data in {running.home})")


@store.command(name="stop")
def store_stop() -> None:
    """Stop the local store; its links stop working until it starts again."""
    from builder.store import stop

    was = stop(_data_dir(), timeout=3.0)  # weed never ends on SIGTERM alone; a kill is safe
    click.echo("local store stopped" if was else "local store was not running")


@store.command(name="status")
def store_status() -> None:
    """Say whether the local store runs, where, and how much it holds."""
    from builder.store import status

    now = status(_data_dir())
    state = f"running at {now.endpoint} (pid {now.pid})" if now.running else "not running"
    click.echo(f"local store {state}; data in {now.home}, {now.size_bytes / 1e6:.1f} MB")
    if not now.running:
        sys.exit(3)  # like `systemctl status`: scripts can test it
