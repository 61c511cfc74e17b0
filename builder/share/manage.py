"""Shares after the fact: revoke (delete and prove it), renew (sign again), clean (delete
what expired)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from builder.artifacts import SITE_PAGE
from builder.errors import ShareError
from builder.share import ledger
from builder.share.expiry import link_end
from builder.share.links import http_status, presign, self_test
from builder.share.records import Link, Share
from builder.share.step import LINKED, sweep
from builder.share.target import Target, bucket_target, explain, local_target
from builder.share.upload import Upload, Uploader, remove


def target_for(share: Share, data_dir: Path) -> Target:
    """Return the store *share* lives in (starting the local one if that is where)."""
    return local_target(data_dir) if share.local else bucket_target(share.bucket, share.endpoint)


def revoke(share_id: str, data_dir: Path) -> tuple[Share, int, datetime | None]:
    """Delete the objects of *share_id*, then prove its link is dead; return the updated
    share, the HTTP status its link now answers (403 or 404) and when it had been revoked
    before (None: only now).

    Revoking again deletes and checks again: whatever an interrupted revoke left goes too.
    """
    share = ledger.get(data_dir, share_id)
    earlier = share.revoked_at
    target = target_for(share, data_dir)
    failed = remove(target, _keys(target, share))
    if failed:
        raise ShareError(f"revoke {share_id}: could not delete {', '.join(failed)}; try again")
    status = http_status(share.main_link.url, local=share.local)
    if status not in (403, 404):
        raise ShareError(f"revoke {share_id}: the link still answers {status}; try again")
    now = datetime.now(UTC)
    share = dataclasses.replace(share, revoked_at=share.revoked_at or now, cleaned_at=now)
    ledger.save(data_dir, share)
    return share, status, earlier


def renew(share_id: str, seconds: int, data_dir: Path) -> Share:
    """Sign new links for the objects of *share_id* (same share id); return the share.

    The site's page carries signed links to its media, so it is relinked with fresh ones
    and overwritten under the same key: the old page link keeps working until it expires.
    """
    share = ledger.get(data_dir, share_id)
    if share.revoked_at is not None or share.cleaned_at is not None:
        raise ShareError(f"renew {share_id}: its files were deleted; share the build again")
    target = target_for(share, data_dir)
    now = datetime.now(UTC)
    try:
        ends = link_end(seconds, target.credentials, now)
    except ValueError as e:
        raise ShareError(f"--expires: {e}") from None
    names = [key.removeprefix(share.prefix) for key in share.keys]
    urls = {name: presign(target, share.prefix + name, seconds) for name in names}
    if SITE_PAGE in urls:
        _relink_page(target, share, urls)
    linked = {link.output: LINKED[link.output] for link in share.links}
    self_test(target, {name: urls[name] for name in linked.values()})
    links = tuple(Link(out, urls[name], ends, share.local) for out, name in linked.items())
    share = dataclasses.replace(share, links=links)
    ledger.save(data_dir, share)
    return share


def _relink_page(target: Target, share: Share, urls: dict[str, str]) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from builder.site import relink

    key = share.prefix + SITE_PAGE
    try:
        page = target.client.get_object(Bucket=target.bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as e:
        raise ShareError(f"renew {share.share_id}: cannot read the page: {explain(e)}") from None
    media = {name: url for name, url in urls.items() if name not in (SITE_PAGE, "share.json")}
    fresh = relink(page.decode("utf-8"), media).encode("utf-8")
    mime = "text/html; charset=utf-8"
    Uploader(target).upload(Upload(key, mime, SITE_PAGE, body=fresh))


def clean(data_dir: Path, now: datetime | None = None, pitch: Path | None = None) -> list[Share]:
    """Delete the objects of every expired or revoked share not yet cleaned (only those of
    *pitch*, when given); return them."""
    now = now or datetime.now(UTC)
    cleaned = []
    targets: dict[tuple[bool, str], Target] = {}
    for share in ledger.all_shares(data_dir, pitch):
        if share.cleaned_at is not None or share.status(now) not in ("expired", "revoked"):
            continue
        where = (share.local, share.bucket)
        if where not in targets:
            targets[where] = target_for(share, data_dir)
            sweep(targets[where], data_dir)
        if remove(targets[where], _keys(targets[where], share)):
            continue  # left for the next --clean; the others still go
        share = dataclasses.replace(share, cleaned_at=now)
        ledger.save(data_dir, share)
        cleaned.append(share)
    return cleaned


def _keys(target: Target, share: Share) -> list[str]:
    """Return every key under the share's prefix (the ledger's list, and what is there)."""
    from botocore.exceptions import BotoCoreError, ClientError

    keys = list(share.keys)
    try:
        listed = target.client.list_objects_v2(Bucket=target.bucket, Prefix=share.prefix)
    except (ClientError, BotoCoreError):
        return keys
    return keys + [o["Key"] for o in listed.get("Contents", []) if o["Key"] not in keys]
