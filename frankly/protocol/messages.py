"""Schemas of the messages a client may send, and the parser that applies them.

`parse` turns one WebSocket frame into a validated message or raises a
`ProtocolError` whose text names the problem exactly (the field, the limit).
Messages the server sends are built by the small functions at the end, so
that their shape is written down once, beside the schemas.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from frankly.protocol.errors import Code, ProtocolError

PROTOCOL_VERSION = 1
MAX_FRAME = 64 * 1024
ROOM_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ChatText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# Base64 of an encrypted chat text: 4000 characters of UTF-8, sealed, fit.
Sealed = Annotated[str, StringConstraints(min_length=1, max_length=22000, pattern=r"^[A-Za-z0-9+/]+=*$")]
PeerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _Message(BaseModel):
    # strict: "yes" is not a boolean and "1" is not a number.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Hello(_Message):
    type: Literal["hello"]
    version: int
    room: Annotated[str, StringConstraints(max_length=256)]
    name: Name
    audio: bool = True
    video: bool = True
    resume: Annotated[str, StringConstraints(max_length=128)] | None = None


class Update(_Message):
    type: Literal["update"]
    audio: bool | None = None
    video: bool | None = None


class Description(_Message):
    type: Literal["offer", "answer", "rollback"]
    sdp: Annotated[str, StringConstraints(max_length=MAX_FRAME)] = ""


class Candidate(BaseModel):
    # Browsers add fields over time (usernameFragment, ...): keep what is sent.
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    candidate: Annotated[str, StringConstraints(max_length=1024)]
    # Names as in RTCIceCandidateInit.
    sdpMid: str | None = None
    sdpMLineIndex: int | None = None


class Signal(_Message):
    type: Literal["signal"]
    to: PeerId
    description: Description | None = None
    candidate: Candidate | None = None


class Chat(_Message):
    """Plain `text`, or `sealed`: the text end-to-end encrypted (docs/security.md)."""

    type: Literal["chat"]
    text: ChatText | None = None
    sealed: Sealed | None = None


class E2ee(_Message):
    """Key exchange for end-to-end encryption, relayed to one peer unread."""

    type: Literal["e2ee"]
    to: PeerId
    payload: Annotated[dict[str, Any], Field(max_length=16)]


class Ping(_Message):
    type: Literal["ping"]
    n: int | None = None


class Leave(_Message):
    type: Literal["leave"]


class Sfu(_Message):
    """Negotiation with the SFU: the publish offer, the subscribe answer."""

    type: Literal["sfu"]
    pc: Literal["publish", "subscribe"]
    description: Description


class View(_Message):
    """How many pixels high this client shows a participant's video (0: hidden)."""

    type: Literal["view"]
    id: PeerId
    height: Annotated[int, Field(ge=0, le=4320)]


ClientMessage = Hello | Update | Signal | Chat | Ping | Leave | Sfu | View | E2ee
_SCHEMAS: dict[str, type[_Message]] = {
    "hello": Hello,
    "update": Update,
    "signal": Signal,
    "chat": Chat,
    "ping": Ping,
    "leave": Leave,
    "sfu": Sfu,
    "view": View,
    "e2ee": E2ee,
}


def parse(frame: str | bytes) -> ClientMessage:
    """Validate one frame; raise ProtocolError naming what is wrong."""
    if isinstance(frame, bytes):
        raise ProtocolError(Code.BAD_JSON, "frames must be JSON text, not binary")
    if len(frame.encode()) > MAX_FRAME:
        raise ProtocolError(Code.TOO_LARGE, f"message is over {MAX_FRAME} bytes")
    try:
        obj = json.loads(frame)
    except ValueError as exc:
        raise ProtocolError(Code.BAD_JSON, f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError(Code.BAD_JSON, "a message must be a JSON object")
    kind = obj.get("type")
    schema = _SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None or not isinstance(kind, str):
        raise ProtocolError(Code.UNKNOWN_TYPE, f"unknown message type {kind!r}")
    try:
        message = schema.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError(Code.INVALID_MESSAGE, _describe(kind, exc), ref=kind) from None
    _check(message)
    return message  # type: ignore[return-value]


def _check(message: _Message) -> None:
    """Rules that span fields, which the schemas alone cannot say."""
    if isinstance(message, Update) and message.audio is None and message.video is None:
        raise ProtocolError(
            Code.INVALID_MESSAGE, "update: give 'audio', 'video' or both", ref="update"
        )
    if isinstance(message, Signal) and (message.description is None) == (
        "candidate" not in message.model_fields_set
    ):
        raise ProtocolError(
            Code.INVALID_MESSAGE,
            "signal: give exactly one of 'description' and 'candidate'",
            ref="signal",
        )
    if isinstance(message, Chat) and (message.text is None) == (message.sealed is None):
        raise ProtocolError(
            Code.INVALID_MESSAGE, "chat: give exactly one of 'text' and 'sealed'", ref="chat"
        )


def _describe(kind: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"{kind}: field '{field}' is required"
    if first["type"] == "extra_forbidden":
        return f"{kind}: unknown field '{field}'"
    return f"{kind}: field '{field}': {first['msg']}"


def room_name_ok(room: str) -> bool:
    return ROOM_RE.fullmatch(room) is not None


# --- messages the server sends ---------------------------------------------


def error(code: Code, message: str, ref: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "error", "code": code.value, "message": message}
    if ref is not None:
        out["ref"] = ref
    return out


def pong(n: int | None) -> dict[str, Any]:
    return {"type": "pong", "n": n}


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


__all__ = [
    "MAX_FRAME",
    "PROTOCOL_VERSION",
    "Candidate",
    "Chat",
    "ClientMessage",
    "Description",
    "E2ee",
    "Hello",
    "Leave",
    "Ping",
    "Sfu",
    "Signal",
    "Update",
    "View",
    "dump",
    "error",
    "parse",
    "pong",
    "room_name_ok",
]
