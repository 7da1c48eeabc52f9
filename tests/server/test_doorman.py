"""Slowloris: half-open sockets are closed after the header deadline, and at the
connection cap they make room for real clients instead of crowding them out."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.server import ServerState

from frankly.server.app import create_app, uvicorn_options
from frankly.server.config import ServerConfig
from frankly.server.doorman import Doorman, connection_cap, protocols
from tests.conftest import LiveServer
from tests.server.wsclient import WAIT, Raw

HALF_OPEN = 60
capped = pytest.mark.parametrize(
    "server_config", [ServerConfig(max_connections=20, header_timeout=1.0)]
)


async def half_open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A socket that starts a request and never finishes its headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    await writer.drain()
    return reader, writer


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    try:
        return await reader.read(1) == b""
    except ConnectionError:
        return True


@capped
async def test_a_real_client_is_served_through_a_slowloris(live_server: LiveServer) -> None:
    sockets = [await half_open(live_server.port) for _ in range(HALF_OPEN)]
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/healthz")).json()["ok"] is True
    await Raw.join(live_server.ws_url)  # and the WebSocket, which stays open
    # Never more open than the cap, however many were offered.
    doorman: Doorman = live_server.app.state.doorman
    assert live_server.call(lambda: doorman.open) <= 20
    started = time.monotonic()
    async with asyncio.timeout(WAIT):
        closed = await asyncio.gather(*(closed_by_server(reader) for reader, _ in sockets))
    assert all(closed)
    assert time.monotonic() - started < 1.0 + WAIT
    for _, writer in sockets:
        writer.close()


@capped
async def test_half_open_sockets_are_closed_after_the_deadline(live_server: LiveServer) -> None:
    started = time.monotonic()
    reader, writer = await half_open(live_server.port)
    async with asyncio.timeout(WAIT):
        assert await closed_by_server(reader)
    assert time.monotonic() - started >= 0.9
    writer.close()


@capped
async def test_a_kept_alive_connection_gets_a_deadline_per_request(
    live_server: LiveServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live_server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 200")
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no end
    async with asyncio.timeout(WAIT):
        while await reader.read(4096):  # the first response's rest, then the close
            pass
    writer.close()


class FakeTransport:
    def __init__(self) -> None:
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("192.0.2.1", 1234) if name in ("peername", "sockname") else default

    def is_closing(self) -> bool:
        return self.aborted


def test_per_address_and_total_caps() -> None:
    doorman = Doorman(total=4, per_address=2, header_timeout=10)
    t: list[Any] = [FakeTransport() for _ in range(8)]
    assert doorman.admit(t[0], "2001:db8::1")
    assert doorman.admit(t[1], "2001:db8::2")
    assert not doorman.admit(t[2], "2001:db8::3")  # the same /64
    assert doorman.admit(t[3], "198.51.100.1")
    assert doorman.admit(t[4], "::1")  # loopback: no per-address cap
    doorman.headers_done(t[0])
    doorman.headers_done(t[1])
    # At the cap: the oldest half-open one (t[3]) makes room.
    assert doorman.admit(t[5], "::1")
    assert t[3].aborted and doorman.open == 4
    for done in (t[4], t[5]):
        doorman.headers_done(done)
    assert not doorman.admit(t[6], "203.0.113.1")  # all real: the newcomer waits
    doorman.release(t[0])
    doorman.release(t[0])  # twice is harmless
    assert doorman.admit(t[6], "2001:db8::9")
    assert doorman.open == 4


def test_the_cap_fits_the_descriptor_limit() -> None:
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert connection_cap(10) == 10
    if soft != resource.RLIM_INFINITY:
        assert connection_cap(10 * soft) < soft


def test_behind_a_trusted_proxy_only_the_total_holds() -> None:
    """Every peer is the proxy then: a per-address cap would cap everyone."""
    doorman = Doorman.for_config(
        ServerConfig(trust_proxy=True, max_connections=50, max_connections_per_address=2)
    )
    transports: list[Any] = [FakeTransport() for _ in range(10)]
    assert all(doorman.admit(t, "192.0.2.10") for t in transports)


async def test_a_websocket_that_stays_unwritable_is_aborted() -> None:
    """A client that reads nothing keeps the transport paused: even a close frame
    cannot get out, and a socket only closed would wait for the peer for ever."""
    app = create_app()
    config = uvicorn.Config(app, **uvicorn_options(app))
    config.load()
    doorman = Doorman(total=10, per_address=10, header_timeout=1, stall_timeout=0.05)
    ws_class = protocols(doorman)["ws"]
    transport = FakeTransport()
    protocol = ws_class(config=config, server_state=ServerState(), app_state={})
    protocol.connection_made(transport)
    protocol.pause_writing()
    protocol.resume_writing()  # drained in time: no abort is due any more
    assert protocol._stalled is None
    assert not transport.aborted
    protocol.pause_writing()
    async with asyncio.timeout(WAIT):
        while not transport.aborted:  # noqa: ASYNC110 (a fake transport has no event)
            await asyncio.sleep(0.01)
