"""``build.json``: what made a build folder (pitch, interviewer, outputs), for later steps.

``build share OUT_DIR`` and ``build email`` read it to know whose outputs a folder holds,
without the user naming the pitch again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from builder.artifacts import ARTIFACTS, MANIFEST
from builder.errors import OutputError

VERSION = 1


@dataclass(frozen=True)
class BuildRecord:
    """One interviewer's build folder, as its ``build.json`` describes it."""

    folder: Path
    pitch: Path
    interviewer: str
    slug: str
    candidate: str
    language: str
    outputs: tuple[str, ...]
    updated_at: datetime


def present_outputs(folder: Path) -> tuple[str, ...]:
    """Return the outputs whose files are in *folder* now, in the order builds make them."""
    found = dict.fromkeys(a.output for a in ARTIFACTS if (folder / a.name).exists())
    return tuple(found)


def write_record(record: BuildRecord) -> Path:
    """Write *record* as ``build.json`` into its folder (atomically); return the file."""
    data = {
        "version": VERSION,
        "pitch": str(record.pitch),
        "interviewer": record.interviewer,
        "slug": record.slug,
        "candidate": record.candidate,
        "language": record.language,
        "outputs": list(record.outputs),
        "updated_at": record.updated_at.isoformat(timespec="seconds"),
    }
    target = record.folder / MANIFEST
    partial = target.with_name(f".{MANIFEST}.partial")
    try:
        partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        os.replace(partial, target)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write the build record: {e.strerror}") from None
    return target


def record_files(out_dir: Path) -> list[Path]:
    """Return the build records' files in *out_dir* (one interviewer) or, failing that,
    in its sub-folders (a panel); [] where no build wrote."""
    if (out_dir / MANIFEST).is_file():
        return [out_dir / MANIFEST]
    return sorted(out_dir.glob(f"*/{MANIFEST}"))


def read_records(out_dir: Path) -> list[BuildRecord]:
    """Return the build records in *out_dir* (one interviewer) or its sub-folders (a panel).

    Raises :class:`OutputError` when there is none, or one is unreadable.
    """
    files = record_files(out_dir)
    if not files:
        raise OutputError(
            f"{out_dir}: no {MANIFEST} here; build into it first (build all PITCH -o {out_dir})"
        )
    return [_read(path) for path in files]


def _read(path: Path) -> BuildRecord:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r} is not {VERSION}")
        return BuildRecord(
            folder=path.parent,
            pitch=Path(data["pitch"]),
            interviewer=str(data["interviewer"]),
            slug=str(data["slug"]),
            candidate=str(data["candidate"]),
            language=str(data["language"]),
            outputs=tuple(map(str, data["outputs"])),
            updated_at=datetime.fromisoformat(data["updated_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise OutputError(f"{path}: not a readable build record ({e}); rebuild") from None


def now() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return datetime.now(UTC)
