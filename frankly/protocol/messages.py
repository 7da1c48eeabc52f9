"""Schemas of the messages a client may send, and the parser that applies them.

`parse` turns one WebSocket frame into a validated message or raises a
`ProtocolError` whose text names the problem exactly (the field, the limit).
Messages the server sends are built by the small functions at the end, so
that their shape is written down once, beside the schemas.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import (
    FLOOR,
    LANGUAGE_PATTERN,
    MODERATION,
    PROTOCOL_VERSION,
    REACTIONS,
    RESERVED_ROOMS,
    ROOM_PATTERN,
    Action,
    CaptionsState,
    InviteRole,
    KnockOutcome,
    LeaveReason,
    Msg,
    Reaction,
)

MAX_FRAME = 64 * 1024
# The largest frame the server sends, and so the least a client must accept:
# the SDK's limit, and uvicorn's for what it reads (server/app.py).
MAX_SENT_FRAME = 1 << 20
# How deeply JSON may nest: no message needs more than a few levels, and
# Python's parser gives up (RecursionError) near a thousand.
MAX_DEPTH = 32
ROOM_RE = re.compile(ROOM_PATTERN)

NAME_MAX = 64
# Zero-width joiners are part of some scripts and of emoji sequences: allowed
# between two characters, never at an end. Every other invisible format
# character is refused, as are controls and bidirectional overrides, which
# let a name hide or reorder what others see of it.
_JOINERS = {"\u200c", "\u200d"}
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_name(name: str) -> str:
    """A display name normalised (NFC, trimmed), or ValueError naming what is wrong."""
    name = unicodedata.normalize("NFC", name).strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise ValueError(f"a name is 1 to {NAME_MAX} characters")
    found = text_problem(name)
    if found is not None:
        problem, char = found
        raise ValueError(f"{problem} (U+{ord(char):04X}) is not allowed in a name")
    return name


def text_problem(text: str) -> tuple[str, str] | None:
    """The first character a line of text shown to others may not hold, and why; or None.

    Names here, and the dialogues' titles and topics, follow this one rule.
    """
    for index, char in enumerate(text):
        problem = _char_problem(char, inner=0 < index < len(text) - 1)
        if problem is not None:
            return problem, char
    return None


def _char_problem(char: str, inner: bool) -> str | None:
    category = unicodedata.category(char)
    if char in _BIDI:
        return "a bidirectional control character"
    if char in _JOINERS:
        return None if inner else "a zero-width joiner at either end"
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    if category == "Cf":
        return "an invisible formatting character"
    if category in ("Zl", "Zp"):
        return "a line break"
    return None


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(clean_name),
]
ChatText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
# Base64 of an encrypted chat text: 4000 characters of UTF-8, sealed, fit.
Sealed = Annotated[
    str, StringConstraints(min_length=1, max_length=22000, pattern=r"^[A-Za-z0-9+/]+=*$")
]
PeerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Language = Annotated[str, StringConstraints(max_length=35, pattern=LANGUAGE_PATTERN)]
# The floor, or a language: "floor" is no language tag (five letters), so the two never meet.
Channel = Annotated[str, StringConstraints(max_length=35, pattern=f"^{FLOOR}$|{LANGUAGE_PATTERN}")]
BOOTH_CHAT_TO = 1  # recipients of one booth message: the booth's other member


def _two_languages(pair: list[str]) -> list[str]:
    if pair[0] == pair[1]:
        raise ValueError("a language pair is two different languages")
    return pair


# Two different languages, e.g. ["en", "ru"]: a list, since a tag may hold a '-'.
Pair = Annotated[list[Language], Field(min_length=2, max_length=2), AfterValidator(_two_languages)]
INVITE_TTL_MIN = 60
INVITE_TTL_MAX = 30 * 24 * 3600
INVITE_TTL_DEFAULT = 24 * 3600


class _Message(BaseModel):
    # strict: "yes" is not a boolean and "1" is not a number.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Hello(_Message):
    type: Literal[Msg.HELLO]
    version: int
    room: Annotated[str, StringConstraints(max_length=256)]
    name: Name
    audio: bool = True
    video: bool = True
    # A token the server made: URL-safe base64, nothing else to compare.
    resume: (
        Annotated[str, StringConstraints(max_length=128, pattern=r"^[A-Za-z0-9_-]*$")] | None
    ) = None
    # Optional, so that clients written before these existed keep working.
    invite: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None
    password: Password | None = None
    proof: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None
    device: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    # The language this participant speaks, for the captioner (null: not said).
    language: Language | None = None
    # Whether this client holds a passphrase for the room (never the passphrase):
    # a host's true marks the room, and a hello without one is then refused.
    passphrase: bool = False


class Update(_Message):
    type: Literal[Msg.UPDATE]
    audio: bool | None = None
    video: bool | None = None
    screen: bool | None = None
    # The MediaStream id of the screen share (peer to peer), so receivers can
    # tell it from the camera.
    screen_stream: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    # The language this participant speaks (null: not said).
    language: Language | None = None


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
    type: Literal[Msg.SIGNAL]
    to: PeerId
    description: Description | None = None
    candidate: Candidate | None = None


class Chat(_Message):
    """Plain `text`, or `sealed`: the text end-to-end encrypted (docs/security.md)."""

    type: Literal[Msg.CHAT]
    text: ChatText | None = None
    sealed: Sealed | None = None


class E2ee(_Message):
    """Key exchange for end-to-end encryption, relayed to one peer unread."""

    type: Literal[Msg.E2EE]
    to: PeerId
    payload: Annotated[dict[str, Any], Field(max_length=16)]


class Ping(_Message):
    type: Literal[Msg.PING]
    n: int | None = None


class Leave(_Message):
    type: Literal[Msg.LEAVE]


class Sfu(_Message):
    """Negotiation with the SFU: the publish offer, the subscribe answer."""

    type: Literal[Msg.SFU]
    pc: Literal["publish", "subscribe"]
    description: Description


class SfuRestart(_Message):
    """The subscribe connection lost its path: the SFU offers it again with new ICE
    credentials (an ICE restart it leads, since it is the offerer there)."""

    type: Literal[Msg.SFU_RESTART]


class View(_Message):
    """How many pixels high this client shows a participant's video (0: hidden)."""

    type: Literal[Msg.VIEW]
    id: PeerId
    height: Annotated[int, Field(ge=0, le=4320)]


