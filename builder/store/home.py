"""The local store's folder: its lock, credentials, chosen ports and weed's configuration.

Everything in it is readable by its owner only: the credentials sign every link.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from builder.errors import ShareError
from builder.store.ports import Ports, pick_ports


def prepare(home: Path) -> Path:
    """Create the store's folders owner-only and return *home*."""
    try:
        # The tool's data folder too, when this makes it (mkdir gives the parents it makes
        # the umask's mode): it holds the ledger of signed links.
        home.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (home, home / "data"):
            folder.mkdir(mode=0o700, exist_ok=True)
            folder.chmod(0o700)  # mkdir's mode is reduced by the umask, skips existing ones
    except OSError as e:
        raise ShareError(f"{home}: cannot make the local store's folder: {e.strerror}") from None
    return home


@contextmanager
def locked(home: Path) -> Iterator[None]:
    """Hold the store's lock file, so two commands starting at once start one server."""
    fd = os.open(home / "store.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Write *text* to *path* readable by its owner only, replacing it atomically."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)


def read_json(path: Path) -> dict[str, Any] | None:
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


def credentials(home: Path) -> tuple[str, str]:
    """Return the store's access key and secret, generated on first use and kept."""
    path = home / "credentials.json"
    data = read_json(path)
    if data is None:
        access_key = "FB" + secrets.token_hex(9).upper()  # 20 characters, like AWS keys
        data = {"access_key": access_key, "secret_key": secrets.token_hex(20)}
        write_private(path, json.dumps(data, indent=2) + "\n")
    path.chmod(0o600)
    keys = data.get("access_key"), data.get("secret_key")
    if not all(isinstance(k, str) and len(k) >= 16 for k in keys):
        raise ShareError(f"{path} holds no usable access_key and secret_key")
    return str(keys[0]), str(keys[1])


def saved_ports(home: Path) -> Ports | None:
    """Return the ports chosen at the first start, or None before that."""
    path = home / "state.json"
    data = read_json(path)
    if data is None:
        return None
    try:
        return Ports(*(int(data["ports"][role]) for role in Ports._fields))
    except (KeyError, TypeError, ValueError) as e:
        raise ShareError(f"{path} has no valid ports; every link from the store names one") from e


def ports_of(home: Path) -> Ports:
    """Return the saved ports, choosing and saving them on first use (links contain one)."""
    ports = saved_ports(home)
    if ports is None:
        ports = pick_ports()
        write_private(home / "state.json", json.dumps({"ports": ports._asdict()}, indent=2))
    return ports


def write_config(home: Path, access_key: str, secret_key: str) -> None:
    """Write the identities, the filer's store and the internal signing keys for weed."""
    identity = {
        "name": "followup-builder",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    write_private(home / "s3.json", json.dumps({"identities": [identity]}, indent=2))
    # weed reads filer.toml and security.toml from its working folder (this one) first, so
    # a system-wide /etc/seaweedfs copy cannot move the metadata or change the keys.
    leveldb = json.dumps(str(home / "data" / "filerldb2"))
    write_private(home / "filer.toml", f"[leveldb2]\nenabled = true\ndir = {leveldb}\n")
    if not (home / "security.toml").exists():
        write_private(home / "security.toml", _security_toml())


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


def disk_use(folder: Path) -> int:
    """Return the bytes *folder*'s files occupy on disk (sparse files count what they use)."""
    total = 0
    for path in folder.rglob("*"):
        with suppress(OSError):
            info = path.lstat()
            total += info.st_blocks * 512 if hasattr(info, "st_blocks") else info.st_size
    return total
