"""The record of every share made on this computer: a small SQLite file in the user's data
folder (never in the output folder, which may be copied or sent)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from builder.errors import ShareError
from builder.share.records import Link, Share

FILE = "shares.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS shares (
    share_id TEXT PRIMARY KEY,
    pitch TEXT NOT NULL,
    slug TEXT NOT NULL,
    created_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orphans (
    place TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (place, key)
);
CREATE TABLE IF NOT EXISTS pending (
    place TEXT NOT NULL,
    prefix TEXT NOT NULL,
    pid INTEGER NOT NULL,
    PRIMARY KEY (place, prefix)
)
"""


def default_data_dir() -> Path:
    """Return the user's data folder for this tool (``~/.local/share/followup-builder``)."""
    from platformdirs import user_data_path

    return user_data_path("followup-builder", appauthor=False)


@contextmanager
def _db(data_dir: Path) -> Iterator[sqlite3.Connection]:
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = data_dir / FILE
        fresh = not path.exists()
        with closing(sqlite3.connect(path, timeout=10)) as db:
            if fresh:
                os.chmod(path, 0o600)  # it holds signed links: owner only
            db.executescript(_SCHEMA)
            with db:  # one transaction
                yield db
    except sqlite3.Error as e:
        raise ShareError(f"{data_dir / FILE}: the share ledger is unusable: {e}") from None
    except OSError as e:
        raise ShareError(f"{data_dir / FILE}: cannot open the share ledger: {e.strerror}") from None


def save(data_dir: Path, share: Share) -> None:
    """Insert or replace *share* in the ledger."""
    with _db(data_dir) as db:
        db.execute(
            "INSERT OR REPLACE INTO shares VALUES (?, ?, ?, ?, ?)",
            (
                share.share_id,
                share.pitch,
                share.slug,
                share.created_at.isoformat(),
                json.dumps(_encode(share), ensure_ascii=False),
            ),
        )


def get(data_dir: Path, share_id: str) -> Share:
    """Return the share called *share_id*; raise :class:`ShareError` if there is none."""
    with _db(data_dir) as db:
        row = db.execute("SELECT record FROM shares WHERE share_id = ?", (share_id,)).fetchone()
    if row is None:
        raise ShareError(f"no share {share_id!r} on this computer; `build links` lists them")
    return _decode(json.loads(row[0]))


def all_shares(data_dir: Path, pitch: Path | None = None) -> list[Share]:
    """Return every share, newest first, or only those of *pitch*."""
    if not (data_dir / FILE).exists():
        return []
    with _db(data_dir) as db:
        if pitch is None:
            rows = db.execute("SELECT record FROM shares ORDER BY created_at DESC").fetchall()
        else:
            rows = db.execute(
                "SELECT record FROM shares WHERE pitch = ? ORDER BY created_at DESC",
                (str(pitch.resolve()),),
            ).fetchall()
    return [_decode(json.loads(row[0])) for row in rows]


def newest_active(data_dir: Path, pitch: Path, slug: str, now: datetime) -> Share | None:
    """Return the newest share of *pitch* for the interviewer *slug* whose links still work."""
    for share in all_shares(data_dir, pitch):
        if share.slug == slug and share.status(now) in ("active", "expiring"):
            return share
    return None


def add_orphans(data_dir: Path, place: str, keys: list[str]) -> None:
    """Remember *keys* in the store *place* that a failed share could not delete."""
    with _db(data_dir) as db:
        db.executemany("INSERT OR IGNORE INTO orphans VALUES (?, ?)", [(place, k) for k in keys])


def orphans(data_dir: Path, place: str) -> list[str]:
    """Return the keys left behind in *place* by failed shares."""
    if not (data_dir / FILE).exists():
        return []
    with _db(data_dir) as db:
        rows = db.execute("SELECT key FROM orphans WHERE place = ?", (place,)).fetchall()
    return [row[0] for row in rows]


def forget_orphans(data_dir: Path, place: str, keys: list[str]) -> None:
    """Forget *keys* of *place*: they are deleted now."""
    with _db(data_dir) as db:
        db.executemany(
            "DELETE FROM orphans WHERE place = ? AND key = ?", [(place, k) for k in keys]
        )


def add_pending(data_dir: Path, place: str, prefixes: list[str]) -> None:
    """Note that this process starts uploading under *prefixes* in *place*: until it says
    they are done (or it is gone), they are a share in the making."""
    pid = os.getpid()
    with _db(data_dir) as db:
        db.executemany(
            "INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", [(place, p, pid) for p in prefixes]
        )


def forget_pending(data_dir: Path, place: str, prefixes: list[str]) -> None:
    """Forget *prefixes* of *place*: their share is recorded, or they are empty again."""
    with _db(data_dir) as db:
        db.executemany(
            "DELETE FROM pending WHERE place = ? AND prefix = ?", [(place, p) for p in prefixes]
        )


def abandoned(data_dir: Path, place: str) -> list[str]:
    """Return the prefixes of *place* whose uploading process ended without saying they
    are done: killed, or stopped again while it was taking its uploads back."""
    if not (data_dir / FILE).exists():
        return []
    with _db(data_dir) as db:
        rows = db.execute("SELECT prefix, pid FROM pending WHERE place = ?", (place,)).fetchall()
    return [prefix for prefix, pid in rows if not _alive(pid)]


def _alive(pid: int) -> bool:
    """Return whether process *pid* still runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)  # no signal: only whether it could be sent
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _encode(share: Share) -> dict[str, Any]:
    data = {
        name: getattr(share, name)
        for name in ("share_id", "interviewer", "slug", "pitch", "folder", "bucket")
    }
    data |= {"endpoint": share.endpoint, "prefix": share.prefix, "local": share.local}
    data["keys"] = list(share.keys)
    data["notes"] = list(share.notes)
    data["links"] = [
        {"output": k.output, "url": k.url, "expires_at": k.expires_at.isoformat(), "local": k.local}
        for k in share.links
    ]
    for name in ("created_at", "revoked_at", "cleaned_at"):
        value = getattr(share, name)
        data[name] = value.isoformat() if value else None
    return data


def _decode(data: dict[str, Any]) -> Share:
    links = tuple(
        Link(k["output"], k["url"], datetime.fromisoformat(k["expires_at"]), k["local"])
        for k in data.pop("links")
    )
    times = {
        name: datetime.fromisoformat(data[name]) if data.get(name) else None
        for name in ("created_at", "revoked_at", "cleaned_at")
    }
    share = Share(
        **{k: v for k, v in data.items() if k not in times and k not in ("keys", "notes")},
        keys=tuple(data["keys"]),
        notes=tuple(data.get("notes", ())),
        links=links,
        created_at=times["created_at"] or datetime.fromisoformat("1970-01-01T00:00+00:00"),
    )
    return replace(share, revoked_at=times["revoked_at"], cleaned_at=times["cleaned_at"])
