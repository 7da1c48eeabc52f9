"""The SDK's one exception type."""

from __future__ import annotations

from typing import Any

from frankly.client.vocabulary import Close

# Codes the SDK uses itself, for ends that the server did not name with an `error`.
CLOSED = "closed"  # the client has left, or the socket closed for good with no error message
REPLACED = "replaced"  # close 4000: this participant resumed on another connection
TOO_BIG = "too-big"  # close 1009
HANDSHAKE_FAILED = "handshake-failed"  # no `welcome` in time, or an unexpected reply
MEETING_ENDED = "meeting-ended"  # close 4410: a host ended the meeting for everyone
_BY_CLOSE: dict[int, str] = {
    Close.REPLACED: REPLACED,
    Close.TOO_BIG: TOO_BIG,
    Close.ENDED: MEETING_ENDED,
}


class FranklyError(Exception):
    """A refusal or an end that the SDK cannot recover from.

    ``code`` is one of the stable error codes of docs/protocol.md (``room-full``,
    ``invalid-room``, ``denied``, ``removed``, ``wrong-password``,
    ``invite-expired``, ``human-check-failed``, ...) when the server sent an
    ``error``; otherwise one of the SDK's own: ``closed``, ``replaced``,
    ``too-big``, ``handshake-failed``, ``meeting-ended``. ``close_code`` is the WebSocket close code
    that ended the connection, when there was one.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        ref: str | None = None,
        close_code: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.ref = ref
        self.close_code = close_code

    @classmethod
    def from_message(cls, msg: dict[str, Any]) -> FranklyError:
        """Build one from a protocol ``error`` message."""
        ref = msg.get("ref")
        return cls(
            str(msg.get("code", "unknown")),
            str(msg.get("message", "")),
            ref=ref if isinstance(ref, str) else None,
        )

    @classmethod
    def from_close(cls, close_code: int | None, reason: str = "") -> FranklyError:
        """Build one for a socket that closed without an ``error`` before it."""
        code = _BY_CLOSE.get(close_code or 0, CLOSED)
        text = reason or f"the server closed the connection (code {close_code})"
        return cls(code, text, close_code=close_code)

    def __repr__(self) -> str:
        return f"FranklyError(code={self.code!r}, message={self.message!r})"
