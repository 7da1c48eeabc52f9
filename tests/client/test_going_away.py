"""The SDK when the server restarts: `going-away` is told, and the lost socket that
follows is no failure (short waits, `restarting`); a draining server's refusal of a
first join is asked again."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import frankly.client as fc
from frankly.client.session import RESTART_BACKOFF_MAX, RESTART_JITTER
from tests.client.helpers import Clients
from tests.waiting import until


async def test_going_away_is_told_and_the_reconnect_after_it_is_a_restart(
    clients: Clients, live_server: Any
) -> None:
    ada = await clients.join("Ada")
    told = ada.wait_for(fc.GoingAway, timeout=5)
    live_server.call(lambda: live_server.hub.drain(7))
    assert (await told).drain_seconds == 7
    events = ada.events()
    live_server.drop(ada.id)
    await ada.wait_for(fc.Reconnected, timeout=15)  # the drain lets its room's people in
    events.close()
    attempts = [e for e in events.pending() if isinstance(e, fc.Reconnecting)]
    assert attempts and all(a.restarting for a in attempts), attempts
    assert all(a.delay <= RESTART_BACKOFF_MAX + RESTART_JITTER for a in attempts)


async def test_without_going_away_a_lost_socket_is_no_restart(
    clients: Clients, live_server: Any
) -> None:
    ada = await clients.join("Ada")
    reconnecting = ada.wait_for(fc.Reconnecting, timeout=5)
    live_server.drop(ada.id)
    first = await reconnecting
    assert (first.restarting, first.delay) == (False, 0.5)


async def test_a_first_join_refused_as_draining_is_asked_again(
    clients: Clients, live_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    live_server.call(lambda: live_server.hub.drain(30))
    caplog.set_level(logging.INFO, "frankly.client")
    joining = asyncio.ensure_future(clients.join("Ada", room="later"))
    refused = "the server is draining; asking again"
    await until(lambda: refused in caplog.text, 10, "the first hello is refused as draining")
    assert not joining.done()
    live_server.call(lambda: setattr(live_server.hub, "draining", False))  # the next process
    ada = await asyncio.wait_for(joining, 15)
    assert ada.connected
