"""Frankly under test: `frankly serve` on loopback in a process of its own, and the
generator's participants joining it over Frankly's WebSocket protocol.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import urllib.request
from typing import Self

from frankly.bench.loadgen import Engine, FranklyParticipant, Participant
from frankly.bench.sfu.server import Server, free_port
from frankly.bench.sfu.settings import Settings


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
