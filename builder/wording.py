"""Every word the tool writes on its own, in English and German (one table)."""

from __future__ import annotations

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
