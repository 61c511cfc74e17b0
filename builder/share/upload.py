"""Put files into the bucket, privately, and prove each arrived whole without downloading it.

Each object gets its Content-Type, ``Content-Disposition: inline`` with a UTF-8 file name,
Content-MD5 (so stores check the bytes; boto3's default CRC32 trailers are refused by many
S3-compatible stores) and, where the store supports it, server-side encryption. The store
checks each body (or part) against its Content-MD5 and refuses one that arrived changed; the
ETag it answers the upload with must then be the one computed here, multipart included. No
second request asks for it again (a HEAD cost a round trip per file: on a remote store, most
of a small file's upload).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from builder.errors import ShareError
from builder.share.target import Target, explain

PART_SIZE = 8 * 1024 * 1024  # the same threshold and part size as boto3's upload_file
WORKERS = 10  # as many as boto3's upload_file uses
# Codes with which a store says it does not do server-side encryption: upload without it.
_NO_SSE = {"NotImplemented", "InvalidArgument", "InvalidRequest", "InvalidEncryptionAlgorithmError"}

Report = Callable[[int], None]  # bytes just sent


@dataclass(frozen=True)
class Upload:
    """One object to put: from a file, or from bytes made here (the relinked page)."""

    key: str
    mime: str
    filename: str  # what a browser saving it would call it
    path: Path | None = None
    body: bytes | None = None

    @property
    def size(self) -> int:
        """Return the number of bytes to send."""
        return len(self.body) if self.body is not None else self._path.stat().st_size

    @property
    def _path(self) -> Path:
        assert self.path is not None
        return self.path

    def chunks(self) -> Iterator[bytes]:
        """Yield the content in parts of at most PART_SIZE bytes."""
        if self.body is not None:
            for start in range(0, max(1, len(self.body)), PART_SIZE):
                yield self.body[start : start + PART_SIZE]
            return
        with self._path.open("rb") as file:
            while part := file.read(PART_SIZE):
                yield part


# What no browser shows itself: saved, not opened in a tab that stays blank.
_DOWNLOADED = (".pptx",)


def disposition(filename: str) -> str:
    """Return ``inline`` (``attachment`` for a .pptx, which no browser shows) with an ASCII
    fallback name and the UTF-8 ``filename*``.

    Header values must be Latin-1 on AWS; the real name travels percent-encoded.
    """
    how = "attachment" if filename.lower().endswith(_DOWNLOADED) else "inline"
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace('"', "_").replace("\\", "_")
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class Uploader:
    """Uploads to one target, remembering what it put so a failure can take it back."""

    def __init__(self, target: Target, report: Report | None = None) -> None:
        self.target = target
        self.report = report
        self.put: list[str] = []
        self._lock = threading.Lock()
        self._sse = target.encrypts  # None: unknown until the store answers the first upload

    def upload_all(self, uploads: Sequence[Upload]) -> None:
        """Upload and verify every item, several at once; raise :class:`ShareError` naming
        the first file that failed. (The caller removes what was put: :meth:`remove_all`.)"""
        if not uploads:
            return
        first, rest = (None, uploads) if self._sse is not None else (uploads[0], uploads[1:])
        if first is not None:
            self.upload(first)  # learns whether the store takes server-side encryption
        pool = ThreadPoolExecutor(max_workers=min(WORKERS, max(1, len(rest))))
        try:
            for future in [pool.submit(self.upload, item) for item in rest]:
                future.result()
        finally:
            # On a failure or Ctrl-C, start nothing new; what runs finishes, to be removed.
            pool.shutdown(wait=True, cancel_futures=True)

    def upload(self, item: Upload) -> None:
        """Upload one item and verify the store's answer; raise :class:`ShareError` on failure."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            verify(item, *self._send(item))
        except (ClientError, BotoCoreError) as e:
            raise ShareError(f"upload of {item.filename} failed: {explain(e)}") from None
        except OSError as e:
            raise ShareError(f"upload of {item.filename} failed: {e.strerror or e}") from None

    def _send(self, item: Upload) -> tuple[str, str]:
        """Upload *item*; return the ETag computed here and the one the store answered."""
        if item.size > PART_SIZE:
            return self._multipart(item)
        body = next(item.chunks())
        digest = hashlib.md5(body).digest()  # once: Content-MD5 and the ETag are the same
        answer = self._put_object(item, body, digest)
        if self.report:
            self.report(len(body))
        return digest.hex(), _etag(answer)

    def _put_object(self, item: Upload, body: bytes, digest: bytes) -> Any:
        args = self._args(item) | {"Body": body, "ContentMD5": base64.b64encode(digest).decode()}
        # Remembered before it is sent: a store can keep an object whose answer never
        # reached us (the connection dropped, the store was killed after writing it).
        self._remember(item.key)
        return self._encrypted(self.target.client.put_object, args)

    def _encrypted(self, method: Callable[..., Any], args: dict[str, Any]) -> Any:
        """Call *method* asking for server-side encryption, unless the store refused it once.

        The first upload runs alone (see :meth:`upload_all`), so it alone learns the answer.
        """
        from botocore.exceptions import ClientError

        if self._sse is False:
            return method(**args)
        try:
            answer = method(**args, ServerSideEncryption="AES256")
        except ClientError as e:
            if self._sse is not None or e.response.get("Error", {}).get("Code") not in _NO_SSE:
                raise
            self._sse = False
            return method(**args)
        self._sse = True
        return answer

    def _multipart(self, item: Upload) -> tuple[str, str]:
        client, bucket = self.target.client, self.target.bucket
        self._remember(item.key)  # before it starts, so remove_all aborts it too
        started = self._encrypted(client.create_multipart_upload, self._args(item))
        upload_id = started["UploadId"]
        try:
            digests = self._parts(item, upload_id)
            answer = client.complete_multipart_upload(
                Bucket=bucket,
                Key=item.key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [{"ETag": f'"{d.hex()}"', "PartNumber": n + 1} for n, d in digests]
                },
            )
        except BaseException:
            client.abort_multipart_upload(Bucket=bucket, Key=item.key, UploadId=upload_id)
            raise
        joined = b"".join(d for _, d in digests)
        return f"{hashlib.md5(joined).hexdigest()}-{len(digests)}", _etag(answer)

    def _parts(self, item: Upload, upload_id: str) -> list[tuple[int, bytes]]:
        def send(number: int, data: bytes) -> tuple[int, bytes]:
            digest = hashlib.md5(data).digest()
            self.target.client.upload_part(
                Bucket=self.target.bucket,
                Key=item.key,
                UploadId=upload_id,
                PartNumber=number + 1,
                Body=data,
                ContentMD5=base64.b64encode(digest).decode(),
            )
            if self.report:
                self.report(len(data))
            return number, digest

        # Reading waits for a free slot, so at most 2 x WORKERS parts are in memory at once.
        slots = threading.BoundedSemaphore(2 * WORKERS)

        def sent(number: int, data: bytes) -> tuple[int, bytes]:
            try:
                return send(number, data)
            finally:
                slots.release()

        futures = []
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for number, data in enumerate(item.chunks()):
                slots.acquire()
                futures.append(pool.submit(sent, number, data))
        return sorted(f.result() for f in futures)

    def _args(self, item: Upload) -> dict[str, str]:
        return {
            "Bucket": self.target.bucket,
            "Key": item.key,
            "ContentType": item.mime,
            "ContentDisposition": disposition(item.filename),
            "CacheControl": "private, no-transform",
        }

    def _remember(self, key: str) -> None:
        with self._lock:
            if key not in self.put:
                self.put.append(key)

    def remove_all(self) -> list[str]:
        """Delete every object this uploader put (and abort its unfinished uploads); return
        the keys that could not be deleted (the store may be gone)."""
        failed = remove(self.target, self.put)
        self.put.clear()
        return failed


