"""SFU workers on one machine: the hub's side of `frankly serve --workers N`.

`WorkerPool` runs N worker processes (worker_process.py), each with its own
event loop, its own media port (`--media-port` + i, its TCP twin + i) and the
Routers of the rooms placed on it. The hub talks to a room's Router through a
`RouterProxy`, which has the methods the hub calls on a `Router` and carries
them over the worker's channel (worker_wire.py): the calls that answer
(`publish`, `subscriber_answer`, `channel_ready`) return awaitables, the
others are sent and forgotten, in order. The router's callbacks (a subscribe
offer to send, a new speaker) come back as events. No media crosses the
channel: the answer SDP names the worker's own port, and browsers send there.

Placement: a new room goes to the least loaded worker by what each measured
in its last second (worker_placement.py). A worker that dies is started
again on the same ports; the hub is told which rooms it held (`on_lost`), and
moves them (hub.py, `_sfu_lost`). Rooms on other workers never notice.

Why subprocesses of ``python -m`` rather than multiprocessing: the worker
needs nothing of the server's memory, the channel is a plain Unix socket
that asyncio reads on both ends, and a child whose channel closes (its
server gone, even by kill -9) sees end of file and exits: no orphans.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import secrets
import shutil
import socket
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from frankly.cluster import worker_wire as wire
from frankly.cluster.worker_placement import Load, least_loaded, place_participant
from frankly.ops.stats import ROUTER_COUNTERS
from frankly.sfu.relay import TrackInfo

log = logging.getLogger(__name__)

# Seconds a worker has to open its ports before it counts as failed.
START_TIMEOUT = 30.0
# Seconds stopped workers have to exit (SIGTERM and end of file) before they are left.
STOP_TIMEOUT = 5.0
# A worker that died this soon after it started waits this long before the next try.
QUICK_DEATH = 2.0
RESTART_PAUSE = 1.0
# A room spreads to another worker when its own is this busy (a fraction of a core, as
# measured each second): below what saturates it, so the relay's cost still fits.
SPREAD_AT = 0.75
# A Unix socket's path has at most 107 bytes; a relay's adds 24 to the data directory's.
MAX_RELAY_PARENT = 83

OnLost = Callable[[list[str]], None]


def _relay_dir(parent: Path | None) -> str:
    """A new directory for the workers' relay sockets, of the server's user alone (0700):
    in the data directory, which is writable wherever the server runs (under systemd's
    ProtectSystem=strict too), unless its path is too long for a socket's address."""
    if parent is not None and parent.is_dir() and len(str(parent)) <= MAX_RELAY_PARENT:
        for stale in parent.glob("relay-*"):  # a server before this one, killed with -9
            shutil.rmtree(stale, ignore_errors=True)
        return tempfile.mkdtemp(prefix="relay-", dir=parent)
    return tempfile.mkdtemp(prefix="frankly-relay-")


class WorkersFailed(RuntimeError):
    """The workers could not all start (a media port taken): the server does not start."""


class WorkerGone(ValueError):
    """The worker of this room died before it answered (the room moves to another)."""


class _AudioOnly:
    """`Router.audio_only` as the hub uses it: `add` a subscriber sent audio only."""

    def __init__(self, router: SpreadRouter) -> None:
        self._router = router

    def add(self, pid: str) -> None:
        self._router.part_of(pid)._send("audio_only", pid)


class Slot(Protocol):
    """Where a part of a room runs: a worker of this node (WorkerSlot), or one of
    another node's that lends it (borrow.py's RemoteSlot)."""

    index: int  # its place in placement's order: this node's workers first
    node: str  # "" for this node's own; the lender's id
    rooms: dict[str, RouterProxy]
    load: Load

    @property
    def relay_path(self) -> str: ...  # its relay's Unix socket, for parts on the same node

    @property
    def relay_udp(self) -> str: ...  # its relay's sealed UDP address, for other nodes' parts

    def rooms_changed(self) -> None: ...

    def send(self, message: dict[str, Any]) -> None: ...

    async def ask(self, message: dict[str, Any]) -> Any: ...


