"""One SFU worker process: its own event loop, media port and the Routers of its rooms.

Started by the signaling process (workers.py) as
``python -m frankly.cluster.worker_process FD SETTINGS_JSON``, with FD one end
of a Unix socket pair: the channel (worker_wire.py). When that channel
closes, whatever the reason (the server stopped, or was killed with -9), the
worker exits, so no worker outlives its server. Ctrl-C in a terminal reaches
the whole process group: the worker ignores it and leaves when the server does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import time
from collections import Counter
from typing import Any

from frankly.cluster import worker_wire as wire
from frankly.cluster.event_loop import run
from frankly.ops.stats import ROUTER_COUNTERS
from frankly.sfu.relay import RelaySocket, TrackInfo
from frankly.sfu.router import Router
from frankly.sfu.transport import MediaServer

log = logging.getLogger("frankly.worker")

REPORT_PERIOD = 1.0  # seconds between two load reports
# Router methods the hub may call; anything else on the channel is refused.
CALLS = frozenset(
    {
        "publish",
        "subscriber_answer",
        "restart_subscriber",
        "set_screen_stream",
        "set_view",
        "set_channel_track",
        "set_interpretation",
        "subscribe_all",
        "remove",
        "audio_only",
        "channel_ready",
        "channel_negotiated",
        "relay_in",
        "relay_out",
    }
)


class Worker:
    def __init__(
        self, media: MediaServer, relay: RelaySocket, writer: asyncio.StreamWriter
    ) -> None:
        self.media = media
        self.relay = relay  # to and from the other workers' parts of spread rooms
        self.writer = writer
        self.routers: dict[str, Router] = {}
        self.retired: Counter[str] = Counter()  # counters of rooms closed here

    def handle(self, message: dict[str, Any]) -> None:
        op, room = message.get("op"), str(message.get("room"))
        if op == "open":
            self._open(room)
        elif op == "close":
            self._close(room)
        elif op == "call":
            self._call(room, message)

    def _open(self, room: str) -> None:
        if room in self.routers:
            return
        router = Router(
            self.media,
            send_offer=lambda pid, sdp: wire.write(
                self.writer, {"event": "offer", "room": room, "pid": pid, "sdp": sdp}
            ),
            on_speaker=lambda pid: wire.write(
                self.writer, {"event": "speaker", "room": room, "pid": pid}
            ),
            relay=self.relay,
            on_tracks=lambda pid, tracks: self._tracks(room, pid, tracks),
        )
        router.start()
        self.routers[room] = router

    def _tracks(self, room: str, pid: str, tracks: list[TrackInfo]) -> None:
        wire.write(self.writer, {"event": "tracks", "room": room, "pid": pid, "tracks": tracks})

    def _close(self, room: str) -> None:
        router = self.routers.pop(room, None)
        if router is not None:
            router.stop()
            for name in ROUTER_COUNTERS:
                self.retired[name] += getattr(router, name)

    def _call(self, room: str, message: dict[str, Any]) -> None:
        method, args, ident = message.get("method"), message.get("args", []), message.get("id")
        router = self.routers.get(room)
        reply: dict[str, Any] = {"reply": ident}
        try:
            if router is None or method not in CALLS:
                raise LookupError(f"no room {room!r} or no call {method!r} here")
            reply["result"] = _invoke(router, str(method), args)
        except ValueError as exc:  # what the router refuses: bad SDP
            reply["error"] = str(exc)
        except Exception as exc:  # a bug: the hub must not wait for an answer forever
            log.exception("worker: %s on a room failed", method)
            reply["error"] = f"the SFU worker failed: {exc!r}"
        if ident is not None:
            wire.write(self.writer, reply)

    def report(self, packets_per_second: float, cpu: float) -> dict[str, Any]:
        rooms = {
            name: {counter: getattr(router, counter) for counter in ROUTER_COUNTERS}
            for name, router in self.routers.items()
        }
        return {
            "event": "load",
            "packets_per_second": packets_per_second,
            "cpu": cpu,
            "rooms": rooms,
            "retired": dict(self.retired),
            "dropped": dict(self.media.dropped),
        }

    def forwarded(self) -> int:
        """Packets sent, to subscribers and to other workers: what the load counts."""
        sent = sum(r.forwarded + r.relayed for r in self.routers.values())
        return self.retired["forwarded"] + self.retired["relayed"] + sent


def _invoke(router: Router, method: str, args: list[Any]) -> Any:
    if method == "audio_only":
        router.audio_only.add(str(args[0]))
        return None
    if method in ("channel_ready", "channel_negotiated"):
        return getattr(router, method)(str(args[0]), time.monotonic())
    if method == "set_interpretation":
        feeds = {pid: (feed[0], bool(feed[1])) for pid, feed in args[0].items()}
        router.set_interpretation(feeds, args[1])
        return None
    return getattr(router, method)(*args)


async def _reports(worker: Worker) -> None:
    """Every second: packets forwarded per second and CPU seconds per second."""
    last_time, last_cpu, last_forwarded = time.monotonic(), time.process_time(), 0
    while True:
        await asyncio.sleep(REPORT_PERIOD)
        now, cpu, forwarded = time.monotonic(), time.process_time(), worker.forwarded()
        span = max(now - last_time, 1e-6)
        report = worker.report((forwarded - last_forwarded) / span, (cpu - last_cpu) / span)
        wire.write(worker.writer, report)
        last_time, last_cpu, last_forwarded = now, cpu, forwarded


async def serve(fd: int, settings: dict[str, Any]) -> None:
    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=wire.LINE_LIMIT)
    media = MediaServer(
        settings["host"],
        settings["public_ip"],
        udp=settings["udp"],
        tcp_port=settings["tcp_port"],
        tcp_total=settings["tcp_total"],
        tcp_per_address=settings["tcp_per_address"],
        tcp_deadline=settings["tcp_deadline"],
    )
    await media.start(settings["port"])
    relay = _relay(settings, media.dropped)
    await relay.start()
    worker = Worker(media, relay, writer)
    wire.write(
        writer,
        {
            "event": "ready",
            "port": media.port,
            "tcp_port": media.tcp_port,
            "relay_udp": relay.udp_address,
        },
    )
    reports = asyncio.create_task(_reports(worker))
    try:
        while (message := await wire.read(reader)) is not None:
            worker.handle(message)
    finally:  # the channel closed: the server is gone or stops us
        reports.cancel()
        for room in list(worker.routers):
            worker._close(room)
        media.stop()
        relay.stop()
        writer.close()


def _relay(settings: dict[str, Any], dropped: Counter[str]) -> RelaySocket:
    """The relay socket: its Unix path, and UDP to other nodes where the settings give
    `relay_udp` [host, port] and `relay_key` (hex: 32 bytes)."""
    udp, key = settings.get("relay_udp"), settings.get("relay_key")
    return RelaySocket(
        settings["relay"],
        dropped,
        udp=(str(udp[0]), int(udp[1])) if udp else None,
        key=bytes.fromhex(key) if key else None,
    )


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, settings = int(sys.argv[1]), json.loads(sys.argv[2])
    logging.basicConfig(level=settings.get("log_level", "INFO"), format="%(message)s")
    run(serve(fd, settings))


if __name__ == "__main__":
    main()
