"""The protocol's words as the SDK uses them (docs/protocol.md).

Each is defined once, in frankly.protocol (`words` and `errors`, plain Python
that needs no pydantic), and shared with the server and, through the
generated web/wire.js, the browser. This module gathers them for the SDK and
adds the SDK's own readings of them: which refusals are hopeless to retry and
which ask a resuming client to show what a newcomer shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from frankly.protocol.errors import FATAL, FINAL_CLOSE_CODES, Close, Code
from frankly.protocol.words import (
    CAPTIONER_NAME,
    CAPTIONS_STATES,
    FLOOR,
    KNOCK_OUTCOMES,
    LANGUAGE_PATTERN,
    LEAVE_REASONS,
    PROTOCOL_VERSION,
    REACTIONS,
    ROLES,
    SCREEN_SUFFIX,
    Action,
    KnockOutcome,
    LeaveReason,
    Msg,
    Role,
    channel_stream,
    interpreter_of,
    screen_stream,
    sharer_of,
)
from frankly.protocol.words import MODERATION as MODERATION_ACTIONS

ModerationAction = Action
"""What a host can do to one participant (`Client.moderate`)."""

# Errors after which the server closes the socket, with the close code that follows.
FATAL_ERRORS: Final[Mapping[str, int]] = MappingProxyType(
    {code.value: int(close) for code, close in FATAL.items()}
)

# Refusals of a `hello` that another attempt would only repeat.
HOPELESS: Final = frozenset(
    {Code.UNSUPPORTED_VERSION, Code.INVALID_ROOM, Code.ROOM_FULL, Code.INVALID_MESSAGE}
)
# Refusals of a resuming `hello` after which a room asks a newcomer for what it
# shows on joining (the server forgot us): join afresh and show it again.
ASKS_NEWCOMERS: Final = frozenset({Code.PASSWORD_REQUIRED, Code.HUMAN_CHECK_REQUIRED})


__all__ = [
    "ASKS_NEWCOMERS",
    "CAPTIONER_NAME",
    "CAPTIONS_STATES",
    "FATAL_ERRORS",
    "FINAL_CLOSE_CODES",
    "FLOOR",
    "HOPELESS",
    "KNOCK_OUTCOMES",
    "LANGUAGE_PATTERN",
    "LEAVE_REASONS",
    "MODERATION_ACTIONS",
    "PROTOCOL_VERSION",
    "REACTIONS",
    "ROLES",
    "SCREEN_SUFFIX",
    "Close",
    "Code",
    "KnockOutcome",
    "LeaveReason",
    "ModerationAction",
    "Msg",
    "Role",
    "channel_stream",
    "interpreter_of",
    "screen_stream",
    "sharer_of",
]
