"""Time `share` against boto3's own `upload_file` and print a markdown table.

    .venv/bin/python benchmarks/bench_share.py [--runs N]

Both sides talk to the same embedded local store (SeaweedFS), started once on a temporary
data folder before anything is timed and always stopped at the end (Ctrl-C included).
Rows, each ours against the peer, run alternately (ours, peer, ours, peer...) so drift hits
both, after one untimed warm-up of each; every run's objects are deleted before the next:

- "share examples/ada": `build all` of a copy of examples/ada once (untimed), then the
  `share` step on that build (client, store check, presigning, relinking the page,
  uploads with HEAD verification, self-test of the links, manifest, ledger) against boto3's
  `client.upload_file` of the same files, one after another (target: ours <= 1.3 x peer);
- "100 MB file": `Uploader(local_target(...)).upload(...)` of one file of random bytes (HEAD
  verification included) against `client.upload_file` of it (target: ours <= 1.2 x peer),
  then again with the peer asking for the same server-side encryption (SSE-S3) as ours.

The peer uses boto3's defaults (default TransferConfig, default client Config); only if
the store refuses its default CRC32 checksums does it fall back to checksums "when_required".
The output says which. The peer's client is made once, before timing.
`benchmarks/run.py` calls `running_store()` and `share_rows()` for its share rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from table import DASH, Row, render

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "ada"
SHARE_TARGET = 1.3  # ours / peer, at most
BIG_TARGET = 1.2
BIG_SIZE = 100 * 1024 * 1024

Action = Callable[[int], list[str]]  # run index -> the keys it put


def log(message: str) -> None:
    """Say what is happening on stderr (the table alone goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


def side_by_side(
    ours: Action, peer: Action, delete: Callable[[list[str]], None], runs: int
) -> tuple[list[float], list[float]]:
    """Return the seconds of *runs* runs of *ours* and of *peer*, alternating, after one
    untimed warm-up of each; the keys each run put are deleted after it, untimed."""
    for action in (ours, peer):
        delete(action(-1))
    times: tuple[list[float], list[float]] = ([], [])
    for index in range(runs):
        for action, seconds in zip((ours, peer), times, strict=True):
            start = time.perf_counter()
            keys = action(index)
            seconds.append(time.perf_counter() - start)
            delete(keys)
    return times


def peer_client(store: Any, config: Any) -> Any:
    """Return a plain boto3 S3 client for *store* (same endpoint and credentials as ours)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id=store.access_key,
        aws_secret_access_key=store.secret_key,
        region_name="us-east-1",
        config=config,
    )


def choose_peer(store: Any, work: Path) -> tuple[Any, str]:
    """Return the peer's client and a description of its Config: boto3's defaults, unless
    the store refuses an upload with them (then checksums only "when_required")."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.config import Config
    from botocore.exceptions import ClientError

    probe = work / "probe.bin"
    probe.write_bytes(os.urandom(1024))
    client = peer_client(store, None)
    try:
        client.upload_file(str(probe), store.bucket, "bench-probe")
        client.delete_object(Bucket=store.bucket, Key="bench-probe")
        return client, "boto3 default Config (CRC32 checksums on)"
    except (ClientError, S3UploadFailedError) as e:
        log(f"the store refused boto3's default config ({e}); using when_required checksums")
    config = Config(
        request_checksum_calculation="when_required", response_checksum_validation="when_required"
    )
    return peer_client(store, config), 'Config(request/response checksums "when_required")'


def build_example(work: Path) -> Path:
    """Build all outputs of a copy of the example into *work*/out; return that folder."""
    from builder.pipeline import build

    shutil.copytree(ROOT / "examples" / EXAMPLE, work / EXAMPLE)
    out = work / "out"
    build(work / EXAMPLE / "pitch.yaml", ["deck", "video", "site"], out)
    return out


def share_row(out: Path, data_dir: Path, client: Any, bucket: str, runs: int) -> Row:
    """Time the `share` step on *out* against `upload_file` of the files it shares."""
    from builder.context import Options, ShareOptions
    from builder.pipeline import from_folder, run_steps
    from builder.share.step import plan_uploads

    done = from_folder(out)
    files = [(p.name, p.path) for r in done.results for p in plan_uploads(r.folder, (), False)]
    sizes = ", ".join(f"{p.relative_to(out)} ({p.stat().st_size / 1024:.0f} KiB)" for _, p in files)
    log(f"files shared: {sizes}")

    # Which build a folder holds is read before timing: the peer is handed its file list too.
    builds = {index: from_folder(out) for index in range(-1, runs)}

    def ours(index: int) -> list[str]:
        done = builds[index]
        run_steps(done, ["share"], Options(share=ShareOptions(data_dir=data_dir)))
        return [key for r in done.results for s in r.shares for key in s.keys]

    def peer(index: int) -> list[str]:
        keys = []
        for name, path in files:
            key = f"peer-{index}/{name}"
            client.upload_file(str(path), bucket, key)
            keys.append(key)
        return keys

    ours_s, peer_s = side_by_side(ours, peer, deleter(client, bucket), runs)
    name = f"share examples/{EXAMPLE} (all outputs, {len(files)} files, self-test included)"
    return Row(name, ours_s, "boto3 `upload_file` of each file", peer_s, SHARE_TARGET)


def big_row(
    work: Path, data_dir: Path, client: Any, bucket: str, runs: int, encrypted: bool = False
) -> Row:
    """Time our Uploader on a 100 MB file against `upload_file` of the same file; with
    *encrypted*, the peer asks for the same server-side encryption as ours always does."""
    from builder.share.target import local_target
    from builder.share.upload import Upload, Uploader

    path = work / "big.mp4"
    with path.open("wb") as file:
        for _ in range(BIG_SIZE // (8 << 20)):
            file.write(os.urandom(8 << 20))
    target = local_target(data_dir)

    def ours(index: int) -> list[str]:
        key = f"ours-big-{index}.mp4"
        Uploader(target).upload(Upload(key, "video/mp4", "big.mp4", path=path))
        return [key]

    extra = {"ServerSideEncryption": "AES256"} if encrypted else None

    def peer(index: int) -> list[str]:
        key = f"peer-big-{index}.mp4"
        client.upload_file(str(path), bucket, key, ExtraArgs=extra)
        return [key]

    ours_s, peer_s = side_by_side(ours, peer, deleter(client, bucket), runs)
    peer_name = "boto3 `upload_file`" + (" with SSE-S3, as ours" if encrypted else "")
    return Row(f"share one {BIG_SIZE >> 20} MB file", ours_s, peer_name, peer_s, BIG_TARGET)


def deleter(client: Any, bucket: str) -> Callable[[list[str]], None]:
    """Return a function deleting keys from *bucket* (and aborting their unfinished uploads)."""

    def delete(keys: list[str]) -> None:
        for key in keys:
            client.delete_object(Bucket=bucket, Key=key)
        pending = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        for upload in pending:
            client.abort_multipart_upload(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )

    return delete


def heading(runs: int, peer_config: str) -> str:
    """Return the line above the table: runs, CPUs, boto3's version and the peer's Config."""
    import boto3

    return (
        f"median (min{DASH}max) of {runs} alternating runs, {os.cpu_count()} CPUs, "
        f"boto3 {boto3.__version__}; peer: `client.upload_file`, default TransferConfig, "
        f"{peer_config}"
    )


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so the store is stopped on `kill` too


@contextmanager
def running_store(work: Path) -> Iterator[Any]:
    """Start the local store on *work*/data and yield it (a ``builder.store.Store``); stop
    it on the way out, Ctrl-C and SIGTERM included."""
    from builder import store as local_store

    data_dir = work / "data"
    previous = signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        log(f"starting the local store in {data_dir}")
        yield local_store.ensure_running(data_dir)
    finally:
        # A second Ctrl-C (or kill) must not skip the stop; the handlers come back after it.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            local_store.stop(data_dir, timeout=2.0)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)


def share_rows(work: Path, store: Any, runs: int) -> tuple[list[Row], str]:
    """Build the example into *work* and time every row against the running *store*;
    return the rows and the peer's Config, described."""
    data_dir = store.home.parent
    client, peer_config = choose_peer(store, work)
    log(f"building examples/{EXAMPLE} (deck, video, site)")
    out = build_example(work)
    log("timing the share")
    rows = [share_row(out, data_dir, client, store.bucket, runs)]
    log(f"timing the {BIG_SIZE >> 20} MB upload")
    rows.append(big_row(work, data_dir, client, store.bucket, runs))
    rows.append(big_row(work, data_dir, client, store.bucket, runs, encrypted=True))
    return rows, peer_config


def main() -> None:
    """Start the store, build the example, time the rows, stop the store, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per side and row (default 5)")
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="bench-share-"))
    try:
        with running_store(work) as store:
            rows, peer_config = share_rows(work, store, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(heading(runs, peer_config) + "\n")
    print(render(rows))


if __name__ == "__main__":
    main()
