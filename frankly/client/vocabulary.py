"""The protocol's words as the SDK uses them, each written once (docs/protocol.md).

The protocol version, the close codes and which of them are final, the error
codes that close the socket, the suffix that names a screen share's stream,
roles, moderation actions, reactions and why someone left. Everything else in
frankly.client takes them from here, so that pointing the SDK at the shared
vocabulary of frankly.protocol later is a change to this one module.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from types import MappingProxyType
from typing import Final, Literal, get_args

PROTOCOL_VERSION: Final = 1


class Close(IntEnum):
    """WebSocket close codes (docs/protocol.md, "Close codes")."""

    NORMAL = 1000  # after `leave`
    TOO_BIG = 1009
    REPLACED = 4000  # the same participant resumed on another connection
    HANDSHAKE_REFUSED = 4400
    CREDENTIALS_REFUSED = 4401  # password or human check
    NOT_ALLOWED_IN = 4403  # invite refused, denied, removed
    TIMEOUT = 4408
    ROOM_FULL = 4409
    ENDED = 4410  # a host ended the meeting for everyone
    PROTOCOL_VIOLATION = 4422
    FLOODING = 4429


# Close codes after which a client must not reconnect: all but a timeout.
FINAL_CLOSE_CODES: Final = frozenset(int(code) for code in Close if code is not Close.TIMEOUT)

# Errors after which the server closes the socket, with the close code that follows.
FATAL_ERRORS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "unsupported-version": Close.HANDSHAKE_REFUSED,
        "invalid-room": Close.HANDSHAKE_REFUSED,
        "room-full": Close.ROOM_FULL,
        "protocol-violation": Close.PROTOCOL_VIOLATION,
        "flooding": Close.FLOODING,
        "timeout": Close.TIMEOUT,
        # Who may come in (all final: another attempt would only be refused again).
        "invite-expired": Close.NOT_ALLOWED_IN,
        "invite-wrong-room": Close.NOT_ALLOWED_IN,
        "invite-invalid": Close.NOT_ALLOWED_IN,
        "denied": Close.NOT_ALLOWED_IN,
        "removed": Close.NOT_ALLOWED_IN,
        "password-required": Close.CREDENTIALS_REFUSED,
        "wrong-password": Close.CREDENTIALS_REFUSED,
        "human-check-required": Close.CREDENTIALS_REFUSED,
        "human-check-failed": Close.CREDENTIALS_REFUSED,
        "too-many-attempts": Close.FLOODING,
    }
)

# Refusals of a `hello` that another attempt would only repeat.
HOPELESS: Final = frozenset({"unsupported-version", "invalid-room", "room-full", "invalid-message"})
# Refusals of a resuming `hello` after which a room asks a newcomer for what it
# shows on joining (the server forgot us): join afresh and show it again.
ASKS_NEWCOMERS: Final = frozenset({"password-required", "human-check-required"})

# The SFU names the stream of a screen share after its sharer plus this suffix.
SCREEN_SUFFIX: Final = ":screen"


def screen_stream(participant_id: str) -> str:
    """The stream id under which the SFU forwards a participant's screen share."""
    return participant_id + SCREEN_SUFFIX


def sharer_of(stream_id: str) -> tuple[str, bool]:
    """Whose stream ``stream_id`` is, and whether it is their screen share."""
    if stream_id.endswith(SCREEN_SUFFIX):
        return stream_id[: -len(SCREEN_SUFFIX)], True
    return stream_id, False


Role = Literal["host", "participant", "guest", "interpreter", "observer"]
"""What a participant may do: hosts let people in and moderate; guests cannot
share a screen. ``interpreter`` and ``observer`` are reserved (not granted yet)."""
ROLES: Final[tuple[Role, ...]] = get_args(Role)

ModerationAction = Literal[
    "mute", "ask-unmute", "stop-video", "stop-screen", "remove", "make-host", "lower-hand"
]
"""What a host can do to one participant (`Client.moderate`)."""
MODERATION_ACTIONS: Final[tuple[ModerationAction, ...]] = get_args(ModerationAction)

REACTIONS: Final[tuple[str, ...]] = ("👍", "👏", "❤️", "😂", "😮", "🎉", "🙏", "✋")
"""The emoji the server relays as reactions (`Client.react`)."""

LeaveReason = Literal["left", "disconnected", "removed"]
LEAVE_REASONS: Final[tuple[LeaveReason, ...]] = get_args(LeaveReason)

KnockOutcome = Literal["admitted", "denied", "left"]
KNOCK_OUTCOMES: Final[tuple[KnockOutcome, ...]] = get_args(KnockOutcome)
