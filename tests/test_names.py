"""Names with titles and particles: the right first name and the right formal address."""

from __future__ import annotations

import pytest

from builder.names import formal_name, name_keys, parse_name
from builder.wording import address, greeting, register, run_on

PARSED = [
    # text, titles, first, last
    ("Prof. Dr. Maria von Berg", "Prof. Dr.", "Maria", "von Berg"),
    ("Dr. Anna Beispiel", "Dr.", "Anna", "Beispiel"),
    ("Dr. med. Anna Beispiel", "Dr. med.", "Anna", "Beispiel"),
    ("Dr.-Ing. Hans Müller", "Dr.-Ing.", "Hans", "Müller"),
    ("Dipl.-Ing. Hans Müller", "Dipl.-Ing.", "Hans", "Müller"),
    ("Mag. Eva Huber", "Mag.", "Eva", "Huber"),
    ("Ing. Eva Huber", "Ing.", "Eva", "Huber"),
    ("PD Dr. Jan de Vries", "PD Dr.", "Jan", "de Vries"),
    ("Dr. Dr. h. c. Max Mustermann", "Dr. Dr. h. c.", "Max", "Mustermann"),
    ("Karl-Theodor zu Guttenberg", "", "Karl-Theodor", "zu Guttenberg"),
    ("Ursula von der Leyen", "", "Ursula", "von der Leyen"),
    ("Hans von und zu Berg", "", "Hans", "von und zu Berg"),
    ("Anna Maria van der Meer", "", "Anna", "van der Meer"),
    ("Vincent Van Gogh", "", "Vincent", "Van Gogh"),
    ("Sarah Kim", "", "Sarah", "Kim"),
    ("Mehmet Öztürk", "", "Mehmet", "Öztürk"),
    ("Jörg Größler 🎉", "", "Jörg", "Größler"),
    ("Cher", "", "Cher", ""),
    ("J. R. R. Tolkien", "", "J.", "Tolkien"),
    # British English: titles without a full stop, honours said with the first name.
    ("Dr Sarah Kim", "Dr", "Sarah", "Kim"),
    ("Prof Jane Doe", "Prof", "Jane", "Doe"),
    ("Sir Ian Brown", "Sir", "Ian", "Brown"),
    ("Dame Judi Dench", "Dame", "Judi", "Dench"),
    ("Drake Bell", "", "Drake", "Bell"),
    # The family name first, as HR systems and lists write it.
    ("Müller, Hans", "", "Hans", "Müller"),
    ("von Berg, Prof. Dr. Maria", "Prof. Dr.", "Maria", "von Berg"),
    ("Van Gogh, Vincent", "", "Vincent", "Van Gogh"),
]


@pytest.mark.parametrize(("text", "titles", "first", "last"), PARSED)
def test_titles_first_and_family_name(text: str, titles: str, first: str, last: str) -> None:
    name = parse_name(text)
    assert (name.titles, name.first, name.last) == (titles, first, last)
    assert name.full == text


def test_degrees_after_the_name_are_no_family_name() -> None:
    assert parse_name("Sarah Kim, PhD").last == "Kim"
    assert parse_name("Kim, PhD").first == "Kim"  # a degree, not a given name
    assert parse_name("Müller, Hans, PhD").suffix == "PhD"
    # Not a given name after the comma: a job title (lower-case words), or a whole name.
    assert parse_name("Kim, Head of Analytics").first == "Kim"
    assert parse_name("Sarah Kim, Head of Analytics").last == "Kim"
    assert parse_name("Sarah Kim PhD").suffix == "PhD"
    assert parse_name("Anna Maria Beispiel").plain == "Anna Maria Beispiel"


FORMAL = [
    # text, English, German
    ("Prof. Dr. Maria von Berg", "Professor von Berg", "Prof. Dr. Maria von Berg"),
    ("Dr. Anna Beispiel", "Dr. Beispiel", "Dr. Anna Beispiel"),
    ("Dr. med. Anna Beispiel", "Dr. Beispiel", "Dr. Anna Beispiel"),
    ("PD Dr. Jan de Vries", "Dr. de Vries", "Dr. Jan de Vries"),
    ("Dipl.-Ing. Hans Müller", "Hans Müller", "Hans Müller"),
    ("Mag. Eva Huber", "Eva Huber", "Mag. Eva Huber"),
    ("Sarah Kim, PhD", "Dr. Kim", "Sarah Kim"),
    ("Frau Dr. Petra Schulz", "Dr. Schulz", "Frau Dr. Schulz"),
    ("Ms. Sarah Kim", "Ms. Kim", "Sarah Kim"),
    ("Petra Schulz", "Petra Schulz", "Petra Schulz"),
    ("Dr Sarah Kim", "Dr. Kim", "Dr. Sarah Kim"),
    ("Prof Jane Doe", "Professor Doe", "Prof. Jane Doe"),
    ("Sir Ian Brown", "Sir Ian", "Ian Brown"),
    ("Müller, Hans, PhD", "Dr. Müller", "Hans Müller"),
    ("Schulz, Frau Dr. Petra", "Dr. Schulz", "Frau Dr. Schulz"),
]


