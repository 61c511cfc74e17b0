"""Every per-scene table covers every kind of scene; the shared fitting searches and boxes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

import pytest

from builder.deck.slides import SLIDES
from builder.fitting import longest_prefix, shrink
from builder.frames.layouts import LAYOUTS
from builder.geometry import Box
from builder.site.view import SECTIONS
from builder.storyboard import SceneKind

TABLES: dict[str, Mapping[SceneKind, object]] = {
    "deck SLIDES": SLIDES,
    "frames LAYOUTS": LAYOUTS,
    "site SECTIONS": SECTIONS,
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_covers_every_scene_kind_exactly(name: str) -> None:
    assert sorted(TABLES[name]) == sorted(get_args(SceneKind)), name


def test_shrink_returns_the_first_size_that_fits() -> None:
    tried: list[float] = []

    def fits(size: float) -> bool:
        tried.append(size)
        return size <= 10.2

    assert shrink(12.0, 8.0, lambda size: size - 0.5, fits) == (10.0, True)
    assert tried == [12.0, 11.5, 11.0, 10.5, 10.0]


def test_shrink_stops_at_the_floor_and_says_nothing_fit() -> None:
    tried: list[int] = []

    def fits(size: int) -> bool:
        tried.append(size)
        return False

    assert shrink(40, 24, lambda px: max(24, round(px * 0.92)), fits) == (24, False)
    assert tried == [40, 37, 34, 31, 29, 27, 25, 24]
    assert shrink(12.0, 11.2, lambda size: size - 0.5, lambda size: False) == (11.5, False)


def test_shrink_never_stalls_on_a_step_that_does_not_shrink() -> None:
    assert shrink(6, 2, lambda px: round(px * 0.92), lambda px: False) == (6, False)


@pytest.mark.parametrize("count", range(8))
def test_longest_prefix_finds_what_a_linear_search_finds(count: int) -> None:
    for limit in range(-1, count + 2):
        linear = max((n for n in range(count + 1) if n <= limit), default=0)
        assert longest_prefix(count, lambda n, limit=limit: n <= limit) == linear


def test_box_vocabulary() -> None:
    box = Box(10, 20, 100, 50)
    assert (box.right, box.bottom) == (110, 70)
    assert box.inset(5, 10) == Box(15, 30, 90, 30)
    assert box.from_top(40) == Box(10, 40, 100, 30)
    assert box.columns(0.5, 10) == (Box(10, 20, 45, 50), Box(65, 20, 45, 50))
    assert box.fit(4, 1) == Box(10, 20, 100, 25)
