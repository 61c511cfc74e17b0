"""What a share is, as plain data: read by the CLI, the ledger and the email step.

Nothing here imports boto3, so the email step and ``build links`` stay light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

Status = Literal["active", "expiring", "expired", "revoked"]
EXPIRING_WITHIN = timedelta(days=1)


@dataclass(frozen=True)
class Link:
    """One private link: what it opens, where, and until when."""

    output: str  # "site", "video", "deck" (the PDF) or "pptx"
    url: str
    expires_at: datetime  # timezone-aware, UTC
    local: bool = False  # from the embedded store: works only on the candidate's computer
    # False for a link given with --link: its end is not ours to know, so no message names
    # one (its expires_at is then the latest date there is).
    ends_known: bool = True


@dataclass(frozen=True)
class Share:
    """The objects uploaded for one interviewer, and the links that open them."""

    share_id: str
    interviewer: str
    slug: str
    pitch: str  # the pitch file's absolute path
    folder: str  # the build folder the files came from
    bucket: str
    endpoint: str  # the store's address, as the links use it
    prefix: str  # the unguessable key prefix, ending in "/"
    keys: tuple[str, ...]
    links: tuple[Link, ...]
    created_at: datetime
    revoked_at: datetime | None = None
    cleaned_at: datetime | None = None
    local: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def expires_at(self) -> datetime:
        """Return when the share's links stop working (the earliest of them)."""
        return min(link.expires_at for link in self.links)

    def link(self, output: str) -> Link | None:
        """Return the link that opens *output* (``site``, ``video``, ``deck``), if shared."""
        return next((link for link in self.links if link.output == output), None)

    @property
    def main_link(self) -> Link:
        """Return the link to send: the site when shared, else the video, else the deck."""
        for output in ("site", "video", "deck", "pptx"):
            found = self.link(output)
            if found is not None:
                return found
        return self.links[0]

    def status(self, now: datetime | None = None) -> Status:
        """Return ``active``, ``expiring`` (within a day), ``expired`` or ``revoked``."""
        now = now or datetime.now(UTC)
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.expires_at - now <= EXPIRING_WITHIN:
            return "expiring"
        return "active"
