"""`frankly bench flood`: what a bystander feels while others flood the server with passwords.

Issue 10's first finding: every room password is hashed with scrypt (about
40 ms and 16 MiB), and hosts changing passwords from many connections, each
under its own flood limit, once held every pong in every room for seconds.
Hashing now runs off the event loop within budgets (server/passwords.py);
tests/server/test_passwords.py holds it to a generous ceiling, and this
measures the real figure.

A real server on a loopback port (in this process, on its own thread); a
bystander in a room of its own pings every 50 ms and times each pong: first
while the server is quiet, then while `hosts` connections each change their
room's password 10 times a second, then for as long again after they stop.
It prints the bystander's pong times for each phase and how the flooders
were answered (changed, or refused as `busy` before any work).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from frankly.bench.machine import describe
from frankly.server.background import BackgroundServer

PING_EVERY = 0.05  # the bystander's pace: steady, not a flood of its own
CHANGES_PER_SECOND = 10  # each flooder's pace, under its connection's flood limit


@dataclass
class Phase:
    name: str
    pongs: list[float] = field(default_factory=list)  # seconds, one per ping

    def summary(self) -> str:
        if not self.pongs:
            return f"{self.name:>7}: no pongs"
        ms = sorted(p * 1000 for p in self.pongs)
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return (
            f"{self.name:>7}: {len(ms):4d} pongs, p50 {statistics.median(ms):7.1f} ms, "
            f"p95 {p95:7.1f} ms, max {ms[-1]:7.1f} ms"
        )


async def _join(url: str, room: str) -> ClientConnection:
    # No keepalive of the library's own: the protocol's ping is what is timed,
    # and a stalled server should be measured, not hung up on.
    ws = await connect(url, max_size=2**20, ping_interval=None)
    await ws.send(json.dumps({"type": "hello", "version": 1, "room": room, "name": "Bench"}))
    while json.loads(await ws.recv())["type"] != "welcome":
        pass
    return ws


async def _ping_until(ws: ClientConnection, phase: Phase, stop: asyncio.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "ping", "n": n}))
        while True:
            reply: dict[str, Any] = json.loads(await ws.recv())
            if reply["type"] == "pong" and reply.get("n") == n:
                break
        phase.pongs.append(time.perf_counter() - started)
        await asyncio.sleep(PING_EVERY)


async def _measure(ws: ClientConnection, phase: Phase, seconds: float) -> None:
    stop = asyncio.Event()
    pinger = asyncio.create_task(_ping_until(ws, phase, stop))
    await asyncio.sleep(seconds)
    stop.set()
    await pinger


async def _flood(host: ClientConnection, seconds: float, answers: Counter[str]) -> None:
    """Change the room's password at CHANGES_PER_SECOND; count what came back."""
    changes = max(1, int(seconds * CHANGES_PER_SECOND))
    for i in range(changes):
        await host.send(json.dumps({"type": "settings", "password": f"pw-{i}"}))
        await asyncio.sleep(1 / CHANGES_PER_SECOND)
    await host.send(json.dumps({"type": "ping", "n": -1}))
    try:
        while True:  # every answer, up to the pong of the ping sent last
            message = json.loads(await host.recv())
            if message["type"] == "pong":
                return
            answers[message.get("code", message["type"])] += 1
    except ConnectionClosed as exc:
        answers[f"closed {exc.rcvd.code if exc.rcvd else 'without a code'}"] += 1


async def _run(url: str, hosts: int, seconds: float) -> tuple[list[Phase], Counter[str]]:
    bystander = await _join(url, "calm")
    flooders = [await _join(url, f"flood{i}") for i in range(hosts)]
    quiet, during, after = Phase("quiet"), Phase("flood"), Phase("after")
    answers: Counter[str] = Counter()
    await _measure(bystander, quiet, seconds)
    stop = asyncio.Event()
    pinger = asyncio.create_task(_ping_until(bystander, during, stop))
    await asyncio.gather(*(_flood(host, seconds, answers) for host in flooders))
    stop.set()
    await pinger
    await _measure(bystander, after, seconds)
    for ws in [bystander, *flooders]:
        await ws.close()
    return [quiet, during, after], answers


def run(hosts: int = 20, seconds: float = 10.0) -> tuple[list[Phase], Counter[str]]:
    server = BackgroundServer().start()
    try:
        print(f"{describe()}; {hosts} hosts changing passwords, {seconds:g} s a phase")
        phases, answers = asyncio.run(_run(server.ws_url, hosts, seconds))
        _report(phases, answers)
    finally:
        server.stop()
    return phases, answers


def _report(phases: list[Phase], answers: Counter[str]) -> None:
    for phase in phases:
        print(phase.summary())
    print("flooders were answered: " + ", ".join(f"{k} {v}" for k, v in sorted(answers.items())))
    quiet, during = phases[0], phases[1]
    if quiet.pongs and during.pongs:
        ratio = statistics.median(during.pongs) / statistics.median(quiet.pongs)
        print(f"median pong under the flood / quiet: {ratio:.1f}x")
