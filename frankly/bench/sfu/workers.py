"""`frankly bench sfu --workers N`: the same load through one SFU worker and through N.

One room lives on one worker (docs/scaling.md), so the load is `rooms` rooms
(N by default), each of `publishers` publishers and `viewers` viewers, the
same in both runs: first `frankly serve --workers 1`, then `--workers N`.
Each run measures one window, as the ramp does (ramp.py): packets the
generator's receivers got through the SFU, loss, and the CPU of the server
and all its worker processes (/proc). The ratio of forwarded packets a
second, N workers over one, is what the workers bought at this load: near 1
when one worker keeps up, up to N when one worker is saturated and the
machine has cores to spare. The generator runs on the same machine and needs
a core of its own (docs/benchmarks.md says what the figure means there).

`spread` then runs one room the same way twice: on one worker, and spread
over N (`--spread-at 0`), so that every publisher's packets cross the relay
to the other parts; the difference is the cost of one cascaded hop, CPU a
relayed packet and added latency (relay_model.py does the arithmetic).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from frankly.bench.loadgen import Engine, Participant, audio_stream, percentile, video_stream
from frankly.bench.sfu.proc import cpu_seconds, own_cpu
from frankly.bench.sfu.relay_model import (
    RelayCost,
    counter,
    relay_cost,
    relayed_in_window,
    relayed_per_forwarded,
)
from frankly.bench.sfu.server import free_port
from frankly.bench.sfu.servers.frankly import FranklyServer, FranklyTarget

WARM_UP = 2.0  # seconds after everyone receives everything, before the window
GRACE = 0.5  # seconds after the window for its last packets to arrive
READY_WITHIN = 30.0
REPORTED = 1.5  # seconds after the window: every worker has reported its counters since
RELAYED = "frankly_sfu_relayed_packets_total"
FORWARDED = "frankly_sfu_forwarded_packets_total"


@dataclass
class WorkersRun:
    workers: int
    rooms: int
    seconds: float
    received: int
    expected: int
    server_cpu: float  # CPU seconds of the server and its workers in the window
    generator_cpu: float
    not_ready: int  # receivers that never got every stream
    relayed: float = 0.0  # packets relayed between the workers in the window (/metrics)
    latency_us: tuple[float, float] = (math.nan, math.nan)  # p50, p99, generator's clock

    @property
    def forwarded_per_second(self) -> float:
        return self.received / self.seconds

    @property
    def loss(self) -> float:
        return 1 - self.received / self.expected if self.expected else 0.0

    @property
    def cpu_us_per_packet(self) -> float:
        return 1e6 * self.server_cpu / self.received if self.received else float("nan")

    def row(self) -> str:
        return (
            f"  {self.workers:>2} worker(s): {self.forwarded_per_second:>9,.0f} packets/s "
            f"forwarded, loss {100 * self.loss:5.2f} %, server CPU "
            f"{self.server_cpu / self.seconds:4.2f} cores ({self.cpu_us_per_packet:5.1f} µs a "
            f"packet), generator {self.generator_cpu / self.seconds:4.2f} cores, "
            f"{self.relayed:,.0f} relayed, latency p50 {self.latency_us[0] / 1000:.2f} ms "
            f"p99 {self.latency_us[1] / 1000:.2f} ms"
            + (f", {self.not_ready} receivers incomplete" if self.not_ready else "")
        )


class WorkersServer(FranklyServer):
    """`frankly serve --workers N`, each worker on a free media port of its own, with
    /metrics on a port of its own (the workers' relay counters)."""

    def __init__(self, workers: int, max_participants: int, spread_at: float | None) -> None:
        super().__init__(max_participants, None)
        self.workers = workers
        self.spread_at = spread_at
        self.metrics_port = free_port(socket.SOCK_STREAM)

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--media-port") + 1] = "0"  # each worker: any free port
        command += ["--workers", str(self.workers)]
        command += ["--metrics-listen", f"127.0.0.1:{self.metrics_port}"]
        if self.spread_at is not None:
            command += ["--spread-at", str(self.spread_at)]
        return command

    def counters(self) -> tuple[float, float]:
        """(relayed, forwarded) packets, as the workers last reported them."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as reply:
            text = reply.read().decode()
        return counter(text, RELAYED), counter(text, FORWARDED)

    def server_ports(self) -> set[int]:
        return set()


def worker_pids(pid: int) -> list[int]:
    """The server's SFU worker processes (its children running worker_process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, StopIteration):
            status = (entry / "status").read_text()
            ppid = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:"))
            if int(ppid) == pid and b"worker_process" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def _server_cpu(pid: int) -> float:
    return cpu_seconds(pid) + sum(cpu_seconds(w) for w in worker_pids(pid))


def _people(rooms: int, publishers: int, viewers: int) -> list[list[Participant]]:
    """Each room's people: its publishers first; everyone expects the room's other streams."""
    made, index = [], 0
    for room in range(rooms):
        pubs = [Participant(index + i, True, name=f"r{room}-pub-{i}") for i in range(publishers)]
        index += publishers
        streams = {s for p in pubs for s in (audio_stream(p.index), video_stream(p.index))}
        for p in pubs:
            p.extra["expect"] = streams - {audio_stream(p.index), video_stream(p.index)}
        watchers = [Participant(index + i, False, name=f"r{room}-view-{i}") for i in range(viewers)]
        index += viewers
        for v in watchers:
            v.extra["expect"] = set(streams)
        made.append(pubs + watchers)
    return made


async def _ready(people: list[Participant], within: float) -> int:
    """Wait until every receiver has every stream it expects; how many have not."""
    deadline = time.monotonic() + within
    while True:
        missing = 0
        for person in people:
            sub = person.sub
            if sub is not None and not sub.expect:
                sub.expect = person.extra["expect"]
            publishing = not person.publishes or (person.pub and person.pub.tx)
            if not publishing or sub is None or sub.tx is None or not sub.expect <= sub.seen:
                missing += 1
        if not missing or time.monotonic() > deadline:
            return missing
        await asyncio.sleep(0.1)  # the generator's counters say nothing when they change


async def measure(
    workers: int,
    rooms: int,
    publishers: int,
    viewers: int,
    seconds: float,
    spread_at: float | None = None,
) -> WorkersRun:
    """One server with `workers` workers, the load joined, one window measured."""
    server = WorkersServer(workers, publishers + viewers + 2, spread_at)
    engine = Engine()
    targets: list[FranklyTarget] = []
    try:
        server.start()
        engine.start()
        rooms_people = _people(rooms, publishers, viewers)
        for n, people in enumerate(rooms_people):
            target = FranklyTarget(engine, server)
            target.room = f"bench-workers-{n}"
            targets.append(target)
            pubs = [p for p in people if p.publishes]
            await target.add_publishers(pubs)
            for viewer in people[len(pubs) :]:
                await target.add_viewer(viewer, pubs)
        everyone = [p for people in rooms_people for p in people]
        not_ready = await _ready(everyone, READY_WITHIN)
        await asyncio.sleep(WARM_UP)  # keyframe requests and join bursts settle
        start = time.time_ns() + 100_000_000
        end = start + int(seconds * 1e9)
        engine.open_window(start, end)
        await asyncio.sleep((start - time.time_ns()) / 1e9)
        cpu0, gen0 = _server_cpu(server.pid), own_cpu()
        counted0 = await asyncio.to_thread(server.counters)  # off the generator's loop
        await asyncio.sleep((end - time.time_ns()) / 1e9)
        cpu1, gen1 = _server_cpu(server.pid), own_cpu()
        await asyncio.sleep(GRACE)
        engine.close_window()
        receivers = [p.sub for p in everyone if p.sub is not None]
        received, expected = engine.tally(receivers)
        latency = sorted(engine.latency)
        # The load goes on, so a later reading has the same ratio of the two counters.
        await asyncio.sleep(REPORTED - GRACE)
        counted1 = await asyncio.to_thread(server.counters)
        relayed = relayed_in_window(received, counted1[0] - counted0[0], counted1[1] - counted0[1])
        return WorkersRun(
            workers,
            rooms,
            seconds,
            received,
            expected,
            cpu1 - cpu0,
            gen1 - gen0,
            not_ready,
            relayed,
            (percentile(latency, 0.5) / 1000, percentile(latency, 0.99) / 1000),  # ns: µs
        )
    finally:
        for target in targets:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(target.close(), 10)
        engine.stop()
        server.stop()


def compare(
    workers: int, rooms: int | None, publishers: int, viewers: int, seconds: float
) -> tuple[WorkersRun, WorkersRun]:
    """Print and return the run through one worker and the run through `workers`."""
    rooms = rooms or workers
    print(
        f"frankly bench sfu --workers {workers}: {rooms} rooms of {publishers} publishers "
        f"and {viewers} viewers, {seconds:g} s window, the same load through 1 worker "
        f"and through {workers}",
        flush=True,
    )
    one = asyncio.run(measure(1, rooms, publishers, viewers, seconds))
    print(one.row(), flush=True)
    many = asyncio.run(measure(workers, rooms, publishers, viewers, seconds))
    print(many.row(), flush=True)
    ratio = many.forwarded_per_second / one.forwarded_per_second if one.received else 0.0
    print(f"  ratio, {workers} workers over 1: {ratio:.2f}x forwarded packets a second")
    return one, many


def spread(
    workers: int, publishers: int, viewers: int, seconds: float
) -> tuple[WorkersRun, WorkersRun, RelayCost]:
    """Print and return one room on one worker, the same room spread over `workers`
    (`--spread-at 0`), and what the relay path cost between the two."""
    print(
        f"one room of {publishers} publishers and {viewers} viewers on 1 worker, then "
        f"spread over {workers} (--spread-at 0)",
        flush=True,
    )
    one = asyncio.run(measure(1, 1, publishers, viewers, seconds))
    print(one.row(), flush=True)
    many = asyncio.run(measure(workers, 1, publishers, viewers, seconds, spread_at=0.0))
    print(many.row(), flush=True)
    cost = relay_cost(
        one.server_cpu,
        one.received,
        many.server_cpu,
        many.received,
        many.relayed,
        one.latency_us,
        many.latency_us,
    )
    for line in describe(cost, publishers, viewers, workers):
        print(line)
    return one, many, cost


def describe(cost: RelayCost, publishers: int, viewers: int, workers: int) -> list[str]:
    """The derived figures, with their inputs: a difference of two CPU readings is noisy."""
    even = relayed_per_forwarded(publishers, viewers, workers)
    return [
        f"  relayed per forwarded packet: {cost.relayed_per_forwarded:.4f} "
        f"(an even spread relaying each publisher once to each other part: {even:.4f})",
        f"  CPU a forwarded packet: {cost.single_cpu_us:.2f} µs on 1 worker, "
        f"{cost.spread_cpu_us:.2f} µs spread",
        f"  extra CPU of the relay path: {cost.relay_us:.1f} µs a relayed packet "
        f"(({cost.spread_cpu_us:.2f} - {cost.single_cpu_us:.2f}) µs / "
        f"{cost.relayed_per_forwarded:.4f}; noisy: a difference of two runs)",
        f"  added latency: p50 {cost.added_latency_p50_us / 1000:+.3f} ms, "
        f"p99 {cost.added_latency_p99_us / 1000:+.3f} ms (spread - single)",
    ]