class Settings(_Message):
    """A host changes the room: lobby, lock, password (null clears it)."""

    type: Literal[Msg.SETTINGS]
    lobby: bool | None = None
    locked: bool | None = None
    password: Password | None = None


class Admit(_Message):
    type: Literal[Msg.ADMIT]
    id: PeerId


class Deny(_Message):
    type: Literal[Msg.DENY]
    id: PeerId


class Moderate(_Message):
    type: Literal[Msg.MODERATE]
    action: Action
    id: PeerId


class End(_Message):
    type: Literal[Msg.END]


class Hand(_Message):
    type: Literal[Msg.HAND]
    up: bool


class React(_Message):
    type: Literal[Msg.REACT]
    emoji: Reaction


class Invite(_Message):
    """A host asks for an invite token for this room."""

    type: Literal[Msg.INVITE]
    # Never "captioner": only the server makes its captioner (server/captions.py).
    role: InviteRole = "participant"
    ttl: Annotated[int, Field(ge=INVITE_TTL_MIN, le=INVITE_TTL_MAX)] = INVITE_TTL_DEFAULT
    # Its holder joins as the interpreter of this pair (never a guest).
    interpret: Pair | None = None


class Revoke(_Message):
    """A host revokes an invite by its id, for as long as this meeting lasts."""

    type: Literal[Msg.REVOKE]
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Interpreter(_Message):
    """A host makes a participant the interpreter of a pair; `pair: null` takes the role back."""

    type: Literal[Msg.INTERPRETER]
    id: PeerId
    pair: Pair | None


