"""The embedded local store against a real SeaweedFS server: privacy, persistence, lifecycle."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from s3server import anonymous_status, s3_client, weed_processes

from builder import store as local_store
from builder.errors import ShareError
from builder.store import Store
from builder.store.home import saved_ports
from builder.store.ports import GRPC_OFFSET, Ports, ephemeral_floor, pick_ports, port_free
from builder.store.weed import find_weed


def data_dir_of(store: Store) -> Path:
    return store.home.parent


def ports_of(store: Store) -> Ports:
    ports = saved_ports(store.home)
    assert ports is not None
    return ports


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """Yield a socket that can be bound and listened on, closed afterwards."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        yield sock


def test_signed_requests_store_and_return_objects(s3_store: Store) -> None:
    client = s3_client(s3_store)
    client.put_object(
        Bucket=s3_store.bucket, Key="t/hello.txt", Body=b"hello", ContentType="text/plain"
    )
    got = client.get_object(Bucket=s3_store.bucket, Key="t/hello.txt")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain"
    assert s3_store.bucket == local_store.BUCKET
    assert s3_store.endpoint.startswith("http://127.0.0.1:")


def test_unsigned_requests_are_refused(s3_store: Store) -> None:
    s3_client(s3_store).put_object(Bucket=s3_store.bucket, Key="t/secret.txt", Body=b"secret")
    for path in ("/", f"/{s3_store.bucket}", f"/{s3_store.bucket}/t/secret.txt"):
        assert anonymous_status(s3_store.endpoint + path) == 403, path


def test_a_tampered_link_is_refused(s3_store: Store) -> None:
    client = s3_client(s3_store)
    client.put_object(Bucket=s3_store.bucket, Key="t/link.txt", Body=b"linked")
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": s3_store.bucket, "Key": "t/link.txt"}, ExpiresIn=60
    )
    assert anonymous_status(url) == 200
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    signature = query["X-Amz-Signature"]
    query["X-Amz-Signature"] = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert anonymous_status(urlunsplit(parts._replace(query=urlencode(query)))) == 403
    other_key = url.replace("t/link.txt", "t/other.txt")
    assert anonymous_status(other_key) == 403


def test_internal_ports_refuse_unsigned_reads(s3_store: Store) -> None:
    # Without security.toml's keys the filer and volume ports hand out every object.
    s3_client(s3_store).put_object(Bucket=s3_store.bucket, Key="t/inner.txt", Body=b"inner")
    ports = ports_of(s3_store)
    path = f"/buckets/{s3_store.bucket}/t/inner.txt"
    assert anonymous_status(f"http://127.0.0.1:{ports.filer}{path}") == 401
    assert anonymous_status(f"http://127.0.0.1:{ports.volume}/1,01") == 401


