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
import socket
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from frankly.cluster import worker_wire as wire
from frankly.cluster.worker_placement import Load, least_loaded
from frankly.ops.stats import ROUTER_COUNTERS

log = logging.getLogger(__name__)

# Seconds a worker has to open its ports before it counts as failed.
START_TIMEOUT = 30.0
# Seconds stopped workers have to exit (SIGTERM and end of file) before they are left.
STOP_TIMEOUT = 5.0
# A worker that died this soon after it started waits this long before the next try.
QUICK_DEATH = 2.0
RESTART_PAUSE = 1.0

OnLost = Callable[[list[str]], None]


class WorkersFailed(RuntimeError):
    """The workers could not all start (a media port taken): the server does not start."""


class WorkerGone(ValueError):
    """The worker of this room died before it answered (the room moves to another)."""


class _AudioOnly:
    """`Router.audio_only` as the hub uses it: `add` a subscriber sent audio only."""

    def __init__(self, proxy: RouterProxy) -> None:
        self._proxy = proxy

    def add(self, pid: str) -> None:
        self._proxy._send("audio_only", pid)


class RouterProxy:
    """A room's Router in a worker process, with the methods the hub calls."""

    def __init__(
        self,
        slot: WorkerSlot,
        room: str,
        send_offer: Callable[[str, str], None],
        on_speaker: Callable[[str], None],
    ) -> None:
        self.slot = slot
        self.room = room
        self.send_offer = send_offer
        self.on_speaker = on_speaker
        self.audio_only = _AudioOnly(self)
        self.channel_tracks: dict[str, str] = {}  # as set here: the hub reads it back
        # The Router's counters as the worker last reported them (every second).
        self.forwarded = 0
        self.forwarded_bytes = 0
        self.nacks_served = 0
        self.nacks_sent = 0
        self.plis = 0
        self.layer_switches = 0

    @property
    def worker(self) -> int:
        return self.slot.index

    def start(self) -> None:
        self.slot.send({"op": "open", "room": self.room})

    def stop(self) -> None:
        if self.slot.rooms.get(self.room) is self:
            del self.slot.rooms[self.room]
            self.slot.send({"op": "close", "room": self.room})

    async def publish(self, pid: str, offer_sdp: str) -> str:
        return str(await self._ask("publish", pid, offer_sdp))

    async def subscriber_answer(self, pid: str, answer_sdp: str) -> None:
        await self._ask("subscriber_answer", pid, answer_sdp)

    async def channel_ready(self, pid: str, now: float) -> bool:
        """Asked of the worker: `now` is its own clock's there."""
        return bool(await self._ask("channel_ready", pid))

    def restart_subscriber(self, pid: str) -> None:
        self._send("restart_subscriber", pid)

    def set_screen_stream(self, pid: str, stream_id: str | None) -> None:
        self._send("set_screen_stream", pid, stream_id)

    def set_view(self, pid: str, publisher_id: str, height: int) -> None:
        self._send("set_view", pid, publisher_id, height)

    def set_channel_track(self, pid: str, track_id: str | None) -> None:
        if track_id:
            self.channel_tracks[pid] = track_id
        else:
            self.channel_tracks.pop(pid, None)
        self._send("set_channel_track", pid, track_id)

    def set_interpretation(
        self, feeds: Mapping[str, tuple[str | None, bool]], listening: Mapping[str, str]
    ) -> None:
        self._send("set_interpretation", {k: list(v) for k, v in feeds.items()}, dict(listening))

    def subscribe_all(self, pid: str) -> None:
        self._send("subscribe_all", pid)

    def remove(self, pid: str) -> None:
        self._send("remove", pid)

    def counted(self, counters: Mapping[str, int]) -> None:
        for name in ROUTER_COUNTERS:
            setattr(self, name, int(counters.get(name, 0)))

    def _send(self, method: str, *args: Any) -> None:
        self.slot.send({"op": "call", "room": self.room, "method": method, "args": list(args)})

    async def _ask(self, method: str, *args: Any) -> Any:
        return await self.slot.ask(
            {"op": "call", "room": self.room, "method": method, "args": list(args)}
        )


class WorkerSlot:
    """Worker number `index`: its ports, its rooms, and the process running it now."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
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
        self._asked: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._started = asyncio.Event()

    # --- what proxies call ---------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if self._ready and self._writer is not None:
            wire.write(self._writer, message)
        else:
            self._queued.append(message)

    async def ask(self, message: dict[str, Any]) -> Any:
        ident = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._asked[ident] = future
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
            future = self._asked.pop(int(message["reply"]), None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(ValueError(str(message["error"])))
                else:
                    future.set_result(message.get("result"))
            return
        event, room = message.get("event"), self.rooms.get(str(message.get("room")))
        if event == "offer" and room is not None:
            room.send_offer(str(message["pid"]), str(message["sdp"]))
        elif event == "speaker" and room is not None:
            room.on_speaker(str(message["pid"]))
        elif event == "load":
            self._reported(message)
        elif event == "ready":
            self._opened(int(message["port"]), int(message["tcp_port"]))

    def _opened(self, port: int, tcp_port: int) -> None:
        self.port, self.tcp_port = port, tcp_port
        self._ready = True
        self.load = Load(rooms=len(self.rooms), ready=True)
        assert self._writer is not None
        for queued in self._queued:
            wire.write(self._writer, queued)
        self._queued.clear()
        self._started.set()
        log.info("SFU worker %d: media on UDP %d, TCP %d", self.index, port, tcp_port)

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
        for future in self._asked.values():
            if not future.done():
                future.set_exception(WorkerGone(f"SFU worker {self.index} restarted"))
        self._asked.clear()
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
    ) -> None:
        if count < 1:
            raise ValueError("a pool has one worker or more")
        self._settings = dict(settings)
        self.on_lost = on_lost
        self.stopping = False
        self.failed_start = asyncio.Event()  # a worker exited before it opened its ports
        self.slots = [WorkerSlot(self, i) for i in range(count)]
        self._tasks: list[asyncio.Task[None]] = []

    def settings(self, index: int) -> dict[str, Any]:
        """What worker `index` opens: the base ports + index (0 stays 'any free port')."""
        mine = dict(self._settings)
        if mine["port"]:
            mine["port"] += index
        if mine["tcp_port"] is not None and mine["tcp_port"] > 0:
            mine["tcp_port"] += index
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
    ) -> RouterProxy:
        """A Router for `room` on the least loaded worker."""
        slot = self.slots[least_loaded([s.load for s in self.slots])]
        proxy = RouterProxy(slot, room, send_offer, on_speaker)
        slot.rooms[room] = proxy
        slot.load = Load(
            slot.load.packets_per_second, slot.load.cpu, len(slot.rooms), slot.load.ready
        )
        proxy.start()
        return proxy

    def lost(self, slot: WorkerSlot, rooms: Mapping[str, RouterProxy]) -> None:
        if rooms:  # the hub retires their proxies' counters as it moves them
            self.on_lost(list(rooms))

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
        for slot in self.slots:
            slot.stop()

    async def aclose(self) -> None:
        """Stop, and wait until every worker process has exited and been reaped."""
        self.stop()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT)
            for task in pending:
                task.cancel()
