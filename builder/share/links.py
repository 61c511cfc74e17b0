"""Presigned links, and the self-test that proves them against the real store.

Presigning is local arithmetic: it proves nothing about the bucket. Before a link is shown,
a real GET with the signature must work and the same request without it must be refused;
a publicly readable object or bucket listing stops the share.
"""

from __future__ import annotations

import functools
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit, urlunsplit

from builder.errors import ShareError
from builder.share.target import Target

TIMEOUT = 20.0
REFUSED = (401, 403)


def presign(target: Target, key: str, seconds: int) -> str:
    """Return a SigV4 presigned GET URL for *key*, valid for *seconds*."""
    url: str = target.client.generate_presigned_url(
        "get_object",
        Params={"Bucket": target.bucket, "Key": key},
        ExpiresIn=seconds,
    )
    return url


@functools.cache
def opener(local: bool) -> urllib.request.OpenerDirector:
    """Return what opens the self-test's requests: for the *local* store never through a
    proxy (HTTP_PROXY is for the network; through it, the store on this machine was out of
    reach and its signed links went to the proxy), otherwise as boto3 does, through the
    proxy the environment names, if any. One of each per process, as urlopen keeps one."""
    if local:
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def http_status(url: str, signed: bool = True, local: bool = False) -> int:
    """Return the HTTP status of a one-byte GET of *url* (without its query if not *signed*);
    *local*: the store is on this machine (see :func:`opener`)."""
    if not signed:
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    request = urllib.request.Request(url, headers={"Range": "bytes=0-0"})
    try:
        with opener(local).open(request, timeout=TIMEOUT) as answer:
            answer.read(1)
            return int(answer.status)
    except urllib.error.HTTPError as e:
        return int(e.code)
    except (urllib.error.URLError, OSError) as e:
        # URLError's own text wraps the cause in "<urlopen error ...>": say only the cause.
        cause = e.reason if isinstance(e, urllib.error.URLError) else e
        cause = getattr(cause, "strerror", None) or cause
        raise ShareError(f"self-test: cannot reach {urlsplit(url).netloc}: {cause}") from None


def lapsed(url: str) -> bool:
    """Return whether the presigned *url*'s lifetime is over. It counts from the second
    it was signed in (X-Amz-Date has no fraction), so a 1 s link may live 0.1 s."""
    query = parse_qs(urlsplit(url).query)
    try:
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        lifetime = timedelta(seconds=int(query["X-Amz-Expires"][0]))
    except (KeyError, ValueError):
        return False
    return datetime.now(UTC) >= signed + lifetime


def bucket_listing_url(target: Target) -> str:
    """Return the address that lists the bucket anonymously, if anything lets it."""
    base = target.endpoint.rstrip("/")
    host = urlsplit(base).netloc
    if host.startswith(f"{target.bucket}."):  # virtual-hosted: the bucket is the host
        return base + "/"
    return f"{base}/{target.bucket}/"


def self_test(target: Target, urls: dict[str, str]) -> None:
    """Prove each link in *urls* (file name -> URL): signed works, unsigned is refused, and
    the bucket cannot be listed anonymously. Raise :class:`ShareError` otherwise."""
    checks = [(name, url, True) for name, url in urls.items()]
    checks += [(name, url, False) for name, url in urls.items()]
    checks.append(("the bucket listing", bucket_listing_url(target), False))

    def probe(check: tuple[str, str, bool]) -> None:
        name, url, signed = check
        status = http_status(url, signed, target.local)
        if signed and status in REFUSED and lapsed(url):
            raise ShareError(
                f"self-test: the link to {name} expired before it could be checked; "
                "give --expires more time"
            )
        if signed and status not in (200, 206):
            raise ShareError(f"self-test: the link to {name} answered {status}, not 200")
        if not signed and status not in REFUSED:
            raise ShareError(
                f"self-test: {name} is publicly readable (HTTP {status} without a "
                f"signature); make bucket {target.bucket} private; no link was printed"
            )

    # All at once: each is one small request, and none depends on another.
    with ThreadPoolExecutor(max_workers=len(checks)) as pool:
        list(pool.map(probe, checks))