def test_secrets_are_readable_by_their_owner_only(s3_store: Store) -> None:
    home = s3_store.home
    for name in ("credentials.json", "s3.json", "security.toml", "store.log"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    for folder in (home, home / "data"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert s3_store.secret_key in (home / "credentials.json").read_text(encoding="utf-8")


def test_status_describes_the_running_store(s3_store: Store) -> None:
    now = local_store.status(data_dir_of(s3_store))
    assert now.running
    assert now.endpoint == s3_store.endpoint
    assert now.pid is not None and now.pid in weed_processes(data_dir_of(s3_store))
    assert now.home == s3_store.home
    # Other tests share through this store; preallocated volumes would be gigabytes.
    assert 0 < now.size_bytes < 300_000_000
    assert "Start Seaweed S3 API Server" in now.log.read_text(encoding="utf-8", errors="replace")


def test_only_loopback_ports_are_open(s3_store: Store) -> None:
    ports = ports_of(s3_store)
    wanted = {p + d for p in ports for d in (0, GRPC_OFFSET)}
    pid = local_store.status(data_dir_of(s3_store)).pid
    inodes = {
        link.readlink().name[8:-1]
        for link in Path(f"/proc/{pid}/fd").iterdir()
        if link.readlink().name.startswith("socket:[")
    }
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            address, port = fields[1].split(":")
            assert address == "0100007F", line  # 127.0.0.1
            listening.add(int(port, 16))
    assert listening == wanted
    assert not any(fields[9] in inodes for fields in map(str.split, _tcp6_lines())), (
        "weed listens on IPv6"
    )


def _tcp6_lines() -> list[str]:
    path = Path("/proc/net/tcp6")
    return path.read_text().splitlines()[1:] if path.exists() else []


def test_a_proxy_setting_does_not_divert_the_store(
    s3_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert local_store.ensure_running(data_dir_of(s3_store), timeout=20).endpoint == (
        s3_store.endpoint
    )


def test_picked_ports_and_their_grpc_twins_are_free() -> None:
    ports = pick_ports()
    every = [p + d for p in ports for d in (0, GRPC_OFFSET)]
    assert len(set(every)) == 8
    assert all(port_free(p) for p in every)
    floor = ephemeral_floor()
    assert all(p < floor and p < 55536 for p in every)


def test_port_free_sees_a_listener(listener: socket.socket) -> None:
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    assert not port_free(port)
    listener.close()
    assert port_free(port)


def test_missing_weed_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ShareError, match=r"pip install 'followup-builder\[local\]'") as caught:
        local_store.ensure_running(tmp_path, weed=str(tmp_path / "no-such-weed"))
    assert "\n" not in str(caught.value)
    assert not weed_processes(tmp_path)


def test_a_store_without_auth_is_stopped_and_refused(tmp_path: Path) -> None:
    # A weed that ignores the identities file stands in for SeaweedFS's silent auth-off.
    weed = find_weed(None)
    wrapper = tmp_path / "bin" / "weed"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a; do shift; case "$a" in -s3.config=*) ;; *) set -- "$@" "$a";; esac; done\n'
        f'exec "{weed}" "$@"\n'
    )
    wrapper.chmod(0o700)
    try:
        with pytest.raises(ShareError, match="instead of 403") as caught:
            local_store.ensure_running(tmp_path, weed=str(wrapper))
        assert "\n" not in str(caught.value)
        assert not local_store.status(tmp_path).running
        assert not weed_processes(tmp_path)
        ports = saved_ports(local_store.store_home(tmp_path))
        assert ports is not None
        assert not [p for p in ports for _ in Path("/tmp").glob(f"seaweedfs-*-{p}.sock")]
    finally:
        local_store.stop(tmp_path, timeout=2.0)


def test_stop_then_start_keeps_port_keys_and_objects(
    s3_store: Store, listener: socket.socket
) -> None:
    data_dir = data_dir_of(s3_store)
    client = s3_client(s3_store)
    client.put_object(Bucket=s3_store.bucket, Key="t/kept.txt", Body=b"kept")

    assert local_store.stop(data_dir, timeout=2.0) is True
    assert not weed_processes(data_dir)
    every = [p + d for p in ports_of(s3_store) for d in (0, GRPC_OFFSET)]
    assert all(port_free(p) for p in every)
    assert not [p for p in every for _ in Path("/tmp").glob(f"seaweedfs-*-{p}.sock")]
    stopped = local_store.status(data_dir)
    assert not stopped.running and stopped.pid is None
    assert local_store.stop(data_dir) is False

    # Its links name its port: a saved port now taken is an error, never a silent change.
    taken = ports_of(s3_store).s3 + GRPC_OFFSET
    listener.bind(("127.0.0.1", taken))
    listener.listen()
    with pytest.raises(ShareError, match=f"port {taken} ") as caught:
        local_store.ensure_running(data_dir)
    assert "\n" not in str(caught.value)
    assert not weed_processes(data_dir)
    listener.close()

    # Started by a child whose output is captured: it must not hold the child's pipes.
    code = "import sys; from pathlib import Path; from builder.store import ensure_running\n"
    code += "print(ensure_running(Path(sys.argv[1])).endpoint)"
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - began < 60
    assert done.stdout.strip() == s3_store.endpoint
    assert local_store.status(data_dir).running

    assert client.get_object(Bucket=s3_store.bucket, Key="t/kept.txt")["Body"].read() == b"kept"
    log = (s3_store.home / "store.log").read_text(encoding="utf-8", errors="replace")
    assert "Start Seaweed Master" in log
    assert (s3_store.home / "store.log.1").exists()  # the previous run's log is kept


def test_the_data_folder_is_made_private_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    from builder.store.home import prepare

    data = tmp_path / "fresh" / "data"
    prepare(data / "store")
    for folder in (data, data / "store", data / "store" / "data"):  # data was 0755
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(ShareError) as caught:  # it was a NotADirectoryError traceback
        prepare(blocked / "data" / "store")
    assert str(caught.value) == (
        f"{blocked / 'data' / 'store'}: cannot make the local store's folder: Not a directory"
    )
