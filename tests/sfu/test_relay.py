"""The relay between two parts of one room (frankly/sfu/relay.py), packet by packet.

Two Routers over in-memory transports stand for two workers' parts of a
room; between them, their real relay sockets (Unix datagram sockets in a
temporary directory). The origin holds the publisher, the far part a viewer,
wired as the signaling process wires them (cluster/workers.py): the origin's
`on_tracks` goes to the far part's `relay_in`, and the origin's `relay_out`
names the far part's path.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from frankly.sfu import relay, rtcp, rtp
from frankly.sfu.relay import RelaySocket, TrackInfo
from frankly.sfu.router import Router
from tests.sfu.fakes import FakeTransport, Rig, vp8
from tests.waiting import until

KEY = 7


class Part(Rig):
    def __init__(self, path: str, on_tracks: Any = lambda pid, tracks: None) -> None:
        super().__init__()
        self.relay = RelaySocket(path, Counter())
        self.router = Router(
            self.media,  # type: ignore[arg-type]
            lambda pid, sdp: self.offers.setdefault(pid, []).append(sdp),
            self.speakers.append,
            relay=self.relay,
            on_tracks=on_tracks,
        )


class Pair:
    def __init__(self, origin: Part, far: Part) -> None:
        self.origin, self.far = origin, far


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    far = Part(str(tmp_path / "far.sock"))

    def tracks_changed(pid: str, tracks: list[TrackInfo]) -> None:
        origin.router.relay_out(pid, KEY, [far.relay.path])
        far.router.relay_in(pid, KEY, origin.relay.path, tracks)

    origin = Part(str(tmp_path / "origin.sock"), tracks_changed)
    await origin.relay.start()
    await far.relay.start()
    yield Pair(origin, far)
    origin.router.stop()
    far.router.stop()
    origin.relay.stop()
    far.relay.stop()


async def relayed(pair: Pair, index: int = 0) -> None:
    """Until the origin relays layer `index` of eve's video: the far part said it wants it."""
    layers = pair.origin.router.publishers["eve"].tracks["0"].layers
    await until(lambda: layers[index].relays != [], 2, f"the far part wants layer {index}")


def pli_count(transport: FakeTransport) -> int:
    return sum(1 for p in transport.rtcp if p[1] == rtcp.PSFB and p[0] & 0x1F == rtcp.FMT_PLI)


async def test_a_far_viewer_gets_the_publishers_video_from_a_keyframe_on(pair: Pair) -> None:
    viewer = pair.far.subscriber("ada")
    pub = pair.origin.publish("eve", audio=False)
    assert "a=msid:eve video-0" in pair.far.offers["ada"][-1]  # the far part offers it
    # The far part's viewer waits for a keyframe: the origin is told, and asks for one.
    await until(lambda: pli_count(pub) == 1, 2, "the far part's want reaches the publisher")
    pub.on_rtp(pub, vp8(10, 1000, 1111, keyframe=False))
    pub.on_rtp(pub, vp8(11, 4000, 1111, keyframe=True))
    pub.on_rtp(pub, vp8(12, 7000, 1111, keyframe=False))
    await until(lambda: len(viewer.rtp) == 2, 2, "two packets relayed and forwarded")
    original = vp8(12, 7000, 1111, keyframe=False)
    assert viewer.rtp[1][rtp.payload_offset(viewer.rtp[1]) :] == original[12:]
    assert pair.origin.router.relayed == 3 and pair.far.router.forwarded == 2


async def test_nothing_is_relayed_to_a_part_that_wants_nothing(pair: Pair) -> None:
    pub = pair.origin.publish("eve", audio=False)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    assert pair.origin.router.relayed == 0  # the far part has no viewer
    pair.far.subscriber("ada")
    await until(
        lambda: pair.origin.router.publishers["eve"].tracks["0"].layers[0].relays != [],
        2,
        "the far part's viewer makes it want the layer",
    )
    pair.far.router.remove("ada")
    await until(
        lambda: pair.origin.router.publishers["eve"].tracks["0"].layers[0].relays == [],
        2,
        "and its leaving makes it want nothing",
    )


async def test_keyframe_requests_of_many_far_viewers_reach_the_publisher_once(pair: Pair) -> None:
    viewers = [pair.far.subscriber(name) for name in ("ada", "bob", "cy")]
    pub = pair.origin.publish("eve", audio=False)
    await relayed(pair)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    await until(lambda: all(v.rtp for v in viewers), 2, "every far viewer gets the keyframe")
    await until(lambda: pli_count(pub) >= 1, 2, "the first want asked for a keyframe")
    before = pli_count(pub)
    pair.origin.router.publishers["eve"].tracks["0"].layers[0].last_keyframe_request = 0.0
    for viewer, _ in itertools.product(viewers, range(5)):
        viewer.on_rtcp(viewer, rtcp.pli(9, rtp.ssrc(viewer.rtp[0])))
    await until(lambda: pli_count(pub) > before, 2, "a far viewer's PLI reaches the publisher")
    assert pli_count(pub) == before + 1  # 15 requests on the far part, one keyframe asked
    assert pair.origin.router.plis == pli_count(pub) and pair.far.router.plis == 0


