"""Readers' comments under a public readout: what one may hold, and its record.

A reader is nobody the dialogue knows: a comment is a plain text (shown as
Markdown rendered by render.py, so it runs no script) and an optional name,
both checked here as the dialogue's own texts are. Who moderates is the
side's lead (access.lead_of); who reads held comments, that side's members
(access.of_side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from frankly.dialogues.texts import clean_body, clean_person
from frankly.dialogues.words import CommentState

COMMENT_MAX_BYTES: Final = 4_000  # a few paragraphs; a reader's word, not an essay


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    readout: str  # the readout's id
    name: str | None  # as the reader gave it; None: anonymous
    text: str
    state: CommentState
    at: datetime


def clean_comment(text: str) -> str:
    return clean_body(text, "a comment", COMMENT_MAX_BYTES, empty_ok=False)


def clean_commenter(name: str | None) -> str | None:
    """A reader's name by the rule for participant names; nothing, or only spaces: None."""
    if name is None or not name.strip():
        return None
    return clean_person(name)
