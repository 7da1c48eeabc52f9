"""The workers other nodes lend this one: a room bigger than this node goes on there.

docs/scaling.md, *A room on several nodes*. Placement (workers.py) sees each
live node that lends (its registry entry says so: it has workers and the
cluster secret) as one more place for a room's parts, after this node's own
workers, at that node's measured load. The room's signaling stays here: its
participants keep their socket to this node, whose hub calls their parts'
Routers wherever they run. A part placed on another node is a `RemoteSlot`:
the calls go over the link (link_wire.py) to the lender, which opens the
part on its least loaded worker; media flows between the participants and
that worker directly (its answer names its own address), and between the
room's workers over their sealed UDP relays (frankly/sfu/relay.py).

One link per lender, opened when a part first goes there and kept while it
lives. A link that fails or closes takes its parts with it: each of their
rooms starts afresh (`part_lost`, as when a local worker dies), and the
lender is left out of placement for RETRY_AFTER seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from frankly.cluster import link_seal
from frankly.cluster.link_wire import (
    FRAME_LIMIT,
    HANDSHAKE_TIMEOUT,
    LINK_PATH,
    Channel,
    handshake_message,
)
from frankly.cluster.worker_placement import Load
from frankly.cluster.workers import Replies, RouterProxy, Slot, WorkerGone, WorkerPool, deliver

log = logging.getLogger(__name__)

RETRY_AFTER = 10.0  # seconds a lender whose link failed is left out of placement


@dataclass(frozen=True)
class Lender:
    """A live node that lends, as the registry said at the last beat."""

    id: str
    url: str
    share: float  # its measured load: the part of its forwarding cores in use


def link_url(base: str) -> str:
    return "ws" + base.removeprefix("http").rstrip("/") + LINK_PATH


class RemoteSlot:
    """A lender, as placement and a room's parts see it: one slot, whose worker the
    lender picks per room (and says, in `opened`)."""

    relay_path = ""  # never on this node: parts here reach it by relay_udp
    relay_udp = ""  # per part (RouterProxy.lent_udp): the lender's worker for that room

    def __init__(self, borrowing: Borrowing, lender: Lender, index: int) -> None:
        self.borrowing = borrowing
        self.node = lender.id
        self.url = lender.url
        self.index = index
        self.rooms: dict[str, RouterProxy] = {}
        self.load = Load(cpu=lender.share)
        self._channel: Channel | None = None
        self._queued: list[dict[str, Any]] = []
        self.replies = Replies()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def rooms_changed(self) -> None:
        pass  # the lender's load comes from its registry entry

    def send(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if self._channel is not None:
            self._channel.send(message)
            return
        self._queued.append(message)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def ask(self, message: dict[str, Any]) -> Any:
        if self.closed:
            raise WorkerGone(f"the link to node {self.node} is closed")
        ident, future = self.replies.expect()
        self.send({**message, "id": ident})
        return await future

    async def _run(self) -> None:
        try:
            async with connect(
                link_url(self.url), max_size=FRAME_LIMIT, open_timeout=HANDSHAKE_TIMEOUT
            ) as ws:
                channel = await self._handshake(ws)
                self._channel = channel
                for message in self._queued:
                    channel.send(message)
                self._queued.clear()
                log.info("cluster: linked to node %s to lend this node's rooms a worker", self.node)
                while (received := await channel.recv()) is not None:
                    self._received(received)
        except (OSError, ConnectionClosed, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            log.warning("cluster: the link to node %s closed: %r", self.node, exc)
        except (link_seal.LinkRefused, ValueError, KeyError) as exc:
            log.error("cluster: node %s refused or failed the link: %s", self.node, exc)
        finally:
            self._lost()

    async def _handshake(self, ws: ClientConnection) -> Channel:
        secret, me = self.borrowing.secret, self.borrowing.me
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            hello = handshake_message(await ws.recv())
            theirs, mine = str(hello["challenge"]), link_seal.challenge()
            if hello.get("node") != self.node:
                raise link_seal.LinkRefused(
                    f"{self.url} is node {hello.get('node')}, not {self.node}"
                )
            proof = link_seal.proof(secret, "borrow", theirs, mine, me, self.node)
            await ws.send(json.dumps({"node": me, "challenge": mine, "proof": proof}))
            answer = handshake_message(await ws.recv())
            link_seal.check(secret, answer.get("proof"), "lend", mine, theirs, self.node, me)

        async def recv() -> bytes | None:
            try:
                frame = await ws.recv()
            except ConnectionClosed:
                return None
            return frame if isinstance(frame, bytes) else frame.encode()

        out = link_seal.Sealer(secret, "to-lender", mine, theirs)
        into = link_seal.Sealer(secret, "to-borrower", mine, theirs)
        return Channel(ws.send, recv, out, into)

    def _received(self, message: dict[str, Any]) -> None:
        if "reply" in message:
            self.replies.answer(message)
            return
        event, part = message.get("event"), self.rooms.get(str(message.get("room")))
        if part is None:
            return
        if event == "opened":
            part.lent_udp = str(message["relay"])
            part.owner.part_opened()
        elif event == "counted":
            part.counted(message["counters"])
        elif event == "lost":
            del self.rooms[part.room]
            self.borrowing.pool.lost(self, {part.room: part})
        else:
            deliver(part, message)

    def _lost(self) -> None:
        """The link is gone: its parts' rooms start afresh, and placement leaves it out."""
        self.closed = True
        self.replies.fail(WorkerGone(f"the link to node {self.node} closed"))
        rooms, self.rooms = self.rooms, {}
        self.borrowing.forget(self)
        if rooms and not self.borrowing.pool.stopping:
            log.warning(
                "cluster: %d rooms had a part on node %s: restarting them", len(rooms), self.node
            )
            self.borrowing.pool.lost(self, rooms)

    def stop(self) -> None:
        self.closed = True
        if self._task is not None:
            self._task.cancel()


class Borrowing:
    """The lenders' slots, made as placement first looks at each live lender."""

    def __init__(
        self, pool: WorkerPool, secret: bytes, me: str, lenders: Callable[[], Iterable[Lender]]
    ) -> None:
        self.pool = pool
        self.secret = secret
        self.me = me
        self._lenders = lenders
        self._slots: dict[str, RemoteSlot] = {}
        self._failed: dict[str, float] = {}  # lender id -> when its link last failed
        self._indexes = itertools.count(len(pool.slots))

    def slots(self) -> list[Slot]:
        now = time.monotonic()
        live: list[Slot] = []
        for lender in self._lenders():
            if (
                lender.id == self.me
                or now - self._failed.get(lender.id, -RETRY_AFTER) < RETRY_AFTER
            ):
                continue
            slot = self._slots.get(lender.id)
            if slot is None or slot.url != lender.url:
                slot = self._slots[lender.id] = RemoteSlot(self, lender, next(self._indexes))
            slot.load = Load(cpu=lender.share)
            live.append(slot)
        return live

    def forget(self, slot: RemoteSlot) -> None:
        if self._slots.get(slot.node) is slot:
            del self._slots[slot.node]
            if not self.pool.stopping:
                self._failed[slot.node] = time.monotonic()

    def stop(self) -> None:
        for slot in list(self._slots.values()):
            slot.stop()
        self._slots.clear()
