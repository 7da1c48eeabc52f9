"""The SFU router's counters that /metrics exports, driven packet by packet
over the SFU tests' in-memory transports (tests/sfu/fakes.py)."""

from __future__ import annotations

import asyncio

from frankly.ops.stats import Stats
from frankly.sfu import rtcp, rtp
from tests.sfu.fakes import Rig, vp8


async def test_forwarded_packets_and_bytes_are_what_the_subscriber_got() -> None:
    rig = Rig()
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    for seq in range(1, 6):
        pub.on_rtp(pub, vp8(seq, seq * 3000, 1111, keyframe=seq == 1))
    assert rig.router.forwarded == len(sub.rtp) == 5
    assert rig.router.forwarded_bytes == sum(len(packet) for packet in sub.rtp)


async def test_nacks_both_ways_and_keyframe_requests_are_counted() -> None:
    rig = Rig()
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    pub.on_rtp(pub, vp8(4, 0, 1111, keyframe=False))  # 2 and 3 lost on the way in
    down_ssrc = rtp.ssrc(sub.rtp[0])
    sub.on_rtcp(sub, rtcp.nack(7, down_ssrc, [rtp.seq(sub.rtp[0])]))
    assert rig.router.nacks_served == 1
    plis = rig.router.plis
    for _ in range(3):  # one keyframe request goes out of three
        sub.on_rtcp(sub, rtcp.pli(7, down_ssrc))
    assert rig.router.plis - plis == 1
    async with asyncio.timeout(2):
        while rig.router.nacks_sent == 0:
            pub.sent.clear()
            await pub.sent.wait()
    assert rig.router.nacks_sent == 2


async def test_a_simulcast_switch_is_counted_and_the_first_layer_is_not() -> None:
    rig = Rig()
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False, simulcast=True)
    track = rig.router.publishers["eve"].tracks["0"]
    for i, rid in enumerate("qhf"):
        pub.on_rtp(pub, vp8(100 * i, 5000 * i, 2000 + i, keyframe=True, rid=rid))
    assert len(sub.rtp) == 1 and rig.router.layer_switches == 0
    down = rig.router.subscribers["ada"].slots[0]
    assert not isinstance(down, str)
    down.retarget(track.layers[2])
    pub.on_rtp(pub, vp8(202, 13_000, 2002, keyframe=True))
    assert rig.router.layer_switches == 1


async def test_a_stopped_router_s_counts_stay_in_the_totals() -> None:
    rig, stats = Rig(), Stats()
    rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    assert stats.router_totals([rig.router])["forwarded"] == 1
    rig.router.stop()
    stats.retire(rig.router)
    assert stats.router_totals([])["forwarded"] == 1
