"""Every word the tool writes on its own, in English and German (one table)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from builder.names import formal_name, parse_name

Language = Literal["en", "de"]
Register = Literal["formal", "informal"]
# A phrase's variants: English, German (Sie), and where German says it differently on
# informal terms, "de-du".
Voice = Literal["en", "de", "de-du"]

WORDS: dict[str, dict[Voice, str]] = {
    "thank_you": {"en": "Thank you, {who}", "de": "Vielen Dank, {who}"},
    "title_sub": {"en": "{role} at {company}", "de": "{role} bei {company}"},
    "discussed": {"en": "What we talked about", "de": "Worüber wir gesprochen haben"},
    "value": {"en": "How I would help", "de": "Wie ich helfen würde"},
    "samples": {"en": "Work samples", "de": "Arbeitsproben"},
    "sample": {"en": "Work sample", "de": "Arbeitsprobe"},
    "closing": {"en": "Let's keep talking", "de": "Lassen Sie uns im Gespräch bleiben"},
    "contact": {"en": "Contact", "de": "Kontakt"},
    "greeting": {"en": "Dear {first}", "de": "Guten Tag {name}"},
    "greeting_informal": {"en": "Hi {first}", "de": "Hallo {first}"},
    "notes_title": {
        "en": "Thank {first} for the conversation about the {role} role at {company}.",
        "de": "Bedanken Sie sich bei {name} für das Gespräch über die Stelle als {role} bei "
        "{company}.",
    },
    "notes_discussed": {
        "en": "Recall these moments in your own words:",
        "de": "Greifen Sie diese Momente in eigenen Worten auf:",
    },
    "notes_value": {
        "en": "Explain how this helps {company}, with the concrete result.",
        "de": "Erklären Sie mit dem konkreten Ergebnis, was {company} davon hat.",
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
        "de": "Diese Seite ist nur für Sie bestimmt; Suchmaschinen werden gebeten, "
        "sie nicht aufzunehmen.",
    },
    # The thank-you email and the short direct message (builder.mail)
    "mail_subject": {
        "en": "Thank you for the interview – {role}",  # noqa: RUF001
        "de": "Vielen Dank für das Gespräch – {role}",  # noqa: RUF001
    },
    "mail_thanks": {
        "en": "Thank you for our conversation about the {role} role at {company}.",
        "de": "Vielen Dank für das Gespräch über die Stelle als {role} bei {company}.",
    },
    "mail_thanks_role": {
        "en": "Thank you for our conversation about the {role} role.",
        "de": "Vielen Dank für das Gespräch über die Stelle als {role}.",
    },
    "mail_thanks_short": {
        "en": "Thank you for our conversation.",
        "de": "Vielen Dank für unser Gespräch.",
    },
    "mail_point": {
        "en": "One thing we talked about stays with me: {point}",
        "de": "Besonders beschäftigt mich seitdem ein Thema: {point}",
    },
    "mail_points": {
        "en": "Two things we talked about stay with me:",
        "de": "Besonders beschäftigen mich seitdem zwei Themen:",
    },
    "mail_value": {
        "en": "What I would bring to {company}: {values}",
        "de": "Was ich bei {company} einbringen würde: {values}",
    },
    "mail_value_short": {
        "en": "What I would bring: {values}",
        "de": "Was ich einbringen würde: {values}",
    },
    "mail_and": {"en": "and", "de": "und"},
    "mail_made_site_video": {
        "en": "I made a short video and a few slides for you",
        "de": "Für Sie habe ich ein kurzes Video und ein paar Folien vorbereitet",
        "de-du": "Für dich habe ich ein kurzes Video und ein paar Folien vorbereitet",
    },
    "mail_made_site": {
        "en": "I put a few slides for you on a private page",
        "de": "Für Sie habe ich ein paar Folien auf einer privaten Seite zusammengestellt",
        "de-du": "Für dich habe ich ein paar Folien auf einer privaten Seite zusammengestellt",
    },
    "mail_made_video": {
        "en": "I made a short video for you",
        "de": "Für Sie habe ich ein kurzes Video vorbereitet",
        "de-du": "Für dich habe ich ein kurzes Video vorbereitet",
    },
    "mail_made_deck": {
        "en": "I put my ideas on a few slides for you",
        "de": "Für Sie habe ich meine Ideen auf ein paar Folien zusammengefasst",
        "de-du": "Für dich habe ich meine Ideen auf ein paar Folien zusammengefasst",
    },
    "mail_until": {
        "en": "The link is private and works until {date}, {time} ({zone}).",
        "de": "Der Link ist privat und funktioniert bis zum {date} um {time} Uhr ({zone}).",
    },
    "mail_dm_until": {
        "en": "the private link below works until {date}.",
        "de": "der private Link unten funktioniert bis zum {date}.",
    },
    "mail_offer_video": {
        "en": "I have also made a short video and a few slides on how I would help; "
        "I am happy to send them whenever you like.",
        "de": "Außerdem habe ich ein kurzes Video und ein paar Folien dazu vorbereitet, "
        "wie ich helfen würde; gern schicke ich sie Ihnen.",
        "de-du": "Außerdem habe ich ein kurzes Video und ein paar Folien dazu vorbereitet, "
        "wie ich helfen würde; gern schicke ich sie dir.",
    },
    "mail_offer_deck": {
        "en": "I have also put my ideas on a few slides; I am happy to send them whenever "
        "you like.",
        "de": "Außerdem habe ich meine Ideen auf ein paar Folien zusammengefasst; gern "
        "schicke ich sie Ihnen.",
        "de-du": "Außerdem habe ich meine Ideen auf ein paar Folien zusammengefasst; gern "
        "schicke ich sie dir.",
    },
    "mail_next": {
        "en": "I look forward to hearing from you.",
        "de": "Ich freue mich auf Ihre Rückmeldung.",
        "de-du": "Ich freue mich auf deine Rückmeldung.",
    },
    "mail_next_phone": {
        "en": "I look forward to hearing from you; you can also reach me at {phone}.",
        "de": "Ich freue mich auf Ihre Rückmeldung, gern auch telefonisch unter {phone}.",
        "de-du": "Ich freue mich auf deine Rückmeldung, gern auch telefonisch unter {phone}.",
    },
    "mail_signoff": {"en": "Best regards,", "de": "Viele Grüße"},
    "mail_signoff_formal": {"en": "Kind regards,", "de": "Mit freundlichen Grüßen"},
    "mail_open_site_video": {"en": "Open the video and slides", "de": "Video und Folien öffnen"},
    "mail_open_site": {"en": "Open the page", "de": "Seite öffnen"},
}


def say(key: str, language: Language, **values: str) -> str:
    """Return the phrase *key* in *language*, with ``{placeholders}`` filled from *values*."""
    return WORDS[key][language].format(**values)


def say_to(key: str, language: Language, to: Register, **values: str) -> str:
    """Return the phrase *key* as said to someone on *to* terms (German: Sie or du)."""
    phrase = WORDS[key]
    voice: Voice = (
        "de-du" if language == "de" and to == "informal" and "de-du" in phrase else language
    )
    return phrase[voice].format(**values)


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
    "hey",
    "moin",
    "servus",
    "grüß gott",
    "grüezi",
    "good morning",
    "good afternoon",
)
# Greetings that are formal whoever follows them; after the others, a first name alone
# means "du" (German) or first-name terms (English).
_FORMAL_GREETINGS = ("sehr geehrte", "guten tag")


def register(
    name: str, salutation: str | None, language: Language, override: Register | None = None
) -> Register:
    """Return ``formal`` (Sie) or ``informal`` (du; first-name terms in English).

    *override* (the interviewer's ``address``) wins. Otherwise the salutation decides:
    "Sehr geehrte …", "Guten Tag …", or a greeting with Frau/Herr, a title or the family name
    ("Liebe Frau Schulz") is formal; a greeting with the first name ("Liebe Petra", "Hallo
    Petra") is informal. Without a salutation German is formal and English informal.
    """
    if override is not None:
        return override
    if not salutation:
        return "formal" if language == "de" else "informal"
    lowered = salutation.lower().strip(" ,")
    if lowered.startswith(_FORMAL_GREETINGS):
        return "formal"
    rest = parse_name(_without_greeting(salutation))
    person = parse_name(name)
    if rest.titles or (person.last and person.last.split()[-1] in rest.full.split()):
        return "formal"
    return "informal"


def address(
    name: str, salutation: str | None, language: Language, override: Register | None = None
) -> str:
    """Return how to address a person in a title: ``Sarah``, ``Frau Schulz``, ``Dr. Beispiel``.

    Taken from the salutation without its greeting word when there is one ("Liebe Frau
    Schulz" -> "Frau Schulz"); otherwise the first name on informal terms, the formal name
    on formal terms (:func:`builder.names.formal_name`: never Frau/Herr guessed).
    """
    if salutation:
        return _without_greeting(salutation)
    person = parse_name(name)
    if register(name, salutation, language, override) == "informal":
        return person.first or name
    return formal_name(person, language)


def greeting(
    name: str, salutation: str | None, language: Language, override: Register | None = None
) -> str:
    """Return the opening line of a message (no comma): the salutation, or a polite default.

    Defaults: "Dear Anna" (English), "Dear Dr. Beispiel" (English, formal), "Hi Anna"
    (English, informal by choice), "Guten Tag Dr. Anna Beispiel" (German, formal), "Hallo
    Anna" (German, informal): none of them needs the person's gender.
    """
    if salutation:
        # Every message puts its own comma after it: "Hallo Petra!" became "Hallo Petra!,".
        return salutation.strip().rstrip(_CLOSING_MARKS).strip()
    chosen = register(name, salutation, language, override)
    who = address(name, None, language, override)
    if override == "informal" and language == "en":
        return say("greeting_informal", language, first=who)
    key = "greeting_informal" if chosen == "informal" and language == "de" else "greeting"
    return say(key, language, first=who, name=who)


# What may end a salutation as written ("Hallo Petra!", "Dear Sam,"): the outputs add their own.
_CLOSING_MARKS = " ,;:.!"


def _without_greeting(salutation: str) -> str:
    lowered = salutation.lower()
    for word in _GREETINGS:
        if lowered.startswith(word + " "):
            return salutation[len(word) :].strip(_CLOSING_MARKS)
    return salutation.strip(_CLOSING_MARKS)


# Words that start a phrase only with a capital because they start it: inside a sentence
# they are written in lower case. German nouns and "Sie"/"Ihr" are never in these lists.
_RUN_ON: dict[Language, frozenset[str]] = {
    "en": frozenset(
        (
            *("the", "a", "an", "your", "our", "my", "their", "its", "this", "that", "these"),
            *("those", "how", "what", "why", "when", "where", "which", "who", "whether", "some"),
            *("each", "every", "all", "more", "less", "fewer", "one", "two", "three", "thank"),
            "thanks",
        )
    ),
    "de": frozenset(
        (
            *("der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer"),
            *("eines", "wie", "was", "wann", "warum", "wo", "wer", "welche", "welcher"),
            *("welches", "welchen", "ob", "dass", "mein", "meine", "meinen", "meinem", "meiner"),
            *("unser", "unsere", "unseren", "unserem", "unserer", "vielen", "herzlichen"),
            *("danke", "ich", "wir", "es", "gern", "gerne", "mit", "für", "über", "bei", "nach"),
            *("seit", "zwei", "drei", "mehr", "weniger", "schon", "noch", "auch"),
        )
    ),
}


def run_on(text: str, language: Language, names: frozenset[str] = frozenset()) -> str:
    """Return *text* as it reads inside a sentence: ``Your plan`` -> ``your plan``.

    German lowers only a first word capitalised merely for starting the text (an article,
    a pronoun, a question word), so nouns and "Sie" keep their capitals. English lowers any
    capitalised first word except "I", acronyms and mixed case (KPI, GitHub) and the proper
    nouns in *names* (say, "Python" where the pitch writes it so mid-sentence).
    """
    first, _, rest = text.partition(" ")
    lowered = first.lower()
    bare = first.strip(".,:;!?\"'()")
    plain_capital = first[:1].isupper() and first[1:] == lowered[1:]
    if not plain_capital:
        return text
    if language == "de":
        lower = bare.lower() in _RUN_ON["de"]
    else:
        lower = bare.lower() in _RUN_ON["en"] or not _english_name(bare, rest, names)
    return " ".join(filter(None, (lowered, rest))) if lower else text


# Words English always writes with a capital, wherever they stand.
_ENGLISH_CAPITALS = frozenset(
    (
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December", "English", "German"),
    )
)


def _english_name(word: str, rest: str, names: frozenset[str]) -> bool:
    """Return whether the capitalised first *word* (before *rest*) is a name, to be kept.

    A name of the pitch (also as a possessive: "Sarah's plan"), a day or month, "I", or the
    first of several capitalised words ("Google Analytics migration").
    """
    stem = word.removesuffix("'s").removesuffix("\u2019s")
    following = rest.split(" ", 1)[0].strip(".,:;!?\"'()")
    return (
        stem in names
        or stem in _ENGLISH_CAPITALS
        or word == "I"
        or word.startswith(("I'", "I\u2019"))
        or len(word) < 2
        or following[:1].isupper()
    )


def proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Return the capitalised words that *texts* use inside a sentence: names, not headings.

    "At Acme I rebuilt" gives "Acme" (and "I"); a capital after ``.``, ``!``, ``?`` or ``:``
    only starts a sentence and says nothing.
    """
    found: set[str] = set()
    for text in texts:
        words = text.split()
        for before, word in itertools.pairwise(words):
            bare = word.strip(".,:;!?\"'()")
            if bare[:1].isupper() and not before.endswith((".", "!", "?", ":")):
                found.add(bare)
    return frozenset(found - {w.capitalize() for w in _RUN_ON["en"]})


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
