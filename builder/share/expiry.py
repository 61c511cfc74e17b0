"""How long a private link lives: ``--expires`` parsed, capped, and met by the credentials."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

# A SigV4 presigned URL can never be valid for longer than 7 days; botocore does not check.
MAX_SECONDS = 7 * 24 * 3600
DEFAULT = "7d"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)\s*([smhdw])")


def parse_expires(text: str) -> int:
    """Return *text* (``90s``, ``45m``, ``36h``, ``7d``, ``1d12h``) in seconds.

    Raises ``ValueError`` with a one-line reason for anything else, or for a span outside
    1 second to 7 days.
    """
    spec = text.strip().lower().replace(" ", "")
    if spec.startswith("-"):
        raise ValueError(f"{text!r} is negative; give 1s to 7d")
    parts = _PART.findall(spec)
    if not parts or "".join(n + u for n, u in parts) != spec:
        raise ValueError(f"{text!r} is not a duration like 90m, 36h or 7d")
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds < 1:
        raise ValueError(f"{text!r} is zero; give 1s to 7d")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{text!r} is longer than 7d, the most a private link can live")
    return seconds


def describe(seconds: int) -> str:
    """Return a span as people say it: ``7 days``, ``36 hours``, ``90 seconds``."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def credentials_end(credentials: Any) -> datetime | None:
    """Return when temporary *credentials* (botocore's) stop working, or ``None`` for
    long-lived keys. A link signed with them dies with them.

    Refreshable credentials (SSO, an assumed role, an instance role) know their end; plain
    keys with a session token (STS from the environment) do not, and count as ending within
    the hour, the shortest a session lasts.
    """
    if credentials is None:
        return None
    expiry = getattr(credentials, "_expiry_time", None)  # RefreshableCredentials
    if isinstance(expiry, datetime):
        return expiry.astimezone(UTC)
    if credentials.get_frozen_credentials().token is None:
        return None
    return datetime.now(UTC) + timedelta(hours=1)


def link_end(seconds: int, credentials: Any, now: datetime) -> datetime:
    """Return when a link signed now for *seconds* stops working.

    Raises ``ValueError`` when temporary credentials end before that: the link would die
    sooner than asked, silently.
    """
    wanted = now + timedelta(seconds=seconds)
    ends = credentials_end(credentials)
    if ends is not None and ends < wanted:
        left = max(1, int((ends - now).total_seconds()))
        raise ValueError(
            f"the credentials are temporary and end in {describe(left)} "
            f"({ends:%Y-%m-%d %H:%M} UTC), before the {describe(seconds)} asked; a link dies "
            f"with them: use --expires {max(1, left // 60)}m or long-lived keys"
        )
    return wanted
