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

from frankly.sfu import relay, relay_seal, rtcp, rtp
from frankly.sfu.relay import RelaySocket, TrackInfo
from frankly.sfu.router import Router
from tests.sfu.fakes import FakeTransport, Rig, vp8
from tests.waiting import until

KEY = 7
RELAY_KEY = bytes(range(32))


class Part(Rig):
    def __init__(
        self, path: str, on_tracks: Any = lambda pid, tracks: None, key: bytes | None = None
    ) -> None:
        super().__init__()
        udp = ("127.0.0.1", 0) if key is not None else None
        self.relay = RelaySocket(path, Counter(), udp=udp, key=key)
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


def address(part: Part) -> str:
    """Where the other part relays to it: over UDP where it has it (another node)."""
    return part.relay.udp_address or part.relay.path


async def parts(tmp_path: Path, key: bytes | None) -> AsyncIterator[Pair]:
    far = Part(str(tmp_path / "far.sock"), key=key)

    def tracks_changed(pid: str, tracks: list[TrackInfo]) -> None:
        origin.router.relay_out(pid, KEY, [address(far)])
        far.router.relay_in(pid, KEY, address(origin), tracks)

    origin = Part(str(tmp_path / "origin.sock"), tracks_changed, key=key)
    await origin.relay.start()
    await far.relay.start()
    yield Pair(origin, far)
    origin.router.stop()
    far.router.stop()
    origin.relay.stop()
    far.relay.stop()


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    """Two workers of one node: over Unix datagram sockets."""
    async for made in parts(tmp_path, None):
        yield made


@pytest.fixture
async def nodes(tmp_path: Path) -> AsyncIterator[Pair]:
    """Two workers of two nodes: over sealed UDP on 127.0.0.1."""
    async for made in parts(tmp_path, RELAY_KEY):
        yield made


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


# --- between nodes: sealed UDP ------------------------------------------------------


class Captured:
    """The sealed datagrams a part's UDP side receives, before it opens them."""

    def __init__(self, part: Part, monkeypatch: pytest.MonkeyPatch) -> None:
        self.datagrams: list[tuple[bytes, tuple[str, int]]] = []
        udp = part.relay._udp
        assert udp is not None
        receive = udp.datagram_received

        def captured(data: bytes, addr: tuple[str, int]) -> None:
            self.datagrams.append((data, addr))
            receive(data, addr)

        monkeypatch.setattr(udp, "datagram_received", captured)


def udp_target(part: Part) -> tuple[str, int]:
    host, _, port = part.relay.udp_address.removeprefix("udp:").rpartition(":")
    return host, int(port)


async def stranger(tmp_path: Path, key: bytes) -> RelaySocket:
    """Another relay socket on the network, not the room's origin."""
    sock = RelaySocket(str(tmp_path / "stranger.sock"), Counter(), udp=("127.0.0.1", 0), key=key)
    await sock.start()
    return sock


