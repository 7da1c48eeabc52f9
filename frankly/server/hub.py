"""The signaling hub: joins, knocks, leaves, relays and broadcasts for every room.

Runs on one event loop, so room state needs no locks. Each handler takes the
link that sent a message and the validated message; refusals are raised as
ProtocolError and answered by the caller.

A room on the SFU has a router: a `Router` on this loop, or with `--workers N`
a `SpreadRouter` to its parts in SFU worker processes (frankly/cluster/workers.py:
one worker, or several once the room outgrows one), whose answering calls are
awaited; a worker's death moves its rooms (`_sfu_lost`).

A room may hold a dialogue's meeting. The hub does not know dialogues: it
asks `dialogues` (set by the app: the dialogue plane's lookup, in a worker
thread) by room name when a hello comes for a room that is not open, and
the room keeps the answer while it lives. A transcript kept in such a room
goes to `transcripts` (the dialogue plane's store, in a worker thread too).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from frankly import captions as speech
from frankly.captioner.supervisor import Supervisor
from frankly.cluster.link_seal import derive
from frankly.cluster.link_seal import read_secret as read_cluster_secret
from frankly.cluster.placement import Placement
from frankly.cluster.workers import SpreadRouter, WorkerGone, WorkerPool
from frankly.ops.stats import Stats
from frankly.protocol import messages
from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import CAPTIONER_NAME, Msg
from frankly.rooms import DialogueMeeting, KeptLine, Participant, Room, RoomFull, Rooms
from frankly.rooms.interpretation import Interpretation, Refused, changed_choices
from frankly.rooms.room import CAPTIONER, GUEST, HOST
from frankly.server.access import Entry, Gate, own_address
from frankly.server.config import ServerConfig
from frankly.server.link import Link, State
from frankly.server.lobby import Knock, Lobby
from frankly.server.logs import event, room_tag
from frankly.server.meetings import Meetings, meeting_tag, token_hash
from frankly.server.quota import check_new_room
from frankly.server.turn import Turn, TurnSecretError, read_secret, refresh_delay
from frankly.server.turn import ice_server as turn_ice_server
from frankly.sfu.router import Router
from frankly.sfu.transport import MediaServer

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# Negotiation kept for a participant whose socket is away, delivered on resume.
PENDING_SIGNALS = 64

# Which dialogue meeting a room name holds, if any (frankly/api/entry.py answers).
DialogueLookup = Callable[[str], Awaitable[DialogueMeeting | None]]


async def no_dialogues(room: str) -> DialogueMeeting | None:
    """A server without dialogues: no room holds one."""
    return None


# Stores a line of a dialogue meeting's kept transcript: None once stored, else
# why it was not (the transcript is full), for the room to be told.
TranscriptStore = Callable[[KeptLine], Awaitable[str | None]]


async def no_transcripts(line: KeptLine) -> str | None:
    """A server without dialogues keeps no transcript."""
    return "this server keeps no dialogues, so no transcript"


class Hub:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.rooms = Rooms(config.max_participants)
        self.links: dict[str, Link] = {}  # participant id -> its current socket
        self._expiry: dict[str, asyncio.TimerHandle] = {}
        # TURN credentials (turn.py): each participant's next ones are due on a timer.
        self.turn = _turn(config)
        self._turn_refresh: dict[str, asyncio.TimerHandle] = {}
        self._pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.media: MediaServer | None = None
        # With --workers N the routers run in worker processes: proxies here.
        self.workers: WorkerPool | None = None
        self.routers: dict[str, Router | SpreadRouter] = {}  # room name -> its SFU router
        self.gate = Gate(config)
        self.stats = Stats()  # what /metrics reads (frankly/ops/)
        self.lobby = Lobby(config.lobby_size, config.lobby_total, config.lobby_per_address)
        # A meeting interrupted by a restart may continue while its people
        # come back, which they do within the grace period.
        self.meetings = Meetings(config.data_dir, time.monotonic(), config.grace)
        # Rooms whose hosts may still come back after a restart: when to stop waiting.
        self._promotions: dict[str, tuple[Room, asyncio.TimerHandle]] = {}
        self.dialogues: DialogueLookup = no_dialogues
        self.transcripts: TranscriptStore = no_transcripts
        # Live captions: one captioner process per captioned room (frankly/captioner/).
        self.captions = Supervisor(
            tell=lambda name, message: self._tell_room(name, message),
            crashed=self._captioner_gone,
            invite=self._captioner_invite,
            cache=(config.data_dir or Path(tempfile.gettempdir()) / "frankly") / "captions",
        )
        self.captions_missing: Callable[[], str | None] = speech.missing
        # SIGTERM came (server/drain.py): no new rooms; readiness checks read this too.
        self.draining = False
        # With --redis: the other nodes (frankly/cluster/); set by the app before start.
        self.cluster: Placement | None = None

    async def start(self) -> None:
        """Open the SFU's UDP port and its TCP twin, or start the SFU's workers on theirs."""
        config = self.config
        if config.workers > 0:
            self.workers = WorkerPool(
                config.workers,
                _worker_settings(config),
                self._sfu_lost,
                config.spread_at,
                config.data_dir,
            )
            await self.workers.start()
            return
        self.media = MediaServer(
            config.media_host,
            config.public_ip,
            udp=config.media_udp,
            tcp_port=config.media_tcp_port,
            tcp_total=config.media_tcp_connections,
            tcp_per_address=config.media_tcp_per_address,
            tcp_deadline=config.media_tcp_deadline,
        )
        await self.media.start(config.media_port)

    def stop(self) -> None:
        self.captions.close()
        self.gate.hasher.stop()
        for router in self.routers.values():
            router.stop()
        self.routers.clear()
        if self.media is not None:
            self.media.stop()
        if self.workers is not None:
            self.workers.stop()

    async def stopped(self) -> None:
        """After `stop`: once the SFU's worker processes, if any, have exited."""
        if self.workers is not None:
            await self.workers.aclose()

    def media_open(self) -> bool:
        """Whether the SFU can take media: its port, or a worker's, is open (readiness)."""
        media = self.media if self.media is not None else self.workers
        return media is not None and bool(media.port)

    def media_dropped(self) -> Counter[str]:
        """Datagrams the SFU's media ports dropped, by reason (metrics)."""
        media = self.media if self.media is not None else self.workers
        return media.dropped if media is not None else Counter()

    # --- handlers, one per message type ------------------------------------

    async def hello(self, link: Link, msg: messages.Hello) -> None:
        self._check_hello(link, msg)
        if self.cluster is None:
            self._refuse_if_draining(msg)
        now = asyncio.get_running_loop().time()
        self.gate.pace(link.address, now)
        # In a cluster, after the pace (each asks Redis): a draining node's new rooms go elsewhere.
        if self.cluster is not None and msg.room not in self.rooms.rooms:
            if await self._elsewhere(link, msg):
                return
            self._refuse_if_draining(msg)  # no node that does not drain
        check_new_room(
            self.rooms, msg.room, link.address, self.config.rooms_per_address, self.config.max_rooms
        )
        participant = self._resume(link, msg) if msg.resume else None
        if participant is not None:  # let in once already: no checks again
            self._enter(link, self.rooms.rooms[msg.room], participant, resumed=True)
            return
        dialogue = await self._dialogue_of(msg.room)
        if link.state is not State.CONNECTED:
            return  # it went away while the dialogue plane was asked
        role = self.meetings.returning_role(msg.room, msg.resume, time.monotonic())
        if role is not None:  # back after a restart: let in before it, so no checks
            back_at = time.monotonic()
            side = self.meetings.returning_side(msg.room, msg.resume, back_at)
            member = self.meetings.returning_member(msg.room, msg.resume, back_at)
            if dialogue is not None and member is not None and member in dialogue.removed:
                what = "you are no longer a member of this dialogue"
                raise ProtocolError(Code.INVITE_REVOKED, what, Msg.HELLO)
            entry = Entry(name=msg.name, role=role, invited=True, side=side, member=member)
            self.join(link, msg, entry, dialogue)
            return
        room = self.rooms.rooms.get(msg.room)
        interrupted = None
        if room is None:
            interrupted = self.meetings.interrupted(msg.room, time.monotonic())
        entry = await self.gate.entry(msg, room, interrupted, link.address, now, dialogue)
        if link.state is not State.CONNECTED:
            return  # it went away while its password was checked
        if self.rooms.rooms.get(msg.room) is not room:
            what = "the meeting changed while your password was checked; try again"
            raise ProtocolError(Code.BUSY, what, Msg.HELLO, Close.TRY_AGAIN_LATER)
        if self._must_knock(link, room, msg, entry, dialogue):
            self._knock(link, room, msg, entry)
        else:
            self.join(link, msg, entry, dialogue)

    def _refuse_if_draining(self, msg: messages.Hello) -> None:
        if self.draining and msg.room not in self.rooms.rooms:
            what = "the server is restarting and opens no new meeting; try again in a moment"
            raise ProtocolError(Code.DRAINING, what, Msg.HELLO, Close.TRY_AGAIN_LATER)

    async def _elsewhere(self, link: Link, msg: messages.Hello) -> bool:
        """In a cluster: send a hello for a room that another node holds (or was
        chosen for) there; whether it was sent. A room whose node died is
        taken over here, its meeting continued as after a restart."""
        assert self.cluster is not None
        placed = await self.cluster.place(msg.room)
        if link.state is not State.CONNECTED:
            return True  # it went away while Redis was asked
        if msg.room in self.rooms.rooms:
            return False  # opened here meanwhile
        if placed.redirect is not None:
            event("redirected", room=room_tag(msg.room), to=placed.redirect)
            link.send(messages.redirect(placed.redirect, msg.room))
            link.close(Close.TRY_AGAIN_LATER)
            return True
        if placed.record is not None:
            self.meetings.adopt(msg.room, placed.record, time.monotonic())
        return False

    def update(self, link: Link, msg: messages.Update) -> None:
        room, me = self.joined(link, Msg.UPDATE)
        if msg.screen and me.role == GUEST:
            raise ProtocolError(Code.NOT_ALLOWED, "guests cannot share their screen", Msg.UPDATE)
        if "language" in msg.model_fields_set:
            me.language = msg.language
        if msg.audio is not None:
            me.audio = msg.audio
        if msg.video is not None:
            me.video = msg.video
        if msg.screen is not None:
            me.screen, me.screen_stream = msg.screen, msg.screen_stream
            router = self.routers.get(room.name)
            if router is not None:
                # Before the publish offer that carries it (the socket is in order).
                router.set_screen_stream(me.id, me.screen_stream if me.screen else None)
        self.broadcast(room, messages.updated(me.public()), skip=me.id)

    def signal(self, link: Link, msg: messages.Signal | messages.E2ee) -> None:
        """Relay to one peer as it came, `to` becoming `from`."""
        room, me = self.joined(link, msg.type)
        peer = room.participants.get(msg.to)
        if peer is None and room.has_left(msg.to):
            # It crossed their leave on the way: the sender did nothing wrong,
            # so it does not count towards the errors that close a connection.
            what = f"participant {msg.to!r} has left this room"
            raise ProtocolError(Code.UNKNOWN_PEER, what, msg.type, counts=False)
        if peer is None or peer is me:
            what = f"no other participant {msg.to!r} in this room"
            raise ProtocolError(Code.UNKNOWN_PEER, what, msg.type)
        relayed = msg.model_dump(exclude={"to"}, exclude_unset=True)
        relayed["from"] = me.id
        self.send_to(peer.id, relayed)

    def chat(self, link: Link, msg: messages.Chat) -> None:
        room, me = self.joined(link, Msg.CHAT)
        body = {"sealed": msg.sealed} if msg.sealed is not None else {"text": msg.text or ""}
        message = messages.chat(room.next_chat_id(), me.id, me.name, body, time.time())
        room.keep_chat(message, len(messages.dump(message)))
        self.broadcast(room, message)

    async def sfu(self, link: Link, msg: messages.Sfu) -> None:
        room, me = self.joined(link, Msg.SFU)
        router = self.routers.get(room.name)
        if router is None:
            raise ProtocolError(
                Code.WRONG_MODE, "this room is peer to peer, not on the SFU", Msg.SFU
            )
        kind = msg.description.type
        try:
            if msg.pc == "publish" and kind == "offer":
                answer = await _settled(router.publish(me.id, msg.description.sdp))
                link.send(messages.sfu("publish", "answer", answer))
            elif msg.pc == "subscribe" and kind == "answer":
                await _settled(router.subscriber_answer(me.id, msg.description.sdp))
            else:
                what = "sfu: publish takes an offer and subscribe an answer"
                raise ProtocolError(Code.INVALID_MESSAGE, what, Msg.SFU)
        except WorkerGone:
            return  # its worker died meanwhile: `sfu-reset` follows, and a new negotiation
        except ValueError as exc:
            raise ProtocolError(Code.BAD_SDP, f"sfu {msg.pc}: {exc}", Msg.SFU) from None

    def sfu_restart(self, link: Link, msg: messages.SfuRestart) -> None:
        room, me = self.joined(link, Msg.SFU_RESTART)
        router = self.routers.get(room.name)
        if router is None:
            what = "this room is peer to peer, not on the SFU"
            raise ProtocolError(Code.WRONG_MODE, what, Msg.SFU_RESTART)
        router.restart_subscriber(me.id)

    def view(self, link: Link, msg: messages.View) -> None:
        room, me = self.joined(link, Msg.VIEW)
        router = self.routers.get(room.name)
        if router is not None:
            router.set_view(me.id, msg.id, msg.height)

    def hand(self, link: Link, msg: messages.Hand) -> None:
        room, me = self.joined(link, Msg.HAND)
        if msg.up:
            room.raise_hand(me)
        else:
            me.hand = None
        self.updated(room, me)

    def react(self, link: Link, msg: messages.React) -> None:
        room, me = self.joined(link, Msg.REACT)
        if not link.reactions.take(asyncio.get_running_loop().time()):
            # Not counted as an error: an eager clicker is not misbehaving.
            limit = f"{self.config.reaction_rate:g} reactions a second"
            link.send(messages.error(Code.RATE_LIMITED, f"over {limit}; dropped", Msg.REACT))
            return
        self.broadcast(room, messages.reaction(me.id, msg.emoji))

    def ping(self, link: Link, msg: messages.Ping) -> None:
        link.send(messages.pong(msg.n))

    def leave(self, link: Link, msg: messages.Leave) -> None:
        room, me = self.joined(link, Msg.LEAVE)
        self._forget(room, me, "left")
        link.close(Close.NORMAL)

    # --- socket lifecycle ----------------------------------------------------

    def detach(self, link: Link) -> None:
        """The socket closed. Keep its participant for the grace period."""
        if link.knock is not None:
            self._knock_over(link.knock, "left")
            return
        me, room = link.participant, link.room
        if me is None or room is None or self.links.get(me.id) is not link:
            return  # never joined, already left, or replaced by a resume
        del self.links[me.id]
        me.connected = False
        self.broadcast(room, messages.updated(me.public()), skip=me.id)
        loop = asyncio.get_running_loop()
        self._expiry[me.id] = loop.call_later(self.config.grace, self._expire, room, me)

    def drain(self, seconds: float) -> None:
        """The server stops within `seconds`: open no new room, and tell everyone."""
        self.draining = True
        message = messages.going_away(seconds)
        for name in self.rooms.rooms:
            for knock in self.lobby.waiting(name):
                knock.link.send(message)
        for link in self.links.values():
            link.send(message)

    def keep_meetings(self) -> None:
        """Write every open meeting's record, for the process that comes next."""
        for room in self.rooms.rooms.values():
            self.save(room)

    def drop(self, participant_id: str, code: int = 1012) -> None:
        """Close a participant's socket as a restarting server would (tests, ops)."""
        link = self.links.get(participant_id)
        if link is not None:
            link.close(code)

    # --- delivery ------------------------------------------------------------

    def send_to(self, participant_id: str, message: dict[str, Any]) -> None:
        link = self.links.get(participant_id)
        if link is not None:
            link.send(message)
        elif message["type"] in (Msg.SIGNAL, Msg.SFU, Msg.SFU_RESET, Msg.E2EE):
            pending = self._pending[participant_id]
            if len(pending) < PENDING_SIGNALS:
                pending.append(message)

    def broadcast(self, room: Room, message: dict[str, Any], skip: str | None = None) -> None:
        for pid in room.participants:
            if pid != skip and pid in self.links:
                self.links[pid].send(message)

    def to_hosts(self, room_name: str, message: dict[str, Any]) -> None:
        room = self.rooms.rooms.get(room_name)
        for host in room.hosts() if room else []:
            self.send_to(host.id, message)

    def updated(self, room: Room, participant: Participant) -> None:
        """Everyone, the participant too: a change it did not make itself."""
        self.broadcast(room, messages.updated(participant.public()))

    def save(self, room: Room) -> None:
        """Keep what a restart must not lose of this meeting (server/meetings.py)."""
        self.meetings.save(room)

    # --- hosts' decisions ----------------------------------------------------

    def admit(self, room: Room, knock: Knock) -> None:
        room.unban(knock.hello.device, own_address(knock.link.address))
        self.save(room)
        self._knock_over(knock, "admitted")
        try:
            self.join(knock.link, knock.hello, knock.entry)
        except ProtocolError as err:  # the room filled up while they waited
            knock.link.refuse(err)

    def deny(self, room: Room, knock: Knock) -> None:
        room.ban(knock.hello.device, own_address(knock.link.address))
        self.save(room)
        self._knock_over(knock, "denied")
        knock.link.refuse(ProtocolError(Code.DENIED, "a host did not let you in", Msg.HELLO))

    def remove(self, room: Room, target: Participant) -> None:
        room.ban(target.device, target.address)
        link = self.links.get(target.id)
        if link is not None:
            link.refuse(ProtocolError(Code.REMOVED, "a host removed you from the meeting"))
        self._forget(room, target, "removed")

    def dialogue_member_removed(self, dialogue: str, member: str) -> None:
        """Removed from the dialogue (by their lead, or leaving it): out of its meetings now."""
        for room in list(self.rooms.rooms.values()):
            if room.dialogue is None or room.dialogue.dialogue != dialogue:
                continue
            for target in [p for p in room.participants.values() if p.member == member]:
                link = self.links.get(target.id)
                if link is not None:
                    what = "you are no longer a member of this dialogue"
                    link.refuse(ProtocolError(Code.REMOVED, what))
                self._forget(room, target, "removed")

    def _keep_a_host(self, room: Room) -> None:
        """Promote someone if no host is in, unless a host of a meeting continued
        after a restart may still come back: then not before their window closes."""
        wait = self.meetings.host_awaited(room.name, time.monotonic())
        if wait > 0:
            pending = self._promotions.get(room.name)
            if pending is None or pending[0] is not room:  # not a room of that name before
                later = asyncio.get_running_loop().call_later(wait, self._promote_late, room)
                self._promotions[room.name] = (room, later)
            return
        new_host = room.ensure_host()
        if new_host is not None:
            self.make_host(room, new_host)

    def _promote_late(self, room: Room) -> None:
        """The window for hosts to come back closed: if none did, someone is made host."""
        self._promotions.pop(room.name, None)
        if self.rooms.rooms.get(room.name) is room and not room.empty:
            self._keep_a_host(room)
            self.save(room)

    def make_host(self, room: Room, participant: Participant) -> None:
        participant.role = HOST
        self.updated(room, participant)
        self.save(room)
        for knock in self.lobby.waiting(room.name):  # what earlier hosts already see
            self.send_to(participant.id, _knock_message(knock))

    def end(self, room: Room, by: Participant) -> None:
        """Close every socket of the meeting, waiting ones too, and forget it."""
        self.captions.stop(room.name, announce=False)
        event("ended", room=room_tag(room.name), by=by.id, participants=len(room.participants))
        ended = messages.ended(by.id)
        links = [knock.link for knock in self.lobby.clear(room.name)]
        for knock_link in links:
            knock_link.knock = None
        for pid in list(room.participants):
            links.extend(self._let_go(pid))
        for link in links:
            link.send(ended)
            link.close(Close.ENDED)
        room.participants.clear()
        self._stop_router(room)
        self.meetings.close(room)
        self.rooms.discard(room)

    # --- live captions (the handlers are in server/captions.py) ---------------

    def captions_on(self, room: Room, transcript: bool) -> None:
        """Start the room's captioner (frankly/captioner/); it joins like anyone."""
        self.captions.start(room.name, transcript, meeting=room.dialogue is not None)

    def captions_off(self, room: Room) -> None:
        """The captioner leaves now: the SFU forwards it nothing from this moment."""
        pid = self.captions.stop(room.name)
        captioner = room.participants.get(pid) if pid is not None else None
        if captioner is not None:
            for link in self._let_go(captioner.id):
                link.close(Close.NORMAL)
            self._forget(room, captioner, "left")

    def _captioner_gone(self, room_name: str, pid: str) -> None:
        """Its process died: its participant goes now, not after the grace period."""
        room = self.rooms.rooms.get(room_name)
        captioner = room.participants.get(pid) if room is not None else None
        if room is not None and captioner is not None:
            self._forget(room, captioner, "disconnected")

    def _captioner_invite(self, room_name: str) -> str:
        """An invite only the server makes: role captioner, for this meeting."""
        room = self.rooms.rooms.get(room_name)
        meeting = room.meeting if room is not None else None
        dialogue = room.dialogue.dialogue if room is not None and room.dialogue else None
        token, _, _ = self.gate.invites.make(
            room_name, CAPTIONER, 3600, name=CAPTIONER_NAME, meeting=meeting, dialogue=dialogue
        )
        return token

    def _tell_room(self, room_name: str, message: dict[str, Any]) -> None:
        room = self.rooms.rooms.get(room_name)
        if room is not None:
            self.broadcast(room, message)

    # --- interpretation (the handlers are in server/interpretation.py) -------

    def interpretation_changed(self, room: Room, before: Mapping[str, str]) -> None:
        """Route the SFU as the room's interpretation now says, then tell the room.

        A room with an interpreter runs on the SFU, even at two: only the SFU
        can send each listener the floor and just the channel it chose.
        Whoever's choice of channel changed by itself (its language went) is
        told with `listening`.
        """
        interp = room.interpretation
        if interp.active:
            self.to_sfu(room)
        self.route_interpretation(room)
        self.broadcast(room, messages.interpretation(interp.public()))
        for pid in changed_choices(before, interp.listening, room.participants):
            self.send_to(pid, messages.listening(interp.channel_of(pid)))
        self.save(room)  # who interprets what outlives a restart

    def route_interpretation(self, room: Room) -> None:
        router = self.routers.get(room.name)
        if router is not None:
            self._route(router, room.interpretation)

    def to_sfu(self, room: Room) -> None:
        """Move a peer-to-peer room to the SFU now, as a third person would."""
        if room.mode == "sfu" or room.empty:
            return
        room.mode = "sfu"
        self.broadcast(room, messages.mode("sfu"))
        self._enter_sfu(room, next(iter(room.participants.values())), was_p2p=True)

    def _route(self, router: Router | SpreadRouter, interp: Interpretation) -> None:
        for pid in set(router.channel_tracks) | set(interp.tracks):
            router.set_channel_track(pid, interp.tracks.get(pid))
        router.set_interpretation(interp.feeds(), interp.listening)

    def _interpreter_entry(
        self, room: Room, participant: Participant, entry: Entry, resume: str | None
    ) -> bool:
        """An invite made its holder an interpreter, or they were one before a restart:
        into their booth, and the room onto the SFU."""
        pair = entry.interprets
        if resume is not None and room.interpretation.returning:
            pair = room.interpretation.returning.pop(token_hash(resume), None) or pair
        if pair is None or participant.role == GUEST:
            return False
        try:
            room.interpretation.assign(participant.id, pair)
        except Refused as refused:  # let in all the same, as a participant
            log.info("invited interpreter %s joins without the role: %s", participant.id, refused)
            return False
        room.mode = "sfu"
        return True

    # --- helpers -------------------------------------------------------------

    def joined(self, link: Link, ref: Msg) -> tuple[Room, Participant]:
        if link.state is State.WAITING:
            raise ProtocolError(
                Code.NOT_JOINED, "you are in the lobby until a host lets you in", ref
            )
        if link.room is None or link.participant is None:
            raise ProtocolError(Code.NOT_JOINED, "send 'hello' first", ref)
        return link.room, link.participant

    def join(
        self,
        link: Link,
        msg: messages.Hello,
        entry: Entry,
        dialogue: DialogueMeeting | None = None,
    ) -> None:
        """Let in; `dialogue` is what the room holds, for a room this join opens."""
        room = self._open(msg, entry, dialogue)
        was_p2p = room.mode == "p2p"
        participant = self._admit(room, msg, entry, own_address(link.address), was_p2p)
        room.passphrase |= participant.is_host and msg.passphrase
        self._enter(link, room, participant, resumed=False, was_p2p=was_p2p)
        if msg.resume is not None:
            self.meetings.came_back(room.name, msg.resume)
        self._keep_a_host(room)  # a meeting continued after a restart, its hosts not back
        self.save(room)

    def _open(self, msg: messages.Hello, entry: Entry, dialogue: DialogueMeeting | None) -> Room:
        """The live room, or a new one: which meeting it holds, Meetings decides."""
        room = self.rooms.rooms.get(msg.room)
        if room is None:
            room = self.rooms.get_or_create(msg.room)
            room.dialogue = dialogue
            self.meetings.open(room, msg.resume, entry.meeting, time.monotonic())
        return room

    async def _dialogue_of(self, name: str) -> DialogueMeeting | None:
        """What a room of this name holds. An open room that holds no dialogue's meeting
        knows; for any other the dialogue plane is asked, again at each hello, so that
        representatives appointed while the meeting runs count from then on."""
        room = self.rooms.rooms.get(name)
        if room is not None and room.dialogue is None:
            return None
        try:
            found = await self.dialogues(name)
        except Exception:
            # Nobody is let in on a guess: a dialogue's room might admit no stranger.
            log.exception("asking the dialogue plane about room %s failed", room_tag(name))
            what = "the server could not look this meeting up; try again"
            raise ProtocolError(Code.BUSY, what, Msg.HELLO, Close.TRY_AGAIN_LATER) from None
        room = self.rooms.rooms.get(name)
        if room is not None and found is not None:
            room.dialogue = found  # what the dialogue says now
        return found

    def _must_knock(
        self,
        link: Link,
        room: Room | None,
        msg: messages.Hello,
        entry: Entry,
        dialogue: DialogueMeeting | None,
    ) -> bool:
        if room is None:  # a new room: its creator walks in, unless the dialogue says who
            return dialogue is not None and not entry.invited
        return room.must_knock(msg.device, own_address(link.address), entry.invited)

    def _check_hello(self, link: Link, msg: messages.Hello) -> None:
        if link.state is State.JOINED:
            raise ProtocolError(
                Code.ALREADY_JOINED, "this connection has joined already", Msg.HELLO
            )
        if link.state is State.WAITING:
            raise ProtocolError(Code.NOT_JOINED, "you are in the lobby already", Msg.HELLO)
        if msg.version != messages.PROTOCOL_VERSION:
            raise ProtocolError(
                Code.UNSUPPORTED_VERSION,
                f"protocol version {msg.version} is not supported; "
                f"this server speaks {messages.PROTOCOL_VERSION}",
                Msg.HELLO,
            )
        if not messages.room_name_ok(msg.room):
            raise ProtocolError(
                Code.INVALID_ROOM,
                "a room name is 1 to 64 letters, digits, '-' or '_'",
                Msg.HELLO,
            )

    def _enter(
        self, link: Link, room: Room, participant: Participant, resumed: bool, was_p2p: bool = False
    ) -> None:
        self._attach(link, room, participant)
        link.send(self._welcome(room, participant, resumed))
        self.stats.joins["resumed" if resumed else "new"] += 1
        event(
            "joined",
            room=room_tag(room.name),
            participant=participant.id,
            role=participant.role,
            mode=room.mode,
            resumed=resumed,
        )
        self._refresh_turn_later(participant.id)
        if resumed:
            for pending in self._pending.pop(participant.id, []):
                link.send(pending)
        elif room.mode == "sfu":
            self._enter_sfu(room, participant, was_p2p)

    def _knock(self, link: Link, room: Room | None, msg: messages.Hello, entry: Entry) -> None:
        """Wait in the lobby: at a live room, or at a dialogue's room nobody has opened yet
        (the lobby is kept by name; the first host to come in sees who waits)."""
        returning = room is not None and room.is_banned(msg.device, own_address(link.address))
        knock = self.lobby.add(link, msg, entry, returning, own_address(link.address))
        link.state, link.knock = State.WAITING, knock
        link.send(messages.lobby_waiting(msg.room, room is not None and room.locked))
        self.to_hosts(msg.room, _knock_message(knock))

    def _knock_over(self, knock: Knock, outcome: Literal["admitted", "denied", "left"]) -> None:
        knock.link.knock = None
        knock.link.state = State.CONNECTED
        if self.lobby.pop(knock.room, knock.id) is not None:
            self.to_hosts(knock.room, messages.knock_done(knock.id, outcome))

    def _resume(self, link: Link, msg: messages.Hello) -> Participant | None:
        assert msg.resume is not None
        participant = self.rooms.find_resume(msg.room, msg.resume)
        if participant is None:
            return None
        timer = self._expiry.pop(participant.id, None)
        if timer is not None:
            timer.cancel()
        old = self.links.pop(participant.id, None)
        if old is not None:  # the client gave up on a socket we still thought alive
            old.participant = None
            old.close(Close.REPLACED)
        return participant

    def _admit(
        self, room: Room, msg: messages.Hello, entry: Entry, address: str | None, was_p2p: bool
    ) -> Participant:
        if entry.role == CAPTIONER and not self.captions.wanted(room.name):
            what = "captions are off in this room: no captioner is wanted"
            raise ProtocolError(Code.NOT_ALLOWED, what, Msg.HELLO, Close.NOT_ALLOWED_IN)
        try:
            participant = room.add(
                entry.name,
                msg.audio,
                msg.video,
                entry.role,
                msg.device,
                address,
                room.continued,
                side=entry.side,
            )
            participant.language = msg.language
            participant.member = entry.member
        except RoomFull:
            if room.empty:
                self.meetings.close(room)
            self.rooms.discard_if_empty(room)
            raise ProtocolError(
                Code.ROOM_FULL,
                f"room {room.name!r} is full ({room.max_participants} participants)",
                Msg.HELLO,
            ) from None
        interprets = self._interpreter_entry(room, participant, entry, msg.resume)
        captioner = participant.role == CAPTIONER
        if captioner:  # it hears everyone through the SFU, even at two
            room.mode = "sfu"
        if was_p2p and room.mode == "sfu":  # before 'joined', so nobody dials the newcomer
            self.broadcast(room, messages.mode("sfu"), skip=participant.id)
        self.broadcast(room, messages.joined(participant.public()))
        if captioner:  # the state names it: after everyone knows who it is
            self.captions.joined(room.name, participant.id)
        if interprets:
            self.interpretation_changed(room, room.interpretation.listening)
        return participant

    def _attach(self, link: Link, room: Room, participant: Participant) -> None:
        link.state = State.JOINED
        link.room, link.participant = room, participant
        self.links[participant.id] = link
        if not participant.connected:
            participant.connected = True
            self.broadcast(room, messages.updated(participant.public()), skip=participant.id)

    def _welcome(self, room: Room, me: Participant, resumed: bool) -> dict[str, Any]:
        # Who waits in the lobby is for hosts to know.
        knocks = [knock.public() for knock in self.lobby.waiting(room.name)]
        return messages.welcome(
            room=room.name,
            you=me.public(),
            resume=me.resume,
            resumed=resumed,
            participants=[p.public() for p in room.others(me.id)],
            settings=room.settings(),
            chat=list(room.chat),
            mode=room.mode,
            max_participants=room.max_participants,
            ice_servers=self._ice_servers(me.id),
            relay_only=self.config.relay_only,
            ping_interval=self.config.ping_interval,
            timeout=self.config.timeout,
            knocks=knocks if me.is_host else None,
            interpretation=room.interpretation.public(),
            listening=room.interpretation.channel_of(me.id),
            captions=self.captions.state(room.name),
            meeting=meeting_tag(room.meeting) if room.meeting else None,
            nodes=self.cluster.urls() if self.cluster is not None else None,
        )

    def _enter_sfu(self, room: Room, me: Participant, was_p2p: bool) -> None:
        """The room is on the SFU: subscribe the newcomer (and, on the move, everyone)."""
        router = self.routers.get(room.name)
        if router is None:
            router = self._new_router(room)
            event("to-sfu", room=room_tag(room.name), participants=len(room.participants))
        if me.role == CAPTIONER:  # before its subscription is offered
            router.audio_only.add(me.id)
        if was_p2p:
            for pid in room.participants:
                router.subscribe_all(pid)
        else:
            router.subscribe_all(me.id)

    def _new_router(self, room: Room) -> Router | SpreadRouter:
        """The room's router: here, or on the least loaded worker (--workers)."""

        def send_offer(pid: str, sdp: str) -> None:
            self.send_to(pid, messages.sfu("subscribe", "offer", sdp))

        def on_speaker(pid: str) -> None:
            self.broadcast(room, messages.speaker(pid))

        router: Router | SpreadRouter
        if self.workers is not None:
            router = self.workers.place(room.name, send_offer, on_speaker)
        elif self.media is not None:
            router = Router(self.media, send_offer=send_offer, on_speaker=on_speaker)
            router.start()
        else:
            raise RuntimeError("the SFU's media port is not open")
        self.routers[room.name] = router
        for p in room.participants.values():
            if p.screen and p.screen_stream:
                router.set_screen_stream(p.id, p.screen_stream)
        self._route(router, room.interpretation)
        return router

    def _sfu_lost(self, names: list[str]) -> None:
        """A worker died with these rooms' routers: each moves to a live worker, and its
        people are told `sfu-reset` (their SFU connections are gone with the worker),
        make new ones and are offered everyone again (docs/scaling.md)."""
        for name in names:
            old = self.routers.pop(name, None)
            if old is not None:
                old.stop()  # its parts on other workers too: the room starts afresh
                self.stats.retire(old)
            room = self.rooms.rooms.get(name)
            if room is None or room.mode != "sfu" or room.empty:
                continue
            router = self._new_router(room)
            event("sfu-moved", room=room_tag(name), participants=len(room.participants))
            for p in room.participants.values():
                self.send_to(p.id, messages.sfu_reset())
                if p.role == CAPTIONER:
                    router.audio_only.add(p.id)
                router.subscribe_all(p.id)

    def _expire(self, room: Room, me: Participant) -> None:
        self._expiry.pop(me.id, None)
        if me.id not in self.links and room.participants.get(me.id) is me:
            self._forget(room, me, "disconnected")

    def _forget(
        self, room: Room, me: Participant, reason: Literal["left", "disconnected", "removed"]
    ) -> None:
        self._let_go(me.id)
        room.remove(me.id)
        event("left", room=room_tag(room.name), participant=me.id, reason=reason)
        self.broadcast(room, messages.left(me.id, reason))
        router = self.routers.get(room.name)
        if router is not None:
            router.remove(me.id)
        before = dict(room.interpretation.listening)
        if room.interpretation.forget(me.id) and not room.empty:  # an interpreter left
            self.interpretation_changed(room, before)
        if room.only_captioners:  # nobody left to caption for
            self.captions_off(room)
            return
        if room.empty:  # the meeting is over, and its invites with it
            self.captions.stop(room.name, announce=False)
            self._stop_router(room)
            self.meetings.close(room)
            self.rooms.discard_if_empty(room)
            return
        if me.is_host:
            self._keep_a_host(room)
        self.save(room)

    def _let_go(self, participant_id: str) -> list[Link]:
        """Drop what the hub holds for a participant; return its socket, if any."""
        for timers in (self._expiry, self._turn_refresh):
            timer = timers.pop(participant_id, None)
            if timer is not None:
                timer.cancel()
        self._pending.pop(participant_id, None)
        link = self.links.pop(participant_id, None)
        return [link] if link is not None else []

    # --- TURN credentials ------------------------------------------------------

    def _ice_servers(self, participant_id: str) -> list[dict[str, Any]]:
        """The configured ICE servers, and TURN with credentials of this participant's own."""
        servers = list(self.config.ice_servers)
        if self.turn is not None:
            servers.append(turn_ice_server(self.turn, participant_id, time.time()))
        return servers

    def _refresh_turn_later(self, participant_id: str) -> None:
        """Send fresh credentials before these run out (a resume's welcome restarts the wait)."""
        if self.turn is None:
            return
        old = self._turn_refresh.pop(participant_id, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        delay = refresh_delay(self.turn.ttl)
        self._turn_refresh[participant_id] = loop.call_later(
            delay, self._refresh_turn, participant_id
        )

    def _refresh_turn(self, participant_id: str) -> None:
        self._turn_refresh.pop(participant_id, None)
        # Away within the grace period: the welcome of a resume brings fresh ones.
        link = self.links.get(participant_id)
        if link is None:
            return
        link.send(messages.ice_servers(self._ice_servers(participant_id)))
        self._refresh_turn_later(participant_id)

    def _stop_router(self, room: Room) -> None:
        router = self.routers.pop(room.name, None)
        if router is not None:
            router.stop()
            self.stats.retire(router)  # its counts stay in the totals


async def _settled(value: _T | Awaitable[_T]) -> _T:
    """A router's answer: at once from one in this process, awaited from a worker's."""
    if inspect.isawaitable(value):
        return await value
    return value


def _worker_settings(config: ServerConfig) -> dict[str, Any]:
    """What each SFU worker opens its media ports with (cluster/worker_process.py)."""
    return {
        "host": config.media_host,
        "public_ip": config.public_ip,
        "udp": config.media_udp,
        "port": config.media_port,
        "tcp_port": config.media_tcp_port,
        "tcp_total": config.media_tcp_connections,
        "tcp_per_address": config.media_tcp_per_address,
        "tcp_deadline": config.media_tcp_deadline,
        "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel()),
        **_relay_settings(config),
    }


def _relay_settings(config: ServerConfig) -> dict[str, Any]:
    """With a cluster secret: each worker's sealed UDP relay, for other nodes' parts of
    its rooms (frankly/sfu/relay.py), under a key of the secret's."""
    if config.cluster_secret_file is None:
        return {}
    key = derive(read_cluster_secret(config.cluster_secret_file), "relay")
    # Bound to one address, not a wildcard: the relay's sender check compares the address
    # a datagram came from with the one its origin said.
    host = config.relay_host or "127.0.0.1"
    return {"relay_udp": [host, config.relay_port], "relay_key": key.hex()}


def _turn(config: ServerConfig) -> Turn | None:
    """The TURN servers to hand out, with the secret read from its file (TurnSecretError)."""
    if not config.turn_urls:
        return None
    if config.turn_secret_file is None:
        raise TurnSecretError("TURN URLs were given without the file of coturn's secret")
    return Turn(config.turn_urls, read_secret(config.turn_secret_file), config.turn_ttl)


def _knock_message(knock: Knock) -> dict[str, Any]:
    return messages.knock(knock.id, knock.entry.name, knock.returning)
