"""Frankly under test: `frankly serve` on loopback in a process of its own, and the
generator's participants joining it over Frankly's WebSocket protocol
(docs/protocol.md: publish and subscribe peer connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import urllib.request
from typing import Any, Self

from frankly.bench.loadgen import (
    Engine,
    Participant,
    publish_offer,
    subscribe_answer,
)
from frankly.bench.sfu.server import Server, free_port
from frankly.bench.sfu.settings import Settings
from frankly.sfu import sdp

log = logging.getLogger(__name__)


class FranklyServer(Server):
    """`frankly serve` on loopback, in a process of its own."""

    name = "Frankly"
    label = "frankly serve"
    not_ready = "did not answer /healthz"
    log_name = "serve.log"
    profiled = True

    def __init__(self, max_participants: int, cpus: set[int] | None) -> None:
        super().__init__(cpus)
        self.port = free_port(socket.SOCK_STREAM)
        self.media_port = free_port(socket.SOCK_DGRAM)
        self.max_participants = max_participants

    @classmethod
    def for_run(cls, settings: Settings) -> Self:
        return cls(settings.publishers + max(settings.viewers) + 2, settings.cpus)

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "frankly",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--media-port",
            str(self.media_port),
            "--max-participants",
            str(self.max_participants),
            "--data-dir",
            str(self.dir / "data"),
            "--log-level",
            "warning",
            # The SFU on the server's own loop, as measured beside Janus
            # (docs/benchmarks.md); WorkersServer adds its own --workers after.
            "--workers",
            "0",
        ]

    def answers(self) -> bool:
        with contextlib.suppress(OSError):
            url = f"http://127.0.0.1:{self.port}/healthz"
            with urllib.request.urlopen(url, timeout=1) as reply:
                return bool(reply.status == 200)
        return False

    def server_ports(self) -> set[int]:
        return {self.media_port}

    async def connect(self, engine: Engine, settings: Settings) -> FranklyTarget:
        return FranklyTarget(engine, self)


class FranklyTarget:
    """The generator's participants in one Frankly room."""

    def __init__(self, engine: Engine, server: FranklyServer) -> None:
        self.engine = engine
        self.url = f"ws://127.0.0.1:{server.port}/ws"
        self.room = "bench-sfu"
        self.links: dict[int, FranklyParticipant] = {}

    async def _join(self, person: Participant) -> None:
        link = FranklyParticipant(self.engine, self.url, self.room, person)
        self.links[person.index] = link
        await link.join(person.extra["expect"])

    async def add_publishers(self, people: list[Participant]) -> None:
        for person in people:  # in order: the third moves the room to the SFU
            await self._join(person)

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None:
        await self._join(person)

    async def remove(self, person: Participant) -> None:
        link = self.links.pop(person.index, None)
        if link is not None:
            await link.leave()

    async def close(self) -> None:
        for index in list(self.links):
            with contextlib.suppress(Exception):
                await self.links.pop(index).leave()


class FranklyParticipant:
    """One WebSocket to `frankly serve`, speaking docs/protocol.md."""

    def __init__(self, engine: Engine, url: str, room: str, person: Participant) -> None:
        self.engine, self.url, self.room, self.person = engine, url, room, person
        self.errors: list[dict[str, Any]] = []
        self._ws: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._welcome: asyncio.Future[dict[str, Any]] | None = None
        self._published = False

    async def join(self, expect: set[int]) -> None:
        from websockets.asyncio.client import connect

        self._ws = await connect(self.url, max_size=1 << 22, ping_interval=None)
        self._welcome = asyncio.get_running_loop().create_future()
        self._tasks.append(asyncio.create_task(self._read()))
        name = self.person.name
        await self._send({"type": "hello", "version": 1, "room": self.room, "name": name})
        welcome = await asyncio.wait_for(self._welcome, 10)
        self._tasks.append(asyncio.create_task(self._keepalive()))
        self.person.extra["expect"] = expect
        if welcome.get("mode") == "sfu":
            await self._publish()

    async def leave(self) -> None:
        if self._ws is not None:
            try:
                await self._send({"type": "leave"})
                await self._ws.close()
            except Exception:
                pass
        for task in self._tasks:
            task.cancel()
        for transport in self.person.transports():
            transport.close()

    async def _send(self, message: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(message))

    async def _keepalive(self) -> None:
        n = 0
        while True:
            await asyncio.sleep(10)
            n += 1
            await self._send({"type": "ping", "n": n})

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                message = json.loads(frame)
                await self._on_message(message)
        except Exception as exc:
            if not isinstance(exc, asyncio.CancelledError):
                log.debug("%s: socket closed: %s", self.person.name, exc)

    async def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "welcome":
            assert self._welcome is not None
            if not self._welcome.done():
                self._welcome.set_result(message)
        elif kind == "mode" and message.get("mode") == "sfu":
            await self._publish()
        elif kind == "sfu":
            description = message["description"]
            if message["pc"] == "subscribe" and description["type"] == "offer":
                await self._answer(description["sdp"])
            elif message["pc"] == "publish" and description["type"] == "answer":
                assert self.person.pub is not None
                text = description["sdp"]
                self.person.pub.set_remote(sdp.parse(text), text, we_offered=True)
        elif kind == "error":
            self.errors.append(message)
            log.warning("%s: server error %s", self.person.name, message)

    async def _publish(self) -> None:
        person = self.person
        if not person.publishes or self._published:
            return
        self._published = True
        person.pub = self.engine.transport(f"{person.name}/publish")
        person.sources = self.engine.publish(person.pub, person.index)
        offer = publish_offer(person.pub, person.name, *person.sources)
        await self._send(
            {"type": "sfu", "pc": "publish", "description": {"type": "offer", "sdp": offer}}
        )

    async def _answer(self, text: str) -> None:
        person = self.person
        offer = sdp.parse(text)
        if person.sub is None:
            person.sub = self.engine.transport(f"{person.name}/subscribe")
            person.sub.expect = person.extra.get("expect", set())
        answer = subscribe_answer(person.sub, offer)
        await self._send(
            {"type": "sfu", "pc": "subscribe", "description": {"type": "answer", "sdp": answer}}
        )
        person.sub.set_remote(offer, text, we_offered=False)