@pytest.mark.parametrize(("text", "english", "german"), FORMAL)
def test_formal_address_never_guesses_gender(text: str, english: str, german: str) -> None:
    name = parse_name(text)
    assert formal_name(name, "en") == english
    assert formal_name(name, "de") == german


def test_titles_address_the_person_by_first_name_in_english() -> None:
    # The defect: "Thank you, Dr." on the site for "Dr. Anna Beispiel".
    assert address("Dr. Anna Beispiel", None, "en") == "Anna"
    assert greeting("Dr. Anna Beispiel", None, "en") == "Dear Anna"
    assert address("Prof. Dr. Maria von Berg", None, "en") == "Maria"
    assert greeting("Prof. Dr. Maria von Berg", None, "en", "formal") == "Dear Professor von Berg"
    assert greeting("Dr. Anna Beispiel", None, "en", "informal") == "Hi Anna"
    # Without the full stop (British usage) it was "Dear Dr," and "Thank you, Dr".
    assert greeting("Dr Sarah Kim", None, "en") == "Dear Sarah"
    # The defect: "Dear Müller" for a name written family name first.
    assert greeting("Müller, Hans", None, "en") == "Dear Hans"
    assert address("Dr Sarah Kim", None, "en") == "Sarah"
    assert greeting("Sir Ian Brown", None, "en", "formal") == "Dear Sir Ian"


def test_german_defaults_are_gender_free() -> None:
    assert greeting("Anna Beispiel", None, "de") == "Guten Tag Anna Beispiel"
    assert greeting("Prof. Dr. Maria von Berg", None, "de") == "Guten Tag Prof. Dr. Maria von Berg"
    assert address("Prof. Dr. Maria von Berg", None, "de") == "Prof. Dr. Maria von Berg"
    assert greeting("Prof. Dr. Maria von Berg", None, "de", "informal") == "Hallo Maria"
    assert address("Dr. Anna Beispiel", None, "de", "informal") == "Anna"


REGISTERS = [
    ("Sehr geehrte Frau Schulz", "formal"),
    ("Sehr geehrte Petra Schulz", "formal"),
    ("Guten Tag Petra Schulz", "formal"),
    ("Liebe Frau Schulz", "formal"),  # friendly, and still "Sie"
    ("Liebe Frau Dr. Schulz,", "formal"),
    ("Hallo Frau Schulz", "formal"),
    ("Liebe Petra", "informal"),
    ("Hallo Petra,", "informal"),
    ("Hi Petra", "informal"),
]


@pytest.mark.parametrize(("salutation", "expected"), REGISTERS)
def test_register_follows_the_salutation(salutation: str, expected: str) -> None:
    assert register("Petra Schulz", salutation, "de") == expected


def test_address_overrides_the_salutation_and_the_default() -> None:
    assert register("Petra Schulz", "Liebe Frau Schulz", "de", "informal") == "informal"
    assert register("Petra Schulz", "Liebe Petra", "de", "formal") == "formal"
    assert register("Petra Schulz", None, "de") == "formal"
    assert register("Sarah Kim", None, "en") == "informal"


def test_name_keys_match_first_last_full_ignoring_case_and_accents() -> None:
    keys = name_keys("Prof. Dr. Maria von Berg")
    assert {"maria", "von berg", "berg", "maria von berg"} <= keys
    assert "dr." not in keys and "prof." not in keys
    assert {"ozturk", "oeztuerk", "mehmet"} <= name_keys("Mehmet Öztürk")
    assert "groessler" in name_keys("Jörg Größler") and "grossler" in name_keys("Jörg Größler")


def test_a_salutation_keeps_its_words_not_its_closing_mark() -> None:
    # Every message adds its own comma: "Hallo Petra!" made "Hallo Petra!," before.
    assert greeting("Petra Schulz", "Hallo Petra!", "de") == "Hallo Petra"
    assert greeting("Tom Lee", "Hi Tom!", "en") == "Hi Tom"
    assert greeting("Petra Schulz", "Liebe Frau Schulz,", "de") == "Liebe Frau Schulz"
    assert address("Petra Schulz", "Hallo Petra!", "de") == "Petra"
    # Greeting words beyond Dear/Liebe/Hallo are no part of the name either.
    assert address("Jan Peters", "Moin Jan", "de") == "Jan"
    assert address("Anna Huber", "Grüß Gott Frau Huber", "de") == "Frau Huber"
    assert register("Anna Huber", "Servus Anna", "de") == "informal"


def test_english_keeps_the_capital_of_a_name_inside_a_sentence() -> None:
    # "One thing we talked about stays with me: sarah's plan" was the defect.
    names = frozenset({"Sarah", "Kim"})
    assert run_on("Sarah's plan for the data team", "en", names) == "Sarah's plan for the data team"
    assert run_on("Monday planning", "en", names) == "Monday planning"
    assert run_on("Google Analytics migration", "en", names) == "Google Analytics migration"
    # Words capitalised only for starting the point still go lower case.
    assert run_on("Your plan to retire it", "en", names) == "your plan to retire it"
    assert run_on("Moving the KPI report", "en", names) == "moving the KPI report"
    assert run_on("KPI report", "en", names) == "KPI report"
