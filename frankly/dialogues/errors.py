"""Every refusal of the dialogue rules: one exception, stable codes.

A rule raises `DialogueError(code, message)`; the REST layer turns it into
JSON with the same code. The message names the problem for a person; `detail`
carries what a client needs to act on it (the newer text of a stale save,
who may attend a meeting). Codes are documented in docs/dialogues.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class DialogueCode(StrEnum):
    # Lookups. A member of another dialogue gets unknown-dialogue too, so
    # that nobody learns that a dialogue they are not in exists.
    UNKNOWN_DIALOGUE = "unknown-dialogue"
    UNKNOWN_MEETING = "unknown-meeting"
    UNKNOWN_SIDE = "unknown-side"
    UNKNOWN_MEMBER = "unknown-member"
    UNKNOWN_PROPOSAL = "unknown-proposal"
    UNKNOWN_REVISION = "unknown-revision"
    UNKNOWN_POINT = "unknown-point"
    # Who may do what.
    MEMBER_REMOVED = "member-removed"
    NOT_YOUR_SIDE = "not-your-side"
    NOT_LEAD = "not-lead"
    NOT_INVITED = "not-invited"
    CANNOT_REMOVE_LEAD = "cannot-remove-lead"
    # Dates to agree.
    PROPOSAL_NOT_OPEN = "proposal-not-open"
    PROPOSAL_IN_THE_PAST = "proposal-in-the-past"
    OWN_PROPOSAL = "own-proposal"
    TOO_MANY_PROPOSALS = "too-many-proposals"
    BAD_DATE = "bad-date"
    NOT_SCHEDULED = "not-scheduled"
    # Readouts and agreed points.
    STALE_REVISION = "stale-revision"
    ALREADY_PUBLISHED = "already-published"
    ALREADY_CONFIRMED = "already-confirmed"
    ALREADY_APPOINTED = "already-appointed"
    NOT_A_FOLLOW_UP = "not-a-follow-up"
    BAD_SIDES = "bad-sides"
    # Input.
    TOO_LONG = "too-long"
    BAD_TEXT = "bad-text"
    BAD_TIME_ZONE = "bad-time-zone"
    BAD_LINK = "bad-link"


class DialogueError(Exception):
    """A refusal with a stable `code`, a readable `message` and optional `detail`."""

    def __init__(
        self, code: DialogueCode, message: str, detail: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail: Mapping[str, object] = dict(detail or {})

    def __repr__(self) -> str:
        return f"DialogueError({self.code.value!r}, {self.message!r})"
