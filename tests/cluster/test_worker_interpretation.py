"""Interpretation through an SFU worker: the channel routed, the hand-over asked of the
worker (`channel_ready` over its channel), and an interpreter's channel again after
its worker is killed."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from aiortc.mediastreams import MediaStreamTrack

import frankly.client as fc
from frankly.cluster.workers import SpreadRouter
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where
from tests.client.test_interpreting import (
    IRINA_VOLUME,
    IVAN_VOLUME,
    ROOM,
    channel_track,
    room,
    volume_of,
)
from tests.cluster.test_workers import proxy_of
from tests.conftest import LiveServer
from tests.waiting import until, until_answered


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=6, workers=2)


def proxy(live_server: LiveServer) -> SpreadRouter:
    return proxy_of(live_server, ROOM)


async def test_a_hand_over_on_a_worker_and_the_channel_after_the_worker_dies(
    clients: Clients, live_server: LiveServer
) -> None:
    ada, ivan, boris, _fred = await room(clients)
    await frame_where(await channel_track(boris, ivan.id), volume_of(IVAN_VOLUME))
    irina = await clients.join("Irina", ROOM)
    told = irina.wait_for(fc.InterpretationChanged, timeout=5)
    await ada.make_interpreter(irina.id, ("en", "ru"))
    await told
    await irina.interpret(fc.ToneTrack(550, volume=IRINA_VOLUME))
    irinas = await channel_track(boris, irina.id)  # parked until she is live
    first = proxy(live_server)

    async def ready() -> bool:  # what the hand-over asks of the worker, over its channel
        asked = first.channel_ready(irina.id, 0.0)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(asked, live_server.loop))

    await until_answered(ready, 15, "the worker says Irina's channel is ready to take over")
    state = await ivan.hand_over()
    booth = state.booth_of(ivan.id)
    assert booth is not None and booth.live == irina.id
    await frame_where(irinas, volume_of(IRINA_VOLUME))

    old = set(boris.tracks(irina.id))
    assert first.slot.process is not None
    os.kill(first.slot.process.pid, signal.SIGKILL)
    await until(lambda: proxy(live_server) is not first, 10, "the room is moved")

    fresh: list[MediaStreamTrack] = []

    def arrived() -> bool:
        fresh[:] = [
            t
            for t in boris.tracks(irina.id)
            if t not in old and t.readyState != "ended" and t.kind == "audio"
        ]
        return bool(fresh)

    await until(arrived, 20, "Boris gets Irina's channel on the new connection")
    assert getattr(fresh[0], "participant_id", "").endswith(":channel")
    await frame_where(fresh[0], volume_of(IRINA_VOLUME), within=20)
