"""`Client`: one participant in a Frankly room, over the signaling WebSocket.

The client holds the room as it knows it and what it does in it: who is there
(reconciled on every welcome by `roster`, and told to `calls.Calls`, the media
connections: one `PeerLink` with every other participant, or, once the room is
on the server's SFU, one `SfuLink`), the chat (`chat.ChatLog`) and what hosts
hear (`hosts.HostView`). The socket, its handshake, keepalive and reconnecting
are `session.Session`'s; every message it hears goes to one small handler,
through the `HANDLERS` table at the end.

Interpretation (docs/sdk.md): the room's booths and languages as the server
tells them (`interpretation`), the channel we hear (`listening`, `listen`),
and, for an interpreter, speaking into its booth's channel (`interpret`),
switching direction, handing over, and the booth's own sealed chat.

Live captions (docs/sdk.md): the language we speak (`language`, `update`),
a host's `set_captions`, the room's `captions` state, and the captioner's
lines, opened with its key like chat, as `CaptionLine` events.

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
import re
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType, TracebackType
from typing import Any, Literal, TypeVar

from aiortc.mediastreams import MediaStreamTrack

from frankly.client.calls import Calls
from frankly.client.chat import MAX_TEXT, ChatLog
from frankly.client.e2ee import E2ee, FrameStats, PairState, SafetyCode
from frankly.client.e2ee.sframe import room_secret
from frankly.client.errors import CLOSED, FranklyError
from frankly.client.events import (
    BoothChatMessage,
    CaptionLine,
    Captions,
    CaptionsChanged,
    ChatMessage,
    Closed,
    ConnectionStateChanged,
    EncryptionChanged,
    Event,
    GoingAway,
    Interpretation,
    InterpretationChanged,
    InviteRevoked,
    Knock,
    ListeningChanged,
    MeetingEnded,
    ModeChanged,
    Moderated,
    Participant,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    Reaction,
    Reconnected,
    RoomSettings,
    ServerError,
    TrackReceived,
)
from frankly.client.hosts import HostView, invite_id
from frankly.client.media import LocalMedia
from frankly.client.roster import Added, Change, Removed, Updated, reconcile
from frankly.client.rtc import RELAY_SUPPORTED, has_turn, ice_servers_from_wire
from frankly.client.session import Session
from frankly.client.stream import Broadcast, EventStream
from frankly.client.transcript import TranscriptLine, as_text, as_webvtt
from frankly.client.urls import invite_from_url, passphrase_from_url, split_url
from frankly.client.vocabulary import (
    FATAL_ERRORS,
    FINAL_CLOSE_CODES,
    FLOOR,
    LANGUAGE_PATTERN,
    LEAVE_REASONS,
    MODERATION_ACTIONS,
    REACTIONS,
    Code,
    LeaveReason,
    ModerationAction,
    Msg,
    Role,
    interpreter_of,
    sharer_of,
)

log = logging.getLogger("frankly.client")

E = TypeVar("E", bound=Event)
State = Literal["new", "joining", "joined", "reconnecting", "leaving", "closed"]


class _Keep(enum.Enum):
    """`Client.settings`'s "leave the password as it is" (None clears it); `update`'s language."""

    KEEP = "keep"


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

    ``ssl`` is the TLS context for an ``https://`` (``wss://``) URL: whom to
    trust, when the system's CAs are not it (a server's own self-signed
    certificate, pinned). It is refused for an ``http://`` URL.

    ``relay_only=True`` hides our address: every connection gathers TURN relay
    candidates only, so the other side and the SFU see the relay's address.
    None (the default) follows the server (``frankly serve --relay-only``);
    False never hides it. It needs an aiortc whose RTCConfiguration has
    ``iceTransportPolicy`` (1.16 has it; ValueError otherwise), and a server
    with TURN: without one, a relay-only participant has no path for media.
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
        language: str | None = None,
        ssl: ssl.SSLContext | None = None,
        relay_only: bool | None = None,
    ) -> None:
        ws_url, room = split_url(url, room)
        if relay_only and not RELAY_SUPPORTED:
            raise ValueError(
                "relay_only=True needs an aiortc with iceTransportPolicy (1.16 has it): "
                "this one would reveal the address it was asked to hide"
            )
        self._relay_choice = relay_only
        if ssl is not None and not ws_url.startswith("wss://"):
            raise ValueError("ssl= is for an https:// (wss://) URL")
        _check_language(language)
        # What a fresh join's hello says besides the name (the language as it is now).
        self._passphrase = passphrase or passphrase_from_url(url)
        self._credentials: dict[str, str | bool | None] = {
            "invite": invite or invite_from_url(url),
            "password": password,
            "device": device,
            "language": language,
            # That we hold one (never what it is): a room whose hosts hold one refuses us without.
            "passphrase": True if self._passphrase is not None else None,
        }
        if password is not None and not 1 <= len(password) <= 128:
            raise ValueError("a room password is 1 to 128 characters")
        if device is not None and not 1 <= len(device) <= 64:
            raise ValueError("a device id is 1 to 64 characters")
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

        self._state: State = "new"
        self._me: Participant | None = None
        self._participants: dict[str, Participant] = {}
        self._max_participants: int | None = None
        self._events = Broadcast()
        self._fatal: FranklyError | None = None
        self._error: FranklyError | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Future[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._room_secret: bytes | None = None
        self._e2ee = E2ee(self._send_e2ee, on_state=self._encryption_changed)
        self._calls = Calls(
            media=self._media,
            crypto=self._e2ee,
            send=self._send,
            on_track=self._track_arrived,
            on_link_state=self._link_state,
            background=self._background_task,
        )
        self._chat = ChatLog(self._e2ee, self._emit, self._background_task)
        self._hosts = HostView(self._emit)
        self._interpretation = Interpretation()
        self._listening = FLOOR
        self._captions = Captions()
        self._caption_seq = 0  # ids for the replay check of caption lines, apart from chat's
        # Final caption lines kept while a host keeps the transcript, by (speaker, line).
        self._transcript: dict[tuple[str, int], TranscriptLine] = {}
        self._channel: LocalMedia | None = None  # what we interpret into our booth's channel
        self._session = Session(
            ws_url,
            room=room,
            name=name,
            handshake_timeout=handshake_timeout,
            credentials=self._credentials,
            media_state=lambda: (self._audio_on, self._video_on),
            on_message=self._dispatch,
            emit=self._emit,
            seal=self._wire,
            leaving=lambda: self._state in ("leaving", "closed"),
            tls=ssl,
        )

    # --- state you can read -------------------------------------------------

    @property
    def room(self) -> str:
        return self._session.room

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
        return tuple(self._chat.history)

    @property
    def mode(self) -> str:
        return self._calls.mode

    @property
    def is_host(self) -> bool:
        """We are a host of the room (we may admit, moderate, change settings, end it)."""
        return self._me is not None and self._me.is_host

    @property
    def waiting(self) -> bool:
        """We knocked and wait in the lobby for a host (during `join`)."""
        return self._session.waiting

    @property
    def room_settings(self) -> RoomSettings:
        """The room's lobby, lock and password, as the server last said."""
        return self._hosts.settings

    @property
    def knocks(self) -> Mapping[str, Knock]:
        """Who waits in the lobby, by knock id, in order of knocking (hosts only)."""
        return MappingProxyType(self._hosts.knocks)

    @property
    def interpretation(self) -> Interpretation:
        """The room's languages and booths (interpreters, who is live, into what)."""
        return self._interpretation

    @property
    def captions(self) -> Captions:
        """The room's live captions: off, starting, on, restarting or failed."""
        return self._captions

    def transcript(self, kind: Literal["txt", "vtt"] = "txt") -> str:
        """The final caption lines we received while the transcript was kept, as text or WebVTT.

        Kept by this client (the server cannot read the lines): from when we
        joined, or when a host began keeping it, until now.
        """
        lines = self._transcript.values()
        return as_webvtt(lines) if kind == "vtt" else as_text(lines)

    @property
    def language(self) -> str | None:
        """The language we said we speak (None: not said; captioned as English)."""
        said = self._credentials["language"]
        return said if isinstance(said, str) else None

    @property
    def listening(self) -> str:
        """The channel we hear: ``floor`` (the original), or one of the room's languages."""
        return self._listening

    @property
    def max_participants(self) -> int | None:
        return self._max_participants

    @property
    def connected(self) -> bool:
        """True while the signaling socket is up (media does not depend on it)."""
        return self._state == "joined" and self._session.ws is not None

    @property
    def closed(self) -> bool:
        return self._state == "closed"

    @property
    def error(self) -> FranklyError | None:
        """Why the client ended, once it has (None after `leave`)."""
        return self._error

    def tracks(self, participant_id: str) -> list[MediaStreamTrack]:
        """The live tracks received so far from one participant (peer to peer or via the SFU)."""
        return self._calls.tracks(participant_id)

    def connection_state(self, participant_id: str) -> str | None:
        """The state of the media connection that carries one participant, None without one.

        Peer to peer, that of the RTCPeerConnection with them; on the SFU, that of
        the connections with the SFU (`sfu_state`).
        """
        return self._calls.state(participant_id, present=participant_id in self._participants)

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
        sfu = self._calls.sfu
        return sfu.state if sfu is not None else None

    # --- events -------------------------------------------------------------

    def events(self) -> EventStream:
        """A new stream of every event from now on (see `EventStream`)."""
        return self._events.open()

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
            raise self._error or FranklyError(CLOSED, "the client closed first")

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
        self._events.emit(event)

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
                    secret = await asyncio.to_thread(room_secret, self._passphrase, self.room)
                    self._room_secret = secret
                ws, welcome = await self._session.first_handshake()
        except BaseException as exc:
            left = self._state != "joining"  # leave() closed the socket we waited on
            if self._closing is None:
                self._state = "closed"
                self._closing = asyncio.get_running_loop().create_future()
                await self._cleanup(exc if isinstance(exc, FranklyError) else None)
            if left and isinstance(exc, FranklyError):
                raise FranklyError(CLOSED, "left before the welcome came") from None
            raise
        if self._state != "joining":  # leave() was called meanwhile
            await ws.close()
            raise FranklyError(CLOSED, "left before the welcome came")
        self._session.ws = ws
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
        hello_ws = self._session.hello_ws
        if was_joining and hello_ws is not None:
            # Waiting for the welcome (in the lobby, perhaps): that wait ends here.
            with contextlib.suppress(Exception):
                await hello_ws.close()
        ws = self._session.ws
        if ws is not None and was_joined:
            self._send({"type": Msg.LEAVE}, force=True)
            # The server answers `leave` by closing with 1000, after what we sent before it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    await ws.wait_closed()
        await self._finish(None)

    async def send_chat(self, text: str) -> None:
        """Send a chat message to the room, sealed (it comes back as a `ChatMessage` event)."""
        if not 1 <= len(text.strip()) <= MAX_TEXT:
            raise ValueError(f"chat text must be 1 to {MAX_TEXT} characters after trimming")
        self._check_open()
        # Sealed when it goes out (see `_wire`), with the key of that moment: a
        # message queued while the socket is away may go out as someone new.
        self._send({"type": Msg.CHAT, "seal": text})

    async def update(
        self,
        *,
        audio: bool | None = None,
        video: bool | None = None,
        language: str | _Keep | None = _Keep.KEEP,
    ) -> None:
        """Turn the microphone and/or camera on or off, or say the language we speak.

        Off sends silence / black frames on the existing connection (no
        renegotiation) and tells the others with an ``update``. ``language``
        ("en", "ru", ...; None: not said) is what the captioner transcribes us in.
        """
        if audio is None and video is None and language is _Keep.KEEP:
            raise ValueError("give audio=, video=, language= or some of them")
        self._check_open()
        message: dict[str, Any] = {"type": Msg.UPDATE}
        if not isinstance(language, _Keep):
            _check_language(language)
            self._credentials["language"] = language
            message["language"] = language
            if self._me is not None:
                self._me = replace(self._me, language=language)
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
        self._send({"type": Msg.HAND, "up": up})

    async def react(self, emoji: str) -> None:
        """Send an emoji reaction to the room, one of `REACTIONS` (it comes back as a `Reaction`).

        The server relays at most 2 a second from one participant and drops the
        rest (a `ServerError` ``rate-limited`` says so).
        """
        if emoji not in REACTIONS:
            raise ValueError(f"a reaction is one of {' '.join(REACTIONS)}")
        self._check_open()
        self._send({"type": Msg.REACT, "emoji": emoji})

    # --- host actions (the server refuses them from others: ``not-host``) -----

    async def admit(self, knock_id: str) -> None:
        """Let someone waiting in the lobby in (an id from `knocks` or a `Knock` event)."""
        self._check_open()
        self._send({"type": Msg.ADMIT, "id": knock_id})

    async def deny(self, knock_id: str) -> None:
        """Turn away someone waiting in the lobby; they cannot come back in this meeting
        unless a host admits them from the lobby later."""
        self._check_open()
        self._send({"type": Msg.DENY, "id": knock_id})

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
        message: dict[str, Any] = {"type": Msg.SETTINGS}
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
        self._send({"type": Msg.MODERATE, "action": action, "id": participant_id})

    async def end_meeting(self) -> None:
        """End the meeting for everyone, and wait until the server has closed our socket.

        Everyone, we included, gets `MeetingEnded`, then `Closed` with a
        `FranklyError` ``meeting-ended`` (close 4410); the room is forgotten.
        Raises `FranklyError` when refused (``not-host``).
        """
        self._check_open()
        with self.events() as stream:
            self._send({"type": Msg.END})
            async for event in stream:  # it ends after `Closed`
                if isinstance(event, ServerError) and event.error.ref == Msg.END:
                    raise event.error

    async def invite(
        self,
        role: Role = "participant",
        ttl: float = 24 * 3600,
        *,
        interpret: tuple[str, str] | None = None,
    ) -> str:
        """A signed invite token for this room, from the server.

        ``ttl`` is its lifetime in seconds (60 s to 30 days). Share it as
        ``https://server/room?invite=TOKEN``, or give it to `Client` as
        ``invite=``. Raises `FranklyError` when refused (``not-host``, or
        ``invalid-message`` for a ttl out of range). With ``interpret`` (a
        language pair) its holder joins as that pair's interpreter
        (``guest-interpreter`` for a guest's invite).
        """
        self._check_open()
        reply = self._hosts.ask_invite()
        message: dict[str, Any] = {"type": Msg.INVITE, "role": role, "ttl": int(ttl)}
        if interpret is not None:
            message["interpret"] = list(interpret)
        self._send(message)
        try:
            return await reply
        finally:
            # Given up on (cancelled), it stays in line: a token that still comes goes to nobody.
            reply.cancel()

    async def revoke(self, token: str) -> None:
        """Revoke an invite this meeting's hosts made (the token `invite` returned).

        From now until the meeting is over, a join with it is refused
        (``invite-revoked``). Returns once the server confirms it to the hosts
        (`InviteRevoked`); raises `FranklyError` ``not-host`` if we are no
        host (the server refuses it too) and `ValueError` for a token that is
        no meeting's invite.
        """
        self._check_open()
        wanted = invite_id(token)
        if not self.is_host:
            raise FranklyError(Code.NOT_HOST, "only a host can revoke an invite")
        confirmed = self.wait_for(InviteRevoked, lambda e: e.id == wanted, timeout=10)
        self._send({"type": Msg.REVOKE, "id": wanted})
        await confirmed

    # --- interpretation (docs/sdk.md, "Interpretation") ----------------------------

    async def make_interpreter(
        self, participant_id: str, pair: tuple[str, str] | None
    ) -> Interpretation:
        """Make a participant the interpreter of a language pair, e.g. ``("en", "ru")``
        (host only); ``None`` takes the role back. The room moves to the SFU.

        Its booth first speaks into the pair's second language. Raises
        `FranklyError`: ``not-host``, ``guest-interpreter`` (a guest cannot
        interpret), ``unknown-peer``, ``not-allowed`` (the booth holds two).
        """
        pair_wire = list(pair) if pair is not None else None
        message = {"type": Msg.INTERPRETER, "id": participant_id, "pair": pair_wire}

        def done(event: Event) -> bool:
            if not isinstance(event, InterpretationChanged):
                return False
            booth = event.interpretation.booth_of(participant_id)
            return (booth is None) if pair is None else (booth is not None)

        event = await self._ask(message, Msg.INTERPRETER, done)
        assert isinstance(event, InterpretationChanged)
        return event.interpretation

    async def listen(self, channel: str) -> None:
        """Hear ``channel``: ``floor``, or one of `interpretation`'s languages.

        The SFU then sends us the floor and that channel's interpreter, and no
        other channel. For an interpreter, a language is its relay: it
        interprets from that channel instead of the floor. Raises `FranklyError`
        ``unknown-language`` for a language no interpreter of the room serves.
        """
        message = {"type": Msg.LISTEN, "channel": channel}
        await self._ask(
            message,
            Msg.LISTEN,
            lambda e: isinstance(e, ListeningChanged) and e.channel == channel,
        )

    async def interpret(self, track: MediaStreamTrack) -> None:
        """Speak into our booth's channel with ``track`` (an audio track; it stays yours).

        We must be an interpreter (`make_interpreter`, or an invite that
        carries the role). The track goes as a track of its own, apart from
        our microphone: the SFU sends it only to the listeners of the language
        our booth speaks into, and only while we are live. Raises
        `FranklyError` ``not-interpreter``.
        """
        if track.kind != "audio":
            raise ValueError("an interpretation is an audio track")
        self._check_open()
        if self._me is None or self._interpretation.booth_of(self._me.id) is None:
            raise FranklyError(Code.NOT_INTERPRETER, "only an interpreter speaks into a channel")
        if self._channel is not None:
            raise RuntimeError("already interpreting: one channel track a participant")
        self._channel = LocalMedia(track)
        tap = self._calls.publish_channel(self._channel)
        # Sent ahead of the offer that carries the track, so the SFU never
        # takes it for the floor.
        await self._ask(
            {"type": Msg.INTERPRET, "track": tap.id},
            Msg.INTERPRET,
            lambda e: isinstance(e, InterpretationChanged),
        )

    async def switch_direction(self, into: str) -> Interpretation:
        """Our booth speaks into ``into`` from now on (one of its pair), in one message.

        Its listeners change channel at once. Raises `FranklyError`
        ``not-interpreter``, ``unknown-language`` (not in the pair) or
        ``channel-busy`` (another booth speaks into it now).
        """

        def done(event: Event) -> bool:
            if not isinstance(event, InterpretationChanged) or self._me is None:
                return False
            booth = event.interpretation.booth_of(self._me.id)
            return booth is not None and booth.into == into

        event = await self._ask({"type": Msg.INTERPRET, "into": into}, Msg.INTERPRET, done)
        assert isinstance(event, InterpretationChanged)
        return event.interpretation

    async def hand_over(self, to: str | None = None) -> Interpretation:
        """Give our booth's live channel to ``to`` (default: the other member), or, when
        we are not live, take it.

        The server switches at once, and only if the new voice is sending its
        channel and every listener of it is negotiated for that voice: the
        channel never carries two voices, and never none. Raises
        `FranklyError` ``booth-not-ready`` (nobody to hand over to, or they are
        not ready yet: try again in a moment) or ``not-interpreter``.
        """
        message: dict[str, Any] = {"type": Msg.HANDOVER}
        if to is not None:
            message["to"] = to
        self._check_open()
        me = self.id
        now = self._interpretation.booth_of(me)
        giving = now is not None and now.live == me

        def done(event: Event) -> bool:
            if not isinstance(event, InterpretationChanged):
                return False
            booth = event.interpretation.booth_of(me)
            if booth is None:
                return False
            if to is not None:
                return booth.live == to
            return booth.live != me if giving else booth.live == me

        event = await self._ask(message, Msg.HANDOVER, done)
        assert isinstance(event, InterpretationChanged)
        return event.interpretation

    async def send_booth_chat(self, text: str) -> None:
        """Send a line to the other interpreter of our booth, sealed for them alone.

        Raises `FranklyError` ``not-interpreter`` outside a booth, or when
        nobody else is in it, and when their keys have not come yet (in a
        passphrase room there are none: booth chat needs exchanged keys).
        """
        if not 1 <= len(text.strip()) <= MAX_TEXT:
            raise ValueError(f"chat text must be 1 to {MAX_TEXT} characters after trimming")
        self._check_open()
        booth = self._interpretation.booth_of(self.id)
        others = [m for m in booth.members if m != self.id] if booth is not None else []
        if not others:
            raise FranklyError(Code.NOT_INTERPRETER, "nobody else is in a booth with us")
        sealed = {pid: self._e2ee.seal_for(pid, text) for pid in others}
        if any(s is None for s in sealed.values()):
            raise FranklyError(Code.NOT_ALLOWED, "no pair key with the booth yet: try again")
        self._send({"type": Msg.BOOTH_CHAT, "sealed": sealed})

    async def set_captions(self, on: bool, *, transcript: bool = False) -> Captions:
        """A host turns the room's live captions on or off; the state once the server answered.

        On, the server starts its captioner, which joins the room as a
        participant with role ``captioner`` and keys like anyone's; the state
        goes ``starting``, then ``on`` once it is in (`CaptionsChanged`).
        Raises `FranklyError` ``not-host``, or ``captions-unavailable`` when
        the server has no captions installed, and in a passphrase room (the
        captioner could not hold its keys).
        """
        if on and self.passphrase_mode:
            what = "captions need exchanged keys: a passphrase room cannot be captioned"
            raise FranklyError(Code.CAPTIONS_UNAVAILABLE, what)
        wanted = ("starting", "on", "restarting") if on else ("off",)

        def done(event: Event) -> bool:
            return isinstance(event, CaptionsChanged) and event.captions.state in wanted

        message = {"type": Msg.CAPTIONS, "on": on, "transcript": transcript}
        event = await self._ask(message, Msg.CAPTIONS, done)
        assert isinstance(event, CaptionsChanged)
        return event.captions

    def _send_transcript_line(self, line: dict[str, Any]) -> None:
        """The captioner's own: a final line in plaintext, for the meeting's stored transcript."""
        self._send({"type": Msg.TRANSCRIPT_LINE, **line})

    async def _send_caption(self, line: str) -> None:
        """The captioner's own: a caption line, sealed with our key as it goes out."""
        self._check_open()
        self._send({"type": Msg.CAPTION, "seal": line})

    async def _ask(self, message: dict[str, Any], ref: Msg, done: Callable[[Event], bool]) -> Event:
        """Send ``message``; the first event for which ``done`` holds, or its refusal raised."""
        self._check_open()

        def settles(event: Event) -> bool:
            refused = isinstance(event, ServerError) and event.error.ref == ref
            return refused or done(event)

        answer = self.wait_for(Event, settles, timeout=10)
        self._send(message)
        event = await answer
        if isinstance(event, ServerError):
            raise event.error
        return event

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
            raise self._error or FranklyError(CLOSED, "the client has left")

    def _gate(self) -> None:
        if "audio" in self._media:
            self._media["audio"].enabled = self._audio_on
        if "video" in self._media:
            self._media["video"].enabled = self._video_on

    def _send(self, message: dict[str, Any], *, force: bool = False) -> None:
        """Queue a message; it goes out now, or after the socket comes back."""
        if self._state in ("leaving", "closed") and not force:
            return
        self._session.send(message)

    def _wire(self, message: dict[str, Any]) -> dict[str, Any]:
        """A queued message as it goes out: chat is sealed now, with our key of this moment."""
        if message.get("type") in (Msg.CHAT, Msg.CAPTION) and "seal" in message:
            return {"type": message["type"], "sealed": self._e2ee.seal_chat(message["seal"])}
        return message

    def _send_e2ee(self, peer_id: str, payload: dict[str, Any]) -> None:
        self._send({"type": Msg.E2EE, "to": peer_id, "payload": payload})

    # --- internals: the lifecycle ---------------------------------------------------

    async def _run(self) -> None:
        """Read the socket; when it is lost, reconnect; until the end."""
        error: FranklyError | None = None
        try:
            error = await self._serve_and_reconnect()
            if self._state in ("leaving", "closed"):
                return  # `leave` finishes the client
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("frankly client failed")
            error = FranklyError("internal", f"the SDK failed: {exc!r}")
        self._background_task(self._finish(error))

    async def _serve_and_reconnect(self) -> FranklyError | None:
        """Serve each connection in turn, until we leave or the client ends (and why)."""
        while True:
            ws = self._session.ws
            assert ws is not None
            code = await self._session.serve(ws)
            self._session.ws = None
            if self._state in ("leaving", "closed"):
                return None
            fatal, self._fatal = self._fatal, None
            if code in FINAL_CLOSE_CODES or not self._reconnect:
                error = fatal or FranklyError.from_close(code)
                log.warning("signaling closed for good: %s", error)
                return error
            log.info("signaling lost (close code %s); reconnecting", code)
            self._state = "reconnecting"
            outcome = await self._session.reconnect(code)
            if isinstance(outcome, FranklyError):
                return outcome
            self._session.ws, welcome = outcome
            self._apply_welcome(welcome, first=False)
            self._state = "joined"

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
            self._hosts.fail_all(error or FranklyError(CLOSED, "the client has left"))
            await self._calls.close()
            for media in self._media.values():
                await media.aclose()
            if self._channel is not None:
                await self._channel.aclose()
            background = [t for t in self._background if t is not asyncio.current_task()]
            if background:
                await asyncio.gather(*background, return_exceptions=True)
            if self._session.ws is not None:
                ws, self._session.ws = self._session.ws, None
                with contextlib.suppress(Exception):
                    await ws.close()
            self._emit(Closed(error=error))
            self._events.end()
        finally:
            if not self._closing.done():
                self._closing.set_result(None)

    def _background_task(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- internals: the welcome ------------------------------------------------------

    def _relay_only(self, server_default: bool) -> bool:
        """Whether new connections hide our address: our choice, else the server's default."""
        wanted = server_default if self._relay_choice is None else self._relay_choice
        if wanted and self._relay_choice is None and not RELAY_SUPPORTED:
            log.warning("the server hides addresses by default, but this aiortc cannot: it is not")
            return False
        if wanted and not has_turn(self._calls.ice_servers):
            log.warning("relay only, but the server gave no TURN relay: media will not connect")
        return wanted

    def _on_ice_servers(self, message: dict[str, Any]) -> None:
        # Fresh TURN credentials, for the connections made from now on: aiortc has
        # no setConfiguration, so those we have keep the credentials they were made with.
        self._calls.ice_servers = ice_servers_from_wire(list(message.get("ice_servers") or []))

    def _apply_welcome(self, welcome: dict[str, Any], *, first: bool) -> None:
        """A welcome: on joining, on resuming, or on joining afresh after the server forgot us."""
        me = Participant.from_wire(welcome["you"])
        resumed = bool(welcome.get("resumed")) and self._me is not None and me.id == self._me.id
        self._calls.ice_servers = ice_servers_from_wire(list(welcome.get("ice_servers") or []))
        self._calls.relay_only = self._relay_only(bool(welcome.get("relay_only")))
        old_mode = self._calls.mode
        self._calls.mode = str(welcome.get("mode", "p2p"))
        maximum = welcome.get("max_participants")
        self._max_participants = maximum if isinstance(maximum, int) else None
        self._hosts.welcomed(welcome)
        self._interpretation = Interpretation.from_wire(welcome.get("interpretation"))
        self._listening = str(welcome.get("listening") or FLOOR)
        captions = Captions.from_wire(welcome.get("captions"))
        if captions != self._captions:
            self._captions = captions
            if not first:
                self._emit(CaptionsChanged(captions=captions))
        others = [Participant.from_wire(p) for p in welcome.get("participants") or []]
        chat = [c for c in welcome.get("chat") or [] if isinstance(c, dict)]
        if first:
            self._first_welcome(me, others, chat)
            return
        if resumed:
            log.info("resumed %s as %s", self.room, me.id)
            self._me = me
        else:
            self._start_afresh(me)
        self._emit(Reconnected(resumed=resumed, me=me))
        if self._calls.mode != old_mode:  # the room moved to the SFU while we were away
            self._emit(ModeChanged(mode=self._calls.mode))
        self._apply_roster(reconcile(self._participants, others, fresh=not resumed))
        if resumed:
            self._carry_on()
        else:
            self._calls.start_sfu_if_needed()
        for obj in chat:  # said while we were away
            self._chat.arrived(obj)

    def _first_welcome(
        self, me: Participant, others: list[Participant], chat: list[dict[str, Any]]
    ) -> None:
        self._me = me
        self._calls.self_id = me.id
        self._e2ee.start(me.id, self._room_secret)
        # Everyone, there before us; no events: `participants` says who is there.
        self._apply_roster(reconcile({}, others, fresh=True), announce=False)
        self._chat.start(chat)
        log.info("joined %s as %s (%s)", self.room, me.name, me.id)
        self._calls.start_sfu_if_needed()

    def _start_afresh(self, me: Participant) -> None:
        """The server forgot us: our connections, queued words and keys were the old self's."""
        log.info("rejoined %s afresh as %s", self.room, me.id)
        self._calls.reset()
        if self._channel is not None:  # the old self's interpretation: interpret() again
            self._background_task(self._channel.aclose())
            self._channel = None
        self._session.keep_queued(lambda m: m.get("type") == Msg.CHAT)
        self._me = me
        self._calls.self_id = me.id
        self._e2ee.start(me.id, self._room_secret)  # a new identity, new pairs with everyone

    def _carry_on(self) -> None:
        """Resumed: what may have been lost while the socket was away goes again."""
        self._calls.resumed()
        assert self._me is not None
        if (self._me.audio, self._me.video) != (self._audio_on, self._video_on):
            self._send({"type": Msg.UPDATE, "audio": self._audio_on, "video": self._video_on})
            self._me = replace(self._me, audio=self._audio_on, video=self._video_on)

    def _apply_roster(self, changes: Sequence[Change], *, announce: bool = True) -> None:
        for change in changes:
            match change:
                case Added(participant=p, late=late):
                    self._add_participant(p, late=late, announce=announce)
                case Updated(participant=p):
                    self._update_participant(p)
                case Removed(participant=p, reason=reason, rejoined=rejoined):
                    self._remove_participant(p.id, reason, rejoined=rejoined)

    # --- internals: who is in the room (the welcome and the live messages alike) --------

    def _add_participant(self, p: Participant, *, late: bool, announce: bool = True) -> None:
        self._participants[p.id] = p
        self._e2ee.peer_added(p.id, late=late)
        self._calls.joined(p.id)
        if announce:
            self._emit(ParticipantJoined(participant=p))

    def _update_participant(self, p: Participant) -> None:
        self._participants[p.id] = p
        self._emit(ParticipantUpdated(participant=p))

    def _remove_participant(self, pid: str, reason: LeaveReason, *, rejoined: bool = False) -> None:
        """``pid`` left: their connection, streams (camera and screen), keys and held chat go."""
        gone = self._participants.pop(pid, None) or self._participant(pid)
        self._calls.left(pid)
        if not rejoined:  # else our keys are new anyway: nothing to rotate
            self._e2ee.peer_removed(pid)
        self._emit(ParticipantLeft(participant=gone, reason=reason))

    def _participant(self, pid: str) -> Participant:
        known = self._participants.get(pid)
        return known if known is not None else Participant(pid, "", True, True, True)

    def _participant_or_me(self, pid: str) -> Participant:
        if self._me is not None and pid == self._me.id:
            return self._me
        return self._participant(pid)

    # --- internals: chat and encryption ----------------------------------------------------

    def _encryption_changed(self, pid: str, state: PairState) -> None:
        log.debug("end-to-end encryption with %s: %s", pid, state)
        self._emit(EncryptionChanged(participant=self._participant(pid), state=state))

    # --- internals: what the media connections report ------------------------------------

    def _track_arrived(self, stream_id: str, track: MediaStreamTrack) -> None:
        log.debug("%s track from %s", track.kind, stream_id)
        interpreter = interpreter_of(stream_id)
        if interpreter is not None:
            event = TrackReceived(self._participant(interpreter), track, interpretation=True)
        else:
            owner, screen = sharer_of(stream_id)
            event = TrackReceived(participant=self._participant(owner), track=track, screen=screen)
        self._emit(event)

    def _link_state(self, pid: str, state: str) -> None:
        log.debug("connection with %s: %s", pid, state)
        self._emit(ConnectionStateChanged(participant=self._participant(pid), state=state))

    # --- internals: what the server says, one handler a message type (`HANDLERS`) --------

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        handler = HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return  # pong, speaker, and what a newer server may say
        try:
            handler(self, message)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a malformed %s message: %r", kind, message)

    def _on_signal(self, message: dict[str, Any]) -> None:
        sender = message.get("from")
        if not isinstance(sender, str) or self._me is None or sender == self._me.id:
            return
        self._calls.signal(sender, message)

    def _on_joined(self, message: dict[str, Any]) -> None:
        p = Participant.from_wire(message["participant"])
        if self._me is not None and p.id != self._me.id:
            self._add_participant(p, late=True)

    def _on_updated(self, message: dict[str, Any]) -> None:
        p = Participant.from_wire(message["participant"])
        if self._me is not None and p.id == self._me.id:
            self._me = p  # a change made by the server or a host (hand, role, a mute)
        else:
            self._update_participant(p)

    def _on_left(self, message: dict[str, Any]) -> None:
        said = message.get("reason")
        reason: LeaveReason = said if said in LEAVE_REASONS else "left"
        self._remove_participant(str(message["id"]), reason)

    def _on_e2ee(self, message: dict[str, Any]) -> None:
        sender = message.get("from")
        if isinstance(sender, str):
            self._e2ee.handle(sender, message.get("payload"))

    def _on_mode(self, message: dict[str, Any]) -> None:
        mode = str(message["mode"])
        if self._calls.move(mode):
            self._emit(ModeChanged(mode=mode))

    def _on_sfu(self, message: dict[str, Any]) -> None:
        self._calls.sfu_message(message)

    def _on_sfu_reset(self, message: dict[str, Any]) -> None:
        self._calls.restart_sfu()
        if self._channel is not None:  # an interpreter's channel goes on the new connection too
            tap = self._calls.publish_channel(self._channel)
            self._send({"type": Msg.INTERPRET, "track": tap.id})  # ahead of the offer, as before

    def _on_chat(self, message: dict[str, Any]) -> None:
        self._chat.arrived(message)

    def _on_moderated(self, message: dict[str, Any]) -> None:
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
            self._me = _obeyed(self._me, action, audio=self._audio_on, video=self._video_on)
        by = self._participant(str(message.get("by", "")))
        self._emit(Moderated(action=action, by=by))

    def _on_reaction(self, message: dict[str, Any]) -> None:
        sender = self._participant_or_me(str(message["from"]))
        self._emit(Reaction(participant=sender, emoji=str(message["emoji"])))

    def _on_going_away(self, message: dict[str, Any]) -> None:
        seconds = message.get("drain_seconds")
        drain = float(seconds) if isinstance(seconds, int | float) else 0.0
        self._session.expect_restart(drain)
        self._emit(GoingAway(drain_seconds=drain))

    def _on_meeting_ended(self, message: dict[str, Any]) -> None:
        # The socket closes next (4410), ending the client.
        self._emit(MeetingEnded(by=self._participant_or_me(str(message.get("by", "")))))

    def _on_interpretation(self, message: dict[str, Any]) -> None:
        self._interpretation = Interpretation.from_wire(message)
        self._emit(InterpretationChanged(interpretation=self._interpretation))

    def _on_listening(self, message: dict[str, Any]) -> None:
        self._listening = str(message["channel"])
        self._emit(ListeningChanged(channel=self._listening))

    def _on_booth_chat(self, message: dict[str, Any]) -> None:
        sender = str(message["from"])
        text = self._e2ee.open_from(sender, str(message["sealed"]))
        if text is None:
            log.warning("a booth line from %s did not open for us: dropped", sender)
            return
        ts = float(message.get("ts", 0.0))
        self._emit(BoothChatMessage(sender=self._participant(sender), text=text, ts=ts))

    def _on_captions(self, message: dict[str, Any]) -> None:
        self._captions = Captions.from_wire(message)
        self._emit(CaptionsChanged(captions=self._captions))

    def _on_caption(self, message: dict[str, Any]) -> None:
        """A caption line: opened like chat with the captioner's key, then shown as an event."""
        sender = str(message["from"])
        self._caption_seq -= 1  # negative: never a chat id, each caption its own
        opening = self._e2ee.open_chat(sender, self._caption_seq, str(message["sealed"]))
        ts = float(message.get("ts", 0.0))
        self._background_task(self._show_caption(sender, opening, ts))

    async def _show_caption(self, sender: str, opening: Awaitable[Any], ts: float) -> None:
        text = await opening
        if not isinstance(text, str):
            log.warning("a caption line from %s did not open for us: dropped", sender)
            return
        try:
            line = json.loads(text)
            event = CaptionLine(
                speaker=self._participant_or_me(str(line["speaker"])),
                line=int(line["line"]),
                final=bool(line["final"]),
                text=str(line["text"]),
                language=str(line.get("language") or "en"),
                english=line.get("english") if isinstance(line.get("english"), str) else None,
                start=float(line.get("start", 0.0)),
                end=float(line.get("end", 0.0)),
                finals_only=bool(line.get("finals_only", False)),
                ts=ts,
            )
        except (ValueError, KeyError, TypeError):
            log.warning("a caption line from %s is not one: dropped", sender)
            return
        if event.final and self._captions.transcript:
            self._transcript[(event.speaker.id, event.line)] = TranscriptLine(
                event.speaker.name or event.speaker.id,
                event.start,
                event.end,
                event.text,
                event.language,
                event.english,
            )
        self._emit(event)

    def _on_error(self, message: dict[str, Any]) -> None:
        error = FranklyError.from_message(message)
        if error.ref == Msg.INVITE and self._hosts.reply(error):
            return
        if error.code in FATAL_ERRORS:
            error.close_code = FATAL_ERRORS[error.code]
            self._fatal = error  # the close follows; `_serve_and_reconnect` reports it
        else:
            log.warning("the server refused a message: %s", error)
            self._emit(ServerError(error=error))


def _obeyed(me: Participant, action: ModerationAction, *, audio: bool, video: bool) -> Participant:
    """Our record after a host's ``action``, as the server's next `updated` will say."""
    me = replace(me, audio=audio, video=video)
    if action == "make-host":
        return replace(me, role="host")
    if action == "lower-hand":
        return replace(me, hand=None)
    if action == "stop-screen":
        return replace(me, screen=False)
    return me


def _check_language(language: str | None) -> None:
    if language is not None and not re.fullmatch(LANGUAGE_PATTERN, language):
        raise ValueError(f"a language is a tag such as 'en' or 'pt-BR', not {language!r}")


Handler = Callable[[Client, dict[str, Any]], None]
HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        Msg.SIGNAL: Client._on_signal,
        Msg.JOINED: Client._on_joined,
        Msg.UPDATED: Client._on_updated,
        Msg.LEFT: Client._on_left,
        Msg.E2EE: Client._on_e2ee,
        Msg.MODE: Client._on_mode,
        Msg.SFU: Client._on_sfu,
        Msg.SFU_RESET: Client._on_sfu_reset,
        Msg.CHAT: Client._on_chat,
        Msg.KNOCK: lambda client, message: client._hosts.knock(message),
        Msg.KNOCK_DONE: lambda client, message: client._hosts.knock_done(message),
        Msg.SETTINGS: lambda client, message: client._hosts.settings_changed(message),
        Msg.INVITE: lambda client, message: client._hosts.invite(message),
        Msg.REVOKED: lambda client, message: client._hosts.revoked(message),
        Msg.MODERATED: Client._on_moderated,
        Msg.REACTION: Client._on_reaction,
        Msg.MEETING_ENDED: Client._on_meeting_ended,
        Msg.GOING_AWAY: Client._on_going_away,
        Msg.INTERPRETATION: Client._on_interpretation,
        Msg.LISTENING: Client._on_listening,
        Msg.BOOTH_CHAT: Client._on_booth_chat,
        Msg.CAPTIONS: Client._on_captions,
        Msg.CAPTION: Client._on_caption,
        Msg.ICE_SERVERS: Client._on_ice_servers,
        Msg.ERROR: Client._on_error,
    }
)


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
    language: str | None = None,
    relay_only: bool | None = None,
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
        language=language,
        relay_only=relay_only,
    )
    await client.join(timeout=timeout)
    return client
