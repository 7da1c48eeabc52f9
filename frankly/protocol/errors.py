"""Stable error codes and WebSocket close codes (docs/protocol.md).

Every refusal the server makes is a `ProtocolError`; the connection handler
turns it into one `error` message and, when fatal, a close code. Keeping the
table here means the codes cannot drift between the server and its docs.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from frankly.protocol.words import Msg


class Code(StrEnum):
    BAD_JSON = "bad-json"
    TOO_LARGE = "too-large"
    UNKNOWN_TYPE = "unknown-type"
    INVALID_MESSAGE = "invalid-message"
    NOT_JOINED = "not-joined"
    ALREADY_JOINED = "already-joined"
    UNKNOWN_PEER = "unknown-peer"
    WRONG_MODE = "wrong-mode"
    BAD_SDP = "bad-sdp"
    RATE_LIMITED = "rate-limited"
    UNSUPPORTED_VERSION = "unsupported-version"
    INVALID_ROOM = "invalid-room"
    ROOM_FULL = "room-full"
    PROTOCOL_VIOLATION = "protocol-violation"
    FLOODING = "flooding"
    TIMEOUT = "timeout"
    BUSY = "busy"  # the server refused work it could not do now; try again shortly
    # The server is shutting down (SIGTERM): no new room; its successor takes them.
    DRAINING = "draining"
    INTERNAL_ERROR = "internal-error"
    # Access to a room (issue 5).
    INVITE_EXPIRED = "invite-expired"
    INVITE_WRONG_ROOM = "invite-wrong-room"
    INVITE_INVALID = "invite-invalid"
    INVITE_ENDED = "invite-ended"  # its meeting is over
    INVITE_REVOKED = "invite-revoked"
    PASSWORD_REQUIRED = "password-required"
    WRONG_PASSWORD = "wrong-password"
    # The room's hosts hold a passphrase and the hello said it holds none: it would
    # see and hear nothing (the server never learns the passphrase itself).
    PASSPHRASE_REQUIRED = "passphrase-required"
    TOO_MANY_ATTEMPTS = "too-many-attempts"
    HUMAN_CHECK_REQUIRED = "human-check-required"
    HUMAN_CHECK_FAILED = "human-check-failed"
    LOBBY_FULL = "lobby-full"
    DENIED = "denied"
    REMOVED = "removed"
    # A dialogue meeting with appointed representatives: only they and the leads,
    # each with the invite the dialogue gave them, may enter (not even the lobby).
    REPRESENTATIVES_ONLY = "representatives-only"
    # In the meeting.
    NOT_HOST = "not-host"
    NOT_ALLOWED = "not-allowed"
    UNKNOWN_KNOCK = "unknown-knock"
    # Interpretation (issue 12).
    GUEST_INTERPRETER = "guest-interpreter"  # a guest cannot be made an interpreter
    NOT_INTERPRETER = "not-interpreter"  # an interpreter's message from someone who is not one
    UNKNOWN_LANGUAGE = "unknown-language"  # no interpreter of the room serves that channel
    CHANNEL_BUSY = "channel-busy"  # another booth speaks into that channel now
    BOOTH_NOT_READY = "booth-not-ready"  # a hand-over to someone not sending their channel
    # Live captions (issue 12): no captions extra or models, or a passphrase room.
    CAPTIONS_UNAVAILABLE = "captions-unavailable"


class Close(IntEnum):
    NORMAL = 1000
    NOT_UTF8 = 1007  # a text frame that is not UTF-8; the WebSocket layer refuses it
    TOO_BIG = 1009
    INTERNAL_ERROR = 1011  # a bug of the server's: the client may reconnect
    TRY_AGAIN_LATER = 1013  # fell too far behind, or the server is busy: reconnect
    REPLACED = 4000
    HANDSHAKE_REFUSED = 4400
    CREDENTIALS_REFUSED = 4401  # password or human check
    NOT_ALLOWED_IN = 4403  # invite refused, denied, removed
    TIMEOUT = 4408
    ROOM_FULL = 4409
    ENDED = 4410  # a host ended the meeting for everyone
    PROTOCOL_VIOLATION = 4422
    FLOODING = 4429


# The close code that follows each fatal error; codes absent here are not fatal.
FATAL: dict[Code, Close] = {
    Code.UNSUPPORTED_VERSION: Close.HANDSHAKE_REFUSED,
    Code.INVALID_ROOM: Close.HANDSHAKE_REFUSED,
    Code.ROOM_FULL: Close.ROOM_FULL,
    Code.PROTOCOL_VIOLATION: Close.PROTOCOL_VIOLATION,
    Code.FLOODING: Close.FLOODING,
    Code.TIMEOUT: Close.TIMEOUT,
    Code.INVITE_EXPIRED: Close.NOT_ALLOWED_IN,
    Code.INVITE_WRONG_ROOM: Close.NOT_ALLOWED_IN,
    Code.INVITE_INVALID: Close.NOT_ALLOWED_IN,
    Code.INVITE_ENDED: Close.NOT_ALLOWED_IN,
    Code.INVITE_REVOKED: Close.NOT_ALLOWED_IN,
    Code.LOBBY_FULL: Close.ROOM_FULL,
    Code.INTERNAL_ERROR: Close.INTERNAL_ERROR,
    Code.DENIED: Close.NOT_ALLOWED_IN,
    Code.REMOVED: Close.NOT_ALLOWED_IN,
    Code.REPRESENTATIVES_ONLY: Close.NOT_ALLOWED_IN,
    Code.PASSWORD_REQUIRED: Close.CREDENTIALS_REFUSED,
    Code.WRONG_PASSWORD: Close.CREDENTIALS_REFUSED,
    Code.PASSPHRASE_REQUIRED: Close.CREDENTIALS_REFUSED,
    Code.HUMAN_CHECK_REQUIRED: Close.CREDENTIALS_REFUSED,
    Code.HUMAN_CHECK_FAILED: Close.CREDENTIALS_REFUSED,
    Code.TOO_MANY_ATTEMPTS: Close.FLOODING,
}


# Close codes after which a client comes back by itself: its network stalled
# (4408), the server failed (1011) or was busy (1013). After every other one
# it does not reconnect; 1000 is the client's own leave.
COME_BACK: frozenset[Close] = frozenset(
    {Close.TIMEOUT, Close.INTERNAL_ERROR, Close.TRY_AGAIN_LATER}
)
FINAL_CLOSE_CODES: frozenset[int] = frozenset(int(c) for c in Close if c not in COME_BACK)


class ProtocolError(Exception):
    """A refusal with a stable code and a message for people."""

    def __init__(
        self,
        code: Code,
        message: str,
        ref: Msg | None = None,
        close: Close | None = None,
        *,
        counts: bool = True,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref
        # A code that is not always fatal may be in one place: `rate-limited`
        # drops one message, but a hello over the join rate closes with 4429.
        self._close = close
        # Whether it counts towards the errors that close a connection: not for
        # a message that was fine when sent, such as a signal that crossed its
        # recipient's leave on the way.
        self.counts = counts

    @property
    def close_code(self) -> Close | None:
        return self._close if self._close is not None else FATAL.get(self.code)
