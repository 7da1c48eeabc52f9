"""The protocol's words that are not error codes, each written once.

Server, Python SDK and web client all take these from here: the server and
the SDK import this module (plain Python, no pydantic, so a client need not
load the schemas), and the web client imports `web/wire.js`, which
`scripts/gen-wire-js` writes from this module and `errors.py` (a test fails
when the checked-in file is stale).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal, get_args

PROTOCOL_VERSION: Final = 1


# --- message types (docs/protocol.md) -----------------------------------------


class Msg(StrEnum):
    """Every message type, in either direction: the `type` of each JSON message.

    The server parses the ones CLIENT_TYPES lists (frankly/protocol/messages.py
    has a schema for each) and sends the ones SERVER_TYPES lists (one builder
    each there); both directions carry some (chat, sfu, signal, ...).
    """

    # Sent by clients only.
    HELLO = "hello"
    UPDATE = "update"
    PING = "ping"
    LEAVE = "leave"
    SFU_RESTART = "sfu-restart"
    VIEW = "view"
    ADMIT = "admit"
    DENY = "deny"
    MODERATE = "moderate"
    END = "end"
    HAND = "hand"
    REACT = "react"
    REVOKE = "revoke"
    INTERPRETER = "interpreter"
    INTERPRET = "interpret"
    HANDOVER = "handover"
    LISTEN = "listen"
    TRANSCRIPT_LINE = "transcript-line"
    # Sent by the server only.
    WELCOME = "welcome"
    JOINED = "joined"
    UPDATED = "updated"
    LEFT = "left"
    MODE = "mode"
    SPEAKER = "speaker"
    ERROR = "error"
    PONG = "pong"
    LOBBY = "lobby"
    KNOCK = "knock"
    KNOCK_DONE = "knock-done"
    MODERATED = "moderated"
    MEETING_ENDED = "meeting-ended"
    GOING_AWAY = "going-away"
    REDIRECT = "redirect"
    REACTION = "reaction"
    REVOKED = "revoked"
    INTERPRETATION = "interpretation"
    LISTENING = "listening"
    ICE_SERVERS = "ice-servers"
    SFU_RESET = "sfu-reset"
    # Both ways: a client sends it, the server relays or answers with its own.
    BOOTH_CHAT = "booth-chat"
    CAPTION = "caption"
    CAPTIONS = "captions"
    CHAT = "chat"
    E2EE = "e2ee"
    INVITE = "invite"
    SETTINGS = "settings"
    SFU = "sfu"
    SIGNAL = "signal"


CLIENT_TYPES: Final[frozenset[Msg]] = frozenset(
    {
        Msg.HELLO,
        Msg.UPDATE,
        Msg.SIGNAL,
        Msg.CHAT,
        Msg.E2EE,
        Msg.PING,
        Msg.LEAVE,
        Msg.SFU,
        Msg.SFU_RESTART,
        Msg.VIEW,
        Msg.SETTINGS,
        Msg.ADMIT,
        Msg.DENY,
        Msg.MODERATE,
        Msg.END,
        Msg.HAND,
        Msg.REACT,
        Msg.INVITE,
        Msg.REVOKE,
        Msg.INTERPRETER,
        Msg.INTERPRET,
        Msg.HANDOVER,
        Msg.LISTEN,
        Msg.BOOTH_CHAT,
        Msg.CAPTIONS,
        Msg.CAPTION,
        Msg.TRANSCRIPT_LINE,
    }
)
SERVER_TYPES: Final[frozenset[Msg]] = frozenset(
    {
        Msg.WELCOME,
        Msg.JOINED,
        Msg.UPDATED,
        Msg.LEFT,
        Msg.MODE,
        Msg.SPEAKER,
        Msg.SIGNAL,
        Msg.SFU,
        Msg.E2EE,
        Msg.CHAT,
        Msg.ERROR,
        Msg.PONG,
        Msg.LOBBY,
        Msg.KNOCK,
        Msg.KNOCK_DONE,
        Msg.SETTINGS,
        Msg.MODERATED,
        Msg.MEETING_ENDED,
        Msg.GOING_AWAY,
        Msg.REDIRECT,
        Msg.REACTION,
        Msg.INVITE,
        Msg.REVOKED,
        Msg.INTERPRETATION,
        Msg.LISTENING,
        Msg.BOOTH_CHAT,
        Msg.CAPTIONS,
        Msg.CAPTION,
        Msg.ICE_SERVERS,
        Msg.SFU_RESET,
    }
)


# Who a participant is in a room; the server decides it, never the client.
# A captioner is the server's own speech recogniser (docs/protocol.md,
# "Live captions"): only the server makes one, never an invite of a host's.
Role = Literal["host", "participant", "guest", "captioner"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
# The roles a host's `invite` (and `frankly invite`) may give.
InviteRole = Literal["host", "participant", "guest"]
INVITE_ROLES: Final[tuple[str, ...]] = get_args(InviteRole)

# Reactions are a fixed set, so that a room cannot be flooded with arbitrary text.
Reaction = Literal["👍", "👏", "❤️", "😂", "😮", "🎉", "🙏", "✋"]
REACTIONS: Final[tuple[str, ...]] = get_args(Reaction)

# What a host can do to another participant (`moderate`).
Action = Literal[
    "mute", "ask-unmute", "stop-video", "stop-screen", "remove", "make-host", "lower-hand"
]
MODERATION: Final[tuple[str, ...]] = get_args(Action)

# Why someone is no longer in the room (`left`).
LeaveReason = Literal["left", "disconnected", "removed"]
LEAVE_REASONS: Final[tuple[str, ...]] = get_args(LeaveReason)

# How a knock at the lobby ended (`knock-done`).
KnockOutcome = Literal["admitted", "denied", "left"]
KNOCK_OUTCOMES: Final[tuple[str, ...]] = get_args(KnockOutcome)

# A room's name: what may follow the server's address in a meeting's link,
# except the server's own paths.
ROOM_PATTERN: Final = r"^[A-Za-z0-9_-]{1,64}$"
RESERVED_ROOMS: Final[tuple[str, ...]] = (
    "api",
    "challenge",
    "dialogues",
    "healthz",
    "metrics",
    "readyz",
    "static",
    "ws",
)

# The SFU names the stream of a screen share after its sharer plus this suffix.
SCREEN_SUFFIX: Final = ":screen"


def screen_stream(pid: str) -> str:
    """The stream id under which the SFU forwards `pid`'s screen share."""
    return pid + SCREEN_SUFFIX