class Interpret(_Message):
    """An interpreter: the channel its booth speaks into, and/or the track it speaks on."""

    type: Literal[Msg.INTERPRET]
    into: Language | None = None
    # The id of the published track that carries the interpretation (the msid
    # track id: MediaStreamTrack.id), so the SFU tells it from the microphone.
    track: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class Handover(_Message):
    """A booth member gives the live channel to `to` (default: the other), or takes it."""

    type: Literal[Msg.HANDOVER]
    to: PeerId | None = None


class Listen(_Message):
    """Which channel this participant hears: the floor, or one of the room's languages."""

    type: Literal[Msg.LISTEN]
    channel: Channel


class BoothChat(_Message):
    """A chat line for the booth only, sealed for each other member with the pair's key."""

    type: Literal[Msg.BOOTH_CHAT]
    sealed: Annotated[dict[PeerId, Sealed], Field(min_length=1, max_length=BOOTH_CHAT_TO)]


class Captions(_Message):
    """A host turns the room's live captions on or off, and says whether the transcript is kept."""

    type: Literal[Msg.CAPTIONS]
    on: bool
    transcript: bool = False


class Caption(_Message):
    """The captioner's caption line, sealed like chat with its key (docs/security.md)."""

    type: Literal[Msg.CAPTION]
    sealed: Sealed


# A final caption line is a few seconds of speech; its start and end are
# seconds since the captioner joined, a long meeting's worth at most.
TRANSCRIPT_TEXT_MAX = 2000
TRANSCRIPT_SECONDS_MAX = 7 * 24 * 3600
Seconds = Annotated[float, Field(ge=0, le=TRANSCRIPT_SECONDS_MAX, allow_inf_nan=False)]
TranscriptText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TRANSCRIPT_TEXT_MAX)
]


class TranscriptLine(_Message):
    """The captioner's final line, in plaintext, for the transcript a dialogue meeting keeps.

    Only the server's captioner may send it, and only while the room's
    captions say `stored` (server/captions.py). Sent again with `english` when
    the translation of a line in another language follows. The speaker's
    name and side are the room's, never the captioner's word.
    """

    type: Literal[Msg.TRANSCRIPT_LINE]
    speaker: PeerId
    line: Annotated[int, Field(ge=0)]
    text: TranscriptText
    language: Language
    english: TranscriptText | None = None
    start: Seconds
    end: Seconds


ClientMessage = (
    Hello
    | Update
    | Signal
    | Chat
    | Ping
    | Leave
    | Sfu
    | SfuRestart
    | View
    | E2ee
    | Settings
    | Admit
    | Deny
    | Moderate
    | End
    | Hand
    | React
    | Invite
    | Revoke
    | Interpreter
    | Interpret
    | Handover
    | Listen
    | BoothChat
    | Captions
    | Caption
    | TranscriptLine
)
# Each schema under the type its `type` field admits: the words are Msg's, written once.
_SCHEMAS: dict[str, type[_Message]] = {
    get_args(model.model_fields["type"].annotation)[0]: model for model in get_args(ClientMessage)
}


