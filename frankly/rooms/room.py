"""Room state: who is in a room, what they share, what was said.

Pure state, no I/O and no clock of its own: callers pass `now`, so tests
drive time by hand. The server's connection handler is the only writer.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

CHAT_HISTORY = 100
# Up to this many participants talk peer to peer; from one more, the SFU.
P2P_LIMIT = 2


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

    def public(self) -> dict[str, Any]:
        """What everyone in the room may know about this participant."""
        return {
            "id": self.id,
            "name": self.name,
            "audio": self.audio,
            "video": self.video,
            "connected": self.connected,
        }


@dataclass
class Room:
    name: str
    max_participants: int
    # Insertion order is join order, which clients use to lay out tiles.
    participants: dict[str, Participant] = field(default_factory=dict)
    chat: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=CHAT_HISTORY))
    # "p2p" or "sfu". A room moves to the SFU when a third person joins and
    # stays there until it empties: dropping back would interrupt everyone's
    # media a second time for no gain in privacy (media is encrypted end to end).
    mode: str = "p2p"
    _chat_seq: int = 0

    def add(self, name: str, audio: bool, video: bool) -> Participant:
        if len(self.participants) >= self.max_participants:
            raise RoomFull(self.name)
        participant = Participant(
            id=_new_id(self.participants),
            name=name,
            audio=audio,
            video=video,
            resume=secrets.token_urlsafe(32),
        )
        self.participants[participant.id] = participant
        if len(self.participants) > P2P_LIMIT:
            self.mode = "sfu"
        return participant

    def remove(self, participant_id: str) -> Participant | None:
        return self.participants.pop(participant_id, None)

    def by_resume(self, token: str) -> Participant | None:
        for participant in self.participants.values():
            if secrets.compare_digest(participant.resume, token):
                return participant
        return None

    def others(self, participant_id: str) -> list[Participant]:
        return [p for p in self.participants.values() if p.id != participant_id]

    def say(self, sender: Participant, body: dict[str, str], now: float) -> dict[str, Any]:
        """Keep and return a chat message; `body` is {"text": ...} or {"sealed": ...}."""
        self._chat_seq += 1
        message = {
            "type": "chat",
            "id": self._chat_seq,
            "from": sender.id,
            "name": sender.name,
            **body,
            "ts": now,
        }
        self.chat.append(message)
        return message

    @property
    def empty(self) -> bool:
        return not self.participants


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
        if room.empty and self.rooms.get(room.name) is room:
            del self.rooms[room.name]

    def find_resume(self, name: str, token: str) -> Participant | None:
        room = self.rooms.get(name)
        return room.by_resume(token) if room else None
