"""The human check (ALTCHA proof of work) and the per-address join rate."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from altcha.v1 import solve_challenge

from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config() -> ServerConfig:
    # A small maxnumber: solved in milliseconds here, not the browser's second.
    return ServerConfig(human_check=True, human_check_maxnumber=2000, trust_proxy=True)


async def proof(live_server: LiveServer) -> str:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.get("/challenge")
    assert response.status_code == 200
    challenge: dict[str, Any] = response.json()
    assert set(challenge) == {"algorithm", "challenge", "salt", "signature", "maxnumber"}
    assert challenge["algorithm"] == "SHA-256" and challenge["maxnumber"] == 2000
    solution = solve_challenge(
        challenge["challenge"], challenge["salt"], "SHA-256", challenge["maxnumber"]
    )
    assert solution is not None
    payload = {**challenge, "number": solution.number}
    del payload["maxnumber"]
    return base64.b64encode(json.dumps(payload).encode()).decode()


async def test_config_says_the_check_is_on(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/config.json")).json() == {
            "human_check": True,
            "turn": False,
            "relay_only": False,
            "hand_lower_after": 5.0,
        }


async def test_required_then_passed_then_reuse_refused(live_server: LiveServer) -> None:
    without = await Raw.hello(live_server.ws_url)
    error = await without.refused("human-check-required", 4401)
    assert "GET /challenge" in error["message"]
    good = await proof(live_server)
    ada = await Raw.join(live_server.ws_url, proof=good)
    assert ada.welcome["you"]["role"] == "host"
    again = await Raw.hello(live_server.ws_url, name="Eve", proof=good)
    error = await again.refused("human-check-failed", 4401)
    assert "used already" in error["message"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "number": p["number"] + 1},
        lambda p: {**p, "signature": "0" * 64},
        lambda p: {**p, "number": str(p["number"])},
        lambda p: {k: v for k, v in p.items() if k != "salt"},
        lambda p: [p],
    ],
)
async def test_a_wrong_proof_fails(live_server: LiveServer, tamper: Any) -> None:
    payload = json.loads(base64.b64decode(await proof(live_server)))
    bad = base64.b64encode(json.dumps(tamper(payload)).encode()).decode()
    client = await Raw.hello(live_server.ws_url, proof=bad)
    await client.refused("human-check-failed", 4401)


async def test_proof_that_is_not_base64_fails(live_server: LiveServer) -> None:
    client = await Raw.hello(live_server.ws_url, proof="not base64!")
    error = await client.refused("human-check-failed", 4401)
    assert "base64" in error["message"]


async def test_an_invite_skips_the_check(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url, proof=await proof(live_server))
    await ada.send({"type": "invite", "ttl": 600})
    token = (await ada.expect("invite"))["token"]
    await Raw.join(live_server.ws_url, name="Bot", invite=token)


async def test_resume_needs_no_new_proof(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url, proof=await proof(live_server))
    back = await Raw.join(live_server.ws_url, resume=ada.welcome["resume"])
    assert back.welcome["resumed"] is True


async def test_ten_hellos_a_minute_per_address(live_server: LiveServer) -> None:
    """Counted before anything else: even refused hellos use up the allowance."""
    here = {"X-Forwarded-For": "198.51.100.7, 203.0.113.7"}  # the last one is the proxy's
    for _ in range(10):
        client = await Raw.hello(live_server.ws_url, headers=here)
        await client.refused("human-check-required", 4401)
    eleventh = await Raw.hello(live_server.ws_url, headers=here)
    error = await eleventh.refused("rate-limited", 4429)
    assert error["ref"] == "hello"
    other = await Raw.hello(live_server.ws_url, headers={"X-Forwarded-For": "198.51.100.7"})
    await other.refused("human-check-required", 4401)
