"""One room across two SFU workers: a publisher on one, viewers on both.

The server runs in this process (BackgroundServer) with two real worker
processes, as `frankly serve --workers 2 --spread-at 0`: every room spread
evenly over the workers from its first participant on, so four people make
two on each. The publisher's worker relays its packets to the other worker's
part of the room (frankly/sfu/relay.py), which forwards them to its viewers.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from aiortc import RTCRtpReceiver, RTCRtpSender

import frankly.client as fc
from frankly.cluster.workers import SpreadRouter
from frankly.server.config import ServerConfig
from frankly.sfu.router import KEYFRAME_INTERVAL
from tests.client.helpers import Clients, frame_where, track_from
from tests.conftest import LiveServer
from tests.waiting import until

ROOM = "spread"
VIEWERS = ("Grace", "Eve", "Fred")
HAMMER = 3.0  # seconds the far viewers ask for keyframes
HAMMER_EVERY = 0.02  # each far viewer, once every 20 ms (fewer on a busy machine)


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(workers=2, spread_at=0.0)


def spread(live_server: LiveServer) -> SpreadRouter:
    router = live_server.call(lambda: live_server.hub.routers[ROOM])
    assert isinstance(router, SpreadRouter)
    return router


def video_sender(client: fc.Client) -> RTCRtpSender:
    sfu = client._calls.sfu
    assert sfu is not None and sfu.publish_pc is not None
    return next(s for s in sfu.publish_pc.getSenders() if s.track and s.track.kind == "video")


def video_receiver(client: fc.Client) -> RTCRtpReceiver:
    sfu = client._calls.sfu
    assert sfu is not None
    return next(r for r in sfu.subscribe_pc.getReceivers() if r.track.kind == "video")


async def test_a_room_on_two_workers_every_viewer_decodes_and_keyframe_requests_coalesce(
    clients: Clients, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await clients.join("Ada", ROOM, audio=fc.ToneTrack(), video=fc.PatternTrack(160, 120))
    viewers = [await clients.join(name, ROOM) for name in VIEWERS]
    router = spread(live_server)
    where = live_server.call(lambda: dict(router.where))
    far = [v for v in viewers if where[v.id] != where[ada.id]]
    near = [v for v in viewers if where[v.id] == where[ada.id]]
    assert far and near, f"the room is on both workers, viewers on each: {where}"

    for viewer in viewers:  # the far ones through the relay
        await frame_where(await track_from(viewer, ada.id, "video"))
        await frame_where(await track_from(viewer, ada.id, "audio"))
    await until(lambda: live_server.call(lambda: router.relayed) > 0, 5, "the relay is counted")

    # Every keyframe Ada's encoder is asked for (an RTCP PLI reaching her sender).
    asked: list[float] = []
    sender = video_sender(ada)
    make_keyframe = sender._send_keyframe

    def counted() -> None:
        asked.append(time.monotonic())
        make_keyframe()

    monkeypatch.setattr(sender, "_send_keyframe", counted)

    async def hammer(viewer: fc.Client) -> int:
        receiver = video_receiver(viewer)
        ssrc = receiver.getSynchronizationSources()[0].source
        sent, end = 0, time.monotonic() + HAMMER
        while time.monotonic() < end:
            await receiver._send_rtcp_pli(ssrc)  # a real PLI, over SRTCP, to its own worker
            sent += 1
            await asyncio.sleep(HAMMER_EVERY)
        return sent

    began = time.monotonic()
    sent = sum(await asyncio.gather(*(hammer(v) for v in far)))
    await until(lambda: bool(asked), 4 * KEYFRAME_INTERVAL, "a keyframe request reaches Ada")
    window = time.monotonic() - began
    allowed = window / KEYFRAME_INTERVAL + 1  # one an interval, plus the one at the start
    assert sent >= 4 * allowed, f"the viewers asked {sent} times: too few to tell"
    assert asked, "a keyframe request from a viewer on the far worker reached the publisher"
    # Coalesced on both workers: 100 viewers never make 100 keyframe requests.
    assert len(asked) <= allowed, (len(asked), sent, window)
    gaps = [b - a for a, b in itertools.pairwise(asked)]
    # Never a burst (uncoalesced they would come 20 ms apart); a busy loop delays some.
    assert all(gap >= KEYFRAME_INTERVAL * 0.5 for gap in gaps), gaps
    for viewer in far:  # and the picture goes on
        await frame_where(await track_from(viewer, ada.id, "video"))