async def test_a_packet_lost_on_the_relay_is_resent_from_the_origins_cache(pair: Pair) -> None:
    viewer = pair.far.subscriber("ada")
    pub = pair.origin.publish("eve", audio=False)
    await relayed(pair)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    await until(lambda: len(viewer.rtp) == 1, 2, "the keyframe arrives")
    layer = pair.origin.router.publishers["eve"].tracks["0"].layers[0]
    relays, layer.relays = layer.relays, []  # seq 2 never crosses the relay
    pub.on_rtp(pub, vp8(2, 0, 1111, keyframe=False))
    layer.relays = relays
    pub.on_rtp(pub, vp8(3, 0, 1111, keyframe=False))
    # The far part sees 3 after 1, NACKs 2 to the origin, which has it: resent to the part.
    await until(lambda: len(viewer.rtp) == 3, 2, "the lost packet comes again")
    assert [rtp.seq(p) - rtp.seq(viewer.rtp[0]) & 0xFFFF for p in viewer.rtp] == [0, 2, 1]
    assert not [p for p in pub.rtcp if p[1] == rtcp.RTPFB]  # the publisher was not asked
    # A sequence number the origin never had either goes on to the publisher.
    pair.far.router.publishers["eve"].transport.send_rtcp(rtcp.nack(1, 1111, [40]))
    await until(lambda: [p for p in pub.rtcp if p[1] == rtcp.RTPFB], 2, "NACKed on")
    (nack,) = [p for p in pub.rtcp if p[1] == rtcp.RTPFB]
    assert rtcp.nack_seqs(nack, 0, len(nack)) == [40]


async def test_a_far_part_chooses_simulcast_layers_by_what_the_origin_measures(
    pair: Pair,
) -> None:
    viewer = pair.far.subscriber("ada")
    pub = pair.origin.publish("eve", audio=False, simulcast=True)
    await relayed(pair)
    for i, rid in enumerate("qhf"):
        pub.on_rtp(pub, vp8(100 * i, 0, 2000 + i, keyframe=True, rid=rid))
    await until(lambda: len(viewer.rtp) >= 1, 2, "the lowest layer starts the far viewer")
    assert pair.origin.router.relayed == 1  # only the layer wanted: q
    origin_layers = pair.origin.router.publishers["eve"].tracks["0"].layers
    for layer, rate in zip(origin_layers, (150_000.0, 500_000.0, 0.0), strict=True):
        layer.bitrate = rate
    pair.origin.router._relay_info(pair.origin.router.publishers["eve"])
    far_layers = pair.far.router.publishers["eve"].tracks["0"].layers
    await until(lambda: far_layers[1].bitrate == 500_000, 2, "the layers' rates reach the part")
    pair.far.router._choose_layers(pair.far.router.subscribers["ada"], 0.0)
    pair.far.router._send_wants()
    # One step up: h is wanted now, and the origin relays it.
    await relayed(pair, 1)
    pub.on_rtp(pub, vp8(101, 3000, 2001, keyframe=True))
    await until(lambda: far_layers[1].downs != [] and far_layers[0].downs == [], 2, "switched to h")


async def test_a_datagram_for_no_key_or_too_short_is_counted_and_harms_nothing(
    pair: Pair,
) -> None:
    viewer = pair.far.subscriber("ada")
    pub = pair.origin.publish("eve", audio=False)
    pair.origin.relay.send(b"\x01", pair.far.relay.path)
    pair.origin.relay.send(relay.head(relay.RTP, KEY + 1) + b"x" * 40, pair.far.relay.path)
    pair.origin.relay.send(relay.head(relay.RTP, KEY, 9, 9) + b"x" * 40, pair.far.relay.path)
    await relayed(pair)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True))
    await until(lambda: len(viewer.rtp) == 1, 2, "the publisher's packet still arrives")
    assert pair.far.relay.dropped == {"relay-short": 1, "relay-unknown-key": 1}


async def test_a_video_frames_packets_cross_in_one_datagram(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = pair.far.subscriber("ada")
    pub = pair.origin.publish("eve", audio=False)
    await relayed(pair)
    datagrams: list[int] = []
    receive = pair.far.relay.datagram_received

    def counted(data: bytes, addr: object) -> None:
        datagrams.append(len(data))
        receive(data, addr)

    monkeypatch.setattr(pair.far.relay, "datagram_received", counted)
    for seq in range(1, 9):  # a keyframe of eight packets, back to back
        pub.on_rtp(pub, vp8(seq, 0, 1111, keyframe=seq == 1, size=1000))
    await until(lambda: len(viewer.rtp) == 8, 2, "the frame's packets arrive")
    assert len(datagrams) == 1 and datagrams[0] > 8 * 1000
