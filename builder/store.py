"""The embedded local S3 store: a private SeaweedFS server on 127.0.0.1 when no bucket is set."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from builder.errors import ShareError

BUCKET = "followup"
HOST = "127.0.0.1"
REGION = "us-east-1"
GRPC_OFFSET = 10000  # weed opens a gRPC port at each HTTP port + 10000
PORT_FLOOR = 10000
LOG_NAME = "store.log"
_PROBE_KEY = ".probe"  # written and deleted at each start, to know that writes work
INSTALL_HINT = "install it with pip install 'followup-builder[local]', or configure a bucket"

# Flags beyond the ports, each closing something weed does by default: telemetry to
# seaweedfs.com, extra Iceberg/Lance/IAM listeners, 30 GB volumes, 10 s pre-stop waits.
# -volume.max=0 sizes the volume count from free disk, as empty volumes are 8-byte files.
_QUIET_FLAGS = (
    "-master.peers=none",  # a lone master: without it a restart waits ~15 s for an election
    "-master.telemetry=false",
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-s3.iam=false",
    "-master.volumeSizeLimitMB=64",
    "-volume.max=0",
    "-volume.preStopSeconds=0",
)
# Popen objects of stores this process started, kept so stop() can reap them.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


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


class Ports(NamedTuple):
    """The four HTTP ports of one store; each also needs port + 10000 for gRPC."""

    master: int
    volume: int
    filer: int
    s3: int


def store_home(data_dir: Path) -> Path:
    """Return the store's folder inside the tool's data folder."""
    return data_dir / "store"


def ensure_running(data_dir: Path, timeout: float = 60.0, weed: str | None = None) -> Store:
    """Start the store unless it runs, wait until it answers and is private; return a Store.

    *weed* is the SeaweedFS executable (default: beside this Python, then on PATH).
    """
    home = _prepare_home(store_home(data_dir))
    with _locked(home):
        access_key, secret_key = _credentials(home)
        ports = _ports(home)
        pid = _live_pid(home)
        started = pid is None
        if pid is None:
            pid = _launch(home, ports, access_key, secret_key, _find_weed(weed))
        store = Store(_endpoint(ports), access_key, secret_key, BUCKET, home, pid)
        try:
            deadline = time.monotonic() + timeout
            _wait_ready(store, ports, deadline, timeout)
            if started:  # a store that was running has had its bucket since it started
                _ensure_bucket(store, deadline)
            _check_private(store, ports)
        except ShareError:
            if started:
                _halt(pid, ports, 2.0)
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
    pid = _live_pid(home)
    ports = _saved_ports(home)
    if pid is not None and ports is not None:
        _halt(pid, ports, timeout)
    elif pid is not None:
        _terminate(pid, timeout)
    with suppress(FileNotFoundError):
        (home / "weed.pid").unlink()
    return pid is not None


def status(data_dir: Path) -> StoreStatus:
    """Return whether the store runs, where, and how much disk its data takes."""
    home = store_home(data_dir)
    ports = _saved_ports(home)
    pid = _live_pid(home)
    running = pid is not None and ports is not None and _probe(ports.s3, "/") is not None
    endpoint = _endpoint(ports) if ports else None
    return StoreStatus(running, endpoint, pid, home, _disk_use(home / "data"), home / LOG_NAME)


def port_free(port: int) -> bool:
    """Return True if *port* can be listened on at 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Go does, so a port left in TIME_WAIT by our own last run counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def pick_ports() -> Ports:
    """Return four distinct free ports whose gRPC twins (port + 10000) are free as well.

    All eight stay below the kernel's ephemeral range: outgoing connections take ports
    from there at random, and a taken gRPC twin makes weed hang at start.
    """
    top = max(_ephemeral_floor() - GRPC_OFFSET, PORT_FLOOR + 1000)
    candidates = list(range(PORT_FLOOR, top))
    random.SystemRandom().shuffle(candidates)
    chosen: list[int] = []
    for port in candidates:
        taken = {p + d for p in chosen for d in (0, GRPC_OFFSET)}
        if {port, port + GRPC_OFFSET} & taken:
            continue
        if port_free(port) and port_free(port + GRPC_OFFSET):
            chosen.append(port)
        if len(chosen) == 4:
            return Ports(*chosen)
    raise ShareError("no free ports on 127.0.0.1 for the local store")


def _ephemeral_floor() -> int:
    """Return the lowest port of the kernel's ephemeral range (Linux; 32768 elsewhere)."""
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii")
        return min(int(text.split()[0]), 65536 - GRPC_OFFSET)
    except (OSError, ValueError, IndexError):
        return 32768


def _endpoint(ports: Ports) -> str:
    return f"http://{HOST}:{ports.s3}"


