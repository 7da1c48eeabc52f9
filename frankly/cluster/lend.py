"""Lending this node's workers to another node's rooms: the far end of borrow.py.

docs/scaling.md, *A room on several nodes*. Another node of the cluster opens
`LINK_PATH` here and proves it knows the cluster secret (link_seal.py). Each
room it opens gets a part on this node's least loaded worker, under a name of
the borrower's own (`BORROWER/ROOM#N`), so it never meets a room of this
node's. Its calls are the calls a local hub makes, with the same allowlist
in the worker (worker_process.CALLS); its events go back over the link.

When the link closes (the borrower stopped or died), its parts close here.
When a lent worker dies, the borrower is told (`lost`) and restarts the room.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from frankly.cluster import link_seal
from frankly.cluster.link_wire import HANDSHAKE_TIMEOUT, Channel, handshake_message
from frankly.cluster.workers import RouterProxy, WorkerGone, WorkerPool
from frankly.sfu.relay import UDP_SCHEME, TrackInfo

log = logging.getLogger(__name__)

CLOSE_REFUSED = 4403  # the WebSocket close code of a link whose proof failed


class LentPart:
    """The owner of one lent part: its events go to the borrower, named as it names them."""

    def __init__(self, lending: Lending, room: str) -> None:
        self.lending = lending
        self.room = room

    def send_offer(self, pid: str, sdp: str) -> None:
        self.lending.tell("offer", self.room, pid=pid, sdp=sdp)

    def heard_speaker(self, part: RouterProxy, pid: str) -> None:
        self.lending.tell("speaker", self.room, pid=pid)

    def tracks_changed(self, part: RouterProxy, pid: str, tracks: list[TrackInfo]) -> None:
        self.lending.tell("tracks", self.room, pid=pid, tracks=tracks)

    def recount(self) -> None:
        part = self.lending.parts.get(self.room)
        if part is not None:
            self.lending.tell("counted", self.room, counters=part.counters)

    def part_opened(self) -> None:
        pass  # a lender's own parts are on its workers: their addresses are known

    def part_lost(self, part: RouterProxy) -> None:
        if self.lending.parts.get(self.room) is part:
            del self.lending.parts[self.room]
            self.lending.tell("lost", self.room)


class Lending:
    """One borrower's link: its rooms' parts on this node's workers."""

    def __init__(self, pool: WorkerPool, channel: Channel, borrower: str) -> None:
        self.pool = pool
        self.channel = channel
        self.borrower = borrower
        self.parts: dict[str, RouterProxy] = {}  # by the borrower's name of the room

    def tell(self, event: str, room: str, **fields: Any) -> None:
        self.channel.send({"event": event, "room": room, **fields})

    def handle(self, message: dict[str, Any]) -> None:
        op, room = message.get("op"), str(message.get("room"))
        if op == "open" and room not in self.parts:
            slot = self.pool.slots[self.pool.least_loaded()]
            part = RouterProxy(slot, f"{self.borrower}/{room}", LentPart(self, room))
            self.parts[room] = part
            part.start()
            self.tell("opened", room, relay=slot.relay_udp)
        elif op == "close" and room in self.parts:
            self.parts.pop(room).stop()
        elif op == "call":
            self._call(room, message)

    def _call(self, room: str, message: dict[str, Any]) -> None:
        part, ident = self.parts.get(room), message.get("id")
        method, args = str(message.get("method")), list(message.get("args", []))
        if not _routes_over_udp(method, args):
            log.warning(
                "cluster: node %s asked a relay route off the network: refused", self.borrower
            )
            return
        if ident is None:
            if part is not None:
                part._send(method, *args)
            return
        if part is None:
            self.channel.send({"reply": ident, "gone": f"no part of room {room!r} here"})
            return
        asyncio.get_running_loop().create_task(self._answer(part, ident, method, args))

    async def _answer(self, part: RouterProxy, ident: Any, method: str, args: list[Any]) -> None:
        reply: dict[str, Any] = {"reply": ident}
        try:
            reply["result"] = await part._ask(method, *args)
        except WorkerGone as exc:
            reply["gone"] = str(exc)
        except ValueError as exc:
            reply["error"] = str(exc)
        self.channel.send(reply)

    def close(self) -> None:
        for part in self.parts.values():
            part.stop()
        if self.parts:
            log.info(
                "cluster: node %s left: closed its %d parts here", self.borrower, len(self.parts)
            )
        self.parts.clear()


def _routes_over_udp(method: str, args: list[Any]) -> bool:
    """A borrower's relay routes name other nodes' workers, never a socket on this
    machine: its Unix paths are the local hub's to give."""
    if method == "relay_out" and len(args) == 3 and isinstance(args[2], list):
        return all(str(to).startswith(UDP_SCHEME) for to in args[2])
    if method == "relay_in" and len(args) >= 3:
        return str(args[2]).startswith(UDP_SCHEME)
    return method not in ("relay_out", "relay_in")


async def lend(websocket: WebSocket, pool: WorkerPool, secret: bytes, me: str) -> None:
    """Serve one borrower's link until it closes."""
    await websocket.accept()
    try:
        channel, borrower = await _handshake(websocket, secret, me)
    except (link_seal.LinkRefused, ValueError, KeyError, TimeoutError) as exc:
        log.warning("cluster: refused a link: %s", exc)
        await websocket.close(CLOSE_REFUSED, "cluster link refused")
        return
    except WebSocketDisconnect:
        return
    lending = Lending(pool, channel, borrower)
    log.info("cluster: node %s linked to borrow workers here", borrower)
    try:
        while (message := await channel.recv()) is not None:
            lending.handle(message)
    except (link_seal.LinkRefused, ValueError) as exc:
        log.warning("cluster: closing node %s's link: %s", borrower, exc)
    finally:
        lending.close()
        await channel.aclose()


async def _handshake(websocket: WebSocket, secret: bytes, me: str) -> tuple[Channel, str]:
    mine = link_seal.challenge()
    async with asyncio.timeout(HANDSHAKE_TIMEOUT):
        await websocket.send_text(json.dumps({"node": me, "challenge": mine}))
        hello = handshake_message(await websocket.receive_text())
        borrower, theirs = str(hello["node"]), str(hello["challenge"])
        link_seal.check(secret, hello.get("proof"), "borrow", mine, theirs, borrower, me)
        proof = link_seal.proof(secret, "lend", theirs, mine, me, borrower)
        await websocket.send_text(json.dumps({"proof": proof}))

    async def recv() -> bytes | None:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        data = message.get("bytes")
        return data if isinstance(data, bytes) else str(message.get("text", "")).encode()

    out = link_seal.Sealer(secret, "to-borrower", theirs, mine)
    into = link_seal.Sealer(secret, "to-lender", theirs, mine)
    return Channel(websocket.send_bytes, recv, out, into), borrower
