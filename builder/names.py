"""People's names: titles, particles, first name, formal address, folder name and search."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "de"]

# Titles written before a name, compared in lower case. German compounds ("Dr.-Ing.",
# "Dipl.-Kfm.", "Univ.-Prof.") are caught by _TITLE_STEM below.
_TITLES = {
    *("prof.", "prof.in", "professor", "professorin", "apl.", "pd", "di", "ph.d.", "phd"),
    *("dr.", "dr.in", "mag.", "mag.a", "ing.", "mba", "msc", "m.sc.", "ll.m."),
    *("dr", "prof"),  # British English writes them without a full stop: "Dr Sarah Kim"
}
# British honours said with the first name: "Sir Ian Brown" is "Sir Ian", never "Sir Brown".
_KNIGHTHOODS = {"sir": "Sir", "dame": "Dame"}
_TITLE_STEM = re.compile(r"^(dipl|univ|priv|jun|hon|apl|dr|mag|ing|prof)[.-]", re.IGNORECASE)
# Words that are no academic degree but say how the person wants to be addressed.
_HONORIFICS = {"frau", "herr", "mr.", "mrs.", "ms.", "mx.", "mr", "mrs", "ms", "mx"}
_ENGLISH_HONORIFICS = {h: h.rstrip(".").capitalize() + "." for h in _HONORIFICS - {"frau", "herr"}}
_GERMAN_HONORIFICS = {"frau": "Frau", "herr": "Herr"}
# A faculty after "Dr." ("med.", "rer. nat.", "h. c."): a short lower-case abbreviation.
_QUALIFIER = re.compile(r"^[a-zäöü]{1,6}\.(?:[a-zäöü]{1,6}\.)*$")
# Particles that start a family name ("von Berg", "van der Meer", "de la Cruz").
_PARTICLES = {
    *("von", "van", "de", "der", "den", "zu", "zum", "zur", "vom", "und", "ten", "ter", "te"),
    *("da", "das", "dos", "do", "di", "del", "della", "des", "du", "la", "le", "af", "av"),
}
# Capitalised forms that still are particles ("Vincent Van Gogh"); "Der" or "Do" are not.
_CAPITAL_PARTICLES = {"van", "von", "de", "di", "da", "du", "del", "della", "le", "la", "dos"}
# Titles German uses when addressing someone; "Dipl.-Kfm." or "M.Sc." are not said.
_ADDRESS_TITLES = ("dr", "prof", "univ.-prof", "mag", "ing.")
_DOCTORS = {"ph.d.", "phd", "dphil", "d.phil.", "md", "m.d."}  # suffixes that make a "Dr."


@dataclass(frozen=True)
class Name:
    """A person's name in parts: ``Prof. Dr.`` / ``Maria`` / ``von Berg`` (and ``PhD``)."""

    titles: str  # as written before the name: "Prof. Dr.", "Dr. med.", "Frau Dr."
    first: str  # the first given name: what friends call them
    last: str  # the family name with its particles; "" for a single name
    full: str  # the whole text as given
    suffix: str = ""  # after a comma or at the end: "PhD", "MBA"
    middle: str = ""  # further given names: "Maria" in "Anna Maria Beispiel"

    @property
    def plain(self) -> str:
        """Return the name without titles and suffixes: ``Maria von Berg``."""
        return " ".join(part for part in (self.first, self.middle, self.last) if part)


