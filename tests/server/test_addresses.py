"""Client addresses: X-Forwarded-For only with trust_proxy; no check by default."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers

from frankly.server.config import ServerConfig
from frankly.server.link import client_address
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


async def test_no_human_check_by_default(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/config.json")).json() == {
            "human_check": False,
            "turn": False,
            "relay_only": False,
            "hand_lower_after": 5.0,
        }
        assert (await http.get("/challenge")).status_code == 404


async def test_forwarded_for_is_ignored_without_trust_proxy(live_server: LiveServer) -> None:
    """All from loopback, which is not limited: a local proxy's clients are many people."""
    for n in range(12):
        await Raw.join(live_server.ws_url, room=f"r{n}", headers={"X-Forwarded-For": "203.0.113.7"})


async def test_a_second_hello_from_the_lobby_is_refused(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    await ada.send({"type": "settings", "lobby": True})
    grace = await Raw.hello(live_server.ws_url, name="Grace")
    await grace.expect("lobby")
    await grace.send({"type": "hello", "version": 1, "room": "r", "name": "Grace"})
    assert (await grace.expect("error"))["code"] == "not-joined"


class FakeSocket:
    def __init__(self, peer: str, forwarded: str | None) -> None:
        self.client = type("Peer", (), {"host": peer})()
        self.headers = Headers({"x-forwarded-for": forwarded} if forwarded is not None else {})


@pytest.mark.parametrize(
    ("forwarded", "trust", "address"),
    [
        ("203.0.113.7", False, "127.0.0.1"),
        ("203.0.113.7", True, "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7", True, "203.0.113.7"),  # the first is the client's claim
        (" 2001:db8::1 ", True, "2001:db8::"),  # its /64
        ("not an address", True, "unknown"),  # refused before the upgrade (test_edge.py)
        (None, True, "127.0.0.1"),
    ],
)
def test_client_address(forwarded: str | None, trust: bool, address: str) -> None:
    ws: Any = FakeSocket("127.0.0.1", forwarded)
    assert client_address(ws, trust) == address


@pytest.mark.parametrize("server_config", [ServerConfig(max_participants=2)])
async def test_admitted_into_a_room_that_filled_up(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    await ada.send({"type": "settings", "lobby": True})
    grace = await Raw.hello(live_server.ws_url, name="Grace")
    knock = (await ada.expect("knock"))["knock"]
    await ada.send({"type": "invite", "ttl": 600})
    await Raw.join(live_server.ws_url, name="Bob", invite=(await ada.expect("invite"))["token"])
    await ada.send({"type": "admit", "id": knock["id"]})
    await grace.refused("room-full", 4409)
    assert (await ada.expect("knock-done"))["outcome"] == "admitted"