class PartOwner(Protocol):
    """Who hears a part's events: the room's SpreadRouter, or (on a lending node) the
    link back to the node that holds the room (lend.py)."""

    def send_offer(self, pid: str, sdp: str) -> None: ...

    def heard_speaker(self, part: RouterProxy, pid: str) -> None: ...

    def tracks_changed(self, part: RouterProxy, pid: str, tracks: list[TrackInfo]) -> None: ...

    def recount(self) -> None: ...

    def part_lost(self, part: RouterProxy) -> None: ...

    def part_opened(self) -> None: ...


class RouterProxy:
    """One part of a room: its Router in one worker process, reached over the channel."""

    def __init__(self, slot: Slot, room: str, owner: PartOwner) -> None:
        self.slot = slot
        self.room = room
        self.owner = owner
        # The Router's counters as the worker last reported them (every second).
        self.counters: dict[str, int] = dict.fromkeys(ROUTER_COUNTERS, 0)
        # On a lender, the worker it chose says its relay's address when the part opens.
        self.lent_udp = ""

    def relay_address(self, peer: RouterProxy) -> str:
        """Where `peer` relays to this part: its Unix socket from the same node, its
        sealed UDP address from another ("" while a lent part has not said it yet)."""
        if peer.slot.node == self.slot.node:
            return self.slot.relay_path
        return self.lent_udp or self.slot.relay_udp

    def start(self) -> None:
        self.slot.rooms[self.room] = self
        self.slot.rooms_changed()
        self.slot.send({"op": "open", "room": self.room})

    def stop(self) -> None:
        if self.slot.rooms.get(self.room) is self:
            del self.slot.rooms[self.room]
            self.slot.rooms_changed()
            self.slot.send({"op": "close", "room": self.room})

    def counted(self, counters: Mapping[str, int]) -> None:
        self.counters = {name: int(counters.get(name, 0)) for name in ROUTER_COUNTERS}
        self.owner.recount()

    def _send(self, method: str, *args: Any) -> None:
        self.slot.send({"op": "call", "room": self.room, "method": method, "args": list(args)})

    async def _ask(self, method: str, *args: Any) -> Any:
        return await self.slot.ask(
            {"op": "call", "room": self.room, "method": method, "args": list(args)}
        )


