"""Router algorithms, driven packet by packet over in-memory transports."""

from __future__ import annotations

import itertools
import struct

import pytest

from frankly.sfu import rtcp, rtp
from frankly.sfu.router import OUT_PT
from tests.sfu.fakes import Rig, opus, vp8


def fields(packet: bytes) -> tuple[int, int, int, int]:
    """(payload type, seq, timestamp, ssrc) of a forwarded packet."""
    return rtp.payload_type(packet), rtp.seq(packet), rtp.timestamp(packet), rtp.ssrc(packet)


@pytest.fixture
def rig() -> Rig:
    return Rig()


async def test_video_starts_at_a_keyframe_with_fresh_numbering(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve")
    assert "a=msid:eve video-0" in rig.offers["ada"][-1]
    for seq in range(10, 13):
        pub.on_rtp(pub, vp8(seq, 1000, 1111, keyframe=False))
    assert sub.rtp == []  # a decoder cannot start on a delta frame
    pub.on_rtp(pub, vp8(13, 4000, 1111, keyframe=True))
    pub.on_rtp(pub, vp8(14, 7000, 1111, keyframe=False))
    assert len(sub.rtp) == 2
    (pt, s1, t1, ssrc), (_, s2, t2, ssrc2) = fields(sub.rtp[0]), fields(sub.rtp[1])
    assert pt == OUT_PT["VP8"] and ssrc == ssrc2 != 1111
    assert (s2 - s1) & 0xFFFF == 1 and (t2 - t1) & 0xFFFFFFFF == 3000
    # The payload is passed on byte for byte, behind the SFU's own extensions.
    original = vp8(14, 7000, 1111, keyframe=False)
    assert sub.rtp[1][rtp.payload_offset(sub.rtp[1]) :] == original[12:]
    assert rtp.extension(sub.rtp[1], 3) is not None  # abs-send-time


async def test_audio_flows_at_once_with_its_level(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve")
    pub.on_rtp(pub, opus(5, 960, 1112, level=20))
    (packet,) = sub.rtp
    assert rtp.payload_type(packet) == 111 and rtp.extension(packet, 1) == bytes([0x80 | 20])


async def test_nack_is_served_from_the_cache_in_the_subscribers_numbering(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    for seq in range(100, 110):
        pub.on_rtp(pub, vp8(seq, seq * 10, 1111, keyframe=seq == 100))
    lost = fields(sub.rtp[4])
    down_ssrc = lost[3]
    sub.rtp.clear()
    sub.on_rtcp(sub, rtcp.nack(7, down_ssrc, [lost[1], (lost[1] + 40) & 0xFFFF]))
    (again,) = sub.rtp  # the second was never sent, so it is not invented
    assert fields(again) == lost


async def test_pli_reaches_the_publisher_at_most_every_500_ms(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    down_ssrc = rtp.ssrc(sub.rtp[0])
    pub.rtcp.clear()
    for _ in range(3):
        sub.on_rtcp(sub, rtcp.pli(7, down_ssrc))
    plis = [p for p in pub.rtcp if p[1] == rtcp.PSFB and p[0] & 0x1F == rtcp.FMT_PLI]
    assert len(plis) == 1 and rtcp.media_ssrc(plis[0], 0) == 1111


async def test_publisher_gaps_are_nacked_after_the_reorder_window(rig: Rig) -> None:
    import asyncio

    rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    pub.on_rtp(pub, vp8(2, 0, 1111, keyframe=False))
    pub.on_rtp(pub, vp8(6, 0, 1111, keyframe=False))  # 3, 4, 5 missing
    pub.on_rtp(pub, vp8(4, 0, 1111, keyframe=False))  # 4 was only late
    async with asyncio.timeout(2):
        while not [p for p in pub.rtcp if p[1] == rtcp.RTPFB]:
            pub.sent.clear()
            await pub.sent.wait()
    (nack,) = [p for p in pub.rtcp if p[1] == rtcp.RTPFB]
    assert rtcp.media_ssrc(nack, 0) == 1111
    assert sorted(rtcp.nack_seqs(nack, 0, len(nack))) == [3, 5]


async def test_simulcast_switch_happens_at_a_keyframe_and_keeps_numbering(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False, simulcast=True)
    track = rig.router.publishers["eve"].tracks["0"]
    assert [layer.rid for layer in track.layers] == ["q", "h", "f"]  # as offered
    for i, rid in enumerate("qhf"):  # first packets name their layer
        pub.on_rtp(pub, vp8(100 * i, 5000 * i, 2000 + i, keyframe=True, rid=rid))
    assert len(sub.rtp) == 1 and rtp.ssrc(sub.rtp[0]) != 2000  # started on the lowest
    down = rig.router.subscribers["ada"].slots[0]
    assert not isinstance(down, str)
    down.retarget(track.layers[2])
    pub.on_rtp(pub, vp8(201, 10_000, 2002, keyframe=False))  # not a switching point
    pub.on_rtp(pub, vp8(1, 100, 2000, keyframe=False))  # still on the low layer
    pub.on_rtp(pub, vp8(202, 13_000, 2002, keyframe=True))  # switch here
    pub.on_rtp(pub, vp8(2, 200, 2000, keyframe=False))  # low layer no longer forwarded
    seqs = [rtp.seq(p) for p in sub.rtp]
    assert len(seqs) == 3 and all((b - a) & 0xFFFF == 1 for a, b in itertools.pairwise(seqs))
    assert len({rtp.ssrc(p) for p in sub.rtp}) == 1
    assert down.layer is track.layers[2] and track.layers[0].downs == []


async def test_sender_reports_are_translated_for_lip_sync(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 1000, 1111, keyframe=True))
    forwarded = sub.rtp[0]
    offset = (rtp.timestamp(forwarded) - 1000) & 0xFFFFFFFF
    sr = struct.pack("!BBHIIIIII", 0x80, rtcp.SR, 6, 1111, 1, 2, 1000 + 90, 5, 500)
    pub.on_rtcp(pub, sr)
    (report,) = sub.rtcp
    assert rtcp.sender_ssrc(report, 0) == rtp.ssrc(forwarded)
    assert struct.unpack_from("!I", report, 16)[0] == (1090 + offset) & 0xFFFFFFFF


async def test_subscriber_offers_wait_for_answers(rig: Rig) -> None:
    rig.subscriber("ada")
    rig.publish("eve")
    assert len(rig.offers["ada"]) == 1  # audio and video in one offer
    rig.publish("mallory")
    assert len(rig.offers["ada"]) == 1  # waits: an answer is outstanding
    rig.accept("ada")
    assert len(rig.offers["ada"]) == 2 and rig.offers["ada"][-1].count("a=sendonly") == 4


async def test_speaker_follows_the_loudest_audio(rig: Rig) -> None:
    rig.subscriber("ada")
    pub = rig.publish("eve")
    for seq in range(50):
        pub.on_rtp(pub, opus(seq, seq * 960, 1112, level=5))  # loud: 5 dB below full
    rig.router.update_speaker()
    assert rig.speakers == ["eve"]


async def test_publishers_get_receiver_reports_and_remb(rig: Rig) -> None:
    rig.subscriber("ada")
    pub = rig.publish("eve", audio=False)
    for seq in (65530, 65531, 65533, 65535, 0, 1):  # 2 of 8 lost, across the wrap
        pub.on_rtp(pub, vp8(seq, 0, 1111, keyframe=True))
    rig.router._timers = [None, None]  # type: ignore[list-item]
    rig.router._stats_tick()
    rig.router._timers[0].cancel()  # type: ignore[union-attr]
    kinds = {p[1]: p for p in pub.rtcp}
    ((_, count, offset, _),) = list(rtcp.walk(kinds[rtcp.RR]))
    ((ssrc, fraction, _),) = rtcp.report_blocks(kinds[rtcp.RR], offset, count, rtcp.RR)
    assert ssrc == 1111 and fraction == 0  # the first report has nothing to compare with
    for seq in (2, 3, 5, 6):  # 4 of 5 since the last report: 20 % lost
        pub.on_rtp(pub, vp8(seq, 0, 1111, keyframe=False))
    pub.rtcp.clear()
    rig.router._stats_tick()
    rig.router._timers[0].cancel()  # type: ignore[union-attr]
    rr = next(p for p in pub.rtcp if p[1] == rtcp.RR)
    ((ssrc, fraction, _),) = rtcp.report_blocks(rr, 0, 1, rtcp.RR)
    assert fraction == 256 // 5
    remb = next(p for p in pub.rtcp if p[1] == rtcp.PSFB)
    bitrate, ssrcs = rtcp.remb(remb, 0, len(remb)) or (0, [])
    assert ssrcs == [1111] and bitrate >= 990_000  # room to grow: at least 1 Mbit/s


async def test_who_leaves_is_gone_from_every_map(rig: Rig) -> None:
    sub = rig.subscriber("ada")
    pub = rig.publish("eve")
    pub.on_rtp(pub, opus(1, 960, 1112, level=5))
    assert rig.router.subscriber_of[sub] is rig.router.subscribers["ada"]  # type: ignore[index]
    assert rig.router.publisher_of[pub] is rig.router.publishers["eve"]  # type: ignore[index]
    rig.router.remove("eve")
    rig.router.remove("ada")
    assert rig.router.publisher_of == {} and rig.router.subscriber_of == {}
    assert rig.router.speakers.levels == {} and rig.router.downs_by_ssrc == {}


def sized_keyframe(seq: int, ts: int, ssrc: int, rid: str, width: int, height: int) -> bytes:
    """A VP8 keyframe's first packet whose frame header says its size (RFC 6386 9.1)."""
    tag = (1 << 4 | 1000 << 5).to_bytes(3, "little")  # key frame, shown, first partition
    size = width.to_bytes(2, "little") + height.to_bytes(2, "little")
    return vp8(seq, ts, ssrc, keyframe=True, rid=rid, size=0)[:-1] + tag + b"\x9d\x01\x2a" + size


async def test_the_layer_is_chosen_by_the_real_picture_height(rig: Rig) -> None:
    # Chrome's 640x480 camera: q is 160x120, h 320x240, f idle. A tile 167
    # pixels high wants h: q's 120 rows would be stretched (a 720p guess
    # took q for 180 rows high and chose it).
    rig.subscriber("ada")
    pub = rig.publish("eve", audio=False, simulcast=True)
    track = rig.router.publishers["eve"].tracks["0"]
    for i, (rid, w, h) in enumerate([("q", 160, 120), ("h", 320, 240)]):
        pub.on_rtp(pub, sized_keyframe(100 * i, 5000, 2000 + i, rid, w, h))
    assert [layer.height for layer in track.layers] == [120, 240, 0]
    track.layers[0].bitrate, track.layers[1].bitrate = 150_000, 500_000
    subscriber = rig.router.subscribers["ada"]
    down = subscriber.slots[0]
    assert not isinstance(down, str) and down.layer is track.layers[0]
    rig.router.set_view("ada", "eve", 167)
    rig.router._choose_layers(subscriber, now=0.0)
    assert down.target is track.layers[1]
    rig.router.set_view("ada", "eve", 120)  # q fills a tile of 120 rows: stay
    rig.router._choose_layers(subscriber, now=0.0)
    assert down.target is None and down.layer is track.layers[0]
