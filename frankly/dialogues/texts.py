"""The text rules: what a title, a name, a topic, an agenda or a readout may hold.

Every text is NFC-normalised and trimmed. One-line texts (titles, names,
topics, points) refuse control, bidirectional and invisible formatting
characters, naming the character, since they let a text hide or reorder what
others see of it; participant names follow the signaling protocol's rule
exactly (`clean_name`). Long texts (agendas, readouts) may hold line breaks
and tabs, and Markdown, but no other control character, and have a size limit
in UTF-8 bytes.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from frankly.dialogues.errors import DialogueCode, DialogueError

# The same character check as participant names, reused rather than written
# again (frankly/protocol/messages.py); only the length limit differs here.
from frankly.protocol.messages import clean_name, text_problem

TITLE_MAX: Final = 200
TOPIC_MAX: Final = 200
POINT_MAX: Final = 1000
AGENDA_MAX_BYTES: Final = 20_000
READOUT_MAX_BYTES: Final = 100_000
_BODY_CONTROLS_ALLOWED: Final = frozenset("\n\t")


def clean_line(text: str, what: str, limit: int) -> str:
    """A one-line text normalised, or bad-text / too-long naming `what` and the character."""
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise DialogueError(DialogueCode.BAD_TEXT, f"{what} is empty")
    if len(text) > limit:
        raise DialogueError(DialogueCode.TOO_LONG, f"{what} is at most {limit} characters")
    found = text_problem(text)
    if found is not None:
        problem, char = found
        raise DialogueError(
            DialogueCode.BAD_TEXT, f"{problem} (U+{ord(char):04X}) is not allowed in {what}"
        )
    return text


def clean_person(name: str) -> str:
    """A member's name, by the rule for participant names in rooms."""
    try:
        return clean_name(name)
    except ValueError as error:
        raise DialogueError(DialogueCode.BAD_TEXT, str(error)) from None


def clean_body(text: str, what: str, limit_bytes: int, *, empty_ok: bool = True) -> str:
    """A multi-line text normalised (NFC, LF line ends, trimmed), within `limit_bytes`."""
    # Measured before normalising too, so that a huge input is refused unread.
    if len(text) > limit_bytes:
        raise _too_big(what, limit_bytes)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if len(text.encode("utf-8")) > limit_bytes:
        raise _too_big(what, limit_bytes)
    if not text and not empty_ok:
        raise DialogueError(DialogueCode.BAD_TEXT, f"{what} is empty")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") and char not in _BODY_CONTROLS_ALLOWED:
            raise DialogueError(
                DialogueCode.BAD_TEXT,
                f"a control character (U+{ord(char):04X}) is not allowed in {what}",
            )
    return text


def _too_big(what: str, limit_bytes: int) -> DialogueError:
    return DialogueError(
        DialogueCode.TOO_LONG, f"{what} is at most {limit_bytes // 1000} KB of UTF-8"
    )


def clean_title(title: str) -> str:
    return clean_line(title, "a title", TITLE_MAX)


def clean_topic(topic: str) -> str:
    return clean_line(topic, "a topic", TOPIC_MAX)


def clean_side_name(name: str) -> str:
    return clean_line(name, "a side's name", TITLE_MAX)


def clean_agenda(agenda: str) -> str:
    return clean_body(agenda, "an agenda", AGENDA_MAX_BYTES)
