"""The site's own words in English and German, plus dates and file sizes written the local way."""

from __future__ import annotations

from datetime import date, datetime

from builder.wording import Language

# Only words that builder.wording does not have yet; the rest comes from there.
WORDS: dict[str, dict[Language, str]] = {
    "page_title": {"en": "{thanks} · {candidate}", "de": "{thanks} · {candidate}"},
    "skip": {"en": "Skip to the content", "de": "Zum Inhalt springen"},
    "for": {"en": "For {name}", "de": "Für {name}"},
    "for_titled": {"en": "For {name}, {title}", "de": "Für {name}, {title}"},
    "sections": {"en": "On this page", "de": "Auf dieser Seite"},
    "media": {"en": "Video and slides", "de": "Video und Folien"},
    "media_video": {"en": "A short video for you", "de": "Ein kurzes Video für Sie"},
    "media_deck": {"en": "The slides", "de": "Die Folien"},
    "watch": {"en": "Watch the video", "de": "Video ansehen"},
    "video_label": {"en": "Video message from {name}", "de": "Videobotschaft von {name}"},
    "no_video": {
        "en": "This browser cannot play the video here; download it instead.",
        "de": "Dieser Browser kann das Video hier nicht abspielen; bitte laden Sie es herunter.",
    },
    "download_video": {"en": "Download the video", "de": "Video herunterladen"},
    "captions": {"en": "English", "de": "Deutsch"},
    "deck": {"en": "Open the slides", "de": "Folien öffnen"},
    "deck_note": {
        "en": "The same points as a short deck, to keep or pass on.",
        "de": "Dieselben Punkte als kurze Präsentation zum Behalten oder Weitergeben.",
    },
    "open_sample": {"en": "View the sample", "de": "Arbeitsprobe ansehen"},
    "write": {"en": "Write an email", "de": "E-Mail schreiben"},
    "email": {"en": "Email", "de": "E-Mail"},
    "phone": {"en": "Phone", "de": "Telefon"},
    "elsewhere": {"en": "Elsewhere", "de": "Im Netz"},
    "footer": {
        "en": "A personal note from {candidate} for {person}, after our conversation on {date}.",
        "de": "Eine persönliche Nachricht von {candidate} an {person} nach unserem Gespräch "
        "am {date}.",
    },
    "private": {
        "en": "This page was made for you alone; search engines are asked not to index it.",
        "de": "Diese Seite ist nur für Sie gemacht; Suchmaschinen werden gebeten, "
        "sie nicht aufzunehmen.",
    },
}

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


def say(key: str, language: Language, **values: str) -> str:
    """Return the site phrase *key* in *language* with its ``{placeholders}`` filled in."""
    return WORDS[key][language].format(**values)


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
