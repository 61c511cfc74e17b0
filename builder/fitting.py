"""The two searches that make text fit, shared by the deck (points) and the frames (pixels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Size = TypeVar("Size", int, float)


def shrink(
    start: Size, floor: Size, smaller: Callable[[Size], Size], fits: Callable[[Size], bool]
) -> tuple[Size, bool]:
    """Return the first size that *fits*, trying *start*, then ``smaller(size)`` after each
    failure for as long as that is not below *floor*, and whether it fit.

    When none fits, return the last size tried and ``False``. The units, and the steps
    between sizes, are the caller's.
    """
    size = start
    while not fits(size):
        following = smaller(size)
        # ``following >= size``: a step that no longer shrinks would try the same size forever.
        if size <= floor or following < floor or following >= size:
            return size, False
        size = following
    return size, True


def longest_prefix(count: int, fits: Callable[[int], bool]) -> int:
    """Return the largest *n* from 0 to *count* for which ``fits(n)`` (0 when none does).

    ``fits(n)`` is the test of the first *n* pieces (words, characters, paragraphs) and
    must hold for every *n* below one that fits: the search is binary.
    """
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
