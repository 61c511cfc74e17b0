"""The local store's ports: four on 127.0.0.1, each with a gRPC twin 10000 above it."""

from __future__ import annotations

import os
import random
import socket
import time
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from builder.errors import ShareError

HOST = "127.0.0.1"
GRPC_OFFSET = 10000  # weed opens a gRPC port at each HTTP port + 10000
PORT_FLOOR = 10000


class Ports(NamedTuple):
    """The four HTTP ports of one store; each also needs port + 10000 for gRPC."""

    master: int
    volume: int
    filer: int
    s3: int


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
    top = max(ephemeral_floor() - GRPC_OFFSET, PORT_FLOOR + 1000)
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


def ephemeral_floor() -> int:
    """Return the lowest port of the kernel's ephemeral range (Linux; 32768 elsewhere)."""
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii")
        return min(int(text.split()[0]), 65536 - GRPC_OFFSET)
    except (OSError, ValueError, IndexError):
        return 32768


def s3_url(ports: Ports) -> str:
    """Return the address of the store's S3 port: what every link of it starts with."""
    return f"http://{HOST}:{ports.s3}"


def wait_free(ports: Ports, timeout: float) -> None:
    """Return once all of the store's ports can be listened on again, or after *timeout*.

    A killed weed's /proc entry empties before its threads have closed their sockets.
    """
    deadline = time.monotonic() + timeout
    every = [p + d for p in ports for d in (0, GRPC_OFFSET)]
    while not all(port_free(p) for p in every) and time.monotonic() < deadline:
        time.sleep(0.1)


def remove_sockets(ports: Ports) -> None:
    """Delete the unix sockets a stopped weed leaves in /tmp (it names them by port)."""
    names = [f"filer-{ports.filer}", f"s3-{ports.s3}"]
    names += [f"{role}-grpc-{port + GRPC_OFFSET}" for role, port in ports._asdict().items()]
    for name in names:
        path = Path(f"/tmp/seaweedfs-{name}.sock")
        with suppress(OSError):
            if path.is_socket() and path.lstat().st_uid == os.getuid():
                path.unlink()
