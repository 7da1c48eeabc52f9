"""The REST API's refusals: the rules' codes, a few of its own, and their HTTP statuses.

Every refusal is JSON `{"error": {"code": ..., "message": ...}}` (and
`detail` when the rule gave one, such as the newer text of a stale save).
The codes of the rules are in frankly/dialogues/errors.py; the API adds only
what the rules cannot know: who is calling, whether a link is genuine, and
whether the request itself is well formed. docs/api.md lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.protocol.errors import Code


class ApiCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"  # no credential, or one the server does not know
    INVALID_REQUEST = "invalid-request"  # the JSON does not fit the schema
    INVALID_INVITE = "invalid-invite"  # a side link that is forged, revoked or unknown
    EXPIRED_INVITE = "expired-invite"
    FOREIGN_ORIGIN = "foreign-origin"  # a change sent from a page of another site
    TOO_LARGE = "too-large"  # a request body over the API's limit
    NO_DATABASE = "no-database"  # a server started without a store (tests only)
    # Public readouts and their comments (frankly/api/public.py). A readout
    # that is not public is unknown-readout too, so that nobody learns it exists.
    UNKNOWN_READOUT = "unknown-readout"
    UNKNOWN_COMMENT = "unknown-comment"
    # The words of the rooms' human check and rate limits, not written again.
    HUMAN_CHECK_REQUIRED = Code.HUMAN_CHECK_REQUIRED.value
    HUMAN_CHECK_FAILED = Code.HUMAN_CHECK_FAILED.value
    RATE_LIMITED = Code.RATE_LIMITED.value
    UNKNOWN_INVITE = "unknown-invite"  # revoking a link that is not one to this side
    UNKNOWN_DEVICE = "unknown-device"  # revoking a device that is not one of yours
    NO_TRANSCRIPT = "no-transcript"  # a meeting of which no transcript was kept


class ApiError(Exception):
    """A refusal of the API layer itself, shaped like a DialogueError."""

    def __init__(self, code: ApiCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail: Mapping[str, object] = {}


STATUS: Final[dict[str, int]] = {
    ApiCode.UNAUTHENTICATED: 401,
    ApiCode.INVALID_REQUEST: 400,
    ApiCode.INVALID_INVITE: 403,
    ApiCode.EXPIRED_INVITE: 403,
    ApiCode.FOREIGN_ORIGIN: 403,
    ApiCode.TOO_LARGE: 413,
    ApiCode.NO_DATABASE: 503,
    ApiCode.UNKNOWN_READOUT: 404,
    ApiCode.UNKNOWN_COMMENT: 404,
    ApiCode.HUMAN_CHECK_REQUIRED: 403,
    ApiCode.HUMAN_CHECK_FAILED: 403,
    ApiCode.RATE_LIMITED: 429,
    ApiCode.UNKNOWN_INVITE: 404,
    ApiCode.UNKNOWN_DEVICE: 404,
    ApiCode.NO_TRANSCRIPT: 404,
    DialogueCode.UNKNOWN_DIALOGUE: 404,
    DialogueCode.UNKNOWN_MEETING: 404,
    DialogueCode.UNKNOWN_SIDE: 404,
    DialogueCode.UNKNOWN_MEMBER: 404,
    DialogueCode.UNKNOWN_PROPOSAL: 404,
    DialogueCode.UNKNOWN_REVISION: 404,
    DialogueCode.UNKNOWN_POINT: 404,
    DialogueCode.MEMBER_REMOVED: 403,
    DialogueCode.NOT_YOUR_SIDE: 403,
    DialogueCode.NOT_LEAD: 403,
    DialogueCode.NOT_INVITED: 403,
    DialogueCode.CANNOT_REMOVE_LEAD: 403,
    DialogueCode.OWN_PROPOSAL: 403,
    DialogueCode.PROPOSAL_NOT_OPEN: 409,
    DialogueCode.TOO_MANY_PROPOSALS: 409,
    DialogueCode.NOT_SCHEDULED: 409,
    DialogueCode.STALE_REVISION: 409,
    DialogueCode.ALREADY_PUBLISHED: 409,
    DialogueCode.ALREADY_CONFIRMED: 409,
    DialogueCode.ALREADY_APPOINTED: 409,
    DialogueCode.PROPOSAL_IN_THE_PAST: 400,
    DialogueCode.BAD_DATE: 400,
    DialogueCode.NOT_A_FOLLOW_UP: 400,
    DialogueCode.BAD_SIDES: 400,
    DialogueCode.TOO_LONG: 413,
    DialogueCode.BAD_TEXT: 400,
    DialogueCode.BAD_TIME_ZONE: 400,
    DialogueCode.BAD_LINK: 400,
}


def status_of(error: DialogueError | ApiError) -> int:
    return STATUS[error.code]


def body_of(error: DialogueError | ApiError) -> dict[str, object]:
    shown: dict[str, object] = {"code": str(error.code), "message": error.message}
    if error.detail:
        shown["detail"] = dict(error.detail)
    return {"error": shown}