def parse_name(text: str) -> Name:
    """Return *text* split into titles, first name, family name and suffix.

    ``Prof. Dr. Maria von Berg`` -> titles ``Prof. Dr.``, first ``Maria``, last ``von Berg``.
    A single word is a first name with no family name. The family name first, as lists
    and HR systems write it (``Müller, Hans``, ``von Berg, Prof. Dr. Maria``), is read in
    that order.
    """
    full = " ".join(text.split())
    main, _, after = full.partition(",")
    given, _, beyond = after.partition(",")
    if _is_family_first(main, given):
        main, after = f"{given.strip()} {main}", beyond
    words = main.split()
    titles, rest = _split_titles(words)
    suffix = [after.strip()] if after.strip() else []
    while len(rest) > 1 and (_is_suffix(rest[-1]) or not any(c.isalpha() for c in rest[-1])):
        word = rest.pop()  # a degree after the name, or a decoration such as an emoji
        suffix[:0] = [word] if _is_suffix(word) else []
    start = _family_start(rest) if len(rest) > 1 else len(rest)
    return Name(
        titles=" ".join(titles),
        first=rest[0] if rest else "",
        last=" ".join(rest[start:]),
        full=full,
        suffix=", ".join(suffix),
        middle=" ".join(rest[1:start]),
    )


def formal_name(name: Name, language: Language) -> str:
    """Return how a formal message names the person, never guessing Frau/Herr or Ms/Mr.

    English: ``Professor von Berg``, ``Dr. Beispiel``, ``Ms. Kim`` (only when the pitch says
    "Ms."), else the plain full name ``Sarah Kim``. German: ``Prof. Dr. Maria von Berg``,
    ``Frau Dr. Schulz`` (only when the pitch says "Frau"), else ``Petra Schulz``.
    """
    if not name.last:
        return " ".join(p for p in (name.titles, name.first) if p) or name.full
    if language == "en":
        return _english_formal(name)
    honorific = next((_GERMAN_HONORIFICS[t.lower()] for t in name.titles.split()
                      if t.lower() in _GERMAN_HONORIFICS), "")  # fmt: skip
    titles = _german_titles(name.titles)
    if honorific:
        return " ".join(p for p in (honorific, titles, name.last) if p)
    return " ".join(p for p in (titles, name.plain) if p)


def name_keys(text: str) -> set[str]:
    """Return the ways a person may be named in a search, folded to lower-case ASCII.

    The first name, the family name (with and without particles), the plain full name and
    the name as written: ``--for maria``, ``--for "von berg"`` and ``--for berg`` all match.
    """
    name = parse_name(text)
    family = [w for w in name.last.split() if w.lower() not in _PARTICLES]
    keys = {name.first, name.last, " ".join(family), name.plain, name.full} - {""}
    return {form for key in keys for form in folds(key)}


def folds(text: str) -> set[str]:
    """Return the forms *text* is searched by: ``Öztürk`` -> ``ozturk`` and ``oeztuerk``."""
    return {fold(text), _german_fold(text)}


