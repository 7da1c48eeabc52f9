"""How many rooms one address group, and the whole server, may keep open at once.

Each room costs memory however little its participants say (its state, its
chat history, an SFU router), so an address that could open rooms without
end could fill the server. Joining a room that exists costs nearly nothing
and is not counted; opening a new one is refused once the address group is
in `limit` rooms already. Loopback is exempt, as from every per-address limit;
the total (`most`) holds for everyone, since addresses (IPv6 /64s, proxies)
can be had by the thousand.
"""

from __future__ import annotations

from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.rooms import Rooms
from frankly.server.access import own_address


def check_new_room(rooms: Rooms, name: str, address: str, limit: int, most: int) -> None:
    """Raise if opening room `name` would put `address` in more than `limit` rooms,
    or the server past `most`."""
    if name in rooms.rooms:
        return
    if len(rooms.rooms) >= most:
        raise ProtocolError(
            Code.BUSY,
            f"this server holds as many meetings as it may ({most}); try again later",
            Msg.HELLO,
            close=Close.TRY_AGAIN_LATER,
        )
    key = own_address(address)
    if key is None:
        return
    count = sum(
        any(p.address == key for p in room.participants.values()) for room in rooms.rooms.values()
    )
    if count >= limit:
        raise ProtocolError(
            Code.RATE_LIMITED,
            f"this address is in {count} rooms already, the most one may open; leave one first",
            Msg.HELLO,
            close=Close.FLOODING,
        )
