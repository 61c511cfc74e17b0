"""Running the preview: a socket on 127.0.0.1, uvicorn serving the app, the browser opened
on the address with its token; Ctrl-C stops it after the running build (if any) ends."""

from __future__ import annotations

import contextlib
import errno
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder.context import Options
from builder.errors import BuilderError
from builder.preview.guard import new_token
from builder.preview.session import Preview, Say, Settings

HOST = "127.0.0.1"  # never another interface: the preview shows private data
DEFAULT_PORT = 8350
TRIES = 20  # without --port, the next free port after the default, like Jupyter


def serve(
    pitch: Path,
    out: Path,
    *,
    say: Say,
    port: int | None = None,
    open_browser: bool = True,
    theme: str | None = None,
    for_: str | None = None,
    options: Options | None = None,
    data_dir: Path | None = None,
) -> None:
    """Serve the live preview of *pitch*, building into *out*, until interrupted.

    *say* receives the lines worth showing (the address, each rebuild). Raises
    :class:`BuilderError` when the port cannot be had.
    """
    listener = bind(port)
    actual = int(listener.getsockname()[1])
    token = new_token()
    cache = Path(tempfile.mkdtemp(prefix="build-preview-"))
    settings = Settings(
        pitch=pitch.resolve(),
        out=out.resolve(),
        cache=cache,
        theme=theme,
        for_=for_,
        options=options or Options(),
        data_dir=data_dir,
    )
    server = _server(Preview(settings, say), token, actual)
    url = f"http://{HOST}:{actual}/?token={token}"
    say(f"preview of {pitch}: {url}")
    say(f"building into {out}; Ctrl-C stops")
    if open_browser:
        threading.Thread(target=_open, args=(url,), daemon=True).start()
    try:
        _run(server, listener)
    finally:
        listener.close()
        shutil.rmtree(cache, ignore_errors=True)
    say("preview stopped")


def _server(preview: Preview, token: str, port: int) -> Any:
    """Return the uvicorn server of the preview's app (quiet: the preview says what matters)."""
    import uvicorn

    from builder.preview.app import create_app

    app = create_app(preview, token, port)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, ws="none", timeout_graceful_shutdown=3
    )
    return uvicorn.Server(config)


def _run(server: Any, listener: socket.socket) -> None:
    """Serve on *listener* until Ctrl-C, SIGTERM or a closed terminal."""
    try:
        with _hangup_stops(server):
            server.run(sockets=[listener])
    except KeyboardInterrupt:
        pass  # uvicorn already shut down cleanly; it re-raises the signal afterwards


@contextlib.contextmanager
def _hangup_stops(server: Any) -> Iterator[None]:
    """Let a closed terminal (SIGHUP) stop the server as Ctrl-C does: uvicorn itself shuts
    down cleanly on SIGINT and SIGTERM only."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        yield
        return
    previous = signal.getsignal(signal.SIGHUP)
    if previous == signal.SIG_IGN:  # nohup: it stays ignored
        yield
        return
    signal.signal(signal.SIGHUP, lambda signum, frame: server.handle_exit(signal.SIGINT, frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


def bind(port: int | None) -> socket.socket:
    """Return a listening socket on 127.0.0.1: on *port*, or without one on the default
    port or one of the next few. Raises :class:`BuilderError` when none is free."""
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + TRIES)
    for candidate in candidates:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, candidate))
        except OSError as e:
            listener.close()
            if e.errno != errno.EADDRINUSE:
                raise BuilderError(f"--port {candidate}: cannot listen: {e.strerror}") from None
            continue
        listener.listen(64)
        return listener
    if port is not None:
        raise BuilderError(f"--port {port}: in use; choose another, or leave --port out")
    raise BuilderError(f"ports {DEFAULT_PORT}-{DEFAULT_PORT + TRIES - 1} are in use; use --port")


def _open(url: str) -> None:
    import webbrowser

    webbrowser.open(url)
