"""Dates and file sizes written the local way, for the microsite."""

from __future__ import annotations

from datetime import date, datetime

from builder.wording import Language

_MONTHS: dict[Language, tuple[str, ...]] = {
    "en": (
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
    ),
    "de": (
        *("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"),
        *("September", "Oktober", "November", "Dezember"),
    ),
}


def long_date(day: date | datetime, language: Language) -> str:
    """Return ``24 November 2026`` (English) or ``24. November 2026`` (German)."""
    month = _MONTHS[language][day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


def file_size(size: int, language: Language) -> str:
    """Return a byte count as ``840 KB`` or ``1.2 MB`` (``1,2 MB`` in German)."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} KB"
    text = f"{size / 1_000_000:.1f}"
    return (text.replace(".", ",") if language == "de" else text) + " MB"
