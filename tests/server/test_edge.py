"""What a request must show first: a host we serve, an origin we trust, a
forwarded address that is one; and the /64 groups and room quota that follow."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from frankly.server.app import create_app
from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


async def refused_upgrade(url: str, headers: dict[str, str]) -> tuple[int, str]:
    """The HTTP status and body of an upgrade the server must refuse."""
    with pytest.raises(websockets.InvalidStatus) as refused:
        await Raw.connect(url, headers)
    response = refused.value.response
    return response.status_code, response.body.decode()


async def test_a_cross_origin_upgrade_is_refused(live_server: LiveServer) -> None:
    status, text = await refused_upgrade(live_server.ws_url, {"Origin": "https://evil.example"})
    assert status == 403
    assert "origin 'https://evil.example' refused" in text


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.2:{port}", "http://127.0.0.1:1{port}", "https://127.0.0.1:{port}x", "null"],
)
async def test_an_origin_that_is_nearly_ours_is_refused(
    live_server: LiveServer, origin: str
) -> None:
    status, _ = await refused_upgrade(
        live_server.ws_url, {"Origin": origin.format(port=live_server.port)}
    )
    assert status == 403


async def test_same_origin_and_no_origin_pass(live_server: LiveServer) -> None:
    await Raw.join(live_server.ws_url, headers={"Origin": live_server.url})
    await Raw.join(live_server.ws_url, name="SDK")  # no Origin: not a browser


@pytest.mark.parametrize(
    "server_config", [ServerConfig(allowed_origins=("https://intranet.example.org",))]
)
async def test_a_configured_origin_passes(live_server: LiveServer) -> None:
    await Raw.join(live_server.ws_url, headers={"Origin": "https://intranet.example.org"})
    status, _ = await refused_upgrade(live_server.ws_url, {"Origin": "https://example.org"})
    assert status == 403


async def test_a_rebound_host_name_is_refused(live_server: LiveServer) -> None:
    """A page on rebind.example whose name now points here sends Host: rebind.example,
    and, being same-origin with itself, an Origin that matches it."""
    host = f"rebind.example:{live_server.port}"
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        page = await http.get("/r", headers={"Host": host})
        assert page.status_code == 400
        assert "does not answer to the name 'rebind.example'" in page.text
        assert (await http.get("/r", headers={"Host": f"localhost:{live_server.port}"})).is_success
    with pytest.raises(websockets.InvalidStatus) as refused:
        await via_name(live_server, host)
    assert refused.value.response.status_code == 400


async def test_a_request_without_host_passes(live_server: LiveServer) -> None:
    """HTTP/1.0 health checks send none; browsers always do."""
    reader, writer = await asyncio.open_connection("127.0.0.1", live_server.port)
    writer.write(b"GET /healthz HTTP/1.0\r\n\r\n")
    assert (await reader.read()).startswith(b"HTTP/1.1 200")
    writer.close()


@pytest.mark.parametrize("server_config", [ServerConfig(allowed_hosts=("meet.example.org",))])
async def test_an_allowed_host_passes(live_server: LiveServer) -> None:
    host = f"meet.example.org:{live_server.port}"
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/healthz", headers={"Host": host})).is_success
    Raw(await via_name(live_server, host))


async def via_name(live_server: LiveServer, host: str) -> ClientConnection:
    """An upgrade to ws://HOST/ws, as a page at http://HOST opens it, sent to the server."""
    return await websockets.connect(
        f"ws://{host}/ws", host="127.0.0.1", port=live_server.port, origin=Origin(f"http://{host}")
    )


behind_proxy = pytest.mark.parametrize(
    "server_config", [ServerConfig(trust_proxy=True, rooms_per_address=3)]
)


@behind_proxy
@pytest.mark.parametrize("forwarded", ["not-an-ip", "1.2.3.4:abc", "", "1.2.3.4, 300.1.1.1"])
async def test_a_malformed_forwarded_address_is_refused(
    live_server: LiveServer, forwarded: str
) -> None:
    status, text = await refused_upgrade(live_server.ws_url, {"X-Forwarded-For": forwarded})
    assert status == 400
    assert "X-Forwarded-For ends in" in text and "not an address" in text


@behind_proxy
async def test_a_forwarded_address_with_a_port_is_its_address(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url, headers={"X-Forwarded-For": "203.0.113.7:5678"})
    participant = live_server.call(lambda: live_server.hub.rooms.rooms["r"].participants[ada.id])
    assert participant.address == "203.0.113.7"


@behind_proxy
async def test_one_ipv6_64_is_one_address(live_server: LiveServer) -> None:
    """Join pacing allows 10 hellos at once per address; a /64 is one."""
    for n in range(10):
        await Raw.join(
            live_server.ws_url,
            room="r",
            name=f"P{n}",
            headers={"X-Forwarded-For": f"2001:db8::{n:x}"},
        )
    late = await Raw.hello(live_server.ws_url, headers={"X-Forwarded-For": "2001:db8::ffff:1"})
    await late.refused("rate-limited", 4429)
    # Another /64 is someone else.
    await Raw.join(live_server.ws_url, headers={"X-Forwarded-For": "2001:db8:0:1::1"})


@behind_proxy
async def test_rooms_per_address(live_server: LiveServer) -> None:
    me = {"X-Forwarded-For": "198.51.100.9"}
    for n in range(3):
        await Raw.join(live_server.ws_url, room=f"mine-{n}", headers=me)
    await Raw.join(live_server.ws_url, room="theirs", headers={"X-Forwarded-For": "192.0.2.1"})
    fourth = await Raw.hello(live_server.ws_url, room="mine-3", headers=me)
    error = await fourth.refused("rate-limited", 4429)
    assert "in 3 rooms already" in error["message"]
    await Raw.join(live_server.ws_url, room="theirs", name="Guest", headers=me)  # exists: free


@pytest.mark.parametrize("server_config", [ServerConfig(max_rooms=2)])
async def test_rooms_on_the_whole_server(live_server: LiveServer) -> None:
    # From loopback, exempt from every per-address limit: the total still holds.
    await Raw.join(live_server.ws_url, room="one")
    await Raw.join(live_server.ws_url, room="two")
    third = await Raw.hello(live_server.ws_url, room="three")
    error = await third.refused("busy", 1013)
    assert "as many meetings as it may (2)" in error["message"]
    await Raw.join(live_server.ws_url, room="two", name="Grace")  # exists: free


@pytest.mark.parametrize(
    ("url", "hsts"),
    [
        ("https://meet.example.org", "max-age=31536000"),
        ("http://meet.example.org", None),  # not over TLS
        ("https://localhost:8443", None),  # would bind every local server
        ("https://192.0.2.1:8443", None),  # browsers ignore it for addresses
    ],
)
async def test_hsts_under_tls(url: str, hsts: str | None) -> None:
    app = create_app(ServerConfig(allowed_hosts=("meet.example.org",)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=url) as http:
        response = await http.get("/healthz")
    assert response.is_success
    assert response.headers.get("strict-transport-security") == hsts
