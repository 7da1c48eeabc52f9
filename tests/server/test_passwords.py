"""Passwords: hashed off the event loop within budgets; guesses lock out only the guesser."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.server.config import ServerConfig
from frankly.server.passwords import Hasher
from tests.conftest import LiveServer
from tests.server.wsclient import Raw

# What a bystander's ping may take while others flood the server with
# passwords: generous for a loaded machine. Hashed on the event loop, each of
# these floods held pongs for seconds (4.7 s measured).
PONG_CEILING = 2.0
# How long a flooder may wait for its own answers: hashes take their time on a
# loaded machine, and the flooders' patience is not what these tests measure.
FLOODER_WAIT = 60.0


async def worst_pong_while(flood: Callable[[], Awaitable[None]], bystander: Raw) -> float:
    """The slowest ping round trip of `bystander` while `flood` runs."""
    worst, done = 0.0, asyncio.Event()

    async def measure() -> None:
        nonlocal worst
        n = 0
        while not done.is_set():
            n += 1
            started = time.perf_counter()
            await bystander.send({"type": "ping", "n": n})
            while (await bystander.expect("pong"))["n"] != n:
                pass
            worst = max(worst, time.perf_counter() - started)
            await asyncio.sleep(0.05)  # a ping every 50 ms, not a flood of its own

    pinger = asyncio.ensure_future(measure())
    try:
        await flood()
    finally:
        done.set()
        await pinger
    return worst


async def test_a_flood_of_password_changes_does_not_stall_a_bystander(
    live_server: LiveServer,
) -> None:
    bystander = await Raw.join(live_server.ws_url, room="calm")
    # Twenty hosts, each of its own room, each under its connection's flood limit.
    hosts = [await Raw.join(live_server.ws_url, room=f"flood{i}") for i in range(20)]
    answers: list[str] = []

    async def change_passwords(host: Raw) -> None:
        for i in range(12):  # 10 a second
            await host.send({"type": "settings", "password": f"pw-{i}"})
            await asyncio.sleep(0.1)
        await host.send({"type": "ping", "n": -1})
        while True:  # everything the host was answered, up to the ping sent last
            message = await host.expect_any(FLOODER_WAIT)
            if message["type"] == "pong":
                return
            answers.append(message.get("code", message["type"]))

    async def flood() -> None:
        await asyncio.gather(*(change_passwords(host) for host in hosts))

    worst = await worst_pong_while(flood, bystander)
    assert worst < PONG_CEILING, f"a bystander's pong took {worst:.2f} s"
    # Some changes were made, the rest refused as busy, and nobody was cut off.
    assert "settings" in answers and "busy" in answers
    assert set(answers) <= {"settings", "busy"}, set(answers)


async def test_a_flood_of_password_guesses_does_not_stall_a_bystander(
    live_server: LiveServer,
) -> None:
    host = await Raw.join(live_server.ws_url, room="locked")
    await host.send({"type": "settings", "password": "right"})
    await host.expect("settings")
    bystander = await Raw.join(live_server.ws_url, room="calm")
    outcomes: list[tuple[str, int | None]] = []

    async def guess(n: int) -> None:
        raw = await Raw.hello(live_server.ws_url, room="locked", password=f"wrong-{n}")
        error = await raw.expect("error", FLOODER_WAIT)
        outcomes.append((error["code"], await raw.closed(FLOODER_WAIT)))

    async def flood() -> None:
        for _ in range(5):  # rounds of 20 guesses at once
            await asyncio.gather(*(guess(n) for n in range(20)))

    worst = await worst_pong_while(flood, bystander)
    assert worst < PONG_CEILING, f"a bystander's pong took {worst:.2f} s"
    # Past the server's hashing budget a guess is refused before any work,
    # with a close that says to try again later.
    assert ("busy", Close.TRY_AGAIN_LATER) in outcomes
    assert set(outcomes) <= {("busy", 1013), ("wrong-password", 4401)}, set(outcomes)
    # And the one who knows the password still gets in (next test: no lockout).
    await Raw.join(live_server.ws_url, room="locked", name="Grace", password="right")


async def test_wrong_guesses_from_loopback_lock_nobody_out(live_server: LiveServer) -> None:
    # Without --trust-proxy everyone behind a local proxy is 127.0.0.1.
    host = await Raw.join(live_server.ws_url)
    await host.send({"type": "settings", "password": "right"})
    await host.expect("settings")
    for n in range(7):
        guesser = await Raw.hello(live_server.ws_url, name="Mallory", password=f"guess-{n}")
        await guesser.refused("wrong-password", 4401)
    grace = await Raw.join(live_server.ws_url, name="Grace", password="right")
    assert grace.welcome["you"]["name"] == "Grace"


@pytest.mark.parametrize("server_config", [ServerConfig(trust_proxy=True)])
async def test_wrong_guesses_from_an_address_stop_that_address_only(
    live_server: LiveServer,
) -> None:
    def at(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    host = await Raw.join(live_server.ws_url, headers=at("198.51.100.1"))
    await host.send({"type": "settings", "password": "right"})
    await host.expect("settings")
    for n in range(5):
        guesser = await Raw.hello(live_server.ws_url, password=f"g{n}", headers=at("203.0.113.7"))
        await guesser.refused("wrong-password", 4401)
    blocked = await Raw.hello(live_server.ws_url, password="right", headers=at("203.0.113.7"))
    await blocked.refused("too-many-attempts", 4429)
    await Raw.join(live_server.ws_url, name="Grace", password="right", headers=at("203.0.113.8"))


async def test_the_hasher_hashes_and_refuses_before_any_work() -> None:
    hasher = Hasher(workers=1, queue=2, per_address_rate=0.001, per_address_burst=2)
    try:
        hashed = await hasher.make("s3cret", "203.0.113.1", 0.0, "settings")
        assert "s3cret" not in repr(hashed) and hashed.salt.hex() not in repr(hashed)
        assert await hasher.matches("s3cret", hashed, None, 0.0, "hello")
        assert not await hasher.matches("s3cret ", hashed, None, 0.0, "hello")
        await hasher.make("again", "203.0.113.1", 0.0, "settings")
        # The address's burst of two is spent: refused as busy, not fatal on settings.
        with pytest.raises(ProtocolError) as info:
            await hasher.make("and again", "203.0.113.1", 0.0, "settings")
        assert (info.value.code, info.value.close_code) == (Code.BUSY, None)
        # Two at once fill the server's queue: a third is refused, on hello with 1013.
        running = [asyncio.ensure_future(hasher.make("x", None, 0.0, "hello")) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(ProtocolError) as info:
            await hasher.make("x", None, 0.0, "hello")
        assert (info.value.code, info.value.close_code) == (Code.BUSY, Close.TRY_AGAIN_LATER)
        assert not info.value.counts  # not the sender's fault
        await asyncio.gather(*running)
    finally:
        hasher.stop()
