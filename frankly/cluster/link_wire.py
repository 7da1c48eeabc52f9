"""The link between two nodes that hold one room: the handshake, then sealed JSON frames.

docs/scaling.md, *A room on several nodes*. The node that holds a room (the
borrower) opens a WebSocket to `LINK_PATH` on a node that lends it a worker
(the lender), at the URL that node registered in Redis. The handshake
(link_seal.py) proves that both know the cluster's secret; then each frame is
one JSON object, tagged in order.

What is said over it is what the channel to a local worker says
(worker_wire.py), with the room named as the borrower names it:

- borrower to lender: ``{"op": "open"|"close", "room": R}``,
  ``{"op": "call", "room": R, "method": M, "args": [...], "id": N?}``;
- lender to borrower: ``{"reply": N, "result": ...}``, ``{"reply": N,
  "error": why}`` (refused: bad SDP), ``{"reply": N, "gone": why}`` (its
  worker died first); ``{"event": "opened", "room": R, "relay": "udp:H:P"}``
  (the worker it chose, and its relay's address), the worker's ``offer``,
  ``speaker`` and ``tracks`` events, ``{"event": "counted", "room": R,
  "counters": {...}}`` every second, and ``{"event": "lost", "room": R}``
  when the lent worker died.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from frankly.cluster.link_seal import Sealer

LINK_PATH = "/cluster/link"
HANDSHAKE_TIMEOUT = 5.0  # seconds for the three handshake messages
FRAME_LIMIT = 16 << 20  # as a local worker's line: a big room's subscribe offer


def handshake_message(frame: str | bytes) -> dict[str, Any]:
    """One of the handshake's three messages (JSON, before any frame is sealed)."""
    message = json.loads(frame)
    if not isinstance(message, dict):
        raise ValueError("a handshake message is a JSON object")
    return message


class Channel:
    """Sealed frames over any byte transport: `send` never waits, `recv` gives the next."""

    def __init__(
        self,
        send_bytes: Callable[[bytes], Awaitable[None]],
        recv_bytes: Callable[[], Awaitable[bytes | None]],
        out: Sealer,
        into: Sealer,
    ) -> None:
        self._send_bytes, self._recv_bytes = send_bytes, recv_bytes
        self._out, self._in = out, into
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._pump = asyncio.get_running_loop().create_task(self._write())

    def send(self, message: dict[str, Any]) -> None:
        """Sealed now (the tags count in call order), written by the pump in that order."""
        self._queue.put_nowait(self._out.seal(json.dumps(message, separators=(",", ":")).encode()))

    async def recv(self) -> dict[str, Any] | None:
        """The next message; None when the transport closed. LinkRefused on a bad tag."""
        frame = await self._recv_bytes()
        if frame is None:
            return None
        message = json.loads(self._in.open(frame))
        if not isinstance(message, dict):
            raise ValueError("a link message is a JSON object")
        return message

    async def _write(self) -> None:
        with contextlib.suppress(Exception):  # the transport closed: `recv` ends the link
            while (frame := await self._queue.get()) is not None:
                await self._send_bytes(frame)

    async def aclose(self) -> None:
        self._queue.put_nowait(None)  # what was sent before still goes
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._pump, HANDSHAKE_TIMEOUT)
        self._pump.cancel()
