"""The down-track on its own: numbering, layer switches, NACK resends, sender reports."""

from __future__ import annotations

import struct
import time
from typing import Any

from frankly.sfu import rtcp, rtp, sdp
from frankly.sfu.downtrack import DownTrack, audio_level, extensions
from frankly.sfu.router import Layer, Publisher, Subscriber, Track
from tests.sfu.fakes import FakeTransport, opus, vp8


def setup(rids: str = "", kind: str = "video") -> tuple[DownTrack, list[Layer], FakeTransport]:
    out: Any = FakeTransport("sub")
    codec = sdp.Codec(96, "VP8", 90000) if kind == "video" else sdp.Codec(111, "OPUS", 48000, 2)
    track = Track(Publisher("eve", FakeTransport("pub")), "0", kind, codec, [], "t", 1)  # type: ignore[arg-type]
    track.layers = [Layer(track, rid) for rid in rids or " "]
    return DownTrack(Subscriber("ada", out), track, "0", pt=99), track.layers, out


def send(down: DownTrack, layer: Layer, packet: bytes) -> None:
    """As the router does: into the layer's cache, then forwarded behind a tail."""
    layer.cache.put(rtp.seq(packet), packet)
    layer.last_arrival = time.monotonic()
    tail = extensions(None, 0.0) + packet[rtp.payload_offset(packet) :]
    down.forward(rtp.seq(packet), rtp.timestamp(packet), 0x90, packet[1] & 0x80, tail)


def header(packet: bytes) -> tuple[int, int, int, int]:
    return rtp.payload_type(packet), rtp.seq(packet), rtp.timestamp(packet), rtp.ssrc(packet)


def test_forward_maps_into_the_subscribers_numbering() -> None:
    down, (layer,), out = setup()
    down.switch(layer)
    for seq in (65534, 65535, 0):  # across the wrap
        send(down, layer, vp8(seq, 9000 + seq, 1111, keyframe=seq == 65534))
    (pt, s0, t0, ssrc), (_, s1, t1, _), (_, s2, t2, _) = map(header, out.rtp)
    assert pt == 99 and ssrc == down.ssrc
    assert (s1 - s0) & 0xFFFF == 1 and (s2 - s1) & 0xFFFF == 1
    assert (t1 - t0) & 0xFFFFFFFF == 1 and (t2 - t0) & 0xFFFFFFFF == 0 - 65534 & 0xFFFFFFFF
    original = vp8(0, 9000, 1111, keyframe=False)
    assert out.rtp[2][rtp.payload_offset(out.rtp[2]) :] == original[12:]


def test_a_switch_numbers_on_from_where_the_old_layer_left_off() -> None:
    down, (low, high), out = setup("qf")
    down.switch(low)
    send(down, low, vp8(10, 1000, 1, keyframe=True))
    send(down, low, vp8(11, 4000, 1, keyframe=False))
    send(down, low, vp8(9, 100, 1, keyframe=False))  # late: not where it left off
    down.retarget(high)
    assert high.waiting == [down]
    down.switch(high)
    high.waiting.clear()
    send(down, high, vp8(500, 70_000, 2, keyframe=True))
    last, first = header(out.rtp[1]), header(out.rtp[3])
    assert (first[1] - last[1]) & 0xFFFF == 1
    assert 0 < (first[2] - last[2]) & 0xFFFFFFFF < 90_000  # on in time, by the pause
    assert first[3] == last[3] and low.downs == [] and high.downs == [down]


def test_resend_rebuilds_the_same_header_and_skips_what_is_gone() -> None:
    down, (layer,), out = setup()
    down.switch(layer)
    for seq in range(100, 105):
        send(down, layer, vp8(seq, seq * 10, 1111, keyframe=seq == 100))
    sent = [header(p) for p in out.rtp]
    out.rtp.clear()
    asked = [sent[3][1], sent[1][1], (sent[4][1] + 7) & 0xFFFF]
    assert down.resend(asked) == 2  # the third was never sent
    assert [header(p) for p in out.rtp] == [sent[3], sent[1]]
    assert rtp.extension(out.rtp[0], 3) is not None  # abs-send-time, stamped anew


def test_resent_audio_keeps_its_level() -> None:
    down, (layer,), out = setup(kind="audio")
    down.switch(layer)
    packet = opus(7, 960, 1112, level=33)
    layer.cache.put(7, packet)
    tail = extensions(audio_level(packet, 1), 0.0) + packet[rtp.payload_offset(packet) :]
    down.forward(7, 960, 0x90, 0, tail)
    assert down.resend([rtp.seq(out.rtp[0])]) == 1
    assert rtp.extension(out.rtp[1], 1) == bytes([0x80 | 33]) == rtp.extension(out.rtp[0], 1)


def test_nothing_is_resent_or_reported_before_the_start() -> None:
    down, (layer,), out = setup()
    down.retarget(layer)
    layer.cache.put(1, vp8(1, 0, 1111, keyframe=False))
    sr = struct.pack("!BBHIIIIII", 0x80, rtcp.SR, 6, 1111, 1, 2, 90, 5, 500)
    assert down.resend([1]) == 0
    down.sender_report(sr, 0)
    assert out.rtp == [] and out.rtcp == []


def test_detach_leaves_no_layer_pointing_at_it() -> None:
    down, (low, high), _ = setup("qf")
    down.switch(low)
    down.retarget(high)
    down.detach()
    assert low.downs == [] and high.waiting == []
