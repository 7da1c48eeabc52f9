"""The lobby: people who knocked at a room and wait for a host.

Kept by room name rather than in the Room, because a room forgets
everything when it empties, while its knockers wait on until a host comes.

Bounded, since each knock holds a socket and its hello (3,000 knocks once
took 44 MiB, and a host's welcome lists them all): `size` a room, `total` on
the server, and `per_address` a room for one address. Loopback has no share
of its own (it may be everyone behind a proxy); the room's bound holds it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import Msg

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
    address: str | None  # one person's, else None (loopback)

    def public(self) -> dict[str, Any]:
        return messages.knock_record(self.id, self.entry.name, self.returning)


class Lobby:
    def __init__(self, size: int, total: int, per_address: int) -> None:
        self._rooms: dict[str, dict[str, Knock]] = {}  # room -> knock id -> knock, in order
        self.size, self.total, self.per_address = size, total, per_address
        self._count = 0

    def add(
        self,
        link: Link,
        hello: messages.Hello,
        entry: Entry,
        returning: bool,
        address: str | None,
    ) -> Knock:
        """A new knock, or `lobby-full` if it would go past a bound."""
        waiting = self._rooms.get(hello.room, {})
        self._check_room(waiting, hello.room, address)
        knock = Knock(_new_id(waiting), hello.room, link, hello, entry, returning, address)
        self._rooms.setdefault(hello.room, waiting)[knock.id] = knock
        self._count += 1
        return knock

    def _check_room(self, waiting: dict[str, Knock], room: str, address: str | None) -> None:
        if self._count >= self.total:
            what = "too many people are waiting in lobbies on this server; try again later"
            raise ProtocolError(Code.LOBBY_FULL, what, Msg.HELLO)
        if len(waiting) >= self.size:
            what = f"{self.size} people are waiting to join {room!r} already; try again later"
            raise ProtocolError(Code.LOBBY_FULL, what, Msg.HELLO)
        if address is not None:
            mine = sum(1 for knock in waiting.values() if knock.address == address)
            if mine >= self.per_address:
                what = f"{mine} knocks from this address wait at {room!r} already"
                raise ProtocolError(Code.LOBBY_FULL, what, Msg.HELLO)

    def pop(self, room: str, knock_id: str) -> Knock | None:
        waiting = self._rooms.get(room, {})
        knock = waiting.pop(knock_id, None)
        if knock is not None:
            self._count -= 1
        if not waiting:
            self._rooms.pop(room, None)
        return knock

    def get(self, room: str, knock_id: str) -> Knock | None:
        return self._rooms.get(room, {}).get(knock_id)

    def waiting(self, room: str) -> list[Knock]:
        return list(self._rooms.get(room, {}).values())

    def clear(self, room: str) -> list[Knock]:
        knocks = list(self._rooms.pop(room, {}).values())
        self._count -= len(knocks)
        return knocks


def _new_id(taken: dict[str, Knock]) -> str:
    while True:
        candidate = "k-" + secrets.token_hex(5)
        if candidate not in taken:
            return candidate
