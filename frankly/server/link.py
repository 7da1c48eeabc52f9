"""One WebSocket connection: its outgoing queue, its limits, its lifecycle.

Outgoing messages go through a bounded queue drained by a writer task, so a
slow reader never blocks a broadcast to the rest of the room; one that falls
too far behind is closed (1013) and may resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

from frankly.protocol import messages
from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.server import addresses
from frankly.server.config import ServerConfig
from frankly.server.limits import TokenBucket, unread_budget
from frankly.server.logs import event, room_tag

if TYPE_CHECKING:
    from frankly.ops.stats import Stats
    from frankly.rooms import Participant, Room
    from frankly.server.lobby import Knock

log = logging.getLogger(__name__)


class State(enum.Enum):
    CONNECTED = "connected"  # socket open, no hello yet
    WAITING = "waiting"  # knocked; in the lobby until a host admits or denies
    JOINED = "joined"
    CLOSING = "closing"  # a close is queued; nothing more is read or sent


class Link:
    def __init__(
        self,
        ws: WebSocket,
        config: ServerConfig,
        now: float,
        address: str,
        stats: Stats | None = None,
    ) -> None:
        self.ws = ws
        self.config = config
        self.address = address  # the client's, as client_address() found it
        self.state = State.CONNECTED
        self.room: Room | None = None
        self.participant: Participant | None = None
        self.knock: Knock | None = None  # while WAITING
        self.asked_room: str | None = None  # the room of its latest hello, for the log
        self.stats = stats  # the hub's counters (frankly/ops/stats.py); None in some tests
        self.bucket = TokenBucket(config.rate, config.burst, now)
        self.reactions = TokenBucket(config.reaction_rate, config.reaction_rate, now)
        self.errors = 0
        self.dropped = 0
        self._last_rate_error = float("-inf")
        # Bounded in messages here, in bytes by the server's UnreadBudget (limits.py).
        self._queue: asyncio.Queue[str | int] = unread_budget(ws).queue(config.send_queue)
        self._writer = asyncio.create_task(self._write_loop())

    # --- sending ---------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if self.state is State.CLOSING:
            return
        if self.stats is not None and message["type"] == Msg.ERROR:
            self.stats.sent_error(message)
        text = messages.dump(message)  # ASCII: its length is its size in bytes
        if len(text) > messages.MAX_SENT_FRAME:
            # A bug of ours: no client could read it. Say so rather than send it.
            log.error(
                "not sending a %r of %d bytes: over the clients' limit", message["type"], len(text)
            )
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("closing a socket that fell %d messages behind", self._queue.qsize())
            self._abandon_queue()
            self.close(Close.TRY_AGAIN_LATER)

    def close(self, code: int) -> None:
        """Send what is queued, then close with `code`."""
        if self.state is State.CLOSING:
            return
        self.state = State.CLOSING
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(code)

    def _abandon_queue(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if isinstance(item, int):
                    await self.ws.close(item)
                    return
                await self.ws.send_text(item)
            except Exception:  # the socket is gone; the reader will see it too
                return

    async def finish(self) -> None:
        """Let the writer flush and close; called once the reader is done."""
        self.close(1000)
        try:
            await asyncio.wait_for(self._writer, 5)
        except TimeoutError:
            self._writer.cancel()
        self._abandon_queue()  # what was never sent goes back to the budget

    # --- refusing ----------------------------------------------------------

    def refuse(self, err: ProtocolError) -> None:
        """Answer one bad message; past the limits, close the connection."""
        self.send(messages.error(err.code, err.message, err.ref))
        self._log_refusal(err)
        if err.close_code is not None:
            self.close(err.close_code)
            return
        if not err.counts:
            return
        self.errors += 1
        if self.errors >= self.config.max_errors:
            self.refuse(
                ProtocolError(
                    Code.PROTOCOL_VIOLATION, f"{self.errors} invalid messages on this connection"
                )
            )

    def _log_refusal(self, err: ProtocolError) -> None:
        """A hello refused, or a connection closed for what it did: one line each.
        (A removal is the `left` line; an error the client may correct is no event.)"""
        room = self.room.name if self.room is not None else self.asked_room
        tag = room_tag(room) if room is not None else None
        pid = self.participant.id if self.participant is not None else None
        if err.ref == Msg.HELLO:
            event("refused", code=err.code.value, room=tag)
        elif err.close_code is not None and err.code is not Code.REMOVED:
            event("closed", code=err.code.value, room=tag, participant=pid)

    def rate_limited(self, now: float) -> None:
        """A message arrived with no token left: it was dropped."""
        self.dropped += 1
        if self.dropped >= self.config.max_dropped:
            self.refuse(
                ProtocolError(Code.FLOODING, f"{self.dropped} messages dropped for flooding")
            )
        elif now - self._last_rate_error >= 1.0:  # one error a second, not one a message
            self._last_rate_error = now
            limit = f"{self.config.rate:g} messages a second"
            self.send(messages.error(Code.RATE_LIMITED, f"over {limit}; message dropped"))


def client_address(ws: WebSocket, trust_proxy: bool) -> str:
    """The client's address group (frankly/server/addresses.py)."""
    peer = ws.client.host if ws.client is not None else None
    try:
        return addresses.client_address(peer, ws.headers, trust_proxy)
    except addresses.BadForwardedFor:  # edge.py refuses these before the upgrade
        return "unknown"