class SpreadRouter:
    """A room's SFU on the workers, with the methods the hub calls on a `Router`.

    A room starts with one part, on the least loaded worker, and stays there
    while that worker has room; a participant who joins when it is busy goes
    to the least loaded worker, where the room gets another part
    (`place_participant`). Each participant's calls go to its own part. Each
    publisher's tracks, as its part reports them, are told the other parts
    (`relay_in`), and its part relays its packets to them (`relay_out`):
    frankly/sfu/relay.py. What is the room's (screen streams, interpretation)
    goes to every part, the new ones too.
    """

    def __init__(
        self,
        pool: WorkerPool,
        room: str,
        send_offer: Callable[[str, str], None],
        on_speaker: Callable[[str], None],
    ) -> None:
        self.pool = pool
        self.room = room
        self.send_offer = send_offer
        self.on_speaker = on_speaker
        self.audio_only = _AudioOnly(self)
        self.parts: dict[Slot, RouterProxy] = {}  # by where each runs
        self.where: dict[str, Slot] = {}  # participant -> where its part runs
        self.tracks: dict[str, list[TrackInfo]] = {}  # as each publisher's part said
        self.keys: dict[str, int] = {}  # each publisher's relay key
        self.channel_tracks: dict[str, str] = {}  # as set here: the hub reads it back
        self.screen_streams: dict[str, str] = {}
        self.interpretation: tuple[dict[str, list[Any]], dict[str, str]] | None = None
        self.speaker = ""
        self.generation = next(pool.generations)
        self.home_slot = pool.slots[pool.least_loaded()]  # always one of this node's
        self._open(self.home_slot)
        for name in ROUTER_COUNTERS:
            setattr(self, name, 0)

    # Read by metrics and by stats.retire: the sum of the parts' counters.
    forwarded: int
    forwarded_bytes: int
    nacks_served: int
    nacks_sent: int
    plis: int
    layer_switches: int
    relayed: int

    @property
    def worker(self) -> int:
        """The worker of the room's first part (the only one unless it spread)."""
        return self.home_slot.index

    @property
    def slot(self) -> WorkerSlot:
        return self.home_slot

    def stop(self) -> None:
        for part in self.parts.values():
            part.stop()

    def recount(self) -> None:
        for name in ROUTER_COUNTERS:
            setattr(self, name, sum(part.counters[name] for part in self.parts.values()))

    # --- each participant's part -----------------------------------------------

    def part_of(self, pid: str) -> RouterProxy:
        slot = self.where.get(pid)
        if slot is None:
            slots = self.pool.candidates()
            counts = Counter(self.where.values())
            here = [counts[s] if s in self.parts else None for s in slots]
            slot = self.where[pid] = slots[self.pool.place_participant(slots, here)]
        return self.parts.get(slot) or self._open(slot)

    def _open(self, slot: Slot) -> RouterProxy:
        # A lent part is named for this router alone: events of a room's earlier router
        # still on their way from the lender go nowhere.
        name = f"{self.room}#{self.generation}" if slot.node else self.room
        part = RouterProxy(slot, name, self)
        others = list(self.parts.values())
        self.parts[slot] = part
        part.start()
        for pid, stream in self.screen_streams.items():
            part._send("set_screen_stream", pid, stream)
        for pid, track in self.channel_tracks.items():
            part._send("set_channel_track", pid, track)
        if self.interpretation is not None:
            part._send("set_interpretation", *self.interpretation)
        if others:
            where = f"node {slot.node}'s" if slot.node else f"SFU worker {slot.index}:"
            log.info("room spread to %s part %d", where, len(self.parts))
        for pid in self.tracks:
            self._fan_out(pid)
        return part

    def tracks_changed(self, part: RouterProxy, pid: str, tracks: list[TrackInfo]) -> None:
        """What `pid` publishes, as its part reports it after each publish offer."""
        if self.where.get(pid) is not part.slot or self.tracks.get(pid) == tracks:
            return
        self.tracks[pid] = tracks
        if pid not in self.keys:
            self.keys[pid] = self.pool.relay_key()
        self._fan_out(pid)

    def _fan_out(self, pid: str) -> None:
        """Tell `pid`'s part to relay to every other part, and those parts what comes.
        A lent part whose address is not known yet is told when it is (`part_opened`)."""
        slot = self.where.get(pid)
        origin = self.parts.get(slot) if slot is not None else None
        if origin is None or len(self.parts) < 2:
            return
        key, tracks = self.keys[pid], self.tracks[pid]
        others = [
            part
            for part in self.parts.values()
            if part is not origin and part.relay_address(origin) and origin.relay_address(part)
        ]
        # The origin first: a part's first `wants` should find it ready.
        origin._send("relay_out", pid, key, [part.relay_address(origin) for part in others])
        for part in others:
            part._send("relay_in", pid, key, origin.relay_address(part), tracks)

    def part_opened(self) -> None:
        """A lent part said its address: the publishers' relays reach it from now on."""
        for pid in self.tracks:
            self._fan_out(pid)

    def part_lost(self, part: RouterProxy) -> None:
        """Its worker died, or its lender's link: the room starts afresh (hub._sfu_lost)."""
        self.pool.on_lost([self.room])

    def heard_speaker(self, part: RouterProxy, pid: str) -> None:
        """Every part hears every voice (each wants all audio): one of them speaks for all,
        the part with the most participants."""
        counts = Counter(self.where.values())
        loudest = max(self.parts, key=lambda slot: (counts[slot], -slot.index))
        if part.slot is loudest and pid != self.speaker:
            self.speaker = pid
            self.on_speaker(pid)

    # --- what the hub calls ------------------------------------------------------

    async def publish(self, pid: str, offer_sdp: str) -> str:
        return str(await self.part_of(pid)._ask("publish", pid, offer_sdp))

    async def subscriber_answer(self, pid: str, answer_sdp: str) -> None:
        await self.part_of(pid)._ask("subscriber_answer", pid, answer_sdp)

    async def channel_ready(self, pid: str, now: float) -> bool:
        """Asked of the workers (`now` is their own clock's there): `pid`'s part says
        whether its channel is sending and negotiated there; every other part whether
        its listeners have the m-line."""
        ready = bool(await self.part_of(pid)._ask("channel_ready", pid))
        for part in [p for slot, p in self.parts.items() if slot is not self.where[pid]]:
            ready = ready and bool(await part._ask("channel_negotiated", pid))
        return ready

    def restart_subscriber(self, pid: str) -> None:
        self.part_of(pid)._send("restart_subscriber", pid)

    def set_screen_stream(self, pid: str, stream_id: str | None) -> None:
        if stream_id:
            self.screen_streams[pid] = stream_id
        else:
            self.screen_streams.pop(pid, None)
        self._everywhere("set_screen_stream", pid, stream_id)

    def set_view(self, pid: str, publisher_id: str, height: int) -> None:
        self.part_of(pid)._send("set_view", pid, publisher_id, height)

    def set_channel_track(self, pid: str, track_id: str | None) -> None:
        if track_id:
            self.channel_tracks[pid] = track_id
        else:
            self.channel_tracks.pop(pid, None)
        self._everywhere("set_channel_track", pid, track_id)

    def set_interpretation(
        self, feeds: Mapping[str, tuple[str | None, bool]], listening: Mapping[str, str]
    ) -> None:
        self.interpretation = ({k: list(v) for k, v in feeds.items()}, dict(listening))
        self._everywhere("set_interpretation", *self.interpretation)

    def subscribe_all(self, pid: str) -> None:
        self.part_of(pid)._send("subscribe_all", pid)

    def remove(self, pid: str) -> None:
        """Everywhere: a remote publisher's tracks go from the other parts too."""
        self.where.pop(pid, None)
        self.tracks.pop(pid, None)
        self.pool.release_key(self.keys.pop(pid, 0))
        self._everywhere("remove", pid)

    def _everywhere(self, method: str, *args: Any) -> None:
        for part in self.parts.values():
            part._send(method, *args)


