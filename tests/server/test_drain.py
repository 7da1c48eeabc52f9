"""SIGTERM drains (server/drain.py): no new rooms, everyone told `going-away`, the open
meetings go on until they end or the drain time is up; then the next process continues them."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from frankly.server.background import BackgroundServer
from frankly.server.drain import drain
from tests.api.served import Served
from tests.server.wsclient import Raw


async def test_while_draining_a_new_room_is_refused_and_open_ones_still_admit(
    live_server: BackgroundServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, room="team", name="Ada")
    live_server.call(lambda: live_server.hub.drain(12))
    assert await ada.expect("going-away") == {
        "type": "going-away",
        "reason": "restart",
        "drain_seconds": 12,
    }
    assert live_server.call(lambda: live_server.hub.draining) is True
    eve = await Raw.hello(live_server.ws_url, room="other", name="Eve")
    error = await eve.refused("draining", 1013)  # 1013: try again (the next process)
    assert error["message"] == (
        "the server is restarting and opens no new meeting; try again in a moment"
    )
    grace = await Raw.join(live_server.ws_url, room="team", name="Grace")  # its meeting goes on
    assert grace.welcome["room"] == "team"
    await ada.expect("joined")


async def test_people_waiting_in_the_lobby_are_told_too(live_server: BackgroundServer) -> None:
    ada = await Raw.join(live_server.ws_url, name="Ada")
    await ada.send({"type": "settings", "lobby": True})
    await ada.expect("settings")
    eve = await Raw.hello(live_server.ws_url, name="Eve")
    await eve.expect("lobby")
    live_server.call(lambda: live_server.hub.drain(5))
    assert (await eve.expect("going-away"))["drain_seconds"] == 5


async def test_the_drain_ends_as_soon_as_the_last_room_closes(
    live_server: BackgroundServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, name="Ada")
    done = asyncio.wrap_future(
        asyncio.run_coroutine_threadsafe(drain(live_server.hub, 60), live_server.loop)
    )
    await ada.expect("going-away")
    # A meeting is on: the drain waits for it (a while without an end is all
    # that a test of "not yet" can watch).
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(done), 0.3)
    started = time.monotonic()
    await ada.send({"type": "leave"})
    await asyncio.wait_for(done, 5)
    assert time.monotonic() - started < 2


def test_a_drain_of_zero_seconds_exits_at_once(tmp_path: Path) -> None:
    served = Served(tmp_path / "data", extra=["--drain-seconds", "0"]).start()
    assert served.process is not None
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(5) == -signal.SIGTERM


async def test_sigterm_drains_then_the_next_process_continues_the_meeting(
    tmp_path: Path,
) -> None:
    served = Served(tmp_path / "data", extra=["--drain-seconds", "3"]).start()
    process = served.process
    assert process is not None
    try:
        ws_url = served.url.replace("http", "ws") + "/ws"
        ada = await Raw.join(ws_url, name="Ada")
        bob = await Raw.join(ws_url, name="Bob")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        for person in (ada, bob):
            assert (await person.expect("going-away"))["drain_seconds"] == 3
        eve = await Raw.hello(ws_url, room="new-room", name="Eve")
        await eve.refused("draining", 1013)
        # The meeting goes on through the drain, then the sockets close with 1012
        # (service restart), which every client takes as "reconnect".
        assert await ada.closed(wait=10) == 1012
        assert await asyncio.to_thread(process.wait, 10) == -signal.SIGTERM
        assert 2.5 < time.monotonic() - started < 8
    finally:
        served.stop()
    again = served.start()
    try:
        back = await Raw.join(ws_url, name="Ada", resume=ada.welcome["resume"])
        assert back.welcome["you"]["role"] == "host"  # the same meeting, continued
        bob_back = await Raw.join(ws_url, name="Bob", resume=bob.welcome["resume"])
        assert bob_back.welcome["you"]["role"] == "participant"
    finally:
        again.stop()


@pytest.mark.parametrize("second", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
async def test_a_second_sigterm_or_a_sigint_exits_now(tmp_path: Path, second: int) -> None:
    served = Served(tmp_path / "data", extra=["--drain-seconds", "60"]).start()
    process = served.process
    assert process is not None
    try:
        ada = await Raw.join(served.url.replace("http", "ws") + "/ws", name="Ada")
        process.send_signal(signal.SIGTERM)
        await ada.expect("going-away")
        started = time.monotonic()
        process.send_signal(second)
        assert await ada.closed(wait=10) == 1012
        assert await asyncio.to_thread(process.wait, 10) in (-signal.SIGTERM, -signal.SIGINT)
        assert time.monotonic() - started < 5
    finally:
        served.stop()
