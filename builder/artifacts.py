"""The one list of files a build makes: name, the output that makes it, role and MIME type.

The writers' ownership (what a rebuild may replace), the microsite's media manifest and the
sharing step all read this list, so a name or a type is spelled only here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Artifact:
    """One file (or, for the site, folder) in an interviewer's build folder."""

    name: str  # its name in the folder: "deck.pdf"
    output: str  # the output that writes it: "deck", "video", "site", "email"
    role: str  # what it is to a reader: "deck", "video", "captions", "poster", ...
    mime: str
    shared: bool = True  # uploaded by --share (the .pptx only with --include-pptx)


PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

ARTIFACTS: tuple[Artifact, ...] = (
    Artifact("deck.pptx", "deck", "pptx", PPTX_MIME, shared=False),
    Artifact("deck.pdf", "deck", "deck", "application/pdf"),
    Artifact("video.mp4", "video", "video", "video/mp4"),
    Artifact("video.vtt", "video", "captions", "text/vtt"),
    Artifact("poster.png", "video", "poster", "image/png"),
    Artifact("preview.gif", "video", "preview", "image/gif", shared=False),
    Artifact("site", "site", "site", "text/html; charset=utf-8"),
    Artifact("email.txt", "email", "email", "text/plain; charset=utf-8", shared=False),
    Artifact("email.eml", "email", "eml", "message/rfc822", shared=False),
    Artifact("message.txt", "email", "message", "text/plain; charset=utf-8", shared=False),
)

# The site's page inside its folder, and the build's record of what made the folder.
SITE_PAGE = "index.html"
MANIFEST = "build.json"


def owned_by(output: str) -> tuple[str, ...]:
    """Return the names *output* may write into an interviewer's folder."""
    names = tuple(a.name for a in ARTIFACTS if a.output == output)
    if not names:
        raise KeyError(output)
    return names


def by_name(name: str) -> Artifact:
    """Return the artifact called *name*; raise ``KeyError`` for a name no output makes."""
    for artifact in ARTIFACTS:
        if artifact.name == name:
            return artifact
    raise KeyError(name)


def by_role(role: str) -> Artifact:
    """Return the artifact whose role is *role* (``video``, ``deck``, ``captions`` ...)."""
    for artifact in ARTIFACTS:
        if artifact.role == role:
            return artifact
    raise KeyError(role)
