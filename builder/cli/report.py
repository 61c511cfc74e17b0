"""How the CLI shows a build and its shares: plain lines for people, one JSON object for
scripts."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from builder.mail import Draft
    from builder.pipeline import Build
    from builder.share.records import Share

LOCAL_NOTE = (
    "these links work only on this computer (the local store); to send one, share to a real "
    "bucket: build share {folder} --bucket NAME (see the Private links page of the docs)"
)
EMAIL = ("email", "eml", "message")
LABELS = {"site": "link", "video": "video link", "deck": "pdf link", "pptx": "pptx link"}


def print_build(done: Build, as_json: bool, hint: Path | None = None) -> None:
    """Print what *done* wrote and shared; with *hint*, end with how to get a link."""
    if as_json:
        click.echo(json.dumps(build_json(done), indent=2, ensure_ascii=False))
        return
    for result in done.results:
        click.echo(f"{result.interviewer}:")
        for kind, path in result.files.items():
            click.echo(f"  {kind:<8} {path}")
        for share in result.shares:
            print_share(share)
    for result in done.results:
        for draft in result.drafts:
            print_draft(draft, result.folder)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    if any(share.local for r in done.results for share in r.shares):
        folder = done.results[0].folder.parent if len(done.results) > 1 else done.results[0].folder
        click.echo("note: " + LOCAL_NOTE.format(folder=shlex.quote(str(folder))), err=True)
    if hint is not None and done.results:
        # Quoted: a folder with spaces ("my out") must paste back as one argument.
        click.echo(
            f"private link: build share {shlex.quote(str(hint))} (or build again with --share)"
        )


def print_draft(draft: Draft, folder: Path) -> None:
    """Print a ready-to-send message between two rules, and where its drafts are."""
    rule = "-" * 72
    click.echo(f"\n{rule}")
    if draft.to:
        click.echo(f"To: {draft.to}")
    click.echo(f"Subject: {draft.subject}\n")
    click.echo(draft.text.rstrip())
    click.echo(rule)
    deadline = when(draft.send_by, own_zone=True)
    click.echo(f"send by {deadline}: {folder / 'email.eml'} opens as a draft;")
    click.echo(f"for LinkedIn or XING, paste {folder / 'message.txt'}")


def print_share(share: Share, renewed: bool = False) -> None:
    """Print a share's links, the one to send first, and when they stop working."""
    for link in sorted(share.links, key=lambda k: list(LABELS).index(k.output)):
        click.echo(f"  {LABELS[link.output]:<10} {link.url}")
    click.echo(f"  {'expires':<10} {when(share.expires_at)} · share {share.share_id}")
    if renewed:
        click.echo("  these are new links: send them again; the old ones stop at their own expiry")


def when(moment: datetime, now: datetime | None = None, own_zone: bool = False) -> str:
    """Return ``2026-12-09 14:03 UTC (in 7 days)``: the time and how far off it is; with
    *own_zone*, in the offset *moment* carries (``2026-11-25 15:00 +0100``), as the pitch
    gave it."""
    now = now or datetime.now(UTC)
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    # Days from two up: "36 hours", not a rounded "2 days".
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if span >= size * (2 if unit == "day" else 1):
            count = round(span / size)
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        text = f"{int(span)} second{'s' if int(span) != 1 else ''}"
    relative = f"in {text}" if seconds > 0 else f"{text} ago"
    if own_zone and moment.utcoffset() is not None:
        return f"{moment:%Y-%m-%d %H:%M %z} ({relative})"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({relative})"


def share_json(share: Share, now: datetime | None = None) -> list[dict[str, Any]]:
    """Return a share's links as the JSON rows ``--json`` prints."""
    return [
        {
            "interviewer": share.interviewer,
            "output": link.output,
            "url": link.url,
            "expires_at": link.expires_at.isoformat(timespec="seconds"),
            "share_id": share.share_id,
            "local": link.local,
            "status": share.status(now),
        }
        for link in share.links
    ]


def build_json(done: Build) -> dict[str, Any]:
    """Return the whole run as one JSON-ready object: outputs, warnings and links."""
    return {
        "outputs": [
            {
                "interviewer": r.interviewer,
                "slug": r.slug,
                "folder": str(r.folder),
                "files": {kind: str(path) for kind, path in r.files.items()},
            }
            for r in done.results
        ],
        "warnings": done.warnings,
        "links": [row for r in done.results for s in r.shares for row in share_json(s)],
        "emails": [
            {
                "interviewer": r.interviewer,
                "to": d.to,
                "subject": d.subject,
                "text": d.text,
                "message": d.message,
                "send_by": d.send_by.isoformat(timespec="minutes"),
                "warnings": list(d.warnings),
                "files": {k: str(r.folder / p.name) for k, p in r.files.items() if k in EMAIL},
            }
            for r in done.results
            for d in r.drafts
        ],
    }
