"""The SeaweedFS server process (``weed``): found, started detached, recognised, stopped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from builder.errors import ShareError
from builder.store.home import write_config, write_private
from builder.store.ports import GRPC_OFFSET, HOST, Ports, port_free, remove_sockets, wait_free

LOG_NAME = "store.log"
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


def find_weed(weed: str | None) -> str:
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


def live_pid(home: Path) -> int | None:
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


def launch(home: Path, ports: Ports, access_key: str, secret_key: str, exe: str) -> int:
    """Start weed detached from the caller, logging beside its data; return its pid."""
    for port in (p + d for p in ports for d in (0, GRPC_OFFSET)):
        if not port_free(port):
            raise ShareError(
                f"port {port} on {HOST} is taken by another program; the local store needs it "
                "(its links name its port, so it keeps its ports): stop that program"
            )
    write_config(home, access_key, secret_key)
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
    write_private(home / "weed.pid", f"{proc.pid}\n")
    return proc.pid


def halt(pid: int, ports: Ports, timeout: float) -> None:
    """Stop weed *pid* and tidy up after it: its ports free again, its sockets gone."""
    terminate(pid, timeout)
    wait_free(ports, 10.0)
    remove_sockets(ports)


def terminate(pid: int, timeout: float) -> None:
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
    while alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    """Return True while *pid* runs (a zombie does not), reaping it if this process started it."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        # Not /proc for our own child: its cmdline reads empty for a moment after exec.
        return proc.poll() is None
    return bool(_cmdline(pid))
