"""Where shares go: a configured S3-compatible bucket, or the embedded local store.

Credentials, region, profile and endpoint come from the standard AWS configuration through
a boto3 Session (``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL_S3``,
``~/.aws/config``); nothing here reads them by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import ShareError

# S3's bucket naming rules (and what every S3-compatible store accepts).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


@dataclass(frozen=True)
class Target:
    """A bucket ready to take uploads: the client that reaches it, and how links read."""

    client: Any  # a boto3 S3 client
    bucket: str
    local: bool  # the embedded store: links work only on this computer
    credentials: Any  # botocore credentials, to learn whether they are temporary
    encrypts: bool | None = None  # takes server-side encryption; None: learn on first upload

    @property
    def endpoint(self) -> str:
        """Return the address the links point at (``http://127.0.0.1:8333``...)."""
        return str(self.client.meta.endpoint_url)

    @property
    def place(self) -> str:
        """Return the store and bucket as one string, to remember keys by."""
        return f"{self.endpoint} {self.bucket}"


def check_bucket_name(name: str) -> str:
    """Return *name* when it is a valid S3 bucket name; raise ``ValueError`` saying why not."""
    if name != name.lower():
        raise ValueError(f"bucket {name!r} has capitals; S3 bucket names are lowercase")
    if not _BUCKET.match(name) or ".." in name or _IP_LIKE.match(name):
        raise ValueError(
            f"bucket {name!r} is not a valid S3 bucket name "
            "(3-63 lowercase letters, digits, dots and hyphens)"
        )
    return name


def client_config(addressing: str, local: bool = False) -> Any:
    """Return the botocore Config every client here uses.

    SigV4 always (boto3 still picks SigV2 in some regions, whose links ignore the 7-day
    cap); checksums only when required (boto3 1.36+ sends CRC32 by default, which many
    S3-compatible stores refuse: we send Content-MD5 ourselves); standard retries. The
    *local* store is on this machine: never reached through an HTTP(S)_PROXY setting.
    """
    from botocore.config import Config

    return Config(
        signature_version="s3v4",
        s3={"addressing_style": addressing},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=16,
        **({"proxies": {}} if local else {}),
    )


def local_target(data_dir: Path) -> Target:
    """Return the embedded store as a target, starting it if it is not running."""
    from botocore.credentials import Credentials

    from builder.store import client, ensure_running

    store = ensure_running(data_dir)
    credentials = Credentials(store.access_key, store.secret_key)
    # The local store is configured with an SSE-S3 key (see builder.store), so it encrypts.
    return Target(client(store), store.bucket, local=True, credentials=credentials, encrypts=True)


def bucket_target(bucket: str, endpoint: str | None = None) -> Target:
    """Return a configured bucket as a target, checked to exist and to accept us.

    On AWS the bucket's own region and virtual-hosted addresses are used (the global host
    breaks in newer regions); on any other endpoint, path-style addresses. *endpoint* (the
    one a share was made at, when it is not AWS) wins over the configured one: revoke and
    renew must reach the store the files are in.
    """
    import boto3

    try:
        check_bucket_name(bucket)
    except ValueError as e:
        raise ShareError(f"--bucket: {e}") from None
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.Session()
        credentials = session.get_credentials()
        if credentials is not None:
            credentials.get_frozen_credentials()  # an ended SSO session fails here, not later
    except BotoCoreError as e:
        raise ShareError(f"bucket {bucket}: {explain(e)}") from None
    except RuntimeError as e:  # botocore: "refreshed, but the refreshed credentials are..."
        if "expired" not in str(e):
            raise
        raise ShareError(
            f"bucket {bucket}: the credentials have expired; sign in again (aws sso login)"
        ) from None
    if credentials is None:
        raise ShareError(
            f"no credentials for bucket {bucket}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (see the Private links page of the docs)"
        )
    elsewhere = endpoint if endpoint and "amazonaws.com" not in endpoint else None
    client = session.client("s3", endpoint_url=elsewhere, config=client_config("path"))
    if "amazonaws.com" in client.meta.endpoint_url:
        region = _bucket_region(client, bucket) or session.region_name or "us-east-1"
        # A dotted name breaks the TLS certificate of virtual-hosted addresses.
        style = "path" if "." in bucket else "virtual"
        client = session.client("s3", region_name=region, config=client_config(style))
    check_access(client, bucket)
    return Target(client, bucket, local=False, credentials=credentials)


def _bucket_region(client: Any, bucket: str) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        head = client.head_bucket(Bucket=bucket)
        headers = head["ResponseMetadata"]["HTTPHeaders"]
    except ClientError as e:
        headers = e.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    except BotoCoreError:
        return None
    region = headers.get("x-amz-bucket-region")
    return str(region) if region else None


def check_access(client: Any, bucket: str) -> None:
    """Raise :class:`ShareError` with the reason unless *bucket* exists and accepts us."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as e:
        raise ShareError(f"bucket {bucket}: {explain(_with_reason(client, bucket, e))}") from None
    except BotoCoreError as e:
        raise ShareError(f"bucket {bucket}: {explain(e)}") from None


def _with_reason(client: Any, bucket: str, error: Any) -> Any:
    """Return the error of a GET on *bucket* when *error* (a HEAD's) has no reason: a HEAD
    answer has no body, so a wrong secret and a missing permission both read "403"."""
    from botocore.exceptions import BotoCoreError, ClientError

    if error.response.get("Error", {}).get("Code") != "403":
        return error
    try:
        client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    except ClientError as e:
        return e
    except BotoCoreError:
        pass
    return error


def explain(error: Exception) -> str:
    """Return a one-line reason for a botocore error, in the user's terms."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        ProfileNotFound,
    )

    if isinstance(error, ProfileNotFound):
        return f"the AWS profile '{error.kwargs.get('profile')}' does not exist (AWS_PROFILE)"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach the store ({error.kwargs.get('endpoint_url', 'endpoint')})"
    if isinstance(error, NoCredentialsError):
        return "no credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        reasons = {
            "404": "does not exist",
            "NoSuchBucket": "does not exist",
            "InvalidAccessKeyId": "the access key is not known to the store",
            "SignatureDoesNotMatch": "the secret key is wrong",
            "403": "access denied: check the credentials and the bucket's policy",
            "AccessDenied": "access denied: check the credentials and the bucket's policy",
            "ExpiredToken": "the credentials have expired; sign in again",
            "TokenRefreshRequired": "the credentials have expired; sign in again",
        }
        return reasons.get(code) or f"the store answered {status} {code}".strip()
    return str(error).splitlines()[0] if str(error) else type(error).__name__
