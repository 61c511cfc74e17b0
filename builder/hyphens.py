"""Where a word too long for its line may break: hyphenation in the pitch's language.

Only for the rare word wider than a whole line ("Donaudampfschifffahrtsgesellschaft" in a
title): everything else wraps between words. The patterns are LibreOffice's, through
Pyphen; loading the German ones takes about half a second, so they are loaded only when
such a word turns up.
"""

from __future__ import annotations

import itertools
import re
from functools import cache, lru_cache
from typing import Any

SHY = "\u00ad"  # the soft hyphen: a break with a hyphen, invisible where there is none
_DICTIONARIES = {"en": "en_US", "de": "de_DE"}
# The letters a point may fall between: a word with digits, dots or slashes (a URL, a
# version) is no word of the language and breaks nowhere but where it must.
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_AROUND = ".,;:!?\"'()[]\u00ab\u00bb\u201e\u201c\u201d\u201a\u2018\u2019"  # not part of the word


def points(word: str, language: str) -> tuple[int, ...]:
    """Return the offsets in *word* where it may break with a hyphen, in order.

    Punctuation around the word ("Versicherungsgesellschaften,") is no part of it; a word
    of the language joined by hyphens ("Supply-Chain-Optimierung") may also break after
    each of its own hyphens (without adding one).
    """
    core = word.strip(_AROUND)
    found = _WORD.fullmatch(core)
    if found is None or len(core) < 5:
        return ()
    start = word.index(core)
    offsets: list[int] = []
    for part in re.finditer(r"[^-]+", found.group(0)):
        offsets += [start + part.start() + p for p in _positions(part.group(0), language)]
        if part.end() < len(found.group(0)):
            offsets.append(start + part.end() + 1)  # after its own hyphen
    return tuple(sorted(offsets))


def pieces(word: str, language: str) -> list[str]:
    """Return *word* cut at each of its :func:`points` (joined, they are *word* again)."""
    edges = (0, *points(word, language), len(word))
    return [word[a:b] for a, b in itertools.pairwise(edges)]


def soft(word: str, language: str) -> str:
    """Return *word* with a soft hyphen at each of its :func:`points` but those after its
    own hyphens (where every renderer breaks anyway)."""
    parts = pieces(word, language)
    return "".join(p + ("" if p.endswith("-") or i == len(parts) - 1 else SHY)
                   for i, p in enumerate(parts))  # fmt: skip


@lru_cache(maxsize=1024)
def _positions(part: str, language: str) -> tuple[int, ...]:
    return tuple(_dictionary(language).positions(part))


@cache
def _dictionary(language: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=_DICTIONARIES.get(language, "en_US"), left=3, right=3)