def remove_under(target: Target, prefix: str) -> bool:
    """Delete every object and unfinished upload under *prefix*; return whether it worked."""
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket = target.client, target.bucket
    try:
        listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        keys = [item["Key"] for item in listed]
        pending = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
        keys += [u["Key"] for u in pending.get("Uploads", []) if u["Key"] not in keys]
    except (ClientError, BotoCoreError):
        return False
    return not remove(target, keys)


def remove(target: Target, keys: Sequence[str]) -> list[str]:
    """Delete *keys* and abort multipart uploads under them; return the keys that failed."""
    from botocore.exceptions import BotoCoreError, ClientError

    failed = []
    client, bucket = target.client, target.bucket
    for key in keys:
        try:
            client.delete_object(Bucket=bucket, Key=key)
            pending = client.list_multipart_uploads(Bucket=bucket, Prefix=key)
            for upload in pending.get("Uploads", []):
                client.abort_multipart_upload(
                    Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
        except (ClientError, BotoCoreError):
            failed.append(key)
    return failed


def verify(item: Upload, sent: str, stored: str) -> None:
    """Raise :class:`ShareError` unless the store's ETag *stored* for *item* is *sent*, the
    one computed from the bytes sent (the MD5, or for a multipart upload the MD5 of the
    parts' MD5s and their count)."""
    if stored != sent:
        raise ShareError(
            f"upload of {item.filename} failed: the store answered ETag {stored or 'none'}, "
            f"not the {sent} of the {item.size} bytes sent"
        )


def _etag(answer: Any) -> str:
    """Return the ETag of a store's answer to an upload, without its quotes."""
    return str(answer.get("ETag", "")).strip('"')
