"""Watching the pitch's folder, and rebuilding one change at a time.

Any save in the pitch's folder (pitch.yaml or a media file it names; editors save by
writing a new file and renaming it, so the folder is watched, not the files) wakes the
rebuild loop. The loop asks the :class:`Preview` to refresh, which compares what a build
reads with what it last built and rebuilds only the outputs that depend on the difference.
Saves that come during a build are gathered into the next one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from builder.preview.session import Preview

STEP_MS = 50  # quiet time after the last event before a batch is handed over


def relevant(path: Path, folder: Path, ignored: tuple[Path, ...]) -> bool:
    """Return whether a change of *path* (in the watched *folder*) could change the preview:
    not inside the build's output or the preview's own folders, not hidden (editors' swap
    files, staging folders, our own temporary files), not a backup (``name~``)."""
    if any(path.is_relative_to(place) for place in ignored):
        return False
    parts = path.relative_to(folder).parts if path.is_relative_to(folder) else (path.name,)
    return not any(part.startswith(".") for part in parts) and not path.name.endswith("~")


async def watch(preview: Preview, wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Set *wake* whenever something relevant in the pitch's folder changes, until *stop*."""
    from watchfiles import Change, DefaultFilter, awatch

    settings = preview.settings
    out = settings.out.resolve()
    # The build's own writes are no news. (With the pitch inside the build folder, `-o .`,
    # they still arrive; a refresh then finds nothing changed and builds nothing.)
    inside = settings.pitch.resolve().is_relative_to(out)
    ignored = (settings.cache.resolve(),) if inside else (settings.cache.resolve(), out)
    default = DefaultFilter()

    folder = settings.pitch.parent.resolve()

    def accept(change: Change, path: str) -> bool:
        return default(change, path) and relevant(Path(path).resolve(), folder, ignored)

    async for _ in awatch(folder, watch_filter=accept, stop_event=stop, step=STEP_MS):
        wake.set()


async def rebuild(preview: Preview, wake: asyncio.Event) -> None:
    """Refresh the preview each time *wake* is set, one refresh at a time, forever."""
    import anyio.to_thread

    while True:
        await wake.wait()
        wake.clear()
        # Stopping the server cancels this loop only after Preview.close has waited for a
        # running build, so nothing is cut off half-way.
        await anyio.to_thread.run_sync(preview.refresh)
