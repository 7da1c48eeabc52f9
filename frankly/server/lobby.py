"""The lobby: people who knocked at a room and wait for a host.

Kept by room name rather than in the Room, because a room forgets
everything when it empties, while its knockers wait on until a host comes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from frankly.protocol import messages

if TYPE_CHECKING:
    from frankly.server.access import Entry
    from frankly.server.link import Link


@dataclass
class Knock:
    id: str
    room: str
    link: Link
    hello: messages.Hello
    entry: Entry  # who they will be once in
    returning: bool  # denied or removed before

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.entry.name, "returning": self.returning}


class Lobby:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Knock]] = {}  # room -> knock id -> knock, in order

    def add(self, link: Link, hello: messages.Hello, entry: Entry, returning: bool) -> Knock:
        waiting = self._rooms.setdefault(hello.room, {})
        knock = Knock(_new_id(waiting), hello.room, link, hello, entry, returning)
        waiting[knock.id] = knock
        return knock

    def pop(self, room: str, knock_id: str) -> Knock | None:
        waiting = self._rooms.get(room, {})
        knock = waiting.pop(knock_id, None)
        if not waiting:
            self._rooms.pop(room, None)
        return knock

    def get(self, room: str, knock_id: str) -> Knock | None:
        return self._rooms.get(room, {}).get(knock_id)

    def waiting(self, room: str) -> list[Knock]:
        return list(self._rooms.get(room, {}).values())

    def clear(self, room: str) -> list[Knock]:
        return list(self._rooms.pop(room, {}).values())


def _new_id(taken: dict[str, Knock]) -> str:
    while True:
        candidate = "k-" + secrets.token_hex(5)
        if candidate not in taken:
            return candidate
