"""The preview's doors: the Host header, the secret token, the Origin of writes, and which
files may be served at all.

The server listens on 127.0.0.1 only, but any web page the user opens could still send
requests there, or rebind a name of its own to 127.0.0.1 (DNS rebinding). So every request
must name this server as its Host, and carry the token: first in the address that
``build preview`` opens, exchanged at once for an HttpOnly, SameSite=Strict cookie (as
Jupyter does), then that cookie. A request that changes something must also come from a
page of this server (its Origin).
"""

from __future__ import annotations

import secrets
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from builder.artifacts import ARTIFACTS

REFUSED = (
    "This preview needs its key. Open the address that `build preview` printed "
    "(it ends in ?token=...)."
)
SERVED = frozenset(artifact.name for artifact in ARTIFACTS)  # what a build folder may show
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_token() -> str:
    """Return a fresh secret for the address: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class Guard:
    """ASGI middleware that lets a request through only with the right Host, the token
    (in the address once, then the cookie) and, for writes, the right Origin."""

    def __init__(self, app: ASGIApp, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.hosts = frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})
        self.origins = frozenset(f"http://{host}" for host in self.hosts)
        self.cookie = f"build-preview-{port}"  # cookies ignore ports: one name per server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = self.check(scope)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> Response | None:
        """Return the response that refuses (or redirects) *scope*, or None to let it in."""
        headers = Headers(scope=scope)
        if headers.get("host", "").lower() not in self.hosts:
            return _refuse("This server answers only as 127.0.0.1 or localhost.")
        if scope["method"] in UNSAFE_METHODS and headers.get("origin") not in self.origins:
            return _refuse("Changes are accepted only from the preview's own page.")
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
        given = [value for key, value in query if key == "token"]
        if given:
            return self._exchange(scope, given[0], query)
        cookie = _cookie(headers, self.cookie)
        if cookie is None or not secrets.compare_digest(cookie, self.token):
            return _refuse(REFUSED)
        return None

    def _exchange(self, scope: Scope, given: str, query: list[tuple[str, str]]) -> Response:
        # The token leaves the address bar (and the history) at once; the cookie carries it.
        if not secrets.compare_digest(given, self.token):
            return _refuse(REFUSED)
        rest = urlencode([(key, value) for key, value in query if key != "token"])
        path = "/" + scope["path"].lstrip("/")  # never "//host": no redirect off this server
        target = path + (f"?{rest}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
        response.headers["Cache-Control"] = "no-store"
        return response


def _cookie(headers: Headers, name: str) -> str | None:
    for header in headers.getlist("cookie"):
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
    return None


def _refuse(message: str) -> Response:
    return PlainTextResponse(message, status_code=403, headers={"Cache-Control": "no-store"})


def build_file(folder: Path, relative: str) -> Path | None:
    """Return the file *relative* names in the build folder *folder*, or None.

    Only what a build makes is served (``deck.pdf``, ``video.mp4``, ``site/...``): never a
    hidden file, never a folder, never a path that leaves *folder*, whatever its spelling
    (``..``, an absolute path, a symbolic link pointing out).
    """
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] not in SERVED or any(p in ("", ".", "..") for p in parts):
        return None
    if any(part.startswith(".") for part in parts):
        return None
    base = folder.resolve()
    target = (base / relative).resolve()
    # resolve() follows symbolic links, so one pointing outside fails here.
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
