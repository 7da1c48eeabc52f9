import pytest

from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.texts import (
    clean_agenda,
    clean_person,
    clean_side_name,
    clean_title,
    clean_topic,
)
from tests.dialogues.world import refused


def test_texts_are_nfc_and_trimmed() -> None:
    assert clean_title("  Cafe\u0301 talks \n") == "Café talks"
    assert clean_topic("strategic stability in Europe") == "strategic stability in Europe"
    assert clean_side_name("Russian Federation") == "Russian Federation"
    assert clean_person(" Ada ") == "Ada"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\x00\x01\x02", "a control character (U+0000) is not allowed in a title"),
        ("Talks\x1b[31m", "a control character (U+001B) is not allowed in a title"),
        ("Talks\u202eevil", "a bidirectional control character (U+202E) is not allowed in a title"),
        ("Tal\u200bks", "an invisible formatting character (U+200B) is not allowed in a title"),
        ("Talks\u2028two", "a line break (U+2028) is not allowed in a title"),
        ("Talks\nround 2", "a control character (U+000A) is not allowed in a title"),
        ("   ", "a title is empty"),
    ],
)
def test_a_title_of_control_characters_is_refused_naming_the_character(
    text: str, message: str
) -> None:
    error = refused(clean_title, text)
    assert (error.code, error.message) == (DialogueCode.BAD_TEXT, message)


def test_joiners_inside_a_title_are_allowed_but_not_at_an_end() -> None:
    assert clean_title("👩\u200d💻 talks") == "👩\u200d💻 talks"
    assert refused(clean_title, "talks\u200d").code is DialogueCode.BAD_TEXT


def test_lengths() -> None:
    assert clean_title("x" * 200) == "x" * 200
    error = refused(clean_title, "x" * 201)
    assert (error.code, error.message) == (
        DialogueCode.TOO_LONG,
        "a title is at most 200 characters",
    )
    assert refused(clean_topic, "x" * 201).code is DialogueCode.TOO_LONG


def test_a_members_name_follows_the_rule_for_names_in_rooms() -> None:
    error = refused(clean_person, "x" * 65)
    assert (error.code, error.message) == (DialogueCode.BAD_TEXT, "a name is 1 to 64 characters")
    assert refused(clean_person, "Eve\u202e").code is DialogueCode.BAD_TEXT


def test_an_agenda_keeps_its_lines() -> None:
    assert clean_agenda("1. arms\r\n2. trade\n") == "1. arms\n2. trade"
    assert clean_agenda("") == ""
    assert refused(clean_agenda, "a\x07").code is DialogueCode.BAD_TEXT
    assert refused(clean_agenda, "a" * 20_001).code is DialogueCode.TOO_LONG
