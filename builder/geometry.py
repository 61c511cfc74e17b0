"""Rectangles, in whatever unit the caller lays out in: EMU on slides, pixels on frames."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Box:
    """A rectangle: its top left corner and its size, in one unit."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        """Return the x coordinate just past the right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> int:
        """Return the y coordinate just past the bottom edge."""
        return self.top + self.height

    def columns(self, first: float, gutter: int) -> tuple[Box, Box]:
        """Return two side-by-side boxes; the first takes *first* of the width after *gutter*."""
        usable = self.width - gutter
        width = round(usable * first)
        left = replace(self, width=width)
        right = replace(self, left=self.left + width + gutter, width=usable - width)
        return left, right

    def from_top(self, top: int) -> Box:
        """Return this box starting at *top* instead, keeping its bottom edge."""
        return replace(self, top=top, height=max(0, self.bottom - top))

    def inset(self, dx: int, dy: int) -> Box:
        """Return this box shrunk by *dx* at the left and right and *dy* at top and bottom."""
        return Box(self.left + dx, self.top + dy, self.width - 2 * dx, self.height - 2 * dy)

    def fit(self, width: int, height: int) -> Box:
        """Return the largest box of aspect *width*:*height* in this one, centred, at its top."""
        scale = min(self.width / width, self.height / height)
        w, h = round(width * scale), round(height * scale)
        return Box(self.left + (self.width - w) // 2, self.top, w, h)