def deliver(part: RouterProxy | None, message: Mapping[str, Any]) -> None:
    """A part's event, from its worker or its lender, to whoever owns the part."""
    event = message.get("event")
    if part is None:
        return  # a room closed meanwhile
    if event == "offer":
        part.owner.send_offer(str(message["pid"]), str(message["sdp"]))
    elif event == "speaker":
        part.owner.heard_speaker(part, str(message["pid"]))
    elif event == "tracks":
        part.owner.tracks_changed(part, str(message["pid"]), message["tracks"])


class Replies:
    """The calls asked of a worker, or a lender, that wait for its answer, by id."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)

    def expect(self) -> tuple[int, asyncio.Future[Any]]:
        ident = next(self._ids)
        future = self._waiting[ident] = asyncio.get_running_loop().create_future()
        return ident, future

    def answer(self, message: Mapping[str, Any]) -> None:
        """`result`; `error`: the router refused (bad SDP); `gone`: its worker died first."""
        future = self._waiting.pop(int(message["reply"]), None)
        if future is None or future.done():
            return
        if "gone" in message:
            future.set_exception(WorkerGone(str(message["gone"])))
        elif "error" in message:
            future.set_exception(ValueError(str(message["error"])))
        else:
            future.set_result(message.get("result"))

    def fail(self, exc: Exception) -> None:
        """The worker or the link is gone: nobody waits forever."""
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(exc)
        self._waiting.clear()


class Lenders(Protocol):
    """The workers other nodes lend this one (borrow.py), as placement sees them."""

    def slots(self) -> list[Slot]: ...

    def stop(self) -> None: ...


class WorkerSlot:
    """Worker number `index`: its ports, its rooms, and the process running it now."""

    node = ""  # this node's own

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.relay_udp = ""  # its sealed UDP relay, once open (with a cluster secret only)
        self.rooms: dict[str, RouterProxy] = {}
        self.load = Load(ready=False)
        self.port = 0  # its UDP port, once open
        self.tcp_port = 0
        self.dropped: Counter[str] = Counter()  # this process's, as last reported
        self.dropped_before: Counter[str] = Counter()  # the processes before it
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._writer: asyncio.StreamWriter | None = None
        self._ready = False
        self._queued: list[dict[str, Any]] = []  # sent before its ports opened
        self.replies = Replies()
        self._started = asyncio.Event()

    @property
    def relay_path(self) -> str:
        """Its relay socket (frankly/sfu/relay.py), the same across its restarts."""
        return str(self.pool.settings(self.index)["relay"])

    def rooms_changed(self) -> None:
        """Counted at once: two rooms opened within a second go to different workers."""
        load = self.load
        self.load = Load(load.packets_per_second, load.cpu, len(self.rooms), load.ready)

    # --- what proxies call ---------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if self._ready and self._writer is not None:
            wire.write(self._writer, message)
        else:
            self._queued.append(message)

    async def ask(self, message: dict[str, Any]) -> Any:
        ident, future = self.replies.expect()
        self.send({**message, "id": ident})
        return await future

    # --- the process ---------------------------------------------------------------

    async def run(self) -> None:
        """Run the worker, and again each time it dies, until the pool stops."""
        loop = asyncio.get_running_loop()
        while not self.pool.stopping:
            began = loop.time()
            try:
                await self._run_once()
            except Exception:
                log.exception("SFU worker %d failed", self.index)
            if self.pool.stopping:
                return
            if not self._started.is_set():  # never opened its ports: the server cannot start
                self.pool.failed_start.set()
                return
            self._lost()
            self.restarts += 1
            if loop.time() - began < QUICK_DEATH:
                await asyncio.sleep(RESTART_PAUSE)  # no tight loop of a worker that cannot start

    async def _run_once(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "frankly.cluster.worker_process",
                str(theirs.fileno()),
                json.dumps(self.pool.settings(self.index)),
                pass_fds=(theirs.fileno(),),
            )
        finally:
            theirs.close()
        reader, self._writer = await asyncio.open_unix_connection(sock=ours, limit=wire.LINE_LIMIT)
        try:
            while (message := await wire.read(reader)) is not None:
                self._received(message)
        finally:
            self._writer.close()
            if self.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
            await self.process.wait()

    def _received(self, message: dict[str, Any]) -> None:
        if "reply" in message:
            self.replies.answer(message)
            return
        event = message.get("event")
        if event == "load":
            self._reported(message)
        elif event == "ready":
            self.relay_udp = str(message.get("relay_udp", ""))
            self._opened(int(message["port"]), int(message["tcp_port"]))
        else:
            deliver(self.rooms.get(str(message.get("room"))), message)

    def _opened(self, port: int, tcp_port: int) -> None:
        self.port, self.tcp_port = port, tcp_port
        self._ready = True
        self.load = Load(rooms=len(self.rooms), ready=True)
        assert self._writer is not None
        for queued in self._queued:
            wire.write(self._writer, queued)
        self._queued.clear()
        self._started.set()
        relay = f"; relay for other nodes on {self.relay_udp}" if self.relay_udp else ""
        log.info("SFU worker %d: media on UDP %d, TCP %d%s", self.index, port, tcp_port, relay)

    def _reported(self, message: dict[str, Any]) -> None:
        self.load = Load(
            packets_per_second=float(message["packets_per_second"]),
            cpu=float(message["cpu"]),
            rooms=len(self.rooms),
            ready=self._ready,
        )
        for name, counters in message["rooms"].items():
            proxy = self.rooms.get(name)
            if proxy is not None:
                proxy.counted(counters)
        self.dropped = Counter(message["dropped"])

    def _lost(self) -> None:
        """The process is gone: forget its state, and hand its rooms back to the hub."""
        self._ready = False
        self._queued.clear()
        self.load = Load(rooms=0, ready=False)
        self.dropped_before += self.dropped
        self.dropped = Counter()
        self.replies.fail(WorkerGone(f"SFU worker {self.index} restarted"))
        rooms, self.rooms = self.rooms, {}
        log.warning(
            "SFU worker %d died (exit %s): restarting it; moving its %d rooms",
            self.index,
            self.process.returncode if self.process else None,
            len(rooms),
        )
        self.pool.lost(self, rooms)

    def stop(self) -> None:
        if self._writer is not None:
            self._writer.close()  # end of file: the worker exits by itself
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()


class WorkerPool:
    def __init__(
        self,
        count: int,
        settings: Mapping[str, Any],
        on_lost: OnLost = lambda rooms: None,
        spread_at: float = SPREAD_AT,
        relay_parent: Path | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("a pool has one worker or more")
        self._settings = dict(settings)
        self.on_lost = on_lost
        self.spread_at = spread_at
        self._keys: set[int] = set()  # handed out: never twice
        self.generations = itertools.count(1)
        # With a cluster secret and Redis: the workers other nodes lend (borrow.py).
        self.lenders: Lenders | None = None
        self.relay_dir = _relay_dir(relay_parent)
        self.stopping = False
        self.failed_start = asyncio.Event()  # a worker exited before it opened its ports
        self.slots = [WorkerSlot(self, i) for i in range(count)]
        self._tasks: list[asyncio.Task[None]] = []

    def settings(self, index: int) -> dict[str, Any]:
        """What worker `index` opens: the base ports + index (0 stays 'any free port')."""
        mine = dict(self._settings)
        mine["relay"] = os.path.join(self.relay_dir, f"{index}.sock")
        if mine["port"]:
            mine["port"] += index
        if mine["tcp_port"] is not None and mine["tcp_port"] > 0:
            mine["tcp_port"] += index
        if "relay_udp" in mine and mine["relay_udp"][1]:
            mine["relay_udp"] = [mine["relay_udp"][0], mine["relay_udp"][1] + index]
        return mine

    async def start(self) -> None:
        """Start every worker and wait until each has opened its ports; a worker that
        exits first (its port is taken) fails the start (WorkersFailed), as a taken
        media port fails `frankly serve` without workers."""
        self._tasks = [asyncio.create_task(slot.run()) for slot in self.slots]
        everyone = asyncio.gather(*(slot._started.wait() for slot in self.slots))
        failed = asyncio.create_task(self.failed_start.wait())
        waits: list[asyncio.Future[Any]] = [everyone, failed]
        done, _pending = await asyncio.wait(
            waits, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        for wait in waits:
            wait.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await wait  # retrieved, so no "exception never retrieved" at exit
        if everyone not in done:
            await self.aclose()
            ports = ", ".join(str(self.settings(i)["port"]) for i in range(len(self.slots)))
            raise WorkersFailed(
                f"the SFU's {len(self.slots)} workers did not all open their media ports "
                f"(UDP {ports}; see the lines above): is one taken?"
            )

    def place(
        self, room: str, send_offer: Callable[[str, str], None], on_speaker: Callable[[str], None]
    ) -> SpreadRouter:
        """The SFU of `room`: first on the least loaded worker, more as it grows."""
        return SpreadRouter(self, room, send_offer, on_speaker)

    def least_loaded(self) -> int:
        return least_loaded([slot.load for slot in self.slots])

    def candidates(self) -> list[Slot]:
        """Where a room's part may run: this node's workers, then what others lend."""
        lent = self.lenders.slots() if self.lenders is not None else []
        return [*self.slots, *lent]

    def place_participant(self, slots: list[Slot], here: list[int | None]) -> int:
        return place_participant([slot.load for slot in slots], here, self.spread_at)

    def relay_key(self) -> int:
        """A publisher's key on the relays: random, so that keys from several nodes meet
        in one worker (a lent part) without a registry of them. Never 0, never twice here;
        two nodes' keys collide in a worker with odds of about n**2 / 2**33 for n keys."""
        while True:
            key = secrets.randbits(32)
            if key and key not in self._keys:
                self._keys.add(key)
                return key

    def release_key(self, key: int) -> None:
        self._keys.discard(key)

    def lost(self, slot: Slot, rooms: Mapping[str, RouterProxy]) -> None:
        """A worker died, or a lender's link: each part's owner hears it (the hub
        retires the counters of the rooms it moves)."""
        for part in rooms.values():
            part.owner.part_lost(part)

    @property
    def port(self) -> int:
        """The first worker's UDP port, 0 while no worker has its ports open."""
        return next((s.port for s in self.slots if s.load.ready), 0)

    @property
    def dropped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for slot in self.slots:
            total += slot.dropped_before + slot.dropped
        return total

    def stop(self) -> None:
        """Stop every worker (they exit as their channels close); `aclose` waits for them."""
        self.stopping = True
        if self.lenders is not None:
            self.lenders.stop()
        for slot in self.slots:
            slot.stop()

    async def aclose(self) -> None:
        """Stop, and wait until every worker process has exited and been reaped."""
        self.stop()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in pending:
                task.cancel()
        shutil.rmtree(self.relay_dir, ignore_errors=True)