def fold(text: str) -> str:
    """Return *text* in lower case without accents, ß as ss: ``Öztürk`` -> ``ozturk``."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def _german_fold(text: str) -> str:
    """Return *text* folded the German way, umlauts as two letters: ``oeztuerk``."""
    lowered = text.lower()
    for umlaut, pair in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        lowered = lowered.replace(umlaut, pair)
    return fold(lowered)


def _is_title(word: str) -> bool:
    lowered = word.lower()
    known = _TITLES | _HONORIFICS | _KNIGHTHOODS.keys()
    return lowered in known or bool(_TITLE_STEM.match(word))


def _split_titles(words: list[str]) -> tuple[list[str], list[str]]:
    """Return (titles, the rest): titles and their faculties lead, a name must remain."""
    count = 0
    while count < len(words) - 1:
        word = words[count]
        faculty = count > 0 and _QUALIFIER.match(word) is not None
        if not (_is_title(word) or faculty):
            break
        count += 1
    return words[:count], words[count:]


def _is_family_first(family: str, given: str) -> bool:
    """Return whether ``family, given`` is a name written family name first: a family name
    (one word, perhaps after particles: ``von Berg``) and, after the comma, given names
    (perhaps after titles) that start with capitals, no degree among them (``Kim, PhD``)
    and no lower-case word (``Kim, head of analytics``)."""
    surname = family.split()
    if not surname or not all(_is_particle(word) for word in surname[:-1]):
        return False
    _, names = _split_titles(given.split())
    return 1 <= len(names) <= 3 and all(
        word[0].isupper() and not _is_suffix(word) and not _is_title(word) for word in names
    )


def _is_particle(word: str) -> bool:
    lowered = word.lower()
    return (word == lowered and lowered in _PARTICLES) or lowered in _CAPITAL_PARTICLES


def _is_suffix(word: str) -> bool:
    return word.lower() in _DOCTORS or word.lower() in {
        "mba",
        "msc",
        "m.sc.",
        "ll.m.",
        "jr.",
        "sr.",
    }


def _family_start(rest: list[str]) -> int:
    """Return the index where the family name starts: at its first particle, else the end."""
    for i in range(1, len(rest) - 1):
        if _is_particle(rest[i]):
            return i
    return len(rest) - 1


def _english_formal(name: Name) -> str:
    lowered = [t.lower() for t in name.titles.split()]
    honour = next((_KNIGHTHOODS[t] for t in lowered if t in _KNIGHTHOODS), "")
    if honour:
        return f"{honour} {name.first}"
    if any(t.startswith(("prof", "univ.-prof", "jun.-prof", "hon.-prof")) for t in lowered):
        return f"Professor {name.last}"
    doctor = any(t.startswith("dr") for t in lowered) or any(
        s.lower() in _DOCTORS for s in name.suffix.replace(",", " ").split()
    )
    if doctor:
        return f"Dr. {name.last}"
    honorific = next((_ENGLISH_HONORIFICS[t] for t in lowered if t in _ENGLISH_HONORIFICS), "")
    return f"{honorific} {name.last}" if honorific else name.plain


def _german_titles(titles: str) -> str:
    """Return the titles German uses in an address: ``Prof. Dr.`` (no faculty), ``Mag.``."""
    kept = []
    for word in titles.split():
        lowered = word.lower()
        if lowered in _HONORIFICS or (_QUALIFIER.match(word) and not _is_title(word)):
            continue  # "Frau" is placed by the caller; "med." is left out when addressing
        if lowered == "di" or lowered.startswith(_ADDRESS_TITLES):
            written = {"dr": "Dr.", "prof": "Prof."}.get(lowered, word)  # German uses the dot
            kept.append("Dr." if lowered.startswith("dr") and lowered != "dr.in" else written)
    return " ".join(kept)


def search_keys(text: str) -> set[str]:
    """Return the keys a search for *text* compares: folded both ways (``folds``), every
    run of spaces and punctuation as one hyphen: ``Öztürk, M.`` -> ``ozturk-m``, ``oeztuerk-m``."""
    return {"-".join(re.findall(r"[^\W_]+", form)) for form in folds(text)}


def whole_name_keys(text: str) -> set[str]:
    """Return the keys that name the person called *text* as a whole: the folder name
    (slug), the full name and the name without titles."""
    name = parse_name(text)
    return {slugify(text)} | search_keys(name.full) | search_keys(name.plain)


def part_name_keys(text: str) -> set[str]:
    """Return every key that finds the person called *text*: the whole name's keys and the
    first or family name alone (see :func:`name_keys`)."""
    return whole_name_keys(text) | {key for part in name_keys(text) for key in search_keys(part)}


# Letters Unicode does not decompose into a base letter and an accent, spelled the way
# their languages do in ASCII; German umlauts are written out (Öztürk -> Oeztuerk) rather
# than stripped of their dots.
_SPELLED = str.maketrans(
    {
        **{"ß": "ss", "ẞ": "SS", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"},
        **{"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ł": "l", "Ł": "L"},
        **{"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "\u0131": "i", "ħ": "h"},
    }
)


def slugify(text: str) -> str:
    """Return *text* as lowercase ASCII words joined by hyphens: ``Jörg Größler`` ->
    ``joerg-groessler`` (German letters written out, other accents dropped: ``josé``)."""
    spelled = unicodedata.normalize("NFC", text).translate(_SPELLED)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    # A name without Latin letters (Иван Петров) still needs a distinct, stable folder name.
    return slug or "person-" + hashlib.sha256(text.strip().encode()).hexdigest()[:8]
