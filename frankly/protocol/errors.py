"""Stable error codes and WebSocket close codes (docs/protocol.md).

Every refusal the server makes is a `ProtocolError`; the connection handler
turns it into one `error` message and, when fatal, a close code. Keeping the
table here means the codes cannot drift between the server and its docs.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


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


class Close(IntEnum):
    NORMAL = 1000
    TOO_BIG = 1009
    REPLACED = 4000
    HANDSHAKE_REFUSED = 4400
    TIMEOUT = 4408
    ROOM_FULL = 4409
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
}


class ProtocolError(Exception):
    """A refusal with a stable code and a message for people."""

    def __init__(self, code: Code, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    @property
    def close_code(self) -> Close | None:
        return FATAL.get(self.code)
