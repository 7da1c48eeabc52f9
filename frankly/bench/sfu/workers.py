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
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from frankly.bench.loadgen import Engine, Participant, audio_stream, video_stream
from frankly.bench.sfu.proc import cpu_seconds, own_cpu
from frankly.bench.sfu.servers.frankly import FranklyServer, FranklyTarget

WARM_UP = 2.0  # seconds after everyone receives everything, before the window
GRACE = 0.5  # seconds after the window for its last packets to arrive
READY_WITHIN = 30.0


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
            f"packet), generator {self.generator_cpu / self.seconds:4.2f} cores"
            + (f", {self.not_ready} receivers incomplete" if self.not_ready else "")
        )


class WorkersServer(FranklyServer):
    """`frankly serve --workers N`, each worker on a free media port of its own."""

    def __init__(self, workers: int, max_participants: int) -> None:
        super().__init__(max_participants, None)
        self.workers = workers

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--media-port") + 1] = "0"  # each worker: any free port
        return [*command, "--workers", str(self.workers)]

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
    workers: int, rooms: int, publishers: int, viewers: int, seconds: float
) -> WorkersRun:
    """One server with `workers` workers, the load joined, one window measured."""
    server = WorkersServer(workers, publishers + viewers + 2)
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
        await asyncio.sleep((end - time.time_ns()) / 1e9)
        cpu1, gen1 = _server_cpu(server.pid), own_cpu()
        await asyncio.sleep(GRACE)
        engine.close_window()
        receivers = [p.sub for p in everyone if p.sub is not None]
        received, expected = engine.tally(receivers)
        return WorkersRun(
            workers, rooms, seconds, received, expected, cpu1 - cpu0, gen1 - gen0, not_ready
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
