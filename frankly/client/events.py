"""Participants and the events a `Client` reports.

Every event is a frozen dataclass deriving from `Event`, so a consumer can
``match`` on them::

    async for event in call.events():
        match event:
            case ParticipantJoined(participant=p):
                print(p.name, "joined")
            case ChatMessage(name=name, text=text):
                print(f"{name}: {text}")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from aiortc.mediastreams import MediaStreamTrack

    from frankly.client.e2ee.keys import PairState
    from frankly.client.errors import FranklyError


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in the room, as the server last described them."""

    id: str
    name: str
    audio: bool
    """Their microphone is on."""
    video: bool
    """Their camera is on."""
    connected: bool
    """False while their signaling socket is away (they may still come back)."""

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Participant:
        return cls(
            id=str(obj["id"]),
            name=str(obj.get("name", "")),
            audio=bool(obj.get("audio", True)),
            video=bool(obj.get("video", True)),
            connected=bool(obj.get("connected", True)),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of everything `Client.events()` yields."""


@dataclass(frozen=True, slots=True)
class ParticipantJoined(Event):
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantUpdated(Event):
    """A participant's microphone, camera or connection changed."""

    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantLeft(Event):
    participant: Participant
    reason: Literal["left", "disconnected"]
    """``left``: they said goodbye; ``disconnected``: they went away and did not come back."""


ChatEncryption = Literal["encrypted", "unencrypted", "unreadable"]


@dataclass(frozen=True, slots=True)
class ChatMessage(Event):
    """A chat message to the room, including your own (the server echoes them).

    ``encryption`` says how it came: ``encrypted`` (sealed end to end, and
    opened), ``unencrypted`` (plain text, from a tool that does not encrypt:
    anyone on the way could read it), or ``unreadable`` (sealed with a key we
    never held: sent before we joined, or by someone whose keys never reached
    us; ``text`` is then empty).
    """

    id: int
    sender_id: str
    name: str
    text: str
    ts: float
    """The server's Unix time in seconds."""
    encryption: ChatEncryption = "unencrypted"

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> ChatMessage:
        """The message as the server sent it: a sealed one is `unreadable` until opened."""
        sealed = "sealed" in obj
        return cls(
            id=int(obj.get("id", 0)),
            sender_id=str(obj.get("from", "")),
            name=str(obj.get("name", "")),
            text="" if sealed else str(obj.get("text", "")),
            ts=float(obj.get("ts", 0.0)),
            encryption="unreadable" if sealed else "unencrypted",
        )


@dataclass(frozen=True, slots=True)
class TrackReceived(Event):
    """A remote participant's audio or video track arrived.

    Call ``await track.recv()`` to get decoded ``av.AudioFrame`` / ``av.VideoFrame``
    objects. Frames queue up until read, so read every track you receive (or hand
    it to ``aiortc.contrib.media.MediaBlackhole``). ``recv()`` raises
    ``aiortc.mediastreams.MediaStreamError`` once the participant is gone (and
    for a peer-to-peer track, once the room has moved to the SFU).
    """

    participant: Participant
    track: MediaStreamTrack

    @property
    def kind(self) -> Literal["audio", "video"]:
        return "video" if self.track.kind == "video" else "audio"


@dataclass(frozen=True, slots=True)
class ConnectionStateChanged(Event):
    """The peer-to-peer media connection with one participant changed state.

    Not sent for the connections with the SFU: see ``Client.sfu_state``.

    ``state`` is the ``RTCPeerConnection.connectionState``: ``new``,
    ``connecting``, ``connected``, ``failed`` or ``closed``.
    """

    participant: Participant
    state: str


@dataclass(frozen=True, slots=True)
class EncryptionChanged(Event):
    """The end-to-end encryption with one participant changed state.

    ``state`` is ``ready`` once each holds the other's keys (the safety code,
    `Client.safety_code`, can then be compared), or ``failed`` when their
    identity did not match what they committed to: a sign that someone, the
    server perhaps, swapped keys. No keys go to them then, so they cannot read
    what we send. (It starts ``pending``; in a passphrase room it is
    ``passphrase`` throughout, and no event comes.)
    """

    participant: Participant
    state: PairState


@dataclass(frozen=True, slots=True)
class Reconnecting(Event):
    """The signaling socket was lost; the SDK is about to try again.

    Media keeps flowing meanwhile (peer to peer, or through the SFU).
    """

    attempt: int
    delay: float
    """Seconds before this attempt."""
    close_code: int | None
    """The close code that ended the last connection (None when it just vanished)."""


@dataclass(frozen=True, slots=True)
class Reconnected(Event):
    """The signaling socket is back.

    ``resumed`` is True when the server kept us (same id, the others saw no
    leave). When False the grace period had passed: we joined afresh with a new
    id, and the SDK has reported everyone it knew as left and everyone now in
    the room as joined.
    """

    resumed: bool
    me: Participant


@dataclass(frozen=True, slots=True)
class ModeChanged(Event):
    """The room moved its media to the server's SFU (``mode`` is ``sfu``).

    The SDK then publishes its tracks to the SFU and receives everyone's from
    it: each arrives as a new `TrackReceived`. The peer connections that
    carried media until then close once the SFU's are up, and their tracks end.
    """

    mode: str


@dataclass(frozen=True, slots=True)
class ServerError(Event):
    """The server refused one message without closing (``rate-limited``, ``unknown-peer``, ...)."""

    error: FranklyError


@dataclass(frozen=True, slots=True)
class Closed(Event):
    """The last event: the client is done.

    ``error`` is None after `Client.leave`, else why it ended (a fatal protocol
    error, or a close after which the protocol says not to reconnect).
    """

    error: FranklyError | None


__all__ = [
    "ChatEncryption",
    "ChatMessage",
    "Closed",
    "ConnectionStateChanged",
    "EncryptionChanged",
    "Event",
    "ModeChanged",
    "Participant",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantUpdated",
    "Reconnected",
    "Reconnecting",
    "ServerError",
    "TrackReceived",
]