def _prepare_home(home: Path) -> Path:
    """Create the store's folders owner-only and return *home*."""
    for folder in (home, home / "data"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is reduced by the umask and skips existing folders
    return home


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Hold the store's lock file, so two commands starting at once start one server."""
    fd = os.open(home / "store.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_private(path: Path, text: str) -> None:
    """Write *text* to *path* readable by its owner only, replacing it atomically."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    """Return the JSON object in *path*, or None if the file does not exist."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise ShareError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise ShareError(f"cannot read {path}: not a JSON object")
    return data


def _credentials(home: Path) -> tuple[str, str]:
    """Return the store's access key and secret, generated on first use and kept."""
    path = home / "credentials.json"
    data = _read_json(path)
    if data is None:
        access_key = "FB" + secrets.token_hex(9).upper()  # 20 characters, like AWS keys
        data = {"access_key": access_key, "secret_key": secrets.token_hex(20)}
        _write_private(path, json.dumps(data, indent=2) + "\n")
    path.chmod(0o600)
    keys = data.get("access_key"), data.get("secret_key")
    if not all(isinstance(k, str) and len(k) >= 16 for k in keys):
        raise ShareError(f"{path} holds no usable access_key and secret_key")
    return str(keys[0]), str(keys[1])


def _saved_ports(home: Path) -> Ports | None:
    """Return the ports chosen at the first start, or None before that."""
    path = home / "state.json"
    data = _read_json(path)
    if data is None:
        return None
    try:
        return Ports(*(int(data["ports"][role]) for role in Ports._fields))
    except (KeyError, TypeError, ValueError) as e:
        raise ShareError(f"{path} has no valid ports; every link from the store names one") from e


def _ports(home: Path) -> Ports:
    """Return the saved ports, choosing and saving them on first use (links contain one)."""
    ports = _saved_ports(home)
    if ports is None:
        ports = pick_ports()
        _write_private(home / "state.json", json.dumps({"ports": ports._asdict()}, indent=2))
    return ports


def _find_weed(weed: str | None) -> str:
    """Return the path of the weed executable, or raise ShareError saying how to get it."""
    if weed is not None:
        found: str | None = weed if os.access(weed, os.X_OK) and Path(weed).is_file() else None
    else:
        # The copy installed with this Python comes first: its version is the tested one.
        beside = Path(sys.executable).parent / "weed"
        found = str(beside) if os.access(beside, os.X_OK) else shutil.which("weed")
    if found is None:
        raise ShareError(f"the local store needs SeaweedFS's weed program: {INSTALL_HINT}")
    return found


def _cmdline(pid: int) -> list[str]:
    """Return the arguments process *pid* runs with, or [] if it is gone or a zombie."""
    if not Path("/proc/self").exists():
        return _ps_cmdline(pid)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]


def _ps_cmdline(pid: int) -> list[str]:
    """Return the arguments of *pid* from ps, for systems without /proc (macOS, BSD)."""
    try:
        done = subprocess.run(
            ["ps", "-ww", "-o", "command=", "-p", str(pid)], capture_output=True, text=True
        )
    except OSError:
        return []
    # ps joins arguments with spaces and the data folder may hold one ("Application
    # Support"): split only where an option starts.
    head, *options = done.stdout.strip().split(" -")
    return [head, *(f"-{o}" for o in options)] if head else []


def _live_pid(home: Path) -> int | None:
    """Return the pid in the pid file if that process is this store's weed, else None."""
    try:
        pid = int((home / "weed.pid").read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    args = _cmdline(pid)
    # A pid is reused once its process is gone: only our weed on our data folder counts.
    ours = bool(args) and Path(args[0]).name == "weed" and f"-dir={home / 'data'}" in args
    return pid if ours else None


def _weed_args(home: Path, ports: Ports, exe: str) -> list[str]:
    """Return the command line of a store bound to 127.0.0.1 only."""
    return [
        exe,
        "-logtostderr",  # otherwise glog also writes log files into /tmp
        "server",
        f"-dir={home / 'data'}",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-master.port={ports.master}",
        f"-volume.port={ports.volume}",
        "-filer",
        f"-filer.port={ports.filer}",
        "-s3",
        f"-s3.port={ports.s3}",
        f"-s3.config={home / 's3.json'}",
        *_QUIET_FLAGS,
    ]


def _write_config(home: Path, access_key: str, secret_key: str) -> None:
    """Write the identities, the filer's store and the internal signing keys for weed."""
    identity = {
        "name": "followup-builder",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    _write_private(home / "s3.json", json.dumps({"identities": [identity]}, indent=2))
    # weed reads filer.toml and security.toml from its working folder (this one) first, so
    # a system-wide /etc/seaweedfs copy cannot move the metadata or change the keys.
    leveldb = json.dumps(str(home / "data" / "filerldb2"))
    _write_private(home / "filer.toml", f"[leveldb2]\nenabled = true\ndir = {leveldb}\n")
    if not (home / "security.toml").exists():
        _write_private(home / "security.toml", _security_toml())


def _security_toml() -> str:
    """Return weed's security.toml with fresh signing keys.

    Without them the filer and volume ports serve every object to any local program
    without credentials; with them those ports answer 401 and only S3 gives data out.
    """
    sections = ["jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read"]
    keys = [f'[{name}]\nkey = "{secrets.token_hex(32)}"\n' for name in sections]
    extra = "[access]\nui = false\n\n[filer.expose_directory_metadata]\nenabled = false\n"
    # The key-encryption key of SSE-S3: objects uploaded with server-side encryption are
    # encrypted at rest. Written once and kept, or the stored objects could not be read.
    sse = f'[s3.sse]\nkek = "{secrets.token_hex(32)}"\n'
    return "\n".join([*keys, sse, extra])


def _launch(home: Path, ports: Ports, access_key: str, secret_key: str, exe: str) -> int:
    """Start weed detached from the caller, logging beside its data; return its pid."""
    for port in (p + d for p in ports for d in (0, GRPC_OFFSET)):
        if not port_free(port):
            raise ShareError(
                f"port {port} on {HOST} is taken by another program; the local store needs it "
                "(its links name its port, so it keeps its ports): stop that program"
            )
    _write_config(home, access_key, secret_key)
    log = home / LOG_NAME
    if log.exists():
        log.replace(home / f"{LOG_NAME}.1")  # keep the previous run's log, not every run's
    with open(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        try:
            proc = subprocess.Popen(
                _weed_args(home, ports, exe),
                cwd=home,
                env={},  # weed lets WEED_* variables override its configuration files
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # no terminal signals, no hold on the caller's pipes
                umask=0o077,  # its data, sockets in /tmp and log stay owner-only
            )
        except OSError as e:
            raise ShareError(f"cannot run {exe}: {e.strerror or e}") from e
    _CHILDREN[proc.pid] = proc
    _write_private(home / "weed.pid", f"{proc.pid}\n")
    return proc.pid


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
        if store.pid is None or not _alive(store.pid):
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
                _halt(store.pid, ports, 2.0)
            raise ShareError(
                f"the local store answered an unsigned GET {path} with {answer} instead of 403,"
                f" so it was stopped; see {store.home / LOG_NAME}"
            )


def _halt(pid: int, ports: Ports, timeout: float) -> None:
    """Stop weed *pid* and tidy up after it: its ports free again, its sockets gone."""
    _terminate(pid, timeout)
    _wait_ports_free(ports, 10.0)
    _remove_sockets(ports)


def _terminate(pid: int, timeout: float) -> None:
    """Send SIGTERM, then SIGKILL after *timeout* seconds; return once the process is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        with suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_gone(pid, wait):
            break
    _CHILDREN.pop(pid, None)


def _wait_gone(pid: int, timeout: float) -> bool:
    """Return True once *pid* has exited (a zombie counts), False after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def _wait_ports_free(ports: Ports, timeout: float) -> None:
    """Return once all of the store's ports can be listened on again, or after *timeout*.

    A killed weed's /proc entry empties before its threads have closed their sockets.
    """
    deadline = time.monotonic() + timeout
    every = [p + d for p in ports for d in (0, GRPC_OFFSET)]
    while not all(port_free(p) for p in every) and time.monotonic() < deadline:
        time.sleep(0.1)


def _remove_sockets(ports: Ports) -> None:
    """Delete the unix sockets a stopped weed leaves in /tmp (it names them by port)."""
    names = [f"filer-{ports.filer}", f"s3-{ports.s3}"]
    names += [f"{role}-grpc-{port + GRPC_OFFSET}" for role, port in ports._asdict().items()]
    for name in names:
        path = Path(f"/tmp/seaweedfs-{name}.sock")
        with suppress(OSError):
            if path.is_socket() and path.lstat().st_uid == os.getuid():
                path.unlink()


def _alive(pid: int) -> bool:
    """Return True while *pid* runs (a zombie does not), reaping it if this process started it."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        # Not /proc for our own child: its cmdline reads empty for a moment after exec.
        return proc.poll() is None
    return bool(_cmdline(pid))


def _disk_use(folder: Path) -> int:
    """Return the bytes *folder*'s files occupy on disk (sparse files count what they use)."""
    total = 0
    for path in folder.rglob("*"):
        with suppress(OSError):
            info = path.lstat()
            total += info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size
    return total
