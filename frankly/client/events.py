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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from frankly.client.vocabulary import (
    MODERATION_ACTIONS,
    REACTIONS,
    ROLES,
    KnockOutcome,
    LeaveReason,
    ModerationAction,
    Role,
)

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
    role: Role = "participant"
    hand: int | None = None
    """None, or the order in which their hand went up (lower went up first)."""
    screen: bool = False
    """They share their screen."""
    side: str | None = None
    """The dialogue side they speak for (in a dialogue meeting's room), as the server
    set it from the invite the dialogue gave them; None elsewhere."""
    language: str | None = None
    """The language they said they speak ("en", "ru"), for captions; None: not said."""

    @property
    def is_host(self) -> bool:
        return self.role == "host"

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Participant:
        role = obj.get("role")
        hand, side, language = obj.get("hand"), obj.get("side"), obj.get("language")
        return cls(
            id=str(obj["id"]),
            name=str(obj.get("name", "")),
            audio=bool(obj.get("audio", True)),
            video=bool(obj.get("video", True)),
            connected=bool(obj.get("connected", True)),
            role=role if role in ROLES else "participant",
            hand=hand if isinstance(hand, int) and not isinstance(hand, bool) else None,
            screen=bool(obj.get("screen", False)),
            side=side if isinstance(side, str) and side else None,
            language=language if isinstance(language, str) and language else None,
        )


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """A room's guards, as its hosts set them (`Client.settings`)."""

    lobby: bool = False
    """Joiners without an invite knock and wait for a host."""
    locked: bool = False
    """Nobody new comes in without an invite or a host's admission (they knock)."""
    password: bool = False
    """Joiners without an invite need the room's password."""

    @classmethod
    def from_wire(cls, obj: Any) -> RoomSettings:
        if not isinstance(obj, dict):
            return cls()
        return cls(
            lobby=bool(obj.get("lobby", False)),
            locked=bool(obj.get("locked", False)),
            password=bool(obj.get("password", False)),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of everything `Client.events()` yields."""


@dataclass(frozen=True, slots=True)
class ParticipantJoined(Event):
    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantUpdated(Event):
    """A participant's microphone, camera, connection, role, hand or screen share changed."""

    participant: Participant


@dataclass(frozen=True, slots=True)
class ParticipantLeft(Event):
    participant: Participant
    reason: LeaveReason
    """``left``: they said goodbye; ``disconnected``: they went away and did not
    come back; ``removed``: a host removed them."""


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
    screen: bool = False
    """The track is their screen share, not their camera or microphone (SFU rooms)."""
    interpretation: bool = False
    """The track is their interpretation (an interpreter's channel track), not the floor."""

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
    restarting: bool = False
    """The server said it restarts (`GoingAway`): this is no failure."""


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
class Waiting(Event):
    """The room has a lobby (or is locked): we knocked, and wait for a host.

    `Client.join` goes on waiting until a host admits us (the welcome comes),
    denies us (`FranklyError` ``denied``), or the caller gives up.
    """

    room: str


@dataclass(frozen=True, slots=True)
class Knock(Event):
    """Someone knocks and waits in the lobby (hosts only; see `Client.admit`).

    ``returning`` is True for someone a host denied or removed before.
    """

    id: str
    name: str
    returning: bool = False

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Knock:
        return cls(
            id=str(obj["id"]),
            name=str(obj.get("name", "")),
            returning=bool(obj.get("returning", False)),
        )


@dataclass(frozen=True, slots=True)
class KnockDone(Event):
    """A knock ended: a host admitted or denied them, or they left (hosts only)."""

    id: str
    outcome: KnockOutcome
    name: str
    """Their name as they knocked (empty if the knock was never seen)."""


@dataclass(frozen=True, slots=True)
class InviteRevoked(Event):
    """A host revoked an invite of this meeting (hosts only); ``id`` is its `jti`."""

    id: str


@dataclass(frozen=True, slots=True)
class SettingsChanged(Event):
    """A host changed the room's lobby, lock or password."""

    settings: RoomSettings


@dataclass(frozen=True, slots=True)
class Moderated(Event):
    """A host acted on us.

    The SDK obeys as the web client does: ``mute`` turns our microphone off and
    ``stop-video`` our camera (silence and black frames, as `Client.update`).
    ``ask-unmute`` only asks: whether to turn the microphone on is ours to
    decide. ``make-host`` made us a host; ``lower-hand`` lowered our hand.
    (``remove`` comes as the end instead: `Closed` with ``removed``.)
    """

    action: ModerationAction
    by: Participant


@dataclass(frozen=True, slots=True)
class Reaction(Event):
    """Someone (us included) sent an emoji reaction."""

    participant: Participant
    emoji: str


@dataclass(frozen=True, slots=True)
class GoingAway(Event):
    """The server restarts (``going-away``): it closes within ``drain_seconds`` and a new
    process takes over. The meeting goes on meanwhile; then the SDK reconnects by itself
    (`Reconnecting` with ``restarting`` true) and carries on in the same meeting."""

    drain_seconds: float


@dataclass(frozen=True, slots=True)
class MeetingEnded(Event):
    """A host ended the meeting for everyone; `Closed` (``meeting-ended``, close 4410) follows."""

    by: Participant


@dataclass(frozen=True, slots=True)
class Closed(Event):
    """The last event: the client is done.

    ``error`` is None after `Client.leave`, else why it ended (a fatal protocol
    error, or a close after which the protocol says not to reconnect).
    """

    error: FranklyError | None


# --- interpretation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Booth:
    """The interpreters of one language pair: which of them is live, into which language."""

    pair: tuple[str, str]
    members: tuple[str, ...]
    """Participant ids, in order of assignment."""
    live: str | None
    """Whose voice the channel carries now."""
    into: str | None
    """The language the booth speaks into (its direction); None: into no channel."""

    @classmethod
    def from_wire(cls, obj: dict[str, Any]) -> Booth:
        pair = [str(lang) for lang in obj.get("pair") or []]
        if len(pair) != 2:
            raise ValueError("a booth's pair is two languages")
        live, into = obj.get("live"), obj.get("into")
        return cls(
            pair=(pair[0], pair[1]),
            members=tuple(str(m) for m in obj.get("members") or []),
            live=str(live) if live is not None else None,
            into=str(into) if into is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Interpretation:
    """A room's interpretation as the server last told it."""

    languages: tuple[str, ...] = ()
    """The channels besides the floor: every language of every booth's pair."""
    booths: tuple[Booth, ...] = ()
    relay: dict[str, str] = field(default_factory=dict)
    """Interpreter id -> the channel they interpret from instead of the floor."""

    def booth_of(self, participant_id: str) -> Booth | None:
        return next((b for b in self.booths if participant_id in b.members), None)

    def speaking_into(self, language: str) -> Booth | None:
        """The booth whose voice the channel of ``language`` carries now, if any."""
        return next((b for b in self.booths if b.into == language), None)

    @classmethod
    def from_wire(cls, obj: Any) -> Interpretation:
        if not isinstance(obj, dict):
            return cls()
        relay = obj.get("relay")
        return cls(
            languages=tuple(str(lang) for lang in obj.get("languages") or []),
            booths=tuple(Booth.from_wire(b) for b in obj.get("booths") or []),
            relay={str(k): str(v) for k, v in relay.items()} if isinstance(relay, dict) else {},
        )


@dataclass(frozen=True, slots=True)
class InterpretationChanged(Event):
    """Interpreters, booths, directions, who is live, or relays changed."""

    interpretation: Interpretation


@dataclass(frozen=True, slots=True)
class ListeningChanged(Event):
    """The channel we hear: as we asked (`Client.listen`), or the floor when our language went."""

    channel: str


@dataclass(frozen=True, slots=True)
class BoothChatMessage(Event):
    """A line from the other interpreter of our booth, sealed for us alone and opened."""

    sender: Participant
    text: str
    ts: float


@dataclass(frozen=True, slots=True)
class Captions:
    """Where the room's live captions are (docs/protocol.md, "Live captions")."""

    state: str = "off"
    """"off", "starting", "on", "restarting" or "failed" (`CAPTIONS_STATES`)."""
    transcript: bool = False
    """A host keeps the transcript: everyone is told."""
    captioner: str | None = None
    """The participant id of the server's captioner while it is in the room."""
    message: str | None = None
    """Why captions failed or restart, for people."""
    stored: bool = False
    """The kept transcript is stored on the server too, with the dialogue meeting the room
    holds, for the dialogue's members (docs/dialogues.md)."""

    @property
    def on(self) -> bool:
        return self.state != "off" and self.state != "failed"

    @classmethod
    def from_wire(cls, obj: Any) -> Captions:
        if not isinstance(obj, dict):
            return cls()
        captioner, message = obj.get("captioner"), obj.get("message")
        return cls(
            state=str(obj.get("state") or "off"),
            transcript=bool(obj.get("transcript", False)),
            captioner=captioner if isinstance(captioner, str) else None,
            message=message if isinstance(message, str) else None,
            stored=obj.get("stored") is True,
        )


@dataclass(frozen=True, slots=True)
class CaptionsChanged(Event):
    """The room's captions were turned on or off, or their state changed."""

    captions: Captions


@dataclass(frozen=True, slots=True)
class CaptionLine(Event):
    """A caption line from the server's captioner, opened with its key.

    A partial line (``final`` False) is replaced by later lines with the same
    ``(speaker.id, line)``; the final one too, once, when its English
    translation (``english``) follows for speech in another language.
    """

    speaker: Participant
    line: int
    final: bool
    text: str
    language: str
    english: str | None
    start: float
    """Seconds since captions started in this room."""
    end: float
    finals_only: bool
    """Recognition is behind: partial lines are skipped for now."""
    ts: float


__all__ = [
    "MODERATION_ACTIONS",
    "REACTIONS",
    "Booth",
    "BoothChatMessage",
    "CaptionLine",
    "Captions",
    "CaptionsChanged",
    "ChatEncryption",
    "ChatMessage",
    "Closed",
    "ConnectionStateChanged",
    "EncryptionChanged",
    "Event",
    "Interpretation",
    "InterpretationChanged",
    "InviteRevoked",
    "Knock",
    "KnockDone",
    "KnockOutcome",
    "LeaveReason",
    "ListeningChanged",
    "MeetingEnded",
    "ModeChanged",
    "Moderated",
    "ModerationAction",
    "Participant",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantUpdated",
    "Reaction",
    "Reconnected",
    "Reconnecting",
    "Role",
    "RoomSettings",
    "ServerError",
    "SettingsChanged",
    "TrackReceived",
    "Waiting",
]
