"""Every word the tool writes on its own, in English and German (one table)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

Language = Literal["en", "de"]

WORDS: dict[str, dict[Language, str]] = {
    "thank_you": {"en": "Thank you, {who}", "de": "Vielen Dank, {who}"},
    "title_sub": {"en": "{role} at {company}", "de": "{role} bei {company}"},
    "discussed": {"en": "What we talked about", "de": "Worüber wir gesprochen haben"},
    "value": {"en": "How I would help", "de": "Wie ich helfen würde"},
    "samples": {"en": "Work samples", "de": "Arbeitsproben"},
    "sample": {"en": "Work sample", "de": "Arbeitsprobe"},
    "closing": {"en": "Let's keep talking", "de": "Lassen Sie uns weitersprechen"},
    "contact": {"en": "Contact", "de": "Kontakt"},
    "greeting": {"en": "Dear {first}", "de": "Guten Tag {name}"},
    "notes_title": {
        "en": "Thank {first} for the conversation about the {role} role at {company}.",
        "de": "Bedanken Sie sich bei {name} für das Gespräch über die Stelle {role} bei {company}.",
    },
    "notes_discussed": {
        "en": "Recall these moments in your own words:",
        "de": "Greifen Sie diese Momente in eigenen Worten auf:",
    },
    "notes_value": {
        "en": "Explain how this helps {company}, with the concrete result.",
        "de": "Erklären Sie, wie das {company} hilft, mit dem konkreten Ergebnis.",
    },
    "notes_sample": {
        "en": "Show the sample and say what it changed for its users.",
        "de": "Zeigen Sie die Arbeitsprobe und sagen Sie, was sie für die Nutzer verändert hat.",
    },
    "notes_closing": {
        "en": "Offer the next step and say how to reach you.",
        "de": "Bieten Sie den nächsten Schritt an und sagen Sie, wie man Sie erreicht.",
    },
    "photo_alt": {"en": "Photo of {name}", "de": "Foto von {name}"},
    "image_alt": {"en": "Illustration: {title}", "de": "Abbildung: {title}"},
    # The microsite
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
    "language_name": {"en": "English", "de": "Deutsch"},
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


def say(key: str, language: Language, **values: str) -> str:
    """Return the phrase *key* in *language*, with ``{placeholders}`` filled from *values*."""
    return WORDS[key][language].format(**values)


_GREETINGS = (
    "sehr geehrte",
    "sehr geehrter",
    "liebe",
    "lieber",
    "hallo",
    "guten tag",
    "dear",
    "hello",
    "hi",
)


def address(name: str, salutation: str | None, language: Language) -> str:
    """Return how to address a person in a title: ``Sarah`` or ``Frau Schulz``.

    Taken from the salutation without its greeting word when there is one ("Liebe Frau
    Schulz" -> "Frau Schulz"); otherwise the first name in English, the full name in German.
    """
    if salutation:
        lowered = salutation.lower()
        for word in _GREETINGS:
            if lowered.startswith(word + " "):
                return salutation[len(word) :].strip(" ,")
        return salutation.strip(" ,")
    return name.split()[0] if language == "en" else name


def greeting(name: str, salutation: str | None, language: Language) -> str:
    """Return the opening line of a message: the salutation, or a polite default."""
    if salutation:
        return salutation
    return say("greeting", language, first=name.split()[0], name=name)


def display_url(url: str) -> str:
    """Return *url* as people say it: no scheme, no ``www.``, no trailing slash."""
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


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
