"""The preview's web app (Starlette): the pages, the build's files, and the two writes
(share, keep a recording). Every route sits behind :class:`~builder.preview.guard.Guard`."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import re
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from builder.artifacts import ARTIFACTS
from builder.errors import BuilderError
from builder.preview import page
from builder.preview.guard import Guard, build_file
from builder.preview.record import MAX_BYTES, TooLarge, receive
from builder.preview.session import Person, Preview
from builder.preview.watch import rebuild, watch
from builder.theme import Theme

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "preview.css": "text/css",
    "preview.js": "text/javascript",
    "record.js": "text/javascript",
}
TYPES = {artifact.name: artifact.mime for artifact in ARTIFACTS}
# The preview's own pages: scripts and styles from this server only; camera playback
# from blob: URLs; frames only of this server (the site and the email).
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
EMAIL_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)
_SITE_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')
COMMON = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def create_app(preview: Preview, token: str, port: int) -> Starlette:
    """Return the ASGI app showing *preview*, for a server on 127.0.0.1:*port*."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        wake, stop = asyncio.Event(), asyncio.Event()
        wake.set()  # the first build
        app.state.wake = wake
        tasks = [
            asyncio.create_task(rebuild(preview, wake)),
            asyncio.create_task(watch(preview, wake, stop)),
        ]
        try:
            yield
        finally:
            stop.set()  # the watcher ends
            if preview.busy:
                preview.say("stopping the running build…")
            await anyio.to_thread.run_sync(preview.close)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    app = Starlette(
        routes=Handlers(preview).routes(),
        middleware=[Middleware(Guard, token=token, port=port)],
        lifespan=lifespan,
    )
    return app


class Handlers:
    """The app's routes, each answering from the preview's current view."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def routes(self) -> list[Route]:
        """Return every route the app answers; anything else is 404."""
        return [
            Route("/", self.home),
            Route("/record", self.record),
            Route("/api/state", self.state),
            Route("/api/share", self.share, methods=["POST"]),
            Route("/api/recording", self.recording, methods=["POST"]),
            Route("/out/{slug}/{path:path}", self.out_file),
            Route("/deck/{slug}/{number:int}.png", self.deck_page),
            Route("/email/{slug}.html", self.email_page),
            Route("/static/{name}", self.static),
            Route("/theme.css", self.theme_css),
            Route("/fonts/{role}", self.font),
        ]

    async def home(self, request: Request) -> Response:
        view = self.preview.view
        person = _chosen(request, view.people)
        share = view.shares.get(person.slug) if person else None
        panel = page.panel(view, person) if person else None
        return self._page("page.html", panel=panel, share=share)

    async def record(self, request: Request) -> Response:
        return self._page("record.html")

    def _page(self, template: str, **context: object) -> Response:
        view = self.preview.view
        state, line = page.status(view)
        name = self.preview.settings.pitch.name
        html = page.render(template, view=view, pitch=name, state=state, status=line, **context)
        headers = {**COMMON, "Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"}
        return HTMLResponse(html, headers=headers)

    async def state(self, request: Request) -> Response:
        state = page.state_json(self.preview.view)
        return JSONResponse(state, headers={"Cache-Control": "no-store"})

    async def out_file(self, request: Request) -> Response:
        person = _person(self.preview, request.path_params["slug"])
        target = build_file(person.folder, request.path_params["path"]) if person else None
        if target is None:
            return _missing()
        # Revalidated on every use (cheap, by ETag): a rebuilt file must never come from cache.
        headers = {**COMMON, "Cache-Control": "no-cache"}
        if target.name == "index.html":
            headers["Content-Security-Policy"] = _site_csp(target)
        mime = TYPES.get(target.name) or mimetypes.guess_type(target.name)[0]
        return FileResponse(target, media_type=mime or "application/octet-stream", headers=headers)

    async def deck_page(self, request: Request) -> Response:
        pages = self.preview.view.pages.get(request.path_params["slug"], ())
        number = request.path_params["number"]
        if not 1 <= number <= len(pages):
            return _missing()
        return FileResponse(pages[number - 1], media_type="image/png", headers=COMMON)

    async def email_page(self, request: Request) -> Response:
        person = _person(self.preview, request.path_params["slug"])
        html = page.email_html(person.folder) if person else None
        if html is None:
            return _missing()
        return HTMLResponse(html, headers={**COMMON, "Content-Security-Policy": EMAIL_CSP})

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return _missing()
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name], headers=COMMON)

    async def theme_css(self, request: Request) -> Response:
        css = page.theme_css(_theme(self.preview))
        return Response(css, media_type="text/css", headers=COMMON)

    async def font(self, request: Request) -> Response:
        role = request.path_params["role"]
        if role not in page.FONT_ROLES:
            return _missing()
        path = page.font_file(_theme(self.preview), role)
        return FileResponse(path, media_type="font/ttf", headers=COMMON)

    async def share(self, request: Request) -> Response:
        person = _person(self.preview, request.query_params.get("for", ""))
        if person is None:
            return JSONResponse({"error": "no such interviewer in this preview"}, 404)
        try:
            shared = await anyio.to_thread.run_sync(self.preview.share, person.slug)
        except BuilderError as e:
            return JSONResponse({"error": str(e)}, 409)
        return JSONResponse({"link": shared.link, "message": shared.message})

    async def recording(self, request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > MAX_BYTES:
            return JSONResponse({"error": f"larger than {MAX_BYTES // 2**20} MB"}, 413)
        try:
            part = await receive(request.stream(), self.preview.settings.pitch.parent)
        except TooLarge as e:
            return JSONResponse({"error": str(e)}, 413)
        kind = request.headers.get("content-type", "")
        try:
            name = await anyio.to_thread.run_sync(self.preview.keep_recording, part, kind)
        except BuilderError as e:
            return JSONResponse({"error": str(e)}, 400)
        request.app.state.wake.set()
        return JSONResponse({"file": name, "generation": self.preview.view.generation})


def _chosen(request: Request, people: tuple[Person, ...]) -> Person | None:
    wanted = request.query_params.get("for")
    return next((p for p in people if p.slug == wanted), people[0] if people else None)


def _person(preview: Preview, slug: str) -> Person | None:
    return next((p for p in preview.view.people if p.slug == slug), None)


def _theme(preview: Preview) -> Theme:
    from builder.theme import load_theme

    try:
        return load_theme(preview.view.theme, relative_to=preview.settings.pitch.parent)
    except BuilderError:
        return load_theme("classic")


def _site_csp(index: Path) -> str:
    # The microsite's own policy (from its <meta>), sent as a header too, where it also
    # applies before the page is parsed; and only the preview may frame it.
    found = _SITE_CSP.search(index.read_text(encoding="utf-8", errors="replace"))
    policy = found.group(1).replace("&#39;", "'") if found else "default-src 'none'"
    return f"{policy}; frame-ancestors 'self'"


def _missing() -> Response:
    return Response("Not found", status_code=404, media_type="text/plain", headers=COMMON)
