"""The deck's pages as pictures for the preview, drawn from deck.pdf by PDFium."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from builder.errors import OutputError

WIDTH = 1280  # pixels: sharp in the page's column on a high-density screen
MAX_PAGES = 30  # a deck has 4 to 10 slides; a stray huge PDF must not stall the preview


def render_pages(pdf: Path, folder: Path, width: int = WIDTH) -> list[Path]:
    """Draw each page of *pdf* as ``1.png``, ``2.png`` ... into *folder* (replacing what
    was there) and return their paths in order. Raises :class:`OutputError`."""
    import pypdfium2 as pdfium

    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".pages-", dir=folder.parent))
    try:
        document = pdfium.PdfDocument(pdf)
    except (pdfium.PdfiumError, OSError) as e:
        shutil.rmtree(fresh, ignore_errors=True)
        raise OutputError(f"{pdf.name}: cannot draw its pages: {e}") from None
    try:
        paths = [
            _draw(document[index], width, fresh / f"{index + 1}.png")
            for index in range(min(len(document), MAX_PAGES))
        ]
    finally:
        document.close()
    shutil.rmtree(folder, ignore_errors=True)
    fresh.rename(folder)
    return [folder / path.name for path in paths]


def _draw(page: Any, width: int, target: Path) -> Path:
    bitmap = page.render(scale=width / page.get_width())
    bitmap.to_pil().save(target, format="PNG", compress_level=3)
    return target
