"""`Client`: one participant in a Frankly room, over the signaling WebSocket.

It speaks docs/protocol.md: the `hello`/`welcome` handshake, `ping` keepalive,
reconnecting with the `resume` token and backoff, and one `PeerLink` (an
RTCPeerConnection) for every other participant, or, once the room is on the
server's SFU, one `SfuLink` (a publish and a subscribe RTCPeerConnection).

Everything is end-to-end encrypted (docs/security.md): an `E2ee` exchanges
keys with every participant over `e2ee` messages (or derives them from a
passphrase), seals every frame the links send and opens every frame they
receive, and seals and opens the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType, TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from aiortc import RTCIceServer
from aiortc.mediastreams import MediaStreamTrack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from frankly.client.e2ee import E2ee, FrameStats, PairState, SafetyCode
from frankly.client.e2ee.keys import ChatText
from frankly.client.e2ee.sframe import room_secret
from frankly.client.errors import FINAL_CLOSE_CODES, HANDSHAKE_FAILED, FranklyError
from frankly.client.events import (
    MODERATION_ACTIONS,
    REACTIONS,
    ChatMessage,
    Closed,
    ConnectionStateChanged,
    EncryptionChanged,
    Event,
    Knock,
    KnockDone,
    LeaveReason,
    MeetingEnded,
    ModeChanged,
    Moderated,
    ModerationAction,
    Participant,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    Reaction,
    Reconnected,
    Reconnecting,
    RoomSettings,
    ServerError,
    SettingsChanged,
    TrackReceived,
    Waiting,
)
from frankly.client.humancheck import fetch_proof
from frankly.client.media import LocalMedia
from frankly.client.peer import PeerLink, ice_servers_from_wire
from frankly.client.sfu import SfuLink

log = logging.getLogger("frankly.client")

PROTOCOL_VERSION = 1
E = TypeVar("E", bound=Event)

# Errors after which the server closes the socket (docs/protocol.md, "Error codes").
_FATAL_CODES = {
    "unsupported-version": 4400,
    "invalid-room": 4400,
    "room-full": 4409,
    "protocol-violation": 4422,
    "flooding": 4429,
    "timeout": 4408,
    # Who may come in (all final: another attempt would only be refused again).
    "invite-expired": 4403,
    "invite-wrong-room": 4403,
    "invite-invalid": 4403,
    "denied": 4403,
    "removed": 4403,
    "password-required": 4401,
    "wrong-password": 4401,
    "human-check-required": 4401,
    "human-check-failed": 4401,
    "too-many-attempts": 4429,
}
# Refusals of a `hello` that another attempt would only repeat.
_HOPELESS = {"unsupported-version", "invalid-room", "room-full", "invalid-message"}
# Refusals of a resuming `hello` that mean the server forgot us and the room
# asks a newcomer for what we showed on joining: join afresh, showing it again.
_FORGOTTEN = "forgotten"  # internal: a resume that landed in the lobby, with an invite at hand
_SHOW_AGAIN = {"password-required", "human-check-required", _FORGOTTEN}
_SCREEN_SUFFIX = ":screen"
_SOLVE_TIMEOUT = 120.0  # seconds the human check may take, on top of the handshake
_BACKOFF_FIRST = 0.5
_BACKOFF_MAX = 5.0
_MAX_CHAT = 4000


async def _settled(message: ChatMessage) -> ChatMessage:
    return message


def _with_text(message: ChatMessage, text: ChatText) -> ChatMessage | None:
    """A sealed message as shown: opened, unreadable (None), or not at all (refused)."""
    if text is False:
        return None  # sealed by someone else than its sender, or a replay
    if text is None:
        return message
    return replace(message, text=text, encryption="encrypted")


def split_url(url: str, room: str | None = None) -> tuple[str, str]:
    """The signaling URL and the room name for a meeting URL.

    ``http://host:8080/team-sync`` gives ``ws://host:8080/ws`` and ``team-sync``;
    ``https://`` gives ``wss://``. With ``room`` given, ``url`` is the server's
    base URL (``http://host:8080``). A path before the room name is kept, for a
    server behind a reverse proxy under a prefix.
    """
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"not an http(s) or ws(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if room is None:
        base, _, last = path.rpartition("/")
        room = unquote(last)
        if not room:
            raise ValueError(f"the URL {url!r} names no room: give room=...")
    elif path.endswith("/ws"):
        base = path[: -len("/ws")]
    else:
        base = path
    return urlunsplit((scheme, parts.netloc, base + "/ws", "", "")), room


def passphrase_from_url(url: str) -> str | None:
    """The passphrase in a meeting link's fragment (``.../room#passphrase=...``), if any.

    Read as the web client reads it (URLSearchParams): browsers never send the
    fragment to a server.
    """
    values = parse_qs(urlsplit(url).fragment).get("passphrase")
    return values[0] if values and values[0] else None


def invite_from_url(url: str) -> str | None:
    """The invite token in a meeting link's query (``.../room?invite=...``), if any."""
    values = parse_qs(urlsplit(url).query).get("invite")
    return values[0] if values and values[0] else None


class _Keep(enum.Enum):
    """`Client.settings`'s "leave the password as it is" (None clears it)."""

    KEEP = "keep"


def _dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


class EventStream:
    """The events of one `Client`, from the moment `Client.events` was called.

    Iterate it with ``async for``; it ends after the `Closed` event. Use it as a
    context manager (``with call.events() as events:``), or call `close`, to stop
    receiving when you are done before the client is: until then, every event is
    kept for it.
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()

    def _put(self, event: Event | None) -> None:
        self._queue.put_nowait(event)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # stays ended
            self.close()
            raise StopAsyncIteration
        return event

    def pending(self) -> list[Event]:
        """The events already queued, taken without waiting for more."""
        out: list[Event] = []
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if event is None:
                self._queue.put_nowait(None)
                break
            out.append(event)
        return out

    def close(self) -> None:
        """Stop receiving events (those already queued can still be read with `pending`)."""
        self._client._streams.discard(self)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Client:
    """One participant in a Frankly room.

    ::

        async with Client("http://127.0.0.1:8080/team-sync", name="bot",
                          video=PatternTrack()) as call:
            async for event in call.events():
                ...

    ``audio`` and ``video`` are the tracks to send (any aiortc
    ``MediaStreamTrack``; they stay yours and are not stopped on leave).
    ``audio_enabled``/``video_enabled`` say whether the microphone and camera
    start on; by default, on when there is a track. With ``reconnect`` (the
    default) a lost signaling socket is re-opened with backoff and resumed.

    Media and chat are end-to-end encrypted. With a ``passphrase`` (or a
    ``#passphrase=...`` at the end of ``url``, as in a browser's link) every
    key derives from it and none is exchanged through the server.

    Guarded rooms: ``invite`` is a signed invite token (or ``?invite=...`` in
    ``url``, as in an invite link): it lets its holder past the lobby, the
    lock, the password and the human check. ``password`` is the room's
    password. ``device`` is an id of your choosing (1 to 64 characters) by
    which the server recognises someone a host denied or removed. All three go
    in a fresh join's ``hello`` only, never in a resuming one. Without an
    invite, on a server that asks for a human check, the SDK solves it itself.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str,
        room: str | None = None,
        audio: MediaStreamTrack | None = None,
        video: MediaStreamTrack | None = None,
        audio_enabled: bool | None = None,
        video_enabled: bool | None = None,
        reconnect: bool = True,
        handshake_timeout: float = 10.0,
        passphrase: str | None = None,
        invite: str | None = None,
        password: str | None = None,
        device: str | None = None,
    ) -> None:
        self._ws_url, self._room = split_url(url, room)
        self._name = name
        self._passphrase = passphrase or passphrase_from_url(url)
        self._invite = invite or invite_from_url(url)
        if password is not None and not 1 <= len(password) <= 128:
            raise ValueError("a room password is 1 to 128 characters")
        if device is not None and not 1 <= len(device) <= 64:
            raise ValueError("a device id is 1 to 64 characters")
        self._password = password
        self._device = device
        self._media: dict[str, LocalMedia] = {}
        for kind, track in (("audio", audio), ("video", video)):
            if track is None:
                continue
            if track.kind != kind:
                raise ValueError(f"{kind}= needs a {kind} track, not a {track.kind} one")
            self._media[kind] = LocalMedia(track)
        self._audio_on = audio is not None if audio_enabled is None else audio_enabled
        self._video_on = video is not None if video_enabled is None else video_enabled
        self._gate()
        self._reconnect = reconnect
        self._handshake_timeout = handshake_timeout

        self._state: Literal["new", "joining", "joined", "reconnecting", "leaving", "closed"]
        self._state = "new"
        self._ws: ClientConnection | None = None
        self._me: Participant | None = None
        self._participants: dict[str, Participant] = {}
        self._links: dict[str, PeerLink] = {}
        self._sfu: SfuLink | None = None
        self._chat: list[ChatMessage] = []
        self._last_chat_id = 0
        self._resume: str | None = None
        self._ice_servers: list[RTCIceServer] = []
        self._ping_interval = 10.0
        self._mode = "p2p"
        self._max_participants: int | None = None
        self._streams: set[EventStream] = set()
        self._outbox: deque[dict[str, Any]] = deque()
        self._outbox_ready = asyncio.Event()
        self._fatal: FranklyError | None = None
        self._error: FranklyError | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Future[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._room_secret: bytes | None = None
        self._e2ee = E2ee(self._send_e2ee, on_state=self._encryption_changed)
        # Settled once the last chat message that arrived is shown (or refused).
        self._chat_shown: asyncio.Future[None] | None = None
        # Guarded rooms: the socket of a hello not yet welcomed (to close it on
        # leave), whether it waits in the lobby, the room's settings, the knocks
        # a host sees, and `invite` requests waiting for their token.
        self._hello_ws: ClientConnection | None = None
        self._waiting = False
        self._settings = RoomSettings()
        self._knocks: dict[str, Knock] = {}
        self._invite_replies: deque[asyncio.Future[str]] = deque()

    # --- state you can read -------------------------------------------------

    @property
    def room(self) -> str:
        return self._room

    @property
    def me(self) -> Participant:
        """This participant as the server knows it (after `join`)."""
        if self._me is None:
            raise RuntimeError("not joined yet")
        return self._me

    @property
    def id(self) -> str:
        return self.me.id

    @property
    def participants(self) -> Mapping[str, Participant]:
        """Everyone else in the room, by id, in order of joining."""
        return MappingProxyType(self._participants)

    @property
    def chat_history(self) -> Sequence[ChatMessage]:
        """The room's chat: what the server sent on joining, then every message since."""
        return tuple(self._chat)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def is_host(self) -> bool:
        """We are a host of the room (we may admit, moderate, change settings, end it)."""
        return self._me is not None and self._me.is_host

    @property
    def waiting(self) -> bool:
        """We knocked and wait in the lobby for a host (during `join`)."""
        return self._waiting

    @property
    def room_settings(self) -> RoomSettings:
        """The room's lobby, lock and password, as the server last said."""
        return self._settings

    @property
    def knocks(self) -> Mapping[str, Knock]:
        """Who waits in the lobby, by knock id, in order of knocking (hosts only)."""
        return MappingProxyType(self._knocks)

    @property
    def max_participants(self) -> int | None:
        return self._max_participants

    @property
    def connected(self) -> bool:
        """True while the signaling socket is up (media does not depend on it)."""
        return self._state == "joined" and self._ws is not None

    @property
    def closed(self) -> bool:
        return self._state == "closed"

    @property
    def error(self) -> FranklyError | None:
        """Why the client ended, once it has (None after `leave`)."""
        return self._error

    def tracks(self, participant_id: str) -> list[MediaStreamTrack]:
        """The live tracks received so far from one participant (peer to peer or via the SFU)."""
        link = self._links.get(participant_id)
        found = list(link.tracks) if link is not None else []
        if self._sfu is not None:
            found += self._sfu.tracks(participant_id)
            found += self._sfu.tracks(participant_id + _SCREEN_SUFFIX)
        return found

    def connection_state(self, participant_id: str) -> str | None:
        """The state of the media connection that carries one participant, None without one.

        Peer to peer, that of the RTCPeerConnection with them; on the SFU, that of
        the connections with the SFU (`sfu_state`).
        """
        link = self._links.get(participant_id)
        if link is not None:
            return link.state
        if self._sfu is not None and participant_id in self._participants:
            return self._sfu.state
        return None

    # --- end-to-end encryption --------------------------------------------------

    @property
    def passphrase_mode(self) -> bool:
        """Whether the keys derive from a passphrase (none are exchanged; no safety codes)."""
        return self._passphrase is not None

    def encryption(self, participant_id: str) -> PairState | None:
        """The end-to-end encryption with one participant, None for someone unknown.

        ``pending`` while keys are on their way, ``ready`` once exchanged,
        ``failed`` when their identity did not match their commitment (nothing
        we send is readable to them), ``passphrase`` in a passphrase room.
        """
        return self._e2ee.state(participant_id)

    def safety_code(self, participant_id: str) -> SafetyCode | None:
        """The six emoji to compare with one participant (`SafetyCode`).

        They see the same six on their side unless someone swapped the keys on
        the way. None until the keys are exchanged, and in a passphrase room.
        """
        return self._e2ee.safety_code(participant_id)

    def encryption_stats(self) -> dict[str, FrameStats]:
        """Frames sealed (under our id) and opened or refused (under each sender's id), and time."""
        return {pid: replace(stats) for pid, stats in self._e2ee.stats.items()}

    @property
    def e2ee(self) -> E2ee:
        """The encryption session itself (keys, counters), for tests and diagnostics."""
        return self._e2ee

    @property
    def sfu_state(self) -> str | None:
        """In an SFU room, the state of the connections with the SFU, else None.

        ``connected`` once both are (the subscribe one, and the publish one when
        there is anything to publish); else the least advanced of ``new``,
        ``connecting``, ``failed`` and ``closed``.
        """
        return self._sfu.state if self._sfu is not None else None

    # --- events -------------------------------------------------------------

    def events(self) -> EventStream:
        """A new stream of every event from now on (see `EventStream`)."""
        stream = EventStream(self)
        if self._state == "closed":
            stream._put(None)
        else:
            self._streams.add(stream)
        return stream

    def wait_for(
        self,
        kind: type[E],
        predicate: Callable[[E], bool] | None = None,
        *,
        timeout: float | None = None,
    ) -> Awaitable[E]:
        """The next event of type ``kind`` (for which ``predicate`` holds).

        It listens from the moment of the call, so start waiting before you cause
        the event::

            echo = call.wait_for(ChatMessage, lambda m: m.text == "hi", timeout=5)
            await call.send_chat("hi")
            await echo

        Raises `TimeoutError`, or `FranklyError` if the client closes first.
        """
        stream = self.events()

        async def wait() -> E:
            with stream:
                async with asyncio.timeout(timeout):
                    async for event in stream:
                        if isinstance(event, kind) and (predicate is None or predicate(event)):
                            return event
            raise self._error or FranklyError("closed", "the client closed first")

        return wait()

    async def wait_closed(self) -> FranklyError | None:
        """Wait until the client has ended; return why (None after `leave`)."""
        while self._closing is None:
            stream = self.events()
            with stream:
                async for _ in stream:
                    pass
        await asyncio.shield(self._closing)
        return self._error

    def _emit(self, event: Event) -> None:
        for stream in list(self._streams):
            stream._put(event)

    # --- actions ------------------------------------------------------------

    async def join(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 (the lobby)
        """Connect, say hello and wait for the welcome.

        In a room with a lobby (or a locked one) we knock: a `Waiting` event
        comes, and `join` waits on until a host admits us, or denies us
        (`FranklyError` ``denied``), or the caller gives up: cancels the call,
        calls `leave`, or set ``timeout`` (seconds for the whole join, lobby
        included; `TimeoutError` then). ``handshake_timeout`` bounds only the
        wait for the server's first answer.

        Raises `FranklyError` when the server refuses (``room-full``,
        ``invalid-room``, ``wrong-password``, ``invite-expired``, ``denied``,
        ...), `OSError` when it cannot be reached.
        """
        if self._state != "new":
            raise RuntimeError(f"join() on a client that is {self._state}")
        self._state = "joining"
        try:
            async with asyncio.timeout(timeout):
                if self._passphrase is not None:
                    # PBKDF2, slow on purpose: not on the event loop.
                    secret = await asyncio.to_thread(room_secret, self._passphrase, self._room)
                    self._room_secret = secret
                ws, welcome = await self._handshake(None)
        except BaseException as exc:
            left = self._state != "joining"  # leave() closed the socket we waited on
            if self._closing is None:
                self._state = "closed"
                self._closing = asyncio.get_running_loop().create_future()
                await self._cleanup(exc if isinstance(exc, FranklyError) else None)
            if left and isinstance(exc, FranklyError):
                raise FranklyError("closed", "left before the welcome came") from None
            raise
        if self._state != "joining":  # leave() was called meanwhile
            await ws.close()
            raise FranklyError("closed", "left before the welcome came")
        self._ws = ws
        self._state = "joined"
        self._apply_welcome(welcome, first=True)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def leave(self) -> None:
        """Say goodbye, close every peer connection and the socket. Safe to call twice."""
        if self._closing is not None:
            await asyncio.shield(self._closing)
            return
        if self._state == "new":
            self._state = "closed"
            self._closing = asyncio.get_running_loop().create_future()
            await self._cleanup(None)
            return
        was_joined = self._state == "joined"
        was_joining = self._state == "joining"
        self._state = "leaving"
        if was_joining and self._hello_ws is not None:
            # Waiting for the welcome (in the lobby, perhaps): that wait ends here.
            with contextlib.suppress(Exception):
                await self._hello_ws.close()
        ws = self._ws
        if ws is not None and was_joined:
            self._send({"type": "leave"}, force=True)
            # The server answers `leave` by closing with 1000, after what we sent before it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    await ws.wait_closed()
        await self._finish(None)

    async def send_chat(self, text: str) -> None:
        """Send a chat message to the room, sealed (it comes back as a `ChatMessage` event)."""
        if not 1 <= len(text.strip()) <= _MAX_CHAT:
            raise ValueError(f"chat text must be 1 to {_MAX_CHAT} characters after trimming")
        self._check_open()
        # Sealed when it goes out (see `_wire`), with the key of that moment: a
        # message queued while the socket is away may go out as someone new.
        self._send({"type": "chat", "seal": text})

    async def update(self, *, audio: bool | None = None, video: bool | None = None) -> None:
        """Turn the microphone and/or camera on or off.

        Off sends silence / black frames on the existing connection (no
        renegotiation) and tells the others with an ``update``.
        """
        if audio is None and video is None:
            raise ValueError("give audio=, video= or both")
        self._check_open()
        message: dict[str, Any] = {"type": "update"}
        if audio is not None:
            self._audio_on = audio
            message["audio"] = audio
        if video is not None:
            self._video_on = video
            message["video"] = video
        self._gate()
        if self._me is not None:
            self._me = replace(self._me, audio=self._audio_on, video=self._video_on)
        self._send(message)

    async def raise_hand(self, up: bool = True) -> None:
        """Raise (or lower, ``up=False``) our hand; the others see it in `Participant.hand`."""
        self._check_open()
        self._send({"type": "hand", "up": up})

    async def react(self, emoji: str) -> None:
        """Send an emoji reaction to the room, one of `REACTIONS` (it comes back as a `Reaction`).

        The server relays at most 2 a second from one participant and drops the
        rest (a `ServerError` ``rate-limited`` says so).
        """
        if emoji not in REACTIONS:
            raise ValueError(f"a reaction is one of {' '.join(REACTIONS)}")
        self._check_open()
        self._send({"type": "react", "emoji": emoji})

    # --- host actions (the server refuses them from others: ``not-host``) -----

    async def admit(self, knock_id: str) -> None:
        """Let someone waiting in the lobby in (an id from `knocks` or a `Knock` event)."""
        self._check_open()
        self._send({"type": "admit", "id": knock_id})

    async def deny(self, knock_id: str) -> None:
        """Turn away someone waiting in the lobby; they cannot come back in this meeting
        unless a host admits them from the lobby later."""
        self._check_open()
        self._send({"type": "deny", "id": knock_id})

    async def settings(
        self,
        *,
        lobby: bool | None = None,
        locked: bool | None = None,
        password: str | Literal[_Keep.KEEP] | None = _Keep.KEEP,
    ) -> None:
        """Change the room's guards; what is not given stays as it is.

        ``lobby``: joiners without an invite knock. ``locked``: nobody new comes
        in without an invite or being admitted. ``password``: a new password
        (1 to 128 characters), or None to clear it. Everyone gets a
        `SettingsChanged`; `room_settings` follows.
        """
        message: dict[str, Any] = {"type": "settings"}
        if lobby is not None:
            message["lobby"] = lobby
        if locked is not None:
            message["locked"] = locked
        if password is not _Keep.KEEP:
            if password is not None and not 1 <= len(password) <= 128:
                raise ValueError("a room password is 1 to 128 characters")
            message["password"] = password
        if len(message) == 1:
            raise ValueError("give lobby=, locked= or password=")
        self._check_open()
        self._send(message)

    async def moderate(self, action: ModerationAction, participant_id: str) -> None:
        """Act on one participant: ``mute``, ``ask-unmute``, ``stop-video``,
        ``stop-screen``, ``remove``, ``make-host`` or ``lower-hand``.

        They get a `Moderated` event (and obey it when they are a Frankly
        client); a removed one is gone for this meeting (others see
        `ParticipantLeft` with reason ``removed``).
        """
        if action not in MODERATION_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(MODERATION_ACTIONS)}")
        self._check_open()
        self._send({"type": "moderate", "action": action, "id": participant_id})

    async def end_meeting(self) -> None:
        """End the meeting for everyone, and wait until the server has closed our socket.

        Everyone, we included, gets `MeetingEnded`, then `Closed` with a
        `FranklyError` ``meeting-ended`` (close 4410); the room is forgotten.
        Raises `FranklyError` when refused (``not-host``).
        """
        self._check_open()
        with self.events() as stream:
            self._send({"type": "end"})
            async for event in stream:  # it ends after `Closed`
                if isinstance(event, ServerError) and event.error.ref == "end":
                    raise event.error

    async def invite(
        self,
        role: Literal["host", "participant", "guest"] = "participant",
        ttl: float = 24 * 3600,
    ) -> str:
        """A signed invite token for this room, from the server.

        ``ttl`` is its lifetime in seconds (60 s to 30 days). Share it as
        ``https://server/room?invite=TOKEN``, or give it to `Client` as
        ``invite=``. Raises `FranklyError` when refused (``not-host``, or
        ``invalid-message`` for a ttl out of range).
        """
        self._check_open()
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._invite_replies.append(reply)
        self._send({"type": "invite", "role": role, "ttl": int(ttl)})
        try:
            return await reply
        finally:
            # Given up on (cancelled), it stays in line: a token that still comes goes to nobody.
            reply.cancel()

    async def __aenter__(self) -> Client:
        if self._state == "new":
            await self.join()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.leave()

    # --- internals: sending ---------------------------------------------------

    def _check_open(self) -> None:
        if self._state in ("new", "joining"):
            raise RuntimeError("not joined yet")
        if self._state in ("leaving", "closed"):
            raise self._error or FranklyError("closed", "the client has left")

    def _gate(self) -> None:
        if "audio" in self._media:
            self._media["audio"].enabled = self._audio_on
        if "video" in self._media:
            self._media["video"].enabled = self._video_on

    def _send(self, message: dict[str, Any], *, force: bool = False) -> None:
        """Queue a message; it goes out now, or after the socket comes back."""
        if self._state in ("leaving", "closed") and not force:
            return
        self._outbox.append(message)
        self._outbox_ready.set()

    async def _write(self, ws: ClientConnection) -> None:
        while True:
            while not self._outbox:
                self._outbox_ready.clear()
                await self._outbox_ready.wait()
            await ws.send(_dump(self._wire(self._outbox[0])))
            self._outbox.popleft()

    def _wire(self, message: dict[str, Any]) -> dict[str, Any]:
        """A queued message as it goes out: chat is sealed now, with our key of this moment."""
        if message.get("type") == "chat" and "seal" in message:
            return {"type": "chat", "sealed": self._e2ee.seal_chat(message["seal"])}
        return message

    def _send_e2ee(self, peer_id: str, payload: dict[str, Any]) -> None:
        self._send({"type": "e2ee", "to": peer_id, "payload": payload})

    async def _ping(self, ws: ClientConnection) -> None:
        n = 0
        while True:
            await asyncio.sleep(self._ping_interval)
            n += 1
            await ws.send(_dump({"type": "ping", "n": n}))

    # --- internals: connection ------------------------------------------------

    def _hello(self, resume: str | None, proof: str | None = None) -> dict[str, Any]:
        hello: dict[str, Any] = {
            "type": "hello",
            "version": PROTOCOL_VERSION,
            "room": self._room,
            "name": self._name,
            "audio": self._audio_on,
            "video": self._video_on,
            "resume": resume,
        }
        if resume is None:
            # What a newcomer shows; a resuming participant was let in already.
            credentials = {
                "invite": self._invite,
                "password": self._password,
                "device": self._device,
                "proof": proof,
            }
            hello.update({k: v for k, v in credentials.items() if v is not None})
        return hello

    async def _proof(self) -> str | None:
        """The human check's answer for a fresh join, when the server asks for one.

        An invite skips the check. The search runs in a thread, so the loop
        goes on; it stops early if the join is given up.
        """
        if self._invite is not None:
            return None
        stop = threading.Event()
        try:
            async with asyncio.timeout(self._handshake_timeout + _SOLVE_TIMEOUT):
                return await asyncio.to_thread(
                    fetch_proof, self._ws_url, self._handshake_timeout, stop
                )
        except TimeoutError:
            raise FranklyError(HANDSHAKE_FAILED, "the human check took too long") from None
        finally:
            stop.set()

    async def _handshake(self, resume: str | None) -> tuple[ClientConnection, dict[str, Any]]:
        """Say hello and wait for the welcome: through the lobby, if the room has one."""
        proof = await self._proof() if resume is None else None
        ws = await connect(
            self._ws_url,
            ping_interval=None,  # the protocol has its own ping
            open_timeout=self._handshake_timeout,
            close_timeout=2,
            max_size=2**20,
        )
        self._hello_ws = ws
        pinger: asyncio.Task[None] | None = None
        try:
            if self._state in ("leaving", "closed"):  # leave() came while we connected
                raise FranklyError("closed", "left before the welcome came")
            await ws.send(_dump(self._hello(resume, proof)))
            async with asyncio.timeout(self._handshake_timeout) as first_answer:
                while True:
                    raw = await ws.recv()
                    message = json.loads(raw) if isinstance(raw, str) else None
                    if not isinstance(message, dict):
                        continue
                    kind = message.get("type")
                    if kind == "welcome":
                        return ws, message
                    if kind == "error":
                        error = FranklyError.from_message(message)
                        error.close_code = _FATAL_CODES.get(error.code)
                        raise error
                    if kind == "lobby" and resume is not None and self._invite is not None:
                        # Forgotten, and sent to the lobby: our invite gets us in instead.
                        raise FranklyError(_FORGOTTEN, "the server forgot us; rejoining")
                    if kind == "lobby" and pinger is None:
                        # We knocked: wait as long as the hosts take, pinging to stay.
                        first_answer.reschedule(None)
                        log.info("waiting in the lobby of %s for a host", self._room)
                        self._waiting = True
                        self._emit(Waiting(room=str(message.get("room", self._room))))
                        pinger = asyncio.get_running_loop().create_task(self._ping(ws))
        except ConnectionClosed as exc:
            await ws.close()
            code = exc.rcvd.code if exc.rcvd is not None else None
            raise FranklyError.from_close(code, exc.rcvd.reason if exc.rcvd else "") from None
        except TimeoutError:
            ws.transport.abort()
            raise FranklyError(HANDSHAKE_FAILED, "no welcome from the server in time") from None
        except BaseException:
            await ws.close()
            raise
        finally:
            self._hello_ws = None
            self._waiting = False
            if pinger is not None:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await pinger

    async def _run(self) -> None:
        """Read the socket; when it is lost, reconnect; until the end."""
        error: FranklyError | None = None
        try:
            while True:
                ws = self._ws
                assert ws is not None
                code = await self._session(ws)
                self._ws = None
                if self._state in ("leaving", "closed"):
                    return
                fatal, self._fatal = self._fatal, None
                if code in FINAL_CLOSE_CODES or not self._reconnect:
                    error = fatal or FranklyError.from_close(code)
                    log.warning("signaling closed for good: %s", error)
                    break
                log.info("signaling lost (close code %s); reconnecting", code)
                self._state = "reconnecting"
                outcome = await self._reconnect_loop(code)
                if isinstance(outcome, FranklyError):
                    error = outcome
                    break
                self._state = "joined"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("frankly client failed")
            error = FranklyError("internal", f"the SDK failed: {exc!r}")
        self._background_task(self._finish(error))

    @property
    def _dead_after(self) -> float:
        # Two missed pongs (docs/protocol.md, "Keepalive"); never under a second,
        # so that a pause of the event loop is not taken for a dead server.
        return max(2 * self._ping_interval, 1.0)

    async def _session(self, ws: ClientConnection) -> int | None:
        """Serve one connection; return its close code (None if it went silent or vanished)."""
        writer = asyncio.get_running_loop().create_task(self._write(ws))
        pinger = asyncio.get_running_loop().create_task(self._ping(ws))
        try:
            while True:
                try:
                    async with asyncio.timeout(self._dead_after):
                        raw = await ws.recv()
                except TimeoutError:
                    log.warning("heard nothing from the server for %.1f s", self._dead_after)
                    ws.transport.abort()
                    return None
                if not isinstance(raw, str):
                    continue
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    self._dispatch(message)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None
        finally:
            for task in (writer, pinger):
                task.cancel()
            for task in (writer, pinger):
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task

    async def _reconnect_loop(self, close_code: int | None) -> FranklyError | None:
        delay = _BACKOFF_FIRST
        attempt = 0
        fresh = False  # the server forgot us: join as a newcomer, credentials and all
        while True:
            attempt += 1
            self._emit(Reconnecting(attempt=attempt, delay=delay, close_code=close_code))
            await asyncio.sleep(delay)
            delay = min(delay * 2, _BACKOFF_MAX)
            try:
                ws, welcome = await self._handshake(None if fresh else self._resume)
            except FranklyError as exc:
                if exc.code in _SHOW_AGAIN and not fresh:
                    log.info("the server forgot us and the room asks newcomers (%s)", exc.code)
                    fresh = True
                    continue
                if exc.code in _HOPELESS or exc.close_code in FINAL_CLOSE_CODES:
                    return exc
                log.info("reconnect attempt %d refused: %s", attempt, exc)
                continue
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
                log.info("reconnect attempt %d failed: %r", attempt, exc)
                continue
            self._ws = ws
            self._apply_welcome(welcome, first=False)
            return None

    async def _finish(self, error: FranklyError | None) -> None:
        if self._closing is None:
            self._state = "closed"
            self._closing = asyncio.get_running_loop().create_future()
            task = self._task
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._cleanup(error)
        else:
            await asyncio.shield(self._closing)

    async def _cleanup(self, error: FranklyError | None) -> None:
        assert self._closing is not None
        try:
            self._error = error
            self._state = "closed"
            self._e2ee.close()
            while self._invite_replies:
                waiting = self._invite_replies.popleft()
                if not waiting.done():
                    waiting.set_exception(error or FranklyError("closed", "the client has left"))
            links = list(self._links.values())
            self._links.clear()
            for link in links:
                await link.close()
            if self._sfu is not None:
                sfu, self._sfu = self._sfu, None
                await sfu.close()
            for media in self._media.values():
                await media.aclose()
            background = [t for t in self._background if t is not asyncio.current_task()]
            if background:
                await asyncio.gather(*background, return_exceptions=True)
            if self._ws is not None:
                ws, self._ws = self._ws, None
                with contextlib.suppress(Exception):
                    await ws.close()
            self._emit(Closed(error=error))
            for stream in list(self._streams):
                stream._put(None)
            self._streams.clear()
        finally:
            if not self._closing.done():
                self._closing.set_result(None)

    def _background_task(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- internals: room state ----------------------------------------------------

    def _apply_welcome(self, welcome: dict[str, Any], *, first: bool) -> None:
        me = Participant.from_wire(welcome["you"])
        resumed = bool(welcome.get("resumed")) and self._me is not None and me.id == self._me.id
        resume = welcome.get("resume")
        self._resume = resume if isinstance(resume, str) else None
        self._room = str(welcome.get("room", self._room))
        self._ice_servers = ice_servers_from_wire(list(welcome.get("ice_servers") or []))
        self._ping_interval = float(welcome.get("ping_interval") or 10.0)
        old_mode, self._mode = self._mode, str(welcome.get("mode", "p2p"))
        moved = not first and self._mode != old_mode
        maximum = welcome.get("max_participants")
        self._max_participants = maximum if isinstance(maximum, int) else None
        others = [Participant.from_wire(p) for p in welcome.get("participants") or []]
        chat = [c for c in welcome.get("chat") or [] if isinstance(c, dict)]
        self._settings = RoomSettings.from_wire(welcome.get("settings"))
        knocks = [Knock.from_wire(k) for k in welcome.get("knocks") or [] if isinstance(k, dict)]
        self._knocks = {k.id: k for k in knocks}

        if first:
            self._me = me
            self._participants = {p.id: p for p in others}
            self._e2ee.start(me.id, self._room_secret)
            for p in others:
                self._e2ee.peer_added(p.id, late=False)
            # What was said before we came is not for us (unless by passphrase).
            history = [self._opened_now(ChatMessage.from_wire(c), c.get("sealed")) for c in chat]
            self._chat = [m for m in history if m is not None]
            self._last_chat_id = max((c.id for c in self._chat), default=0)
            for p in others:
                self._link_if_p2p(p.id)
            log.info("joined %s as %s (%s)", self._room, me.name, me.id)
            self._start_sfu_if_needed()
            return

        if not resumed:
            # The server forgot us: everything we knew is gone, and we are someone new.
            log.info("rejoined %s afresh as %s", self._room, me.id)
            for link in self._links.values():
                self._background_task(link.close())
            self._links.clear()
            if self._sfu is not None:
                # Our SFU connections belonged to the participant we were.
                self._background_task(self._sfu.close())
                self._sfu = None
            self._outbox = deque(m for m in self._outbox if m.get("type") == "chat")
            self._outbox_ready.set()
            old, self._participants = self._participants, {}
            self._me = me
            # A new identity, new keys, new pairs with everyone.
            self._e2ee.start(me.id, self._room_secret)
            self._emit(Reconnected(resumed=False, me=me))
            if moved:
                self._emit(ModeChanged(mode=self._mode))
            for p in old.values():
                self._emit(ParticipantLeft(participant=p, reason="disconnected"))
            for p in others:
                self._participants[p.id] = p
                self._e2ee.peer_added(p.id, late=False)
                self._link_if_p2p(p.id)
                self._emit(ParticipantJoined(participant=p))
            self._start_sfu_if_needed()
        else:
            log.info("resumed %s as %s", self._room, me.id)
            self._me = me
            self._emit(Reconnected(resumed=True, me=me))
            if moved:  # the room moved to the SFU while we were away
                self._emit(ModeChanged(mode=self._mode))
            now = {p.id: p for p in others}
            for pid in [pid for pid in self._participants if pid not in now]:
                gone = self._participants.pop(pid)
                old_link = self._links.pop(pid, None)
                if old_link is not None:
                    self._background_task(old_link.close())
                if self._sfu is not None:
                    self._sfu.forget(pid)
                self._e2ee.peer_removed(pid)
                self._emit(ParticipantLeft(participant=gone, reason="disconnected"))
            for p in others:
                before = self._participants.get(p.id)
                self._participants[p.id] = p
                if before is None:
                    self._e2ee.peer_added(p.id, late=True)
                    self._link_if_p2p(p.id)
                    self._emit(ParticipantJoined(participant=p))
                elif before != p:
                    self._emit(ParticipantUpdated(participant=p))
            for link in self._links.values():
                link.resend_pending_offer()
            if self._sfu is not None:
                self._sfu.resend_pending_offer()
            elif self._mode == "sfu":
                self._drop_unconnected_links()
                self._start_sfu_if_needed()
            if (me.audio, me.video) != (self._audio_on, self._video_on):
                self._send({"type": "update", "audio": self._audio_on, "video": self._video_on})
                self._me = replace(me, audio=self._audio_on, video=self._video_on)
        # Chat said while we were away.
        for obj in chat:
            self._chat_arrived(obj)

    # --- internals: chat ------------------------------------------------------------

    def _chat_arrived(self, obj: dict[str, Any]) -> None:
        """A ``chat`` message from the server (live, or said while we were away)."""
        message = ChatMessage.from_wire(obj)
        if message.id and message.id <= self._last_chat_id:
            return
        self._last_chat_id = max(self._last_chat_id, message.id)
        # Shown in the order they came, though a sealed one may wait for its sender's key.
        before = self._chat_shown
        shown = self._chat_shown = asyncio.get_running_loop().create_future()
        opening = self._opening(message, obj.get("sealed"))  # with the keys of this moment
        self._background_task(self._show_chat(opening, before, shown))

    async def _show_chat(
        self,
        opening: Awaitable[ChatMessage | None],
        before: asyncio.Future[None] | None,
        shown: asyncio.Future[None],
    ) -> None:
        try:
            opened = await opening
            if before is not None:
                await before
            if opened is not None:
                self._chat_ready(opened)
        finally:
            shown.set_result(None)

    def _opening(self, message: ChatMessage, sealed: Any) -> Awaitable[ChatMessage | None]:
        """The message with its text, once it opens (frankly.client.e2ee.keys: `E2ee.open_chat`)."""
        if not isinstance(sealed, str):
            return _settled(message)
        text = self._e2ee.open_chat(message.sender_id, message.id, sealed)

        async def with_text() -> ChatMessage | None:
            return _with_text(message, await text)

        return with_text()

    def _opened_now(self, message: ChatMessage, sealed: Any) -> ChatMessage | None:
        """The message with its text, if a key we hold now opens it."""
        if not isinstance(sealed, str):
            return message
        return _with_text(message, self._e2ee.open_chat_now(message.sender_id, message.id, sealed))

    def _chat_ready(self, message: ChatMessage) -> None:
        self._chat.append(message)
        self._emit(message)

    # --- internals: encryption --------------------------------------------------------

    def _encryption_changed(self, pid: str, state: PairState) -> None:
        log.debug("end-to-end encryption with %s: %s", pid, state)
        self._emit(EncryptionChanged(participant=self._participant(pid), state=state))

    def _participant(self, pid: str) -> Participant:
        known = self._participants.get(pid)
        return known if known is not None else Participant(pid, "", True, True, True)

    def _link(self, pid: str) -> PeerLink:
        link = self._links.get(pid)
        if link is None:
            assert self._me is not None
            link = PeerLink(
                pid,
                polite=self._me.id > pid,
                ice_servers=self._ice_servers,
                media=self._media,
                crypto=self._e2ee,
                send=self._send,
                on_track=self._track_arrived,
                on_state=self._link_state,
            )
            self._links[pid] = link
        return link

    def _link_if_p2p(self, pid: str) -> None:
        # In an SFU room the others stop making peer-to-peer connections.
        if self._mode == "p2p":
            self._link(pid)

    def _start_sfu_if_needed(self) -> None:
        if self._mode != "sfu" or self._sfu is not None or self._state == "closed":
            return
        log.info("room %s is on the SFU: publishing and subscribing", self._room)
        self._sfu = SfuLink(
            ice_servers=self._ice_servers,
            media=self._media,
            crypto=self._e2ee,
            send=self._send,
            on_track=self._track_arrived,
            on_state=self._sfu_state_changed,
        )

    def _drop_unconnected_links(self) -> None:
        # Keep the peer connections that carry media until the SFU's are up;
        # drop the ones just begun (with the newcomer who moved the room).
        for pid, begun in list(self._links.items()):
            if begun.state != "connected":
                del self._links[pid]
                self._background_task(begun.close())

    def _sfu_state_changed(self, state: str) -> None:
        log.debug("connections with the SFU: %s", state)
        if state == "connected" and self._links:
            # The SFU carries the media now: the peer-to-peer calls can end.
            links = list(self._links.values())
            self._links.clear()
            for link in links:
                self._background_task(link.close())

    def _track_arrived(self, pid: str, track: MediaStreamTrack) -> None:
        log.debug("%s track from %s", track.kind, pid)
        # The SFU names a screen share's stream after its sharer, plus ":screen".
        owner, screen = pid.removesuffix(_SCREEN_SUFFIX), pid.endswith(_SCREEN_SUFFIX)
        event = TrackReceived(participant=self._participant(owner), track=track, screen=screen)
        self._emit(event)

    def _link_state(self, pid: str, state: str) -> None:
        log.debug("connection with %s: %s", pid, state)
        self._emit(ConnectionStateChanged(participant=self._participant(pid), state=state))

    def _participant_or_me(self, pid: str) -> Participant:
        if self._me is not None and pid == self._me.id:
            return self._me
        return self._participant(pid)

    def _host_message(self, kind: str, message: dict[str, Any]) -> None:
        """The lobby, the settings and invite tokens: what hosts hear (and settings, everyone)."""
        if kind == "knock":
            knock = Knock.from_wire(message["knock"])
            self._knocks[knock.id] = knock
            self._emit(knock)
        elif kind == "knock-done":
            knock_id = str(message["id"])
            outcome = message.get("outcome")
            if outcome not in ("admitted", "denied", "left"):
                raise ValueError(f"unknown knock outcome {outcome!r}")
            gone = self._knocks.pop(knock_id, None)
            name = gone.name if gone is not None else ""
            self._emit(KnockDone(id=knock_id, outcome=outcome, name=name))
        elif kind == "settings":
            self._settings = RoomSettings.from_wire(message["settings"])
            self._emit(SettingsChanged(settings=self._settings))
        elif kind == "invite":
            token = message["token"]
            if not isinstance(token, str):
                raise TypeError("invite: token is not a string")
            self._invite_reply(token)

    def _invite_reply(self, reply: str | FranklyError) -> bool:
        """Answer the oldest `invite` request; False if none waits."""
        if not self._invite_replies:
            return False
        waiting = self._invite_replies.popleft()
        if not waiting.done():
            if isinstance(reply, FranklyError):
                waiting.set_exception(reply)
            else:
                waiting.set_result(reply)
        return True

    def _moderated(self, message: dict[str, Any]) -> None:
        """A host acted on us: obey as the web client does, and say so."""
        action = message.get("action")
        if action not in MODERATION_ACTIONS:
            raise ValueError(f"unknown moderation {action!r}")
        if action == "mute":
            self._audio_on = False
        elif action == "stop-video":
            self._video_on = False
        # The server changed our record and tells everyone (`updated`); we follow now.
        self._gate()
        if self._me is not None:
            self._me = replace(self._me, audio=self._audio_on, video=self._video_on)
            if action == "make-host":
                self._me = replace(self._me, role="host")
            elif action == "lower-hand":
                self._me = replace(self._me, hand=None)
            elif action == "stop-screen":
                self._me = replace(self._me, screen=False)
        by = self._participant(str(message.get("by", "")))
        self._emit(Moderated(action=action, by=by))

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        try:
            if kind == "signal":
                sender = message.get("from")
                if not isinstance(sender, str) or self._me is None or sender == self._me.id:
                    return
                if sender in self._links or self._mode == "p2p":
                    self._link(sender).signal(message)
            elif kind == "joined":
                p = Participant.from_wire(message["participant"])
                if self._me is None or p.id == self._me.id:
                    return
                self._participants[p.id] = p
                self._e2ee.peer_added(p.id, late=True)
                self._link_if_p2p(p.id)
                self._emit(ParticipantJoined(participant=p))
            elif kind == "e2ee":
                sender = message.get("from")
                if isinstance(sender, str):
                    self._e2ee.handle(sender, message.get("payload"))
            elif kind == "mode":
                mode = str(message["mode"])
                if mode != self._mode:
                    self._mode = mode
                    self._drop_unconnected_links()
                    self._start_sfu_if_needed()
                    self._emit(ModeChanged(mode=mode))
            elif kind == "sfu":
                if self._sfu is not None:
                    self._sfu.message(message)
            elif kind == "updated":
                p = Participant.from_wire(message["participant"])
                if self._me is not None and p.id == self._me.id:
                    # A change made by the server or a host (hand, role, a mute).
                    self._me = p
                    return
                self._participants[p.id] = p
                self._emit(ParticipantUpdated(participant=p))
            elif kind in ("knock", "knock-done", "settings", "invite"):
                self._host_message(kind, message)
            elif kind == "moderated":
                self._moderated(message)
            elif kind == "reaction":
                sender = self._participant_or_me(str(message["from"]))
                self._emit(Reaction(participant=sender, emoji=str(message["emoji"])))
            elif kind == "meeting-ended":
                # The socket closes next (4410), ending the client.
                self._emit(MeetingEnded(by=self._participant_or_me(str(message.get("by", "")))))
            elif kind == "left":
                pid = str(message["id"])
                gone = self._participants.pop(pid, None) or self._participant(pid)
                link = self._links.pop(pid, None)
                if link is not None:
                    self._background_task(link.close())
                if self._sfu is not None:
                    self._sfu.forget(pid)
                    self._sfu.forget(pid + _SCREEN_SUFFIX)
                self._e2ee.peer_removed(pid)
                said = message.get("reason")
                reason: LeaveReason = said if said in ("disconnected", "removed") else "left"
                self._emit(ParticipantLeft(participant=gone, reason=reason))
            elif kind == "chat":
                self._chat_arrived(message)
            elif kind == "error":
                error = FranklyError.from_message(message)
                if error.ref == "invite" and self._invite_reply(error):
                    return
                if error.code in _FATAL_CODES:
                    error.close_code = _FATAL_CODES[error.code]
                    self._fatal = error
                else:
                    log.warning("the server refused a message: %s", error)
                    self._emit(ServerError(error=error))
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a malformed %s message: %r", kind, message)


async def join(
    url: str,
    *,
    name: str,
    room: str | None = None,
    audio: MediaStreamTrack | None = None,
    video: MediaStreamTrack | None = None,
    audio_enabled: bool | None = None,
    video_enabled: bool | None = None,
    reconnect: bool = True,
    passphrase: str | None = None,
    invite: str | None = None,
    password: str | None = None,
    device: str | None = None,
    timeout: float | None = None,  # noqa: ASYNC109 (as Client.join's)
) -> Client:
    """Join a room and return the joined `Client` (see `Client` for the arguments,
    and `Client.join` for ``timeout``)."""
    client = Client(
        url,
        name=name,
        room=room,
        audio=audio,
        video=video,
        audio_enabled=audio_enabled,
        video_enabled=video_enabled,
        reconnect=reconnect,
        passphrase=passphrase,
        invite=invite,
        password=password,
        device=device,
    )
    await client.join(timeout=timeout)
    return client
