"""The embedded local S3 store: a private SeaweedFS server on 127.0.0.1 when no bucket is set.

This module is what the rest of the tool uses (start, stop, status, a client); the folder
it keeps its state in is :mod:`.home`, its ports :mod:`.ports`, the server process
:mod:`.weed`.
"""

from __future__ import annotations

import functools
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import ShareError
from builder.store.home import credentials, disk_use, locked, ports_of, prepare, saved_ports
from builder.store.ports import HOST, Ports, s3_url
from builder.store.weed import LOG_NAME, alive, find_weed, halt, launch, live_pid, terminate

BUCKET = "followup"
REGION = "us-east-1"
_PROBE_KEY = ".probe"  # written and deleted at each start, to know that writes work


@dataclass(frozen=True)
class Store:
    """What a running store is reached with."""

    endpoint: str  # "http://127.0.0.1:PORT" (the S3 port)
    access_key: str
    secret_key: str
    bucket: str
    home: Path  # its folder (data, configuration, log)
    pid: int | None


@dataclass(frozen=True)
class StoreStatus:
    """What ``build store status`` shows."""

    running: bool  # its process is alive and its S3 port answers
    endpoint: str | None  # its address once its ports have been chosen, running or not
    pid: int | None  # the process, while alive (also while it is still starting)
    home: Path
    size_bytes: int  # disk space its data takes
    log: Path


def store_home(data_dir: Path) -> Path:
    """Return the store's folder inside the tool's data folder."""
    return data_dir / "store"


def ensure_running(data_dir: Path, timeout: float = 60.0, weed: str | None = None) -> Store:
    """Start the store unless it runs, wait until it answers and is private; return a Store.

    *weed* is the SeaweedFS executable (default: beside this Python, then on PATH).
    """
    home = prepare(store_home(data_dir))
    with locked(home):
        access_key, secret_key = credentials(home)
        ports = ports_of(home)
        pid = live_pid(home)
        started = pid is None
        if pid is None:
            pid = launch(home, ports, access_key, secret_key, find_weed(weed))
        store = Store(s3_url(ports), access_key, secret_key, BUCKET, home, pid)
        try:
            deadline = time.monotonic() + timeout
            _wait_ready(store, ports, deadline, timeout)
            if started:  # a store that was running has had its bucket since it started
                _ensure_bucket(store, deadline)
            _check_private(store, ports)
        except ShareError:
            if started:
                halt(pid, ports, 2.0)
            raise
    return store


def start(data_dir: Path, timeout: float = 60.0, weed: str | None = None) -> Store:
    """Return the running store, starting it first if needed (same as ensure_running)."""
    return ensure_running(data_dir, timeout, weed)


def stop(data_dir: Path, timeout: float = 15.0) -> bool:
    """Stop the store; return True if it was running and is now stopped.

    It gets SIGTERM, then SIGKILL after *timeout* seconds. On SIGTERM weed 4.48 closes its
    volume server at once and its filer after 15 s, then does not exit (its lone master
    hangs), so the kill always comes. That is safe: every finished write is already in the
    files, and the tests restart the store after a kill and read it back.
    """
    home = store_home(data_dir)
    pid = live_pid(home)
    ports = saved_ports(home)
    if pid is not None and ports is not None:
        halt(pid, ports, timeout)
    elif pid is not None:
        terminate(pid, timeout)
    with suppress(FileNotFoundError):
        (home / "weed.pid").unlink()
    return pid is not None


def status(data_dir: Path) -> StoreStatus:
    """Return whether the store runs, where, and how much disk its data takes."""
    home = store_home(data_dir)
    ports = saved_ports(home)
    pid = live_pid(home)
    running = pid is not None and ports is not None and _probe(ports.s3, "/") is not None
    endpoint = s3_url(ports) if ports else None
    return StoreStatus(running, endpoint, pid, home, disk_use(home / "data"), home / LOG_NAME)


def _probe(port: int, path: str) -> int | None:
    """Return the HTTP status of an unsigned GET of *path*, or None if nothing answers."""
    import http.client  # 40 ms of email and ssl modules: only when a store is probed

    conn = http.client.HTTPConnection(HOST, port, timeout=2.0)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _wait_ready(store: Store, ports: Ports, deadline: float, timeout: float) -> None:
    """Return once the S3 port answers; raise ShareError if weed exits or time runs out."""
    log = store.home / LOG_NAME
    while time.monotonic() < deadline:
        if store.pid is None or not alive(store.pid):
            raise ShareError(f"the local store stopped while starting; see {log}")
        if _probe(ports.s3, "/") is not None:
            return
        time.sleep(0.2)
    raise ShareError(f"the local store did not answer within {timeout:g} s; see {log}")


def client(store: Store) -> Any:
    """Return a boto3 S3 client signing with the store's key (SigV4, path-style, no proxy)."""
    from builder.share.target import client_config

    return _session().client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id=store.access_key,
        aws_secret_access_key=store.secret_key,
        region_name=REGION,
        config=client_config("path", local=True),
    )


@functools.cache
def _session() -> Any:
    """Return the boto3 session the local store's clients come from: one per process (its
    parsed service data is reused by every client; a new session parses it again, about
    0.1 s), and blind to the user's AWS configuration.

    The store needs nothing from it: with AWS_PROFILE naming a profile that does not exist,
    or a ~/.aws/config that does not parse, every local share ended in a traceback.
    """
    import boto3  # here, not at the top: `build --help` must not pay for boto3
    import botocore.session

    blind: dict[str, tuple[str | None, list[str], str | None, None]] = {
        "profile": (None, [], None, None),
        "config_file": (None, [], os.devnull, None),
        "credentials_file": (None, [], os.devnull, None),
    }
    return boto3.Session(botocore_session=botocore.session.Session(session_vars=blind))


def _ensure_bucket(store: Store, deadline: float) -> None:
    """Create the bucket unless it exists and prove that a write works, retrying meanwhile.

    S3 answers before the master has a leader and the volume server has registered its
    volumes; until then reads of stored objects fail. A write needs both.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    s3 = client(store)
    reason = "no answer"
    while time.monotonic() < deadline:
        try:
            _create_bucket(s3, store.bucket)
            s3.put_object(Bucket=store.bucket, Key=_PROBE_KEY, Body=b"ok")
            s3.delete_object(Bucket=store.bucket, Key=_PROBE_KEY)
            return
        except ClientError as e:
            reason = str(e)
        except BotoCoreError as e:
            reason = str(e)
        time.sleep(0.3)
    log = store.home / LOG_NAME
    raise ShareError(f"the local store did not accept a write ({reason}); see {log}")


def _create_bucket(client: Any, bucket: str) -> None:
    """Create *bucket*; an existing bucket of ours is fine."""
    from botocore.exceptions import ClientError

    try:
        client.create_bucket(Bucket=bucket)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
            raise


def _check_private(store: Store, ports: Ports) -> None:
    """Raise ShareError (after stopping it) unless the store refuses unsigned requests.

    An identities file that loads no identity silently turns SeaweedFS's auth off.
    """
    for path in ("/", f"/{store.bucket}"):
        answer = _probe(ports.s3, path)
        if answer != 403:
            if store.pid is not None:
                halt(store.pid, ports, 2.0)
            raise ShareError(
                f"the local store answered an unsigned GET {path} with {answer} instead of 403,"
                f" so it was stopped; see {store.home / LOG_NAME}"
            )
