"""Room state: who is in a room, what they share, what was said.

Pure state, no I/O and no clock of its own: callers pass `now`, so tests
drive time by hand. The server's connection handler is the only writer.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from frankly.rooms.interpretation import Interpretation

CHAT_HISTORY = 100
# And at most this many bytes of it (as sent), so that a room's history, and
# with it the welcome that carries it, stays well inside a client's frame
# limit (1 MiB): 100 sealed messages of the largest size would be 2.2 MB.
CHAT_HISTORY_BYTES = 512 * 1024
# How many of those who left a room it remembers (see Room.has_left).
LEFT_REMEMBERED = 64
# Up to this many participants talk peer to peer; from one more, the SFU.
P2P_LIMIT = 2
HOST = "host"
GUEST = "guest"
CAPTIONER = "captioner"  # the server's own captioner (frankly/captioner/)


@dataclass(frozen=True)
class DialogueMeeting:
    """The dialogue meeting a room holds, as the dialogue plane last said (asked at each hello).

    Such a room takes its people and their roles from the dialogue: only the
    invites the dialogue gave (for `dialogue`) let anyone straight in, and
    nobody is made host just for being first. With appointed `representatives`
    nobody else may even wait in the lobby.
    """

    dialogue: str  # the dialogue's id, as its invites name it
    representatives: bool
    # Members removed from the dialogue: an invite made for one of them opens nothing.
    removed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class KeptLine:
    """A final caption line for the transcript a dialogue meeting keeps (server/captions.py).

    The speaker's name and side are the room's record of them; the times are
    instants (seconds since the epoch) the server worked out from when its
    captioner joined.
    """

    room: str
    captioner: str  # the captioner's participant id: one run of it
    speaker: str
    segment: int  # the captioner's number of this line of the speaker's
    name: str
    side: str | None
    language: str
    start: float
    end: float
    text: str
    english: str | None


class RoomFull(Exception):
    """The room already holds its maximum number of participants."""


@dataclass
class Participant:
    id: str
    name: str
    audio: bool
    video: bool
    # A secret that lets a reconnecting client take this participant over.
    resume: str
    connected: bool = True
    role: str = "participant"  # "host" | "participant" | "guest" | "captioner"
    hand: int | None = None  # when the hand went up, in the room's order; None: down
    screen: bool = False
    screen_stream: str | None = None
    # How to recognise this person if a host removes them; never shown to others.
    device: str | None = None
    address: str | None = None
    # The side of a dialogue they speak for, from the invite the dialogue gave
    # them (signed by the server); never from what a client says.
    side: str | None = None
    # The dialogue member their invite was made for: removed from the dialogue,
    # they are put out of its meeting at once.
    member: str | None = None
    # The language they speak, as they said (hello, update); None: not said.
    language: str | None = None

    @property
    def is_host(self) -> bool:
        return self.role == HOST

    def public(self) -> dict[str, Any]:
        """What everyone in the room may know about this participant."""
        return {
            "id": self.id,
            "name": self.name,
            "audio": self.audio,
            "video": self.video,
            "connected": self.connected,
            "role": self.role,
            "hand": self.hand,
            "screen": self.screen,
            "screen_stream": self.screen_stream,
            "side": self.side,
            "language": self.language,
        }


@dataclass
class Room:
    name: str
    max_participants: int
    # Which meeting this is: a room name can be opened again by anyone once
    # it empties, so invites are tied to this id instead (server/meetings.py).
    meeting: str = ""
    revoked: set[str] = field(default_factory=set)  # ids of invites a host revoked
    # A meeting that goes on after a restart of the server: whoever is back
    # first keeps the role it had, rather than becoming host of an empty room.
    continued: bool = False
    # Insertion order is join order, which clients use to lay out tiles.
    participants: dict[str, Participant] = field(default_factory=dict)
    chat: deque[dict[str, Any]] = field(default_factory=deque)
    _chat_sizes: deque[int] = field(default_factory=deque)  # bytes of each, as sent
    _chat_bytes: int = 0
    # The ids of the latest participants to leave, newest last.
    left: deque[str] = field(default_factory=lambda: deque(maxlen=LEFT_REMEMBERED))
    # "p2p" or "sfu". A room moves to the SFU when a third person joins and
    # stays there until it empties: dropping back would interrupt everyone's
    # media a second time for no gain in privacy (media is encrypted end to end).
    mode: str = "p2p"
    lobby: bool = False
    locked: bool = False
    # Denied or removed people, by the device id their client keeps and by
    # address, so that a new device alone does not get them back in.
    banned_devices: set[str] = field(default_factory=set)
    banned_addresses: set[str] = field(default_factory=set)
    # The password hashed (the server hashes it, off its event loop), or None.
    password: Any = None
    # A host joined saying they hold a passphrase: whoever holds none would see
    # and hear nothing, so they are asked for it before they come in.
    passphrase: bool = False
    dialogue: DialogueMeeting | None = None  # the dialogue meeting it holds, if any
    _chat_seq: int = 0
    _hand_seq: int = 0
    # Interpreters, booths and who hears which channel (rooms/interpretation.py).
    interpretation: Interpretation = field(default_factory=Interpretation)

    def add(
        self,
        name: str,
        audio: bool,
        video: bool,
        role: str = "participant",
        device: str | None = None,
        address: str | None = None,
        keep_role: bool = False,
        side: str | None = None,
    ) -> Participant:
        """Add a participant; whoever enters an empty room is its host, unless `keep_role`
        or the room is a dialogue's (whose invites say who is a host)."""
        if len(self.participants) >= self.max_participants:
            raise RoomFull(self.name)
        participant = Participant(
            id=_new_id(self.participants),
            name=name,
            audio=audio,
            video=video,
            resume=secrets.token_urlsafe(32),
            role=HOST
            if self.empty and not keep_role and self.dialogue is None and role != CAPTIONER
            else role,
            device=device,
            address=address,
            side=side,
        )
        self.participants[participant.id] = participant
        if len(self.participants) > P2P_LIMIT:
            self.mode = "sfu"
        return participant

    def remove(self, participant_id: str) -> Participant | None:
        participant = self.participants.pop(participant_id, None)
        if participant is not None:
            self.left.append(participant_id)
        return participant

    def has_left(self, participant_id: str) -> bool:
        """Whether this id was one of the room's participants lately, and is gone.

        Negotiation and key exchange addressed to them may still be on the way
        from the others, sent before they heard of the leave.
        """
        return participant_id not in self.participants and participant_id in self.left

    # --- hosts ----------------------------------------------------------------

    def hosts(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.is_host]

    def ensure_host(self) -> Participant | None:
        """After a host left: promote someone if no host is left; return them.

        The earliest-joined who is not a guest, else the earliest guest, so a
        room with people in it is never without someone who can let others in.
        A dialogue's room has the hosts the dialogue made (its leads), or none.
        """
        if self.empty or self.hosts() or self.dialogue is not None:
            return None
        people = [p for p in self.participants.values() if p.role != CAPTIONER]
        if not people:
            return None
        chosen = next((p for p in people if p.role != GUEST), people[0])
        chosen.role = HOST
        return chosen

    # --- settings -------------------------------------------------------------

    @property
    def has_password(self) -> bool:
        return self.password is not None

    def settings(self) -> dict[str, bool]:
        return {"lobby": self.lobby, "locked": self.locked, "password": self.has_password}

    # --- who gets in ----------------------------------------------------------

    def ban(self, device: str | None, address: str | None) -> None:
        if device is not None:
            self.banned_devices.add(device)
        if address is not None:
            self.banned_addresses.add(address)

    def unban(self, device: str | None, address: str | None) -> None:
        self.banned_devices.discard(device or "")
        self.banned_addresses.discard(address or "")

    def is_banned(self, device: str | None, address: str | None) -> bool:
        return device in self.banned_devices or address in self.banned_addresses

    def must_knock(self, device: str | None, address: str | None, invited: bool) -> bool:
        """A banned person always knocks; others only at a lobby or lock, unless invited.
        At a dialogue's room, whoever has no invite of the dialogue knocks, always."""
        if self.dialogue is not None and not invited:
            return True
        if self.empty:
            return False  # the room is new (or forgotten): its creator walks in
        if self.is_banned(device, address):
            return True
        return (self.lobby or self.locked) and not invited

    # --- in the meeting -------------------------------------------------------

    def raise_hand(self, participant: Participant) -> None:
        """Hands keep their place in the queue: raising again changes nothing."""
        if participant.hand is None:
            self._hand_seq += 1
            participant.hand = self._hand_seq

    def stop_screen(self, participant: Participant) -> None:
        participant.screen = False
        participant.screen_stream = None

    def by_resume(self, token: str) -> Participant | None:
        for participant in self.participants.values():
            if secrets.compare_digest(participant.resume.encode(), token.encode()):
                return participant
        return None

    def others(self, participant_id: str) -> list[Participant]:
        return [p for p in self.participants.values() if p.id != participant_id]

    def next_chat_id(self) -> int:
        self._chat_seq += 1
        return self._chat_seq

    def keep_chat(self, message: dict[str, Any], size: int) -> None:
        """Keep a chat message of `size` bytes: the last 100, and CHAT_HISTORY_BYTES at most."""
        self.chat.append(message)
        self._chat_sizes.append(size)
        self._chat_bytes += size
        while len(self.chat) > CHAT_HISTORY or self._chat_bytes > CHAT_HISTORY_BYTES:
            self._chat_bytes -= self._chat_sizes.popleft()
            self.chat.popleft()

    @property
    def empty(self) -> bool:
        return not self.participants

    @property
    def only_captioners(self) -> bool:
        """Nobody but the server's captioner is left: nobody to caption for."""
        return not self.empty and all(p.role == CAPTIONER for p in self.participants.values())


def _new_id(taken: dict[str, Participant]) -> str:
    while True:
        candidate = "p-" + secrets.token_hex(5)
        if candidate not in taken:
            return candidate


@dataclass
class Rooms:
    """Every live room on this server, created on first join, gone when empty."""

    max_participants: int
    rooms: dict[str, Room] = field(default_factory=dict)

    def get_or_create(self, name: str) -> Room:
        room = self.rooms.get(name)
        if room is None:
            room = self.rooms[name] = Room(name, self.max_participants)
        return room

    def discard_if_empty(self, room: Room) -> None:
        """An empty room is forgotten with its settings, bans and chat."""
        if room.empty:
            self.discard(room)

    def discard(self, room: Room) -> None:
        if self.rooms.get(room.name) is room:
            del self.rooms[room.name]

    def find_resume(self, name: str, token: str) -> Participant | None:
        room = self.rooms.get(name)
        return room.by_resume(token) if room else None