def parse(frame: str | bytes) -> ClientMessage:
    """Validate one frame; raise ProtocolError naming what is wrong."""
    if isinstance(frame, bytes):
        raise ProtocolError(Code.BAD_JSON, "frames must be JSON text, not binary")
    if len(frame.encode()) > MAX_FRAME:
        raise ProtocolError(Code.TOO_LARGE, f"message is over {MAX_FRAME} bytes")
    try:
        obj = json.loads(frame, parse_constant=_no_constant)
    except ValueError as exc:
        raise ProtocolError(Code.BAD_JSON, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ProtocolError(Code.BAD_JSON, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    if _depth(obj) > MAX_DEPTH:
        raise ProtocolError(Code.BAD_JSON, f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(obj, dict):
        raise ProtocolError(Code.BAD_JSON, "a message must be a JSON object")
    kind = obj.get("type")
    schema = _SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None or not isinstance(kind, str):
        raise ProtocolError(Code.UNKNOWN_TYPE, f"unknown message type {kind!r}")
    try:
        message = schema.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError(Code.INVALID_MESSAGE, _describe(kind, exc), ref=Msg(kind)) from None
    _check(message)
    return message  # type: ignore[return-value]


def _no_constant(name: str) -> Any:
    """NaN and Infinity: Python reads them, browsers do not, and relayed they would break one."""
    raise ValueError(f"{name} is not JSON")


def _depth(obj: Any) -> int:
    """How deeply `obj` nests, counted without recursion, stopping past MAX_DEPTH."""
    deepest, level = 0, [(obj, 1)]
    while level and deepest <= MAX_DEPTH:
        value, depth = level.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            level.extend((child, depth + 1) for child in children)
    return deepest


def _check(message: _Message) -> None:
    """Rules that span fields, which the schemas alone cannot say."""
    if isinstance(message, Update):
        _check_update(message)
    if isinstance(message, Settings):
        _check_settings(message)
    if isinstance(message, Signal) and (message.description is None) == (
        "candidate" not in message.model_fields_set
    ):
        raise ProtocolError(
            Code.INVALID_MESSAGE,
            "signal: give exactly one of 'description' and 'candidate'",
            ref=Msg.SIGNAL,
        )
    if isinstance(message, Interpret) and message.into is None and message.track is None:
        raise ProtocolError(
            Code.INVALID_MESSAGE, "interpret: give 'into', 'track' or both", ref=Msg.INTERPRET
        )
    if isinstance(message, Chat) and (message.text is None) == (message.sealed is None):
        raise ProtocolError(
            Code.INVALID_MESSAGE, "chat: give exactly one of 'text' and 'sealed'", ref=Msg.CHAT
        )


def _check_update(message: Update) -> None:
    given = message.model_fields_set - {"type"}
    if not given & {"audio", "video", "screen", "language"}:
        what = "update: give at least one of 'audio', 'video', 'screen' and 'language'"
        raise ProtocolError(Code.INVALID_MESSAGE, what, ref=Msg.UPDATE)
    if message.screen_stream is not None and message.screen is not True:
        what = "update: 'screen_stream' goes with \"screen\": true"
        raise ProtocolError(Code.INVALID_MESSAGE, what, ref=Msg.UPDATE)


def _check_settings(message: Settings) -> None:
    given = message.model_fields_set - {"type"}
    if not given:
        what = "settings: give 'lobby', 'locked' or 'password' (null clears the password)"
        raise ProtocolError(Code.INVALID_MESSAGE, what, ref=Msg.SETTINGS)
    for name in ("lobby", "locked"):
        if name in given and getattr(message, name) is None:
            what = f"settings: field '{name}' is true or false, not null"
            raise ProtocolError(Code.INVALID_MESSAGE, what, ref=Msg.SETTINGS)


def _describe(kind: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "missing":
        return f"{kind}: field '{field}' is required"
    if first["type"] == "extra_forbidden":
        return f"{kind}: unknown field '{field}'"
    if first["type"] == "value_error":  # ours, from a validator: its text as written
        return f"{kind}: field '{field}': {first['ctx']['error']}"
    return f"{kind}: field '{field}': {first['msg']}"


def room_name_ok(room: str) -> bool:
    return ROOM_RE.fullmatch(room) is not None and room.lower() not in RESERVED_ROOMS


# --- messages the server sends ---------------------------------------------


def error(code: Code, message: str, ref: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": Msg.ERROR, "code": code.value, "message": message}
    if ref is not None:
        out["ref"] = ref
    return out


def pong(n: int | None) -> dict[str, Any]:
    return {"type": Msg.PONG, "n": n}


def lobby_waiting(room: str, locked: bool) -> dict[str, Any]:
    """`locked`: the room is locked, so the knocker can be told why they wait."""
    return {"type": Msg.LOBBY, "status": "waiting", "room": room, "locked": locked}


def knock_record(knock_id: str, name: str, returning: bool) -> dict[str, Any]:
    """A knock as hosts see it, in `knock` and in `welcome.knocks`."""
    return {"id": knock_id, "name": name, "returning": returning}


def knock(knock_id: str, name: str, returning: bool) -> dict[str, Any]:
    return {"type": Msg.KNOCK, "knock": knock_record(knock_id, name, returning)}


def knock_done(knock_id: str, outcome: KnockOutcome) -> dict[str, Any]:
    return {"type": Msg.KNOCK_DONE, "id": knock_id, "outcome": outcome}


def settings(lobby: bool, locked: bool, password: bool) -> dict[str, Any]:
    return {
        "type": Msg.SETTINGS,
        "settings": {"lobby": lobby, "locked": locked, "password": password},
    }


def moderated(action: str, by: str) -> dict[str, Any]:
    return {"type": Msg.MODERATED, "action": action, "by": by}


def ended(by: str) -> dict[str, Any]:
    return {"type": Msg.MEETING_ENDED, "by": by}


def going_away(drain_seconds: float) -> dict[str, Any]:
    """The server stops within `drain_seconds` (SIGTERM); a new process takes over."""
    return {"type": Msg.GOING_AWAY, "reason": "restart", "drain_seconds": drain_seconds}


def redirect(url: str, room: str) -> dict[str, Any]:
    """Another node of the cluster holds this room: say the same hello there (docs/scaling.md)."""
    return {"type": Msg.REDIRECT, "url": url, "room": room}


def reaction(sender: str, emoji: str) -> dict[str, Any]:
    return {"type": Msg.REACTION, "from": sender, "emoji": emoji}


def invite_token(token: str, invite_id: str, role: str, exp: int) -> dict[str, Any]:
    return {"type": Msg.INVITE, "token": token, "id": invite_id, "role": role, "exp": exp}


def revoked(invite_id: str) -> dict[str, Any]:
    return {"type": Msg.REVOKED, "id": invite_id}


def interpretation(state: dict[str, Any]) -> dict[str, Any]:
    """The room's languages and booths (rooms/interpretation.py's `public`)."""
    return {"type": Msg.INTERPRETATION, **state}


def listening(channel: str) -> dict[str, Any]:
    """The channel this participant hears now: after its `listen`, or when its language went."""
    return {"type": Msg.LISTENING, "channel": channel}


def booth_chat(sender: str, name: str, sealed: str, ts: float) -> dict[str, Any]:
    return {"type": Msg.BOOTH_CHAT, "from": sender, "name": name, "sealed": sealed, "ts": ts}


def captions_state(
    state: CaptionsState,
    *,
    transcript: bool = False,
    captioner: str | None = None,
    message: str | None = None,
    stored: bool = False,
) -> dict[str, Any]:
    """A room's captions as everyone sees them, in `captions` and `welcome.captions`.

    `stored`: the transcript is kept on the server too, with the dialogue
    meeting the room holds (docs/dialogues.md), for the dialogue's members.
    """
    return {
        "state": state,
        "transcript": transcript,
        "captioner": captioner,
        "message": message,
        "stored": stored,
    }


def captions(state: dict[str, Any]) -> dict[str, Any]:
    return {"type": Msg.CAPTIONS, **state}


def caption(sender: str, sealed: str, ts: float) -> dict[str, Any]:
    """A caption line relayed as the captioner sealed it; the server keeps no copy."""
    return {"type": Msg.CAPTION, "from": sender, "sealed": sealed, "ts": ts}


def welcome(
    *,
    room: str,
    you: dict[str, Any],
    resume: str,
    resumed: bool,
    participants: list[dict[str, Any]],
    settings: dict[str, bool],
    chat: list[dict[str, Any]],
    mode: str,
    max_participants: int,
    ice_servers: list[dict[str, Any]],
    relay_only: bool,
    ping_interval: float,
    timeout: float,
    knocks: list[dict[str, Any]] | None,
    interpretation: dict[str, Any] | None = None,
    listening: str = FLOOR,
    captions: dict[str, Any] | None = None,
    meeting: str | None = None,
    nodes: list[str] | None = None,
) -> dict[str, Any]:
    """The answer to a hello: the room as the newcomer must know it.

    `nodes` (a cluster only, docs/scaling.md): the live nodes' public URLs,
    this one first, for a client to try the others when this one dies.

    `meeting` names the meeting the room holds (a tag of its id, not the id
    itself), the same across rejoins and restarts: clients key what they keep
    of it on their device by it.

    `knocks` is for hosts only: absent (None) for everyone else.
    `interpretation` is the room's languages and booths, `listening` the
    channel the newcomer hears (the floor, unless a resume kept a choice).
    """
    out = {
        "type": Msg.WELCOME,
        "version": PROTOCOL_VERSION,
        "room": room,
        "you": you,
        "resume": resume,
        "resumed": resumed,
        "participants": participants,
        "settings": settings,
        "chat": chat,
        "mode": mode,
        "max_participants": max_participants,
        "ice_servers": ice_servers,
        "relay_only": relay_only,
        "ping_interval": ping_interval,
        "timeout": timeout,
    }
    if knocks is not None:
        out["knocks"] = knocks
    out["interpretation"] = interpretation or {"languages": [], "booths": [], "relay": {}}
    out["listening"] = listening
    out["captions"] = captions or captions_state("off")
    if meeting is not None:
        out["meeting"] = meeting
    if nodes is not None:
        out["nodes"] = nodes
    return out


def ice_servers(servers: list[dict[str, Any]]) -> dict[str, Any]:
    """Fresh ICE servers (TURN credentials) before the welcome's run out."""
    return {"type": Msg.ICE_SERVERS, "ice_servers": servers}


def joined(participant: dict[str, Any]) -> dict[str, Any]:
    return {"type": Msg.JOINED, "participant": participant}


def updated(participant: dict[str, Any]) -> dict[str, Any]:
    return {"type": Msg.UPDATED, "participant": participant}


def left(participant_id: str, reason: LeaveReason) -> dict[str, Any]:
    return {"type": Msg.LEFT, "id": participant_id, "reason": reason}


def mode(room_mode: str) -> dict[str, Any]:
    return {"type": Msg.MODE, "mode": room_mode}


def sfu_reset() -> dict[str, Any]:
    """The SFU worker holding your connections is gone: make both afresh (docs/scaling.md)."""
    return {"type": Msg.SFU_RESET}


def speaker(participant_id: str) -> dict[str, Any]:
    return {"type": Msg.SPEAKER, "id": participant_id}


def sfu(pc: str, kind: str, sdp: str) -> dict[str, Any]:
    return {"type": Msg.SFU, "pc": pc, "description": {"type": kind, "sdp": sdp}}


def chat(chat_id: int, sender: str, name: str, body: dict[str, str], ts: float) -> dict[str, Any]:
    """`body` is {"text": ...} or {"sealed": ...}, as it was sent."""
    return {"type": Msg.CHAT, "id": chat_id, "from": sender, "name": name, **body, "ts": ts}


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


__all__ = [
    "MAX_DEPTH",
    "MAX_FRAME",
    "MAX_SENT_FRAME",
    "MODERATION",
    "PROTOCOL_VERSION",
    "REACTIONS",
    "Admit",
    "BoothChat",
    "Candidate",
    "Caption",
    "Captions",
    "Chat",
    "ClientMessage",
    "Deny",
    "Description",
    "E2ee",
    "End",
    "Hand",
    "Handover",
    "Hello",
    "Interpret",
    "Interpreter",
    "Invite",
    "Leave",
    "Listen",
    "Moderate",
    "Ping",
    "React",
    "Revoke",
    "Settings",
    "Sfu",
    "SfuRestart",
    "Signal",
    "Update",
    "View",
    "booth_chat",
    "caption",
    "captions",
    "captions_state",
    "chat",
    "clean_name",
    "dump",
    "ended",
    "error",
    "going_away",
    "interpretation",
    "invite_token",
    "joined",
    "knock",
    "knock_done",
    "knock_record",
    "left",
    "listening",
    "lobby_waiting",
    "mode",
    "moderated",
    "parse",
    "pong",
    "reaction",
    "redirect",
    "revoked",
    "room_name_ok",
    "settings",
    "sfu",
    "speaker",
    "updated",
    "welcome",
]
