"""A real S3 server for tests: the embedded SeaweedFS store in a temporary folder."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder import store as local_store
from builder.store import Store

# Loopback only: an HTTP_PROXY in the environment must not see the store's traffic.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def anonymous_status(url: str) -> int:
    """Return the HTTP status of an unsigned GET of *url*."""
    try:
        with _DIRECT.open(url, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as e:
        return e.code


def s3_client(store: Store) -> Any:
    """Return a boto3 S3 client that signs with *store*'s key (SigV4, path-style)."""
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        proxies={},
    )
    return boto3.client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id=store.access_key,
        aws_secret_access_key=store.secret_key,
        region_name="us-east-1",
        config=config,
    )


def weed_processes(root: Path) -> list[int]:
    """Return the pids of live weed processes whose data folder lies under *root*."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            args = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        ours = any(a.startswith(f"-dir={root}") for a in args)
        if ours and Path(args[0]).name == "weed":
            found.append(int(entry.name))
    return found


def assert_private(store: Store) -> None:
    """Fail unless the store refuses unsigned listings of its buckets and of its bucket."""
    # An identities file that loads no identity turns SeaweedFS's auth off without a word.
    for path in ("/", f"/{store.bucket}", f"/{store.bucket}/"):
        assert anonymous_status(store.endpoint + path) == 403, path


@pytest.fixture(scope="session")
def s3_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Yield a running local store (its data folder is ``store.home.parent``); stop it after."""
    data_dir = tmp_path_factory.mktemp("local-store")
    try:
        store = local_store.ensure_running(data_dir)
        assert_private(store)
        yield store
    finally:
        local_store.stop(data_dir, timeout=2.0)
        assert not weed_processes(data_dir), "a weed process outlived the tests"
