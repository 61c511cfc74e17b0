"""Heavy media beside the page (video, captions, poster, deck) and the manifest that lists them.

The contract with the sharing step (see :func:`relink`):

* ``index.html`` holds exactly one ``<script type="application/json" id="media-manifest">``
  whose JSON is ``{"version": 1, "files": {NAME: {"role": ROLE, "type": MIME, "bytes": N,
  "url": URL}}}``. NAME is the file's name in ``site/`` (``video.mp4``, ``video.vtt``,
  ``poster.png``, ``deck.pdf``); ROLE is ``video``, ``captions``, ``poster`` or ``deck``; URL
  is where the page fetches it, at build time the bare relative NAME.
* Every element that fetches or links one of those files carries ``data-media="NAME"``
  immediately followed by the one attribute holding its URL (``src``, ``href`` or
  ``poster``). Nothing else in the page refers to them.
* :func:`relink` rewrites both, and widens the Content-Security-Policy to the new origins.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from builder.artifacts import by_role
from builder.context import WriteContext
from builder.errors import OutputError
from builder.storyboard import Storyboard

# role, file name (as written by the video and deck writers), MIME type: from the one list.
KINDS = tuple(
    (a.role, a.name, a.mime) for a in map(by_role, ("video", "captions", "poster", "deck"))
)
_NEEDS_VIDEO = {"captions", "poster"}  # only useful next to a video
_CSP_FETCH = {"video": "media-src", "captions": "media-src", "poster": "img-src"}
_MANIFEST = re.compile(
    r'(<script type="application/json" id="media-manifest">)(.*?)(</script>)', re.S
)
_REFERENCE = re.compile(r'data-media="([^"]+)" (src|href|poster)="[^"]*"')
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


@dataclass(frozen=True)
class MediaFile:
    """One heavy file that travels beside ``index.html``."""

    role: str
    name: str
    type: str
    size: int
    source: Path


def find_media(board: Storyboard, ctx: WriteContext) -> dict[str, MediaFile]:
    """Return the video, captions, poster and deck built for this interviewer, keyed by role.

    Files from an earlier build that are older than the pitch are still used, with a warning
    in ``ctx.warnings``: they may not show what the pitch says now.
    """
    found: dict[str, MediaFile] = {}
    for role, name, mime in KINDS:
        if role in _NEEDS_VIDEO:
            # Captions and poster belong to one video: take them only from where it came
            # from, never an older build's beside this run's video.
            if "video" not in found:
                continue
            beside = found["video"].source.parent / name
            path: Path | None = beside if beside.is_file() else None
        else:
            path = ctx.existing(name)
        if path is None:
            continue
        found[role] = MediaFile(role, name, mime, path.stat().st_size, path)
        if path.parent != ctx.stage and _older(path, board.source):
            ctx.warnings.append(
                f"site: {name} is older than {board.source.name}; rebuild it "
                f"(build {'deck' if role == 'deck' else 'video'}) to match the pitch"
            )
    return found


def _older(path: Path, than: Path) -> bool:
    try:
        return path.stat().st_mtime < than.stat().st_mtime
    except OSError:
        return False


def copy_media(files: Mapping[str, MediaFile], folder: Path) -> None:
    """Put each file into *folder* under its manifest name (a hard link when possible)."""
    for file in files.values():
        target = folder / file.name
        try:
            os.link(file.source, target)  # same file system as the stage: no copy needed
        except OSError:
            shutil.copyfile(file.source, target)


def manifest(files: Mapping[str, MediaFile]) -> str:
    """Return the media manifest as JSON that is safe inside a ``<script>`` element."""
    data = {
        "version": 1,
        "files": {
            f.name: {"role": f.role, "type": f.type, "bytes": f.size, "url": f.name}
            for f in files.values()
        },
    }
    return _script_json(data)


def _script_json(data: object) -> str:
    # "</script>" or "<!--" in a URL must not end the element: escape the characters instead.
    text = json.dumps(data, indent=1, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def csp(style_hash: str) -> str:
    """Return the page's Content-Security-Policy: inline CSS by hash, data: fonts and images.

    Nothing else may load: no scripts, frames, forms or connections. Heavy media come from
    the page's own origin until :func:`relink` adds the origins of their signed links.
    """
    directives = {
        "default-src": ["'none'"],
        "style-src": [f"'sha256-{style_hash}'"],
        "img-src": ["data:", "'self'"],
        "font-src": ["data:"],
        "media-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def relink(page: str, urls: Mapping[str, str]) -> str:
    """Return *page* (an ``index.html`` written by ``build site``) with media moved to *urls*.

    *urls* maps manifest names (``video.mp4``) to absolute http(s) URLs, such as presigned
    links. Every reference, the manifest and the CSP are updated together. Raises
    :class:`OutputError` for a name the page does not list or a URL that is not http(s).
    """
    match = _MANIFEST.search(page)
    if match is None:
        raise OutputError("this page has no media manifest; rebuild it with `build site`")
    data = json.loads(match.group(2))
    files: dict[str, dict[str, object]] = data["files"]
    for name, url in urls.items():
        if name not in files:
            raise OutputError(f"relink: the page does not use {name}")
        _origin_of(url, name)  # refuses anything but a plain http(s) address
        files[name]["url"] = url

    def swap(ref: re.Match[str]) -> str:
        name = ref.group(1)
        url = str(files[name]["url"]) if name in files else ref.group(0)
        return f'data-media="{name}" {ref.group(2)}="{html.escape(url, quote=True)}"'

    page = page[: match.start(2)] + _script_json(data) + page[match.end(2) :]
    page = _REFERENCE.sub(swap, page)
    return _CSP.sub(lambda m: m.group(1) + _widened(m.group(2), files) + m.group(3), page, 1)


def _widened(policy: str, files: Mapping[str, Mapping[str, object]]) -> str:
    directives = [part.split() for part in html.unescape(policy).split(";") if part.strip()]
    for name, entry in files.items():
        directive = _CSP_FETCH.get(str(entry["role"]))
        if directive is None or not urlsplit(str(entry["url"])).netloc:
            continue  # a relative name is covered by 'self'; a deck is only linked
        origin = _origin_of(str(entry["url"]), name)
        for tokens in directives:
            if tokens[0] == directive and origin not in tokens:
                tokens.append(origin)
    return "; ".join(" ".join(tokens) for tokens in directives)


def _origin_of(url: str, name: str) -> str:
    """Return ``scheme://host[:port]`` of an http(s) *url*; raise :class:`OutputError` else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OutputError(f"relink: {name}: {url!r} is not an http(s) address")
    # Drop any user:password@: the origin is what CSP matches, and it must be plain.
    host = parts.netloc.rpartition("@")[2]
    if not _HOST.match(host):
        raise OutputError(f"relink: {name}: {host!r} is not a plain host name")
    return f"{parts.scheme}://{host}"