async def test_over_udp_a_far_viewer_gets_the_video_and_its_keyframe_request_reaches_the_origin(
    nodes: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert nodes.origin.relay.udp_address.startswith("udp:127.0.0.1:")
    assert nodes.far.relay.udp_address != nodes.origin.relay.udp_address
    wire = Captured(nodes.far, monkeypatch)
    viewer = nodes.far.subscriber("ada")
    pub = nodes.origin.publish("eve", audio=False)
    await until(lambda: pli_count(pub) == 1, 2, "the far part's want reaches the publisher")
    for seq in range(10, 14):
        pub.on_rtp(pub, vp8(seq, 4000, 1111, keyframe=seq == 10, size=1200))
    await until(lambda: len(viewer.rtp) == 4, 2, "the packets cross the network")
    original = vp8(13, 4000, 1111, keyframe=False, size=1200)
    assert viewer.rtp[3][rtp.payload_offset(viewer.rtp[3]) :] == original[12:]
    # The media crossed sealed: no datagram carries the packet's bytes in clear.
    assert wire.datagrams and not [d for d, _ in wire.datagrams if original[12:] in d]
    assert {addr for _, addr in wire.datagrams} == {udp_target(nodes.origin)}
    # Each video packet alone (a batch fits one IP packet); a far viewer's PLI reaches the origin.
    assert all(len(d) <= relay.UDP_BATCH_BYTES + relay_seal.OVERHEAD for d, _ in wire.datagrams)
    before = pli_count(pub)
    nodes.origin.router.publishers["eve"].tracks["0"].layers[0].last_keyframe_request = 0.0
    viewer.on_rtcp(viewer, rtcp.pli(9, rtp.ssrc(viewer.rtp[0])))
    await until(lambda: pli_count(pub) == before + 1, 2, "the far viewer's PLI reaches the origin")
    assert nodes.far.relay.dropped == {} and nodes.origin.relay.dropped == {}


async def test_a_datagram_sealed_with_another_key_is_dropped_even_from_the_origins_address(
    nodes: Pair, tmp_path: Path
) -> None:
    viewer = nodes.far.subscriber("ada")
    nodes.origin.publish("eve", audio=False)
    await relayed(nodes)
    message = relay.head(relay.RTP, KEY) + vp8(1, 0, 1111, keyframe=True)
    batch = len(message).to_bytes(2, "big") + message
    forged = relay_seal.Sealer(bytes(32)).seal(
        batch, nodes.origin.relay.udp_address, nodes.far.relay.udp_address
    )
    far_udp = nodes.far.relay._udp
    assert far_udp is not None
    # As the kernel hands a datagram whose source address was spoofed to be the origin's:
    far_udp.datagram_received(forged, udp_target(nodes.origin))
    far_udp.datagram_received(forged[:20], udp_target(nodes.origin))  # too short for a seal
    # And over the wire, from a stranger that has a key, but not the cluster's.
    intruder = await stranger(tmp_path, bytes(32))
    intruder.send(message, nodes.far.relay.udp_address)
    dropped = nodes.far.relay.dropped
    await until(lambda: dropped["relay-unauthenticated"] == 3, 2, "the stranger's datagram")
    assert (
        viewer.rtp == []
        and nodes.far.router.forwarded == 0
        and dropped == {"relay-unauthenticated": 3}
    )
    # The same message sealed with the cluster's key, from the origin, is taken.
    nodes.origin.relay.send(message, nodes.far.relay.udp_address)
    await until(lambda: len(viewer.rtp) == 1, 2, "the origin's own datagram is forwarded")
    intruder.stop()


async def test_a_captured_datagram_resent_is_dropped_as_a_replay(
    nodes: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = nodes.far.subscriber("ada")
    pub = nodes.origin.publish("eve", audio=False)
    await relayed(nodes)
    wire = Captured(nodes.far, monkeypatch)
    pub.on_rtp(pub, vp8(1, 0, 1111, keyframe=True, size=1200))
    await until(lambda: len(viewer.rtp) == 1, 2, "the keyframe arrives")
    (datagram, _) = wire.datagrams[-1]
    origin_udp = nodes.origin.relay._udp
    assert origin_udp is not None and origin_udp._transport is not None
    origin_udp._transport.sendto(datagram, udp_target(nodes.far))  # from the origin's address
    dropped = nodes.far.relay.dropped
    await until(lambda: dropped["relay-replayed"] == 1, 2, "the datagram again is a replay")
    # From another address it does not even open: the sender's address is sealed in.
    intruder = await stranger(tmp_path, RELAY_KEY)
    assert intruder._udp is not None and intruder._udp._transport is not None
    intruder._udp._transport.sendto(datagram, udp_target(nodes.far))
    await until(lambda: dropped["relay-unauthenticated"] == 1, 2, "re-sent from elsewhere")
    assert len(viewer.rtp) == 1 and nodes.far.router.forwarded == 1
    # Later datagrams still pass: the window moved on.
    pub.on_rtp(pub, vp8(2, 0, 1111, keyframe=False, size=1200))
    await until(lambda: len(viewer.rtp) == 2, 2, "the next packet arrives")
    intruder.stop()


async def test_media_for_a_remote_publisher_is_taken_from_its_origin_alone(
    nodes: Pair, tmp_path: Path
) -> None:
    viewer = nodes.far.subscriber("ada")
    nodes.origin.publish("eve", audio=False)
    await relayed(nodes)
    # A node of the cluster (it has the key) that is not eve's origin sends her media.
    other = await stranger(tmp_path, RELAY_KEY)
    other.send(
        relay.head(relay.RTP, KEY) + vp8(1, 0, 1111, keyframe=True), nodes.far.relay.udp_address
    )
    other.send(relay.head(relay.RTP, KEY + 1) + b"x" * 40, nodes.far.relay.udp_address)
    dropped = nodes.far.relay.dropped
    await until(lambda: dropped["relay-unknown-key"] == 1, 2, "the batch was opened and read")
    assert viewer.rtp == [] and nodes.far.router.forwarded == 0
    assert dropped == {"relay-unknown-key": 1}
    other.stop()


def test_udp_without_a_key_or_on_no_one_host_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sock")
    with pytest.raises(ValueError, match="needs a key"):
        RelaySocket(path, Counter(), udp=("127.0.0.1", 0))
    with pytest.raises(ValueError, match="16 bytes, not 32"):
        RelaySocket(path, Counter(), udp=("127.0.0.1", 0), key=bytes(16))
    with pytest.raises(ValueError, match="binds one host"):
        RelaySocket(path, Counter(), udp=("0.0.0.0", 0), key=RELAY_KEY)
    assert RelaySocket(path, Counter()).udp_address == ""
