"""The ``share`` step: upload what each interviewer needs, prove the links, record the share.

It runs after the outputs have moved into place (or on an earlier build folder, for
``build share OUT_DIR``). Nothing is printed here; a failure anywhere removes what this run
uploaded and raises :class:`ShareError`, so no link is ever shown for a half-made share.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from builder.artifacts import ARTIFACTS, SITE_PAGE, Artifact, by_name
from builder.context import Options, Progress
from builder.errors import ShareError
from builder.share import ledger
from builder.share.expiry import DEFAULT, link_end, parse_expires
from builder.share.links import presign, self_test
from builder.share.records import Link, Share
from builder.share.target import Target, bucket_target, local_target
from builder.share.upload import Upload, Uploader

if TYPE_CHECKING:
    from builder.pipeline import Build, Result

# Which file a link of each output opens.
LINKED = {"site": SITE_PAGE, "video": "video.mp4", "deck": "deck.pdf", "pptx": "deck.pptx"}


@dataclass(frozen=True)
class Planned:
    """One file to upload for one interviewer."""

    name: str  # the object's name after the share's prefix
    path: Path
    artifact: Artifact


def run(done: Build, options: Options, progress: Progress | None = None) -> None:
    """Share every result of *done*; attach the new :class:`Share` to each result."""
    assert done.pitch is not None
    spec = done.pitch.share
    seconds = expires_seconds(options.share.expires or (spec.expires if spec else None))
    bucket = options.share.bucket or (spec.bucket if spec else None)
    data_dir = options.share.data_dir or ledger.default_data_dir()
    plans = [
        (result, plan_uploads(result.folder, done.outputs, options.share.include_pptx))
        for result in done.results
    ]
    target = local_target(data_dir) if bucket is None else bucket_target(bucket)
    now = options.now or datetime.now(UTC)
    try:
        ends = link_end(seconds, target.credentials, now)
    except ValueError as e:
        raise ShareError(f"--expires: {e}") from None
    total = sum(p.path.stat().st_size for _, plan in plans for p in plan)
    report = _byte_counter(progress, total)
    sweep(target, data_dir)
    uploader = Uploader(target, report)
    made: list[tuple[Result, Share]] = []
    # 128 random bits each: no key can be guessed. Noted before the first upload, so what a
    # killed run (or one stopped again while taking its uploads back) leaves is swept later.
    prefixes = [secrets.token_hex(16) + "/" for _ in plans]
    ledger.add_pending(data_dir, target.place, prefixes)
    try:
        for (result, plan), prefix in zip(plans, prefixes, strict=True):
            share = share_one(target, uploader, result, plan, prefix, seconds, ends)
            made.append((result, share))
    except BaseException as e:
        # Ctrl-C included: no object of a half-made share may stay behind. What cannot be
        # deleted now (the store went away) is remembered and deleted on the next share.
        left = uploader.remove_all()
        if not left:  # all taken back: nothing under the prefixes for a later sweep to do
            ledger.forget_pending(data_dir, target.place, prefixes)
        if left:
            ledger.add_orphans(data_dir, target.place, left)
            if isinstance(e, ShareError):
                raise ShareError(
                    f"{e}; {len(left)} uploaded file(s) could not be removed yet and will be "
                    "deleted by the next share to that store"
                ) from None
        raise
    from builder.interrupts import held

    with held():  # every share of a panel recorded, or (interrupted before) none
        for result, share in made:
            ledger.save(data_dir, share)
            result.shares.append(share)
        ledger.forget_pending(data_dir, target.place, prefixes)


def sweep(target: Target, data_dir: Path) -> None:
    """Delete what earlier failed shares left in *target*, as far as the store lets us."""
    from builder.share.upload import remove, remove_under

    keys = ledger.orphans(data_dir, target.place)
    if keys:
        failed = remove(target, keys)
        ledger.forget_orphans(data_dir, target.place, [k for k in keys if k not in failed])
    left = ledger.abandoned(data_dir, target.place)
    gone = [prefix for prefix in left if remove_under(target, prefix)]
    if gone:
        ledger.forget_pending(data_dir, target.place, gone)


def expires_seconds(text: str | None) -> int:
    """Return ``--expires`` (or the pitch's ``share.expires``, or 7 days) in seconds."""
    try:
        return parse_expires(DEFAULT if text is None else text)  # "" is no duration
    except ValueError as e:
        raise ShareError(f"--expires: {e}") from None


def plan_uploads(folder: Path, outputs: tuple[str, ...], include_pptx: bool) -> list[Planned]:
    """Return the files of *folder* that *outputs* share (every output present, when
    *outputs* is empty); raise :class:`ShareError` when there is nothing to share."""
    wanted = set(outputs) or {a.output for a in ARTIFACTS if (folder / a.name).exists()}
    found: dict[str, Planned] = {}
    for artifact in ARTIFACTS:
        path = folder / artifact.name
        if artifact.output not in wanted or not path.is_file():
            continue
        if artifact.shared or (include_pptx and artifact.role == "pptx"):
            found[artifact.name] = Planned(artifact.name, path, artifact)
    site = folder / "site"
    if "site" in wanted and (site / SITE_PAGE).is_file():
        # The page's media beside it are the very files it was built with: share those.
        for path in sorted(site.iterdir()):
            artifact = by_name("site") if path.name == SITE_PAGE else by_name(path.name)
            found[path.name] = Planned(path.name, path, artifact)
    if not found:
        raise ShareError(
            f"{folder}: nothing to share; build the deck (with LibreOffice for its PDF), "
            "the video or the site first"
        )
    for plan in found.values():  # a build never leaves one: a disk filled up, a hand-made copy
        if plan.path.stat().st_size == 0:
            raise ShareError(
                f"{plan.path}: the file is empty; build the {plan.artifact.output} again"
            )
    return list(found.values())


def share_one(
    target: Target,
    uploader: Uploader,
    result: Result,
    plan: list[Planned],
    prefix: str,
    seconds: int,
    ends: datetime,
) -> Share:
    """Upload *plan* under *prefix* (unguessable), prove its links, return the share."""
    urls = {p.name: presign(target, prefix + p.name, seconds) for p in plan}
    candidate = result.board.candidate.name if result.board else ""
    page = next((p for p in plan if p.name == SITE_PAGE), None)
    # The page's own media (the files beside it in site/) get their signed links inside it.
    media = {p.name: urls[p.name] for p in plan if page and p.path.parent == page.path.parent}
    uploads = [_upload(p, prefix, candidate, media) for p in plan]
    uploader.upload_all(uploads)
    linked = {out: name for out, name in LINKED.items() if name in urls}
    share = Share(
        share_id=secrets.token_hex(4),
        interviewer=result.interviewer,
        slug=result.slug,
        pitch=str(result.board.source) if result.board else "",
        folder=str(result.folder),
        bucket=target.bucket,
        endpoint=target.endpoint,
        prefix=prefix,
        keys=(*(u.key for u in uploads), prefix + "share.json"),
        links=tuple(Link(out, urls[name], ends, target.local) for out, name in linked.items()),
        created_at=datetime.now(UTC),
        local=target.local,
    )
    # The share's own small manifest goes after every file is verified: its presence means
    # the share is whole. It goes up while the links are proven; no link is shown before both.
    with ThreadPoolExecutor(max_workers=1) as pool:
        manifest = pool.submit(uploader.upload, _share_manifest(share, uploads))
        self_test(target, {name: urls[name] for name in linked.values()})
        manifest.result()
    return share


def _upload(planned: Planned, prefix: str, candidate: str, media: dict[str, str]) -> Upload:
    """Return the upload of one planned file; the site's page is relinked to *media*."""
    key = prefix + planned.name
    filename = _download_name(planned, candidate)
    if planned.name != SITE_PAGE:
        return Upload(key, planned.artifact.mime, filename, path=planned.path)
    from builder.site import relink

    media = {name: url for name, url in media.items() if name != SITE_PAGE}
    page = relink(planned.path.read_text("utf-8"), media)
    return Upload(key, planned.artifact.mime, filename, body=page.encode("utf-8"))


def _download_name(planned: Planned, candidate: str) -> str:
    """Return what a browser saving the file calls it: the candidate's name, not deck.pdf."""
    if planned.artifact.role in ("deck", "video", "pptx") and candidate:
        return candidate + Path(planned.name).suffix
    return planned.name


def _share_manifest(share: Share, uploads: list[Upload]) -> Upload:
    data = {
        "version": 1,
        "share_id": share.share_id,
        "expires_at": share.expires_at.isoformat(timespec="seconds"),
        "files": {u.key.removeprefix(share.prefix): u.size for u in uploads},
    }
    body = json.dumps(data, indent=1).encode()
    return Upload(share.prefix + "share.json", "application/json", "share.json", body=body)


def _byte_counter(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    if progress is None or total == 0:
        return None
    sent = 0

    def report(count: int) -> None:
        nonlocal sent
        sent += count
        progress("upload", min(1.0, sent / total))

    return report
