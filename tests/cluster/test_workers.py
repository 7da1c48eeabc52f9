"""`--workers 2`: rooms on two SFU worker processes; one killed, the other room untouched.

The server runs in this process (BackgroundServer) and its two workers are
real processes of their own, as in `frankly serve --workers 2`. Six SDK
participants, three a room, so both rooms are on the SFU.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

import frankly.client as fc
from frankly.cluster.workers import SpreadRouter
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where, track_from
from tests.conftest import LiveServer
from tests.waiting import until

ROOMS = ("alpha", "beta")
NAMES = ("Ada", "Grace", "Eve")
# From the kill to media again in the killed room: the worker's death seen,
# the room placed on the other worker, both connections made anew (ICE,
# DTLS), and a keyframe. About 3 s here; the bound leaves room for a busy machine.
RECOVERY = 20.0
# The other room's frames may be late while the machine is busy, never stopped.
LONGEST_GAP = 2.0
FRAMES_AFTER = 30  # about a second of video


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(workers=2)


def proxy_of(live_server: LiveServer, room: str) -> SpreadRouter:
    router = live_server.call(lambda: live_server.hub.routers[room])
    assert isinstance(router, SpreadRouter)
    return router


def forwarded(live_server: LiveServer) -> int:
    """What /metrics reads as frankly_sfu_forwarded_packets (ops/metrics.py)."""
    hub = live_server.hub
    return live_server.call(lambda: hub.stats.router_totals(list(hub.routers.values())))[
        "forwarded"
    ]


async def room(clients: Clients, name: str) -> list[fc.Client]:
    return [
        await clients.join(who, name, audio=fc.ToneTrack(), video=fc.PatternTrack(160, 120))
        for who in NAMES
    ]


async def everyone_decodes_everyone(people: list[fc.Client]) -> None:
    for me in people:
        for other in people:
            if other is not me:
                await frame_where(await track_from(me, other.id, "video"))
                await frame_where(await track_from(me, other.id, "audio"))


async def new_video(me: fc.Client, other: fc.Client, old: set[MediaStreamTrack]) -> None:
    """Frames on a video track from `other` that `me` did not have before the kill."""
    fresh: list[MediaStreamTrack] = []

    def arrived() -> bool:
        fresh[:] = [
            t
            for t in me.tracks(other.id)
            if t.kind == "video" and t not in old and t.readyState != "ended"
        ]
        return bool(fresh)

    await until(arrived, RECOVERY, f"{me.id} gets a new video track from {other.id}")
    await frame_where(fresh[0], within=RECOVERY)


@contextlib.asynccontextmanager
async def frame_times(tracks: list[MediaStreamTrack]) -> AsyncIterator[list[list[float]]]:
    """When each frame of each track arrived, while the block runs."""
    times: list[list[float]] = [[] for _ in tracks]

    async def read(track: MediaStreamTrack, into: list[float]) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                into.append(time.monotonic())

    readers = [asyncio.create_task(read(t, into)) for t, into in zip(tracks, times, strict=True)]
    try:
        yield times
    finally:
        for reader in readers:
            reader.cancel()


async def test_rooms_land_on_two_workers_and_a_killed_one_moves_only_its_room(
    clients: Clients, live_server: LiveServer
) -> None:
    alpha, beta = await room(clients, ROOMS[0]), await room(clients, ROOMS[1])
    killed, kept = proxy_of(live_server, ROOMS[0]), proxy_of(live_server, ROOMS[1])
    assert killed.worker != kept.worker, "two rooms on idle workers go to different workers"
    await everyone_decodes_everyone(alpha)
    await everyone_decodes_everyone(beta)

    await until(lambda: forwarded(live_server) > 0, 5, "the workers report their counters")
    counted = forwarded(live_server)
    watched = [await track_from(me, o.id, "video") for me in beta for o in beta if o is not me]
    old = {(me.id, o.id): set(me.tracks(o.id)) for me in alpha for o in alpha if o is not me}
    async with frame_times(watched) as times:
        await until(lambda: all(times), 10, "the other room's frames counted")
        process = killed.slot.process
        assert process is not None
        os.kill(process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        await until(lambda: proxy_of(live_server, ROOMS[0]) is not killed, 10, "the room is moved")
        moved = proxy_of(live_server, ROOMS[0])
        assert moved.worker == kept.worker, "it moves to the live worker"
        for me in alpha:
            for other in alpha:
                if other is not me:
                    await new_video(me, other, old[me.id, other.id])
        back = time.monotonic() - killed_at
        await until(lambda: moved.forwarded > 0, 5, "the live worker forwards the moved room")
        # The other room watched on past the move: a second's worth of frames more.
        moved_at = time.monotonic()
        await until(
            lambda: all(sum(t > moved_at for t in each) >= FRAMES_AFTER for each in times),
            10,
            "the other room's frames go on after the move",
        )
        ended = time.monotonic()
    assert back < RECOVERY
    for track_times in times:
        during = [t for t in track_times if t > killed_at - LONGEST_GAP]
        assert during and during[-1] > ended - LONGEST_GAP, "the other room kept its frames"
        gaps = [b - a for a, b in itertools.pairwise(during)]
        assert max(gaps, default=0) < LONGEST_GAP, f"a gap of {max(gaps):.2f} s in the other room"
    assert proxy_of(live_server, ROOMS[1]) is kept
    assert forwarded(live_server) >= counted, "/metrics keeps what the dead worker reported"
    await until(lambda: killed.slot.load.ready, 30, "the killed worker is started again")
    assert killed.slot.restarts == 1
    print(f"media back in the moved room {back:.1f} s after the kill")
