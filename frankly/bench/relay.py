"""`frankly bench relay`: the relay between nodes (sealed UDP) against the one in a node (Unix).

A room spread over workers relays each publisher's packets to its other
parts (frankly/sfu/relay.py): over a Unix datagram socket between the workers
of one node, over UDP sealed with AES-256-GCM (relay_seal.py) between nodes.
This sends one stream of relay messages through a RelaySocket each way, from
a sender process to a receiver process (a hop is always between processes;
both forked from this one, each on an event loop of its own, uvloop where
installed, as the workers are), and only on 127.0.0.1:

- the stream: `streams` publishers, each a video track of 30 frames a second
  of 4 and 5 packets in turn (1,200 bytes each) and an audio track of 50
  packets a second (160 bytes), publishers' phases spread evenly; at 6, about
  1,110 messages a second, what the spread room of `bench sfu --workers`
  relays; every message carries its number and the sender's CLOCK_MONOTONIC
  time (shared by all processes of the machine), taken just before
  RelaySocket.send, so its latency includes the batch's wait;
- CPU per delivered message (process_time in each process, over the stream):
  the sender's from its first message until the receiver has all (what its
  transport still queued is sent meanwhile), and of that the time in
  RelaySocket.send and .flush (the sender's pacing and message building are
  not relay cost); the receiver's from the start until it has all (or GRACE
  past the stream's end), all of it relay cost: it does nothing else. The
  hop's cost is the relay's calls in the sender plus the receiver's;
- delivered count, datagrams, latency p50/p99 from send to the receiving
  RelaySocket handing the message on;
- seal + open alone: the AES-GCM of the sealed run's own datagram sizes, in
  this process, to say the seal's share of the sealed hop's cost.

Then the ratios sealed UDP / Unix.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import struct
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from frankly.bench.machine import describe
from frankly.cluster.event_loop import run as run_loop
from frankly.sfu import relay, relay_seal

FPS = 30
FRAME_PACKETS = (4, 5)  # a frame's packets, frame after frame in turn
VIDEO_BYTES = 1200
AUDIO_EVERY = 0.02
AUDIO_BYTES = 160
KEY = 7  # the publisher's relay key, as the signaling process would give it
VIDEO, AUDIO = 0, 1  # track numbers
_STAMP = struct.Struct(">IQ")  # message number, sent at (CLOCK_MONOTONIC, ns)
GRACE = 2.0  # seconds past the stream's end that the receiver waits for the rest
TRANSPORTS = ("unix", "udp")
HOST = "127.0.0.1"


def schedule(streams: int, seconds: float) -> list[tuple[float, int, int]]:
    """(seconds from the start, track, bytes) of each message, in order of sending."""
    events = []
    for stream in range(streams):
        phase = stream / streams
        for frame in range(int(seconds * FPS)):
            at = (frame + phase) / FPS
            for _ in range(FRAME_PACKETS[frame % len(FRAME_PACKETS)]):
                events.append((at, VIDEO, VIDEO_BYTES))
        for packet in range(int(seconds / AUDIO_EVERY)):
            events.append(((packet + phase) * AUDIO_EVERY, AUDIO, AUDIO_BYTES))
    events.sort(key=lambda event: event[0])
    return events


@dataclass
class Row:
    transport: str
    sent: int
    send_cpu: float  # the sender process's, pacing and building included
    send_calls_cpu: float  # in RelaySocket.send and .flush only
    received: int = 0
    datagrams: int = 0
    receive_cpu: float = 0.0
    latencies_ns: list[int] = field(default_factory=list)  # sorted
    dropped: dict[str, int] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)  # each datagram's plaintext bytes

    def send_us(self) -> float:
        return 1e6 * self.send_cpu / self.sent if self.sent else float("nan")

    def send_calls_us(self) -> float:
        return 1e6 * self.send_calls_cpu / self.sent if self.sent else float("nan")

    def hop_us(self) -> float:
        """The relay's CPU a message: its calls on the sending side, the receiver's all."""
        return self.send_calls_us() + self.receive_us()

    def receive_us(self) -> float:
        return 1e6 * self.receive_cpu / self.received if self.received else float("nan")

    def latency_ms(self, share: float) -> float:
        from frankly.bench.loadgen import percentile  # the parent's only: a second of imports

        return percentile(self.latencies_ns, share) / 1e6

    def line(self, name: str) -> str:
        loss = 1 - self.received / self.sent if self.sent else 0.0
        return (
            f"  {name:<11} delivered {self.received:,}/{self.sent:,} (loss {100 * loss:.2f} %) "
            f"in {self.datagrams:,} datagrams; CPU a message: sender {self.send_us():5.1f} µs "
            f"(in the relay's calls {self.send_calls_us():5.1f}), receiver "
            f"{self.receive_us():5.1f} µs; latency p50 {self.latency_ms(0.5):.3f} ms "
            f"p99 {self.latency_ms(0.99):.3f} ms"
            + (f", dropped {self.dropped}" if self.dropped else "")
        )


def _message(number: int, track: int, size: int) -> bytes:
    start = relay.head(relay.RTP, KEY, track) + _STAMP.pack(number, time.monotonic_ns())
    return start + bytes(size - len(start))


async def _send(conn: Connection, transport: str, folder: str, key: bytes, to: str) -> None:
    events = schedule(*conn.recv())
    sock = _Timed(
        os.path.join(folder, "sender"),
        Counter(),
        udp=(HOST, 0) if transport == "udp" else None,
        key=key if transport == "udp" else None,
    )
    await sock.start()
    conn.send("ready")
    conn.recv()  # go: blocking, as nothing else runs yet
    cpu, start = time.process_time(), time.monotonic()
    for number, (at, track, size) in enumerate(events):
        wait = start + at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        sock.send(_message(number, track, size), to)
    # Until the receiver has all: what the transport still holds (a Unix receiver's
    # queue full) is sent meanwhile, and is the relay's cost too.
    await _readable(conn)
    conn.recv()
    conn.send((len(events), time.process_time() - cpu, sock.cpu))
    sock.stop()


class _Timed(relay.RelaySocket):
    """The sending side's relay calls timed: the sender's own pacing is not relay cost (on
    a loaded machine, it is most of the sender's CPU, and varies from run to run)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cpu = 0.0
        self._depth = 0  # send() flushes when a batch is full: counted once

    def send(self, message: bytes, to: str) -> None:
        self._timed(super().send, message, to)

    def flush(self, to: str) -> None:
        self._timed(super().flush, to)

    def _timed(self, call: Callable[..., None], *args: Any) -> None:
        self._depth += 1
        start = time.process_time() if self._depth == 1 else 0.0
        try:
            call(*args)
        finally:
            self._depth -= 1
            if not self._depth:
                self.cpu += time.process_time() - start


async def _readable(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(conn.fileno(), lambda: None if ready.done() else ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(conn.fileno())


class _Counting(relay.RelaySocket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: list[int] = []

    def batch_received(self, data: bytes, source: str) -> None:
        self.sizes.append(len(data))
        super().batch_received(data, source)


class _End:
    """The receiving Router's stand-in: the latency of each message, and its count."""

    def __init__(self, expected: int) -> None:
        self.latencies: list[int] = []
        self.expected = expected
        self.all = asyncio.Event()

    def on_relay(
        self, kind: int, key: int, track: int, layer: int, body: bytes, source: str
    ) -> None:
        _, sent = _STAMP.unpack_from(body)
        self.latencies.append(time.monotonic_ns() - sent)
        if len(self.latencies) >= self.expected:
            self.all.set()


async def _receive(conn: Connection, transport: str, folder: str, key: bytes) -> None:
    streams, seconds = conn.recv()
    dropped: Counter[str] = Counter()
    sock = _Counting(
        os.path.join(folder, "receiver"),
        dropped,
        udp=(HOST, 0) if transport == "udp" else None,
        key=key if transport == "udp" else None,
    )
    end = sock.ends[KEY] = _End(len(schedule(streams, seconds)))
    await sock.start()
    conn.send(sock.udp_address or sock.path)
    conn.recv()  # go
    cpu = time.process_time()
    with contextlib.suppress(TimeoutError):  # what came stands: the rest is lost
        await asyncio.wait_for(end.all.wait(), seconds + GRACE)
    cpu = time.process_time() - cpu
    sock.stop()
    conn.send((len(end.latencies), cpu, sorted(end.latencies), dict(dropped), sock.sizes))


def _sender_main(conn: Connection, transport: str, folder: str, key: bytes, to: str) -> None:
    run_loop(_send(conn, transport, folder, key, to))


def _receiver_main(conn: Connection, transport: str, folder: str, key: bytes) -> None:
    run_loop(_receive(conn, transport, folder, key))


def measure(transport: str, streams: int, seconds: float) -> Row:
    """One run: the stream from a sender process to a receiver process."""
    # Forked: no second of imports each; each child runs a new event loop of its own.
    context = multiprocessing.get_context("fork")
    key = os.urandom(relay_seal.KEY_BYTES)
    processes: list[multiprocessing.process.BaseProcess] = []
    with tempfile.TemporaryDirectory(prefix="frankly-relay-bench-") as folder:
        try:
            receiving, theirs = context.Pipe()
            processes.append(
                context.Process(target=_receiver_main, args=(theirs, transport, folder, key))
            )
            processes[-1].start()
            receiving.send((streams, seconds))
            to = receiving.recv()  # its address
            sending, theirs = context.Pipe()
            processes.append(
                context.Process(target=_sender_main, args=(theirs, transport, folder, key, to))
            )
            processes[-1].start()
            sending.send((streams, seconds))
            sending.recv()  # ready
            receiving.send("go")
            sending.send("go")
            received, receive_cpu, latencies, dropped, sizes = receiving.recv()
            sending.send("stop")
            sent, send_cpu, send_calls_cpu = sending.recv()
        finally:
            for process in processes:
                process.join(10)
                if process.is_alive():
                    process.kill()
    return Row(
        transport,
        sent,
        send_cpu,
        send_calls_cpu,
        received,
        len(sizes),
        receive_cpu,
        latencies,
        dropped,
        sizes,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def seal_cost(sizes: list[int]) -> float:
    """CPU seconds to seal and open datagrams of these plaintext sizes, in this process."""
    key = os.urandom(relay_seal.KEY_BYTES)
    sealer, opener = relay_seal.Sealer(key), relay_seal.Opener(key)
    source, destination = relay.udp_address(HOST, 1), relay.udp_address(HOST, 2)
    batches = [os.urandom(size) for size in sizes]
    cpu = time.process_time()
    for batch in batches:
        opener.open(sealer.seal(batch, source, destination), source, destination)
    return time.process_time() - cpu


def run(streams: int = 6, seconds: float = 5.0) -> dict[str, Row]:
    messages = len(schedule(streams, seconds))
    print(
        f"frankly bench relay: {streams} streams for {seconds:g} s, {messages:,} messages "
        f"({messages / seconds:,.0f}/s), sender and receiver processes on {HOST}; "
        f"{describe()}"
    )
    rows = {transport: measure(transport, streams, seconds) for transport in TRANSPORTS}
    unix, udp = rows["unix"], rows["udp"]
    print(unix.line("Unix"))
    print(udp.line("sealed UDP"))
    for name, row in (("Unix", unix), ("sealed UDP", udp)):
        per_datagram = _ratio(row.hop_us() * row.received, row.datagrams)
        print(
            f"  hop over {name} (the relay's calls in the sender, plus the receiver): "
            f"{row.hop_us():.1f} µs a message, {per_datagram:.1f} µs a datagram"
        )
    seal_us = _ratio(1e6 * seal_cost(udp.sizes), udp.received)
    print(
        f"  seal + open alone (the sealed run's {len(udp.sizes):,} datagrams, in one "
        f"process): {seal_us:.1f} µs a message, {100 * _ratio(seal_us, udp.hop_us()):.0f} % "
        f"of the sealed hop"
    )
    print(
        f"  sealed UDP / Unix: sender {_ratio(udp.send_us(), unix.send_us()):.2f}x "
        f"(the relay's calls {_ratio(udp.send_calls_us(), unix.send_calls_us()):.2f}x), "
        f"receiver {_ratio(udp.receive_us(), unix.receive_us()):.2f}x, "
        f"hop {_ratio(udp.hop_us(), unix.hop_us()):.2f}x, "
        f"latency p50 {_ratio(udp.latency_ms(0.5), unix.latency_ms(0.5)):.2f}x "
        f"p99 {_ratio(udp.latency_ms(0.99), unix.latency_ms(0.99)):.2f}x"
    )
    return rows