def sharer_of(stream_id: str) -> tuple[str, bool]:
    """Whose stream `stream_id` is, and whether it is their screen share."""
    if stream_id.endswith(SCREEN_SUFFIX):
        return stream_id[: -len(SCREEN_SUFFIX)], True
    return stream_id, False


# --- interpretation (docs/protocol.md, "Interpretation") ---------------------

# What a listener hears when they choose no language: the original speech.
FLOOR: Final = "floor"
# A language of a channel: a BCP 47 primary tag, lower case, with at most two
# subtags ("en", "ru", "pt-BR", "zh-Hant"). Compared as written.
LANGUAGE_PATTERN: Final = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$"
# The SFU names the stream of an interpreter's channel track after them plus
# this suffix, so that a client tells it from their microphone on the floor.
CHANNEL_SUFFIX: Final = ":channel"


def channel_stream(pid: str) -> str:
    """The stream id under which the SFU forwards `pid`'s interpretation."""
    return pid + CHANNEL_SUFFIX


def interpreter_of(stream_id: str) -> str | None:
    """Whose interpretation `stream_id` is; None for any other stream."""
    if stream_id.endswith(CHANNEL_SUFFIX):
        return stream_id[: -len(CHANNEL_SUFFIX)]
    return None


# --- live captions (docs/protocol.md, "Live captions") ----------------------

# Where a room's captions are: off, its captioner joining, captioning, coming
# back after a crash, or given up (the `message` of the state says why).
CaptionsState = Literal["off", "starting", "on", "restarting", "failed"]
CAPTIONS_STATES: Final[tuple[str, ...]] = get_args(CaptionsState)
# The display name of the server's captioner, so nobody is captioned unknowingly.
CAPTIONER_NAME: Final = "Captions by this server"
# A speaker whose language is not said is transcribed as this one.
DEFAULT_SPEECH_LANGUAGE: Final = "en"
