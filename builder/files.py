"""Files written in one piece: encoded in memory, then written; a failure names the file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image


def write_bytes(path: Path, data: bytes | bytearray | memoryview) -> Path:
    """Write *data* to *path* and return *path*.

    An ``OSError`` (a full disk, a file-size limit) carries *path* as its file name, which
    Python's own ``write()`` errors do not, and the partial file is removed.
    """
    try:
        with path.open("wb") as handle:
            handle.write(data)
    except OSError as e:
        path.unlink(missing_ok=True)
        raise OSError(e.errno, e.strerror or str(e), str(path)) from None
    return path


def save_image(image: Image.Image, path: Path, **params: Any) -> Path:
    """Save *image* to *path* with Pillow's ``save`` keywords (``format``, ...); return *path*.

    The image is encoded in memory first: a C encoder (libtiff) that meets a full disk
    prints its own lines on stderr and reports a bare "encoder error"; Python's write
    reports the cause, and :func:`write_bytes` names the file.
    """
    encoded = io.BytesIO()
    image.save(encoded, **params)
    return write_bytes(path, encoded.getbuffer())
