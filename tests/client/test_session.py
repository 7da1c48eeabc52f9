"""Session: keepalive and reconnecting against a server that misbehaves on purpose.

The first test runs the real server with short keepalive settings; the others
use a tiny stand-in server, since the real one never goes silent or refuses
connections on demand.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

import frankly.client as fc
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(ping_interval=0.5, timeout=1.5)


async def test_pings_keep_an_idle_client_connected(clients: Clients) -> None:
    """The server closes a socket silent for 1.5 s (4408); the SDK pings every 0.5 s."""
    ada = await clients.join("Ada")
    trouble = ada.wait_for(fc.Reconnecting, timeout=4)
    with pytest.raises(TimeoutError):
        await trouble
    assert ada.connected


class StandIn:
    """Says welcome to every hello; otherwise silent unless told to misbehave."""

    def __init__(self) -> None:
        self.hellos: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.refuse = 0  # answer this many upgrade requests with 503
        self.after_welcome: list[Any] = []  # per connection: None, or (error, close code)
        self.busy = 0  # answer this many hellos with `busy` and 1013, as a loaded server does
        self.port = 0

    def welcome(self, hello: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "welcome", "version": 1, "room": hello["room"],
            "you": {"id": "p-0000000001", "name": hello["name"], "audio": False,
                    "video": False, "connected": True},
            "resume": "token-1", "resumed": hello.get("resume") == "token-1",
            "participants": [], "chat": [], "mode": "p2p", "max_participants": 2,
            "ice_servers": [], "ping_interval": 0.2, "timeout": 1,
        }  # fmt: skip

    def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        if self.refuse > 0:
            self.refuse -= 1
            return Response(503, "Service Unavailable", Headers(), b"come back later\n")
        return None

    async def handler(self, ws: ServerConnection) -> None:
        hello = json.loads(await ws.recv())
        self.hellos.append(hello)
        if self.busy > 0:
            self.busy -= 1
            await ws.send(json.dumps({"type": "error", "code": "busy", "message": "test"}))
            await ws.close(1013)
            return
        await ws.send(json.dumps(self.welcome(hello)))
        plan = self.after_welcome.pop(0) if self.after_welcome else None
        if plan is not None:
            error, code = plan
            await ws.send(json.dumps({"type": "error", "code": error, "message": "test"}))
            await ws.close(code)
            return
        async for raw in ws:  # never answers, not even pings
            message = json.loads(raw)
            self.received.append(message)
            if message["type"] == "leave":
                await ws.close(1000)


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    fake = StandIn()
    server: Server = await serve(fake.handler, "127.0.0.1", 0, process_request=fake.process_request)
    fake.port = server.sockets[0].getsockname()[1]
    yield fake
    server.close()
    await server.wait_closed()


async def test_a_silent_server_is_left_and_rejoined_with_backoff(stand_in: StandIn) -> None:
    client = fc.Client(f"http://127.0.0.1:{stand_in.port}/room", name="bot")
    events = client.events()
    await client.join()
    try:
        stand_in.refuse = 2
        # Silence for 2 x ping_interval (0.4 s, but at least 1 s) means the socket is dead.
        back = await client.wait_for(fc.Reconnected, timeout=15)
        assert back.resumed is True
        retries = [e for e in events.pending() if isinstance(e, fc.Reconnecting)]
        assert [(e.attempt, e.delay) for e in retries] == [(1, 0.5), (2, 1.0), (3, 2.0)]
        assert retries[0].close_code is None  # it went silent rather than closing
        assert [h["resume"] for h in stand_in.hellos] == [None, "token-1"]
        assert any(m["type"] == "ping" for m in stand_in.received)
    finally:
        await client.leave()


@pytest.mark.parametrize(
    ("error", "close", "reconnects"),
    [
        ("timeout", 4408, True),
        ("internal-error", 1011, True),
        ("busy", 1013, True),
        ("flooding", 4429, False),
        ("protocol-violation", 4422, False),
    ],
)
async def test_fatal_errors_end_the_client_unless_the_close_code_allows_a_retry(
    stand_in: StandIn, error: str, close: int, reconnects: bool
) -> None:
    stand_in.after_welcome = [(error, close)]
    client = fc.Client(f"http://127.0.0.1:{stand_in.port}/room", name="bot")
    await client.join()
    try:
        if reconnects:
            back = await client.wait_for(fc.Reconnected, timeout=10)
            assert back.resumed and client.connected
        else:
            end = await asyncio.wait_for(client.wait_closed(), 10)
            assert end is not None
            assert (end.code, end.close_code) == (error, close)
            assert len(stand_in.hellos) == 1
    finally:
        await client.leave()


async def test_a_busy_server_is_asked_again_on_the_first_join(stand_in: StandIn) -> None:
    stand_in.busy = 2
    client = fc.Client(f"http://127.0.0.1:{stand_in.port}/room", name="bot")
    await client.join(timeout=15)
    try:
        assert client.connected
        assert len(stand_in.hellos) == 3
    finally:
        await client.leave()
