"""Interpretation in a room spread over two SFU workers (docs/scaling.md, *A room on
several workers*): an interpreter's channel reaches a listener on the other part, the
hand-over asks every part (`channel_ready` where the channel is published,
`channel_negotiated` where its listeners are), and the next interpreter is heard there."""

from __future__ import annotations

import asyncio

import pytest

import frankly.client as fc
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
from tests.waiting import until_answered


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=6, workers=2, spread_at=0.0)


async def test_a_channel_and_its_hand_over_across_the_parts_of_a_spread_room(
    clients: Clients, live_server: LiveServer
) -> None:
    _ada, ivan, boris, _fred = await room(clients)
    spread = proxy_of(live_server, ROOM)
    irina = await clients.join("Irina", ROOM)
    told = irina.wait_for(fc.InterpretationChanged, timeout=5)
    await _ada.make_interpreter(irina.id, ("en", "ru"))
    await told
    await irina.interpret(fc.ToneTrack(550, volume=IRINA_VOLUME))
    # Placement alternates over the idle workers: the booth's two are on two parts,
    # so one of them, at least, is heard by Boris across the relay.
    assert len(spread.parts) == 2
    assert spread.where[ivan.id] is not spread.where[irina.id], "the booth on both parts"
    await frame_where(await channel_track(boris, ivan.id), volume_of(IVAN_VOLUME))
    irinas = await channel_track(boris, irina.id)  # parked until she is live

    async def ready() -> bool:
        asked = spread.channel_ready(irina.id, 0.0)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(asked, live_server.loop))

    await until_answered(ready, 15, "every part says Irina's channel is ready to take over")
    state = await ivan.hand_over()
    booth = state.booth_of(ivan.id)
    assert booth is not None and booth.live == irina.id
    await frame_where(irinas, volume_of(IRINA_VOLUME))
