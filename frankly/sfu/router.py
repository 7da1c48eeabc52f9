"""The forwarding router: who publishes what, who receives it, and the feedback between.

It keeps the maps (layers by SSRC, down-tracks by SSRC, publishers and
subscribers by participant and by transport), publish/subscribe and their
SDP, layer choice, and the feedback toward publishers (NACKs after a gap,
keyframe requests, receiver reports, REMB). Elsewhere: each subscriber's
copy of a track is a `DownTrack` (downtrack.py: numbering, header rewrite,
NACK resends, sender-report translation); a stream's packets and loss
counts are in its `PacketCache` (cache.py); who speaks is the
`SpeakerObserver` (speaker.py), fed the audio levels seen here.

Interpretation (docs/protocol.md): an interpreter publishes its
interpretation as an audio track of its own, which the signaling names by
its msid track id (`set_channel_track`). Such a *channel track* is no floor
track: it never feeds the speaker observer, and it goes only to the
subscribers who listen to the channel its booth speaks into
(`set_interpretation`); of a booth's tracks only the live member's is
forwarded, the others' down-tracks are negotiated but parked, so a
hand-over is a change of which down-tracks a layer forwards to, made in
one call, with no renegotiation; the signaling allows it only once the new
voice sends and every listener has answered its m-line (`channel_ready`).
`channel_packets` counts what each subscriber was sent of each
interpreter's channel.

The hot path (`_on_rtp`) works on bytes: a dict lookup by SSRC, a few struct
reads, the packet stored in the cache, one tail (the SFU's extensions and the
payload) built per packet, then per subscriber a 12-byte header in front,
SRTP protect, sendto (`DownTrack.forward`). Everything else (SDP, layer
choice, feedback) runs on timers or on control messages, never per packet.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

from frankly.protocol.words import FLOOR, channel_stream, screen_stream
from frankly.sfu import codecs, relay, rtcp, rtp, sdp
from frankly.sfu.cache import PacketCache
from frankly.sfu.downtrack import (
    ABS_SEND_TIME_ID,
    AUDIO_LEVEL_ID,
    DownTrack,
    audio_level,
    outgoing,
)
from frankly.sfu.layers import LayerInfo, choose, link_budget
from frankly.sfu.relay import RelaySocket, RelayUplink, TrackInfo
from frankly.sfu.speaker import SpeakerObserver
from frankly.sfu.transport import MediaServer, PeerTransport

log = logging.getLogger(__name__)


KEYFRAME_INTERVAL = 0.5  # at most one keyframe request a layer per 500 ms
NACK_DELAY = 0.02  # a gap that lasts 20 ms is loss, not reordering
REMB_MAX = 3_000_000  # what a publisher may send in all, bits a second
STATS_PERIOD = 1.0
SPEAKER_PERIOD = 0.3
# A channel track is ready to take a booth's channel over when a packet of
# it came this recently: audio packets come every 20 ms, even in silence.
CHANNEL_READY = 1.0
# A subscriber that has not answered an offer this long is stuck or gone: a booth's
# hand-over stops waiting for it to have the new voice's m-line.
NEGOTIATION_WAIT = 5.0

# Fixed payload types toward subscribers, so that every m-line of a bundle
# agrees on what a payload type means, whichever publisher it came from.
OUT_PT = {"OPUS": 111, "VP8": 96, "VP9": 98, "H264": 102}
FREE_SLOT_CODEC = {
    "audio": sdp.Codec(OUT_PT["OPUS"], "OPUS", 48000, 2),
    "video": sdp.Codec(OUT_PT["VP8"], "VP8", 90000),
}
# Header extension ids toward subscribers, as DownTrack writes them.
OUT_EXT = {sdp.AUDIO_LEVEL: AUDIO_LEVEL_ID, sdp.ABS_SEND_TIME: ABS_SEND_TIME_ID}

Inspect = Callable[[bytes | memoryview, int, int], codecs.Frame]
_INSPECT: dict[str, Inspect] = {"VP8": codecs.vp8, "VP9": codecs.vp9, "H264": codecs.h264}


@dataclass(eq=False)
class Layer:
    """One RTP stream a publisher sends: a track, or one simulcast layer of it."""

    track: Track
    rid: str
    ssrc: int = 0
    # Recent packets for NACKs, and the counts receiver reports are made of.
    cache: PacketCache = field(default_factory=lambda: PacketCache(512))
    downs: list[DownTrack] = field(default_factory=list)  # forwarding from this layer
    waiting: list[DownTrack] = field(default_factory=list)  # switching to it at a keyframe
    last_keyframe_request: float = float("-inf")
    height: int = 0  # the picture's, from its last keyframe (VP8); 0 until one says
    bytes_in: int = 0
    bitrate: float = 0.0
    last_arrival: float = 0.0
    # Other workers' parts of the room that want this layer: (datagram head, their path).
    relays: list[tuple[bytes, str]] = field(default_factory=list)


@dataclass(eq=False)
class Track:
    publisher: Publisher
    mid: str
    kind: str
    codec: sdp.Codec
    layers: list[Layer]  # low to high; one entry without simulcast
    id: str
    audio_level_ext: int = 0
    mid_ext: int = 0
    rid_ext: int = 0
    # The msid stream subscribers see: the publisher's id, plus ":screen"
    # for a screen share, so that a client tells it from the camera, or
    # ":channel" for an interpreter's channel track.
    stream: str = ""
    msid_track: str = ""  # the publisher's msid track id (MediaStreamTrack.id)
    channel: bool = False  # an interpreter's channel track, not the floor
    number: int = 0  # in its publisher, for the relay between workers (relay.py)

    @property
    def inspect(self) -> Inspect | None:
        return _INSPECT.get(self.codec.name)

    @property
    def sized(self) -> bool:
        """Whether its keyframes say their picture size where the SFU may read it."""
        return self.kind == "video" and self.codec.name == "VP8"


@dataclass(eq=False)
class Publisher:
    """A participant who sends to this Router: over its own transport, or, when it
    publishes on another worker's part of the room, over the relay (a remote one)."""

    id: str
    transport: PeerTransport | RelayUplink
    tracks: dict[str, Track] = field(default_factory=dict)  # by mid
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))  # for our feedback
    numbered: dict[int, Track] = field(default_factory=dict)  # the same tracks, by number
    next_number: int = 0
    relay_key: int = 0  # 0: relayed nowhere (and, for a remote one, from nowhere)
    # A local publisher relayed to other parts: each part's path -> (track, layer) it wants.
    relay_to: dict[str, set[tuple[int, int]]] = field(default_factory=dict)

    @property
    def remote(self) -> bool:
        return isinstance(self.transport, RelayUplink)


@dataclass(eq=False)
class Subscriber:
    id: str
    transport: PeerTransport
    slots: list[DownTrack | str] = field(default_factory=list)  # str: a freed mid's kind
    version: int = 1
    answered: int = 0  # the last offer version the subscriber answered
    offering: bool = False
    offered_at: float = 0.0  # when the offer now waiting for an answer went out
    dirty: bool = False
    remb: float = 0.0  # bits a second, the subscriber's last REMB
    loss: float = 0.0  # smoothed fraction lost it reports for what we send
    congested_at: float = float("-inf")
    wanted: dict[str, int] = field(default_factory=dict)  # publisher id -> tile height
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))
    restart: bool = False  # the next offer restarts ICE


class Router:
    def __init__(
        self,
        media: MediaServer,
        send_offer: Callable[[str, str], None],
        on_speaker: Callable[[str], None] = lambda pid: None,
        relay: RelaySocket | None = None,
        on_tracks: Callable[[str, list[TrackInfo]], None] = lambda pid, tracks: None,
    ) -> None:
        self.media = media
        self.send_offer = send_offer
        # In an SFU worker, the room may have parts on other workers (relay.py):
        # what a local publisher sends is told them through `on_tracks`.
        self.relay = relay
        self.on_tracks = on_tracks
        self.relayed_in: dict[int, Publisher] = {}  # remote publishers, by relay key
        self.relayed_out: dict[int, Publisher] = {}  # local ones relayed, by relay key
        self._wants_due = False
        self.speakers = SpeakerObserver(on_speaker)
        self.publishers: dict[str, Publisher] = {}
        self.subscribers: dict[str, Subscriber] = {}
        # Who a transport belongs to, for RTCP and for an SSRC seen first.
        self.publisher_of: dict[PeerTransport, Publisher] = {}
        self.subscriber_of: dict[PeerTransport, Subscriber] = {}
        self.by_ssrc: dict[int, Layer] = {}
        self.downs_by_ssrc: dict[int, DownTrack] = {}
        # The msid stream id each publisher shares its screen in (announced
        # over signaling before the publish offer that carries it).
        self.screen_streams: dict[str, str] = {}
        # Interpretation: each interpreter's channel track (by msid track id),
        # where it goes and whether it is live, and who listens to what.
        self.channel_tracks: dict[str, str] = {}
        self.feeds: dict[str, tuple[str | None, bool]] = {}
        self.listening: dict[str, str] = {}
        # Subscribers sent audio only: the server's captioner, which must not see anyone.
        self.audio_only: set[str] = set()
        # (subscriber, interpreter) -> channel packets forwarded: the proof
        # that a floor listener gets nothing of a channel it did not choose.
        self.channel_packets: Counter[tuple[str, str]] = Counter()
        # Read by the server's metrics at scrape time (frankly/ops/metrics.py).
        self.forwarded = 0  # packets sent to subscribers
        self.forwarded_bytes = 0  # their RTP bytes, before SRTP's tag
        self.nacks_served = 0  # packets resent on a subscriber's NACK
        self.nacks_sent = 0  # sequence numbers NACKed to publishers
        self.plis = 0  # keyframe requests sent to publishers
        self.layer_switches = 0  # a subscriber moved from one layer to another
        self.relayed = 0  # packets relayed to the room's parts on other workers
        self._timers: list[asyncio.TimerHandle] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._timers = [
            loop.call_later(STATS_PERIOD, self._stats_tick),
            loop.call_later(SPEAKER_PERIOD, self._speaker_tick),
        ]

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        for pid in list(self.publishers) + list(self.subscribers):
            self.remove(pid)

    # --- control: publishing -----------------------------------------------

    def publish(self, pid: str, offer_sdp: str) -> str:
        """Take a participant's publish offer; return the SFU's answer."""
        offer = sdp.parse(offer_sdp)
        ufrag, _, fingerprint = offer.credentials()
        publisher = self.publishers.get(pid)
        known = publisher.transport if publisher is not None else None
        if isinstance(known, RelayUplink):
            raise ValueError(f"{pid} publishes on another worker's part of the room")
        if publisher is not None and known is not None and known.remote_ufrag != ufrag:
            if _same_fingerprint(known.remote_fingerprint, fingerprint):
                # An ICE restart (docs/protocol.md): new credentials both
                # ways, the same DTLS association and tracks.
                known.restart(ufrag)
            else:  # another peer connection: start again
                self._unpublish(publisher)
                publisher = None
        if publisher is None:
            transport = self.media.create()
            transport.set_remote(fingerprint, ufrag)
            transport.on_rtp = self._on_rtp
            transport.on_rtcp = self._on_publisher_rtcp
            transport.on_closed = functools.partial(self._publisher_gone, pid)
            publisher = self.publishers[pid] = Publisher(pid, transport)
            self.publisher_of[transport] = publisher
        chosen = [sdp.choose_codec(m) for m in offer.media]
        self._update_tracks(publisher, offer, chosen)
        self.on_tracks(pid, [_describe(track) for track in publisher.tracks.values()])
        local = cast(PeerTransport, publisher.transport)  # a remote one was refused above
        return sdp.answer(offer, self._local(local), chosen)

    def _update_tracks(
        self, publisher: Publisher, offer: sdp.Session, chosen: list[sdp.Codec | None]
    ) -> None:
        sending = {
            m.mid: (m, c)
            for m, c in zip(offer.media, chosen, strict=True)
            if c is not None and m.direction in ("sendonly", "sendrecv") and not m.rejected
        }
        for mid in list(publisher.tracks):
            if mid not in sending:
                self._remove_track(publisher.tracks.pop(mid))
        for mid, (media, codec) in sending.items():
            if mid not in publisher.tracks:
                publisher.tracks[mid] = self._add_track(publisher, media, codec)

    def _add_track(self, publisher: Publisher, media: sdp.Media, codec: sdp.Codec) -> Track:
        track = Track(
            publisher,
            media.mid,
            media.kind,
            codec,
            [],
            f"{media.kind}-{media.mid}",
            audio_level_ext=media.extensions.get(sdp.AUDIO_LEVEL, 0),
            mid_ext=media.extensions.get(sdp.MID, 0),
            rid_ext=media.extensions.get(sdp.RID, 0),
            stream=publisher.id,
            msid_track=media.msid.split(" ")[1] if " " in media.msid else "",
            number=publisher.next_number,
        )
        publisher.next_number += 1
        screen = self.screen_streams.get(publisher.id)
        if screen and media.msid.split(" ")[0] == screen:
            track.stream = screen_stream(publisher.id)
        self._tag_channel(track)
        if media.rids:
            # The protocol asks for rids from the lowest resolution to the
            # highest, as sendEncodings lists them (docs/protocol.md).
            track.layers = [Layer(track, rid) for rid in media.rids]
        else:
            layer = Layer(track, "")
            primary = _primary_ssrc(media)
            if primary:
                layer.ssrc = primary
                self.by_ssrc[primary] = layer
            track.layers = [layer]
        self._added(track)
        return track

    def _added(self, track: Track) -> None:
        """A new track, local or remote: everyone who hears it gets an m-line."""
        track.publisher.numbered[track.number] = track
        for subscriber in self.subscribers.values():
            if subscriber.id != track.publisher.id and self._hears(subscriber.id, track):
                self._subscribe(subscriber, track)

    def _remove_track(self, track: Track) -> None:
        track.publisher.numbered.pop(track.number, None)
        for layer in track.layers:
            if self.by_ssrc.get(layer.ssrc) is layer:
                del self.by_ssrc[layer.ssrc]
            layer.downs.clear()
            layer.waiting.clear()
            layer.relays.clear()
        for subscriber in self.subscribers.values():
            self._unsubscribe(subscriber, track)
        # A layer and its track refer to each other; without this cycle the
        # layers' packet caches and the publisher they lead to go at once.
        track.layers = []

    def _unsubscribe(self, subscriber: Subscriber, track: Track) -> None:
        """Free the subscriber's m-line of `track`, if it has one."""
        for i, slot in enumerate(subscriber.slots):
            if isinstance(slot, DownTrack) and slot.track is track:
                self.downs_by_ssrc.pop(slot.ssrc, None)
                slot.detach()
                subscriber.slots[i] = track.kind
                if track.publisher.remote:
                    self._wants_soon()
                self._renegotiate(subscriber)

    def _unpublish(self, publisher: Publisher) -> None:
        for track in publisher.tracks.values():
            self._remove_track(track)
        publisher.tracks.clear()
        self.speakers.forget(publisher.id)
        self._unrelay(publisher)
        transport = publisher.transport
        if not isinstance(transport, RelayUplink):
            self.publisher_of.pop(transport, None)
            transport.on_closed = lambda t: None
        transport.close()

    def _publisher_gone(self, pid: str, transport: PeerTransport) -> None:
        publisher = self.publishers.get(pid)
        if publisher is not None and publisher.transport is transport:
            del self.publishers[pid]
            self._unpublish(publisher)

    # --- control: subscribing ----------------------------------------------

    def subscribe_all(self, pid: str) -> None:
        """Start sending a participant everything the others publish."""
        if pid in self.subscribers:
            return
        transport = self.media.create()
        transport.on_rtcp = self._on_subscriber_rtcp
        transport.on_connected = self._subscriber_connected
        subscriber = self.subscribers[pid] = Subscriber(pid, transport)
        self.subscriber_of[transport] = subscriber
        for publisher in self.publishers.values():
            if publisher.id != pid:
                for track in publisher.tracks.values():
                    if self._hears(pid, track):
                        self._subscribe(subscriber, track)
        self._renegotiate(subscriber)

    def subscriber_answer(self, pid: str, answer_sdp: str) -> None:
        subscriber = self.subscribers.get(pid)
        if subscriber is None or not subscriber.offering:
            raise ValueError("no subscribe offer is waiting for an answer")
        answer = sdp.parse(answer_sdp)
        ufrag, _, fingerprint = answer.credentials()
        subscriber.transport.set_remote(fingerprint, ufrag)
        subscriber.offering = False
        subscriber.answered = subscriber.version
        if subscriber.dirty:
            subscriber.dirty = False
            self._renegotiate(subscriber)

    def restart_subscriber(self, pid: str) -> None:
        """The subscriber's browser lost its path: offer again with new ICE credentials.

        With an offer in flight the restart waits for its answer, so that
        answer's ufrag (for the old credentials) is not taken for the new.
        """
        subscriber = self.subscribers.get(pid)
        if subscriber is None:
            return
        subscriber.restart = True
        self._renegotiate(subscriber)

    def set_screen_stream(self, pid: str, stream_id: str | None) -> None:
        """Which of a publisher's msid streams is its screen share (None: none)."""
        if stream_id:
            self.screen_streams[pid] = stream_id
        else:
            self.screen_streams.pop(pid, None)

    def set_view(self, pid: str, publisher_id: str, height: int) -> None:
        """The subscriber shows this publisher's video this many pixels high."""
        subscriber = self.subscribers.get(pid)
        if subscriber is not None:
            subscriber.wanted[publisher_id] = height

    def _subscribe(self, subscriber: Subscriber, track: Track) -> None:
        free = next(
            (i for i, s in enumerate(subscriber.slots) if s == track.kind), len(subscriber.slots)
        )
        down = DownTrack(subscriber, track, mid=str(free), pt=OUT_PT[track.codec.name])
        if free == len(subscriber.slots):
            subscriber.slots.append(down)
        else:
            subscriber.slots[free] = down
        self.downs_by_ssrc[down.ssrc] = down
        lowest = track.layers[0]
        if track.kind == "audio":
            down.layer = lowest
            if self._live(track):  # a booth member's who is not live stays parked
                lowest.downs.append(down)
        else:  # video starts at the lowest layer's next keyframe: quick to arrive
            down.retarget(lowest)
        if track.publisher.remote:
            self._wants_soon()
        self._renegotiate(subscriber)

    def _subscriber_connected(self, transport: PeerTransport) -> None:
        subscriber = self.subscriber_of.get(transport)
        if subscriber is not None:
            for slot in subscriber.slots:
                if isinstance(slot, DownTrack) and slot.target is not None:
                    self._request_keyframe(slot.target, time.monotonic())

    def _renegotiate(self, subscriber: Subscriber) -> None:
        if not subscriber.slots:
            return  # nothing to send yet: an offer needs at least one m-line
        if subscriber.offering:
            subscriber.dirty = True
            return
        subscriber.offering = True
        subscriber.offered_at = time.monotonic()
        subscriber.version += 1
        if subscriber.restart:
            subscriber.restart = False
            subscriber.transport.restart()
        for slot in subscriber.slots:
            if isinstance(slot, DownTrack) and not slot.offered:
                slot.offered = subscriber.version
        slots = [self._outgoing(i, s) for i, s in enumerate(subscriber.slots)]
        offer = sdp.subscriber_offer(self._local(subscriber.transport), slots, subscriber.version)
        self.send_offer(subscriber.id, offer)

    def _outgoing(self, index: int, slot: DownTrack | str) -> sdp.Outgoing:
        if isinstance(slot, str):
            return sdp.Outgoing(str(index), slot, FREE_SLOT_CODEC[slot])
        codec = slot.track.codec
        out = sdp.Codec(
            OUT_PT[codec.name],
            codec.name,
            codec.clock,
            codec.channels,
            codec.fmtp,
            ["nack", "nack pli", "ccm fir", "goog-remb"] if slot.track.kind == "video" else [],
        )
        exts = {sdp.ABS_SEND_TIME: OUT_EXT[sdp.ABS_SEND_TIME]}
        if slot.track.kind == "audio":
            exts[sdp.AUDIO_LEVEL] = OUT_EXT[sdp.AUDIO_LEVEL]
        return sdp.Outgoing(
            slot.mid, slot.track.kind, out, slot.ssrc, slot.track.stream, slot.track.id, exts
        )

    def remove(self, pid: str) -> None:
        """A participant left: free everything it held."""
        self.screen_streams.pop(pid, None)
        self.channel_tracks.pop(pid, None)
        self.feeds.pop(pid, None)
        self.listening.pop(pid, None)
        self.audio_only.discard(pid)
        for counted in [key for key in self.channel_packets if pid in key]:
            del self.channel_packets[counted]
        publisher = self.publishers.pop(pid, None)
        if publisher is not None:
            self._unpublish(publisher)
        subscriber = self.subscribers.pop(pid, None)
        if subscriber is not None:
            self.subscriber_of.pop(subscriber.transport, None)
            for slot in subscriber.slots:
                if isinstance(slot, DownTrack):
                    self.downs_by_ssrc.pop(slot.ssrc, None)
                    slot.detach()
            # A down-track and its subscriber refer to each other: a cycle
            # only the cyclic GC would free, and it runs rarely here.
            subscriber.slots.clear()
            if self.relayed_in:  # what it wanted of other parts, it wants no more
                self._wants_soon()
            subscriber.transport.close()
        self.speakers.left(pid)

    def _local(self, transport: PeerTransport) -> sdp.Local:
        return sdp.Local(
            transport.ufrag,
            transport.pwd,
            self.media.certificate.fingerprint,
            self.media.public_host,
            self.media.port,
            self.media.tcp_port,
            self.media.udp,
        )

    # --- the hot path --------------------------------------------------------

    def _on_rtp(self, transport: PeerTransport, packet: bytes) -> None:
        layer = self.by_ssrc.get(rtp.ssrc(packet))
        if layer is None:
            layer = self._learn(transport, packet)
            if layer is None:
                return
        self._take(layer, packet)

    def _take(self, layer: Layer, packet: bytes) -> None:
        """A packet of a layer, from its publisher or relayed from another worker."""
        track = layer.track
        try:
            start = rtp.payload_offset(packet)
            inspect = track.inspect if layer.waiting else None
            keyframe = inspect is not None and inspect(packet, start, rtp.payload_end(packet))[0]
        except ValueError:
            self.media.dropped["bad-rtp"] += 1
            return
        if track.sized and start < len(packet) and packet[start] & 0x10:  # a frame's start
            self._learn_size(layer, packet, start)
        seq = rtp.seq(packet)
        skipped = layer.cache.put(seq, packet)
        if skipped:
            self._gap(layer, seq, skipped)
        layer.bytes_in += len(packet)
        layer.last_arrival = now = time.monotonic()
        level: int | None = None
        if track.kind == "audio":
            level = audio_level(packet, track.audio_level_ext)
            if not track.channel:  # an interpreter is never the floor's speaker
                self.speakers.heard(track.publisher.id, level)
        if keyframe:
            self._switch_to(layer)
        if layer.relays:
            self._relay(layer, packet)
        downs = layer.downs
        if not downs:
            return
        b0, marker, tail = outgoing(packet, start, level, now)
        ts = rtp.timestamp(packet)
        for down in downs:
            down.forward(seq, ts, b0, marker, tail)
        self.forwarded += len(downs)
        self.forwarded_bytes += len(downs) * (12 + len(tail))  # each gets a 12-byte header
        if track.channel:
            self._count_channel(track.publisher.id, downs)

    def _count_channel(self, interpreter: str, downs: list[DownTrack]) -> None:
        for down in downs:
            self.channel_packets[down.subscriber.id, interpreter] += 1

    def _learn_size(self, layer: Layer, packet: bytes, start: int) -> None:
        """A VP8 keyframe says the layer's real picture size (in E2EE's clear prefix)."""
        try:
            size = codecs.vp8_keyframe_size(packet, start, rtp.payload_end(packet))
        except ValueError:
            return  # forwarded all the same: only what the SFU must read drops a packet
        if size is not None and size[1] > 0:
            layer.height = size[1]

    def _switch_to(self, layer: Layer) -> None:
        """A keyframe starts on `layer`: down-tracks waiting for it switch now."""
        self.layer_switches += sum(down.layer is not None for down in layer.waiting)
        for down in layer.waiting:
            down.switch(layer)
        layer.waiting.clear()

    def _relay(self, layer: Layer, packet: bytes) -> None:
        assert self.relay is not None
        for prefix, path in layer.relays:
            self.relay.send(prefix + packet, path)
        self.relayed += len(layer.relays)

    def _learn(self, transport: PeerTransport, packet: bytes) -> Layer | None:
        """An SSRC seen for the first time: find its layer by mid and rid."""
        publisher = self.publisher_of.get(transport)
        if publisher is None:
            return None
        for track in publisher.tracks.values():
            if (
                track.mid_ext
                and (rtp.extension(packet, track.mid_ext) or b"").decode(errors="replace")
                != track.mid
            ):
                continue
            rid = (rtp.extension(packet, track.rid_ext) or b"").decode(errors="replace")
            for layer in track.layers:
                if layer.rid == rid and not layer.ssrc:
                    layer.ssrc = rtp.ssrc(packet)
                    self.by_ssrc[layer.ssrc] = layer
                    return layer
        return None

    # --- a room on several workers (relay.py) -----------------------------------

    def relay_out(self, pid: str, key: int, parts: list[str]) -> None:
        """Relay local publisher `pid` under `key` to the room's parts at these paths,
        each only the layers it says it wants (nothing before it says)."""
        publisher = self.publishers.get(pid)
        if publisher is None or publisher.remote or self.relay is None:
            return
        if publisher.relay_key != key:
            self._unrelay(publisher)
            publisher.relay_key = key
            self.relayed_out[key] = publisher
            self.relay.ends[key] = self
        publisher.relay_to = {path: publisher.relay_to.get(path, set()) for path in parts}
        self._relink(publisher)

    def relay_in(self, pid: str, key: int, origin: str, tracks: list[TrackInfo]) -> None:
        """`pid` publishes these tracks on another worker's part (at path `origin`):
        hold them as a remote publisher's, fed by the relay under `key`."""
        if self.relay is None:
            return
        publisher = self.publishers.get(pid)
        if publisher is not None and publisher.relay_key != key:
            self.remove(pid)  # it published anew elsewhere (its worker restarted)
            publisher = None
        if publisher is None:
            publisher = Publisher(pid, RelayUplink(self.relay, key, origin), relay_key=key)
            self.publishers[pid] = publisher
            self.relayed_in[key] = publisher
            self.relay.ends[key] = self
        told = {info["n"]: info for info in tracks}
        for number, track in list(publisher.numbered.items()):
            if number not in told:
                del publisher.tracks[track.mid]
                self._remove_track(track)
        for number, info in told.items():
            if number not in publisher.numbered:
                publisher.tracks[info["mid"]] = self._remote_track(publisher, info)
        self._wants_soon()

    def _remote_track(self, publisher: Publisher, info: TrackInfo) -> Track:
        codec = sdp.Codec(0, info["codec"], info["clock"], info["channels"], info["fmtp"])
        track = Track(
            publisher,
            info["mid"],
            info["kind"],
            codec,
            [],
            f"{info['kind']}-{info['mid']}",
            audio_level_ext=info["level_ext"],
            stream=info["stream"],
            msid_track=info["msid_track"],
            number=info["n"],
        )
        track.layers = [Layer(track, rid) for rid in info["rids"]]
        for layer, ssrc in zip(track.layers, info["ssrcs"], strict=False):
            layer.ssrc = ssrc
        self._tag_channel(track)
        self._added(track)
        return track

    def _unrelay(self, publisher: Publisher) -> None:
        key = publisher.relay_key
        if key and self.relay is not None:
            self.relayed_in.pop(key, None)
            self.relayed_out.pop(key, None)
            if self.relay.ends.get(key) is self:
                del self.relay.ends[key]
        publisher.relay_key = 0
        publisher.relay_to = {}

    def _relink(self, publisher: Publisher) -> None:
        """Each layer's relays: the parts that want it."""
        for track in publisher.tracks.values():
            for index, layer in enumerate(track.layers):
                prefix = relay.head(relay.RTP, publisher.relay_key, track.number, index)
                layer.relays = [
                    (prefix, path)
                    for path, wanted in publisher.relay_to.items()
                    if (track.number, index) in wanted
                ]

    def on_relay(
        self, kind: int, key: int, number: int, index: int, body: bytes, source: str
    ) -> None:
        """A datagram of the relay for one of this Router's keys (relay.RelaySocket)."""
        if kind in (relay.FEEDBACK, relay.WANTS):
            publisher = self.relayed_out.get(key)
            if publisher is not None and source in publisher.relay_to:
                if kind == relay.WANTS:
                    self._wanted(publisher, relay.read_wants(body), source)
                else:
                    self._relayed_feedback(publisher, body, source)
            return
        remote = self.relayed_in.get(key)
        if remote is None or source != cast(RelayUplink, remote.transport).origin:
            return  # media and reports of a remote publisher come from its origin alone
        if kind == relay.INFO:
            self._relayed_info(remote, body)
            return
        track = remote.numbered.get(number)
        if track is None or index >= len(track.layers):
            return
        layer = track.layers[index]
        if kind == relay.RTP and len(body) >= 12:
            if not layer.ssrc:
                layer.ssrc = rtp.ssrc(body)
            self._take(layer, body)
        elif kind == relay.SR and len(body) >= 28:
            for down in layer.downs:
                down.sender_report(body, 0)

    def _wanted(self, publisher: Publisher, wanted: set[tuple[int, int]], part: str) -> None:
        """A part says which layers it wants: relay those; a video layer newly wanted
        has a subscriber there waiting for its keyframe, so ask for one now."""
        before = publisher.relay_to[part]
        if wanted == before:
            return
        publisher.relay_to[part] = wanted
        self._relink(publisher)
        now = time.monotonic()
        for number, index in wanted - before:
            track = publisher.numbered.get(number)
            if track is not None and track.kind == "video" and index < len(track.layers):
                self._request_keyframe(track.layers[index], now)

    def _relayed_feedback(self, publisher: Publisher, data: bytes, part: str) -> None:
        """A part's keyframe requests and NACKs, answered as a subscriber's are: keyframe
        requests coalesced with everyone's, NACKs from the cache (resent to that part)."""
        assert self.relay is not None
        now = time.monotonic()
        for kind, fmt, offset, size in rtcp.parts(data):
            layer = self.by_ssrc.get(rtcp.media_ssrc(data, offset)) if size >= 12 else None
            if layer is None or layer.track.publisher is not publisher:
                continue
            if kind == rtcp.PSFB and fmt == rtcp.FMT_PLI:
                self._request_keyframe(layer, now)
            elif kind == rtcp.RTPFB and fmt == rtcp.FMT_NACK:
                index = layer.track.layers.index(layer)
                prefix = relay.head(relay.RTP, publisher.relay_key, layer.track.number, index)
                missing = []
                for seq in rtcp.nack_seqs(data, offset, size):
                    packet = layer.cache.get(seq)
                    if packet is None:
                        missing.append(seq)
                    else:
                        self.relay.send(prefix + packet, part)
                        self.nacks_served += 1
                if missing:
                    self._nack_publisher(layer, missing)

    def _relay_report(self, layer: Layer, report: bytes) -> None:
        assert self.relay is not None
        track = layer.track
        prefix = relay.head(
            relay.SR, track.publisher.relay_key, track.number, track.layers.index(layer)
        )
        for _, path in layer.relays:
            self.relay.send(prefix + report, path)

    def _relay_info(self, publisher: Publisher) -> None:
        """Each layer's bitrate and height, as measured here, to every part (each second)."""
        assert self.relay is not None
        body = relay.head(relay.INFO, publisher.relay_key) + relay.info(
            (track.number, index, layer.bitrate, layer.height)
            for track in publisher.tracks.values()
            for index, layer in enumerate(track.layers)
        )
        for path in publisher.relay_to:
            self.relay.send(body, path)

    def _relayed_info(self, publisher: Publisher, body: bytes) -> None:
        for number, index, bitrate, height in relay.read_info(body):
            track = publisher.numbered.get(number)
            if track is not None and index < len(track.layers):
                layer = track.layers[index]
                layer.bitrate = float(bitrate)
                layer.height = height or layer.height

    def _wants_soon(self) -> None:
        if not self._wants_due:
            self._wants_due = True
            asyncio.get_running_loop().call_soon(self._send_wants)

    def _send_wants(self) -> None:
        """Tell each remote publisher's origin the layers this part has down-tracks on."""
        self._wants_due = False
        wanted: dict[Publisher, set[tuple[int, int]]] = {p: set() for p in self.relayed_in.values()}
        for subscriber in self.subscribers.values():
            for slot in subscriber.slots:
                if isinstance(slot, DownTrack) and slot.track.publisher in wanted:
                    layers = slot.track.layers
                    pairs = wanted[slot.track.publisher]
                    for layer in (slot.layer, slot.target):
                        if layer is not None and layer in layers:
                            pairs.add((slot.track.number, layers.index(layer)))
        for publisher, pairs in wanted.items():
            assert isinstance(publisher.transport, RelayUplink)
            publisher.transport.send_wants(pairs)

    def channel_negotiated(self, pid: str, now: float) -> bool:
        """Whether every subscriber here has its m-line of `pid`'s channel track (a room on
        several workers: the part where `pid` publishes says `channel_ready`, the others
        this). True with nobody here to wait for."""
        publisher = self.publishers.get(pid)
        tracks = [t for t in publisher.tracks.values() if t.channel] if publisher else []
        if not tracks:
            return not self.subscribers
        return any(self._negotiated(track, now) for track in tracks)

    # --- interpretation ---------------------------------------------------------

    def set_channel_track(self, pid: str, track_id: str | None) -> None:
        """Which of `pid`'s published tracks (by msid track id) carries its interpretation."""
        if track_id:
            self.channel_tracks[pid] = track_id
        else:
            self.channel_tracks.pop(pid, None)
        publisher = self.publishers.get(pid)
        for track in publisher.tracks.values() if publisher else []:
            was = track.channel
            self._tag_channel(track)
            if track.channel != was:  # another stream id: subscribed afresh
                for subscriber in self.subscribers.values():
                    self._unsubscribe(subscriber, track)
                self._reconcile(track)

    def set_interpretation(
        self, feeds: Mapping[str, tuple[str | None, bool]], listening: Mapping[str, str]
    ) -> None:
        """Route every channel track anew: where each interpreter's goes, whether it is live,
        and which channel each subscriber listens to.

        One call for the whole change, so a hand-over parks the old voice and
        starts the new one with no packet routed in between. Only what changed
        is looked at: a track whose feed changed, for every subscriber; a
        subscriber whose channel changed, for every channel track.
        """
        old_feeds, old_listening = self.feeds, self.listening
        self.feeds, self.listening = dict(feeds), dict(listening)
        moved = [
            self.subscribers[pid]
            for pid in old_listening.keys() | self.listening.keys()
            if pid in self.subscribers
            and old_listening.get(pid, FLOOR) != self.listening.get(pid, FLOOR)
        ]
        for publisher in self.publishers.values():
            for track in publisher.tracks.values():
                if not track.channel:
                    continue
                pid = track.publisher.id
                if old_feeds.get(pid) != self.feeds.get(pid):
                    self._reconcile(track)
                else:
                    self._reconcile(track, moved)

    def channel_ready(self, pid: str, now: float) -> bool:
        """Whether `pid`'s channel track can take its booth's channel over at once: it is
        sending (packets came within CHANNEL_READY), and every listener of the channel
        has its m-line (answered an offer that carries it), parked and ready to play.
        Else a hand-over would leave a listener with silence until it renegotiated."""
        publisher = self.publishers.get(pid)
        for track in publisher.tracks.values() if publisher else []:
            layer = track.layers[0]
            sending = layer.ssrc and now - layer.last_arrival < CHANNEL_READY
            if track.channel and sending and self._negotiated(track, now):
                return True
        return False

    def _negotiated(self, track: Track, now: float) -> bool:
        """Whether every subscriber with a down-track of `track` has answered its m-line;
        one that leaves an offer unanswered past NEGOTIATION_WAIT holds no booth back."""
        return all(
            0 < slot.offered <= subscriber.answered
            or (subscriber.offering and now - subscriber.offered_at > NEGOTIATION_WAIT)
            for subscriber in self.subscribers.values()
            for slot in subscriber.slots
            if isinstance(slot, DownTrack) and slot.track is track
        )

    def _tag_channel(self, track: Track) -> None:
        wanted = self.channel_tracks.get(track.publisher.id)
        track.channel = track.kind == "audio" and bool(wanted) and track.msid_track == wanted
        if track.channel:
            track.stream = channel_stream(track.publisher.id)
        elif track.stream == channel_stream(track.publisher.id):
            track.stream = track.publisher.id

    def _hears(self, subscriber_id: str, track: Track) -> bool:
        """Whether this subscriber gets an m-line for the track: every floor track,
        and a channel track only while its booth speaks into the subscriber's channel;
        no video to an audio-only subscriber."""
        if track.kind != "audio" and subscriber_id in self.audio_only:
            return False
        if not track.channel:
            return True
        into, _ = self.feeds.get(track.publisher.id, (None, False))
        return into is not None and self.listening.get(subscriber_id, FLOOR) == into

    def _live(self, track: Track) -> bool:
        return not track.channel or self.feeds.get(track.publisher.id, (None, False))[1]

    def _reconcile(self, track: Track, subscribers: Iterable[Subscriber] | None = None) -> None:
        """Subscribe who hears the channel track, free who does not, and park or start its downs
        (of `subscribers`, by default everyone's)."""
        live = self._live(track)
        layer = track.layers[0]
        for subscriber in self.subscribers.values() if subscribers is None else subscribers:
            if subscriber.id == track.publisher.id:
                continue
            down = next(
                (s for s in subscriber.slots if isinstance(s, DownTrack) and s.track is track),
                None,
            )
            hears = self._hears(subscriber.id, track)
            if hears and down is None:
                self._subscribe(subscriber, track)
            elif not hears and down is not None:
                self._unsubscribe(subscriber, track)
            elif down is not None and live and down not in layer.downs:
                down.resume(layer)
            elif down is not None and not live and down in layer.downs:
                down.pause()

    # --- feedback ------------------------------------------------------------

    def _gap(self, layer: Layer, seq: int, skipped: int) -> None:
        """`skipped` sequence numbers before `seq` have not come: NACK those still missing."""
        if skipped <= 64:
            missing = [(seq - i) & 0xFFFF for i in range(skipped, 0, -1)]
            asyncio.get_running_loop().call_later(NACK_DELAY, self._nack_publisher, layer, missing)

    def _nack_publisher(self, layer: Layer, missing: list[int]) -> None:
        still = [s for s in missing if layer.cache.get(s) is None]
        if still and layer.ssrc:
            publisher = layer.track.publisher
            if not publisher.remote:  # else its origin counts what it asks of the publisher
                self.nacks_sent += len(still)
            publisher.transport.send_rtcp(rtcp.nack(publisher.ssrc, layer.ssrc, still))

    def _request_keyframe(self, layer: Layer, now: float) -> None:
        if not layer.ssrc or now - layer.last_keyframe_request < KEYFRAME_INTERVAL:
            return
        layer.last_keyframe_request = now
        publisher = layer.track.publisher
        if not publisher.remote:  # a remote one's origin coalesces and counts
            self.plis += 1
        publisher.transport.send_rtcp(rtcp.pli(publisher.ssrc, layer.ssrc))

    def _on_subscriber_rtcp(self, transport: PeerTransport, data: bytes) -> None:
        now = time.monotonic()
        for kind, fmt, offset, size in rtcp.parts(data):
            if kind == rtcp.PSFB and fmt in (rtcp.FMT_PLI, rtcp.FMT_FIR):
                target = (
                    rtcp.media_ssrc(data, offset)
                    if fmt == rtcp.FMT_PLI
                    else (next(iter(rtcp.fir_targets(data, offset, size)), (0, 0))[0])
                )
                down = self.downs_by_ssrc.get(target)
                if down is not None:
                    layer = down.target or down.layer
                    if layer is not None:
                        self._request_keyframe(layer, now)
            elif kind == rtcp.RTPFB and fmt == rtcp.FMT_NACK:
                down = self.downs_by_ssrc.get(rtcp.media_ssrc(data, offset))
                if down is not None:
                    self.nacks_served += down.resend(rtcp.nack_seqs(data, offset, size))
            elif kind == rtcp.PSFB and fmt == rtcp.FMT_AFB:
                estimate = rtcp.remb(data, offset, size)
                subscriber = self.subscriber_of.get(transport)
                if estimate is not None and subscriber is not None:
                    subscriber.remb = float(estimate[0])
            elif kind in (rtcp.RR, rtcp.SR):
                self._losses(transport, data, kind, fmt, offset)

    def _losses(
        self, transport: PeerTransport, data: bytes, kind: int, count: int, at: int
    ) -> None:
        subscriber = self.subscriber_of.get(transport)
        if subscriber is None:
            return
        for ssrc, fraction, _ in rtcp.report_blocks(data, at, count, kind):
            if ssrc in self.downs_by_ssrc:
                subscriber.loss += (fraction / 256 - subscriber.loss) * 0.5

    def _on_publisher_rtcp(self, transport: PeerTransport, data: bytes) -> None:
        """Sender reports go on to subscribers, translated, for lip sync."""
        for kind, _, offset, size in rtcp.parts(data):
            if kind != rtcp.SR or size < 28:
                continue
            layer = self.by_ssrc.get(rtcp.sender_ssrc(data, offset))
            if layer is None:
                continue
            for down in layer.downs:
                down.sender_report(data, offset)
            if layer.relays:
                self._relay_report(layer, data[offset : offset + 28])

    # --- timers ----------------------------------------------------------------

    def _stats_tick(self) -> None:
        now = time.monotonic()
        for publisher in self.publishers.values():
            if publisher.remote:  # its origin measures it and sends it feedback
                continue
            total = 0.0
            for track in publisher.tracks.values():
                for layer in track.layers:
                    # Smoothed: a starved encoder skips a second now and then.
                    layer.bitrate += (layer.bytes_in * 8 / STATS_PERIOD - layer.bitrate) * 0.5
                    layer.bytes_in = 0
                    total += layer.bitrate
            # Let the publisher grow: REMB above what it sends, up to the cap.
            estimate = int(min(REMB_MAX, max(total * 1.5, 1_000_000)))
            ssrcs = [
                layer.ssrc
                for track in publisher.tracks.values()
                for layer in track.layers
                if layer.ssrc and track.kind == "video"
            ]
            if ssrcs:
                publisher.transport.send_rtcp(rtcp.remb_packet(publisher.ssrc, estimate, ssrcs))
            blocks = [
                (layer.ssrc, *layer.cache.loss_report(), 0)  # jitter: not measured
                for track in publisher.tracks.values()
                for layer in track.layers
                if layer.ssrc and layer.cache.highest >= 0
            ]
            if blocks:
                publisher.transport.send_rtcp(rtcp.receiver_report(publisher.ssrc, blocks))
            if publisher.relay_to:
                self._relay_info(publisher)
        for subscriber in self.subscribers.values():
            self._choose_layers(subscriber, now)
        if self.relayed_in:
            self._send_wants()  # every second, so a lost or early one is made good
        self._timers[0] = asyncio.get_running_loop().call_later(STATS_PERIOD, self._stats_tick)

    def _choose_layers(self, subscriber: Subscriber, now: float) -> None:
        videos = [
            s for s in subscriber.slots if isinstance(s, DownTrack) and s.track.kind == "video"
        ]
        sending = sum(s.layer.bitrate for s in videos if s.layer is not None)
        budget, subscriber.congested_at = link_budget(
            subscriber.remb, subscriber.loss, sending, now, subscriber.congested_at
        )
        for slot in videos:
            # Split the link between the videos, each in proportion to what
            # it sends now (equally when nothing is sent yet).
            share = (slot.layer.bitrate / sending) if slot.layer and sending else 1 / len(videos)
            track_budget = budget * share
            layers = slot.track.layers
            infos = [
                LayerInfo(layer.rid, layer.height or _height(i, len(layers)), layer.bitrate)
                for i, layer in enumerate(layers)
            ]
            current = layers.index(slot.layer) if slot.layer in layers else -1
            wanted = subscriber.wanted.get(slot.track.publisher.id, 720)
            pick = choose(infos, current, wanted, track_budget)
            if pick < 0:
                continue
            if layers[pick] is slot.layer:
                slot.retarget(None)  # stay: forget a switch no longer wanted
            elif layers[pick] is not slot.target:
                slot.retarget(layers[pick])
            if slot.target is not None:  # still waiting for a keyframe: ask again
                self._request_keyframe(slot.target, now)

    def _speaker_tick(self) -> None:
        self.update_speaker()
        self._timers[1] = asyncio.get_running_loop().call_later(SPEAKER_PERIOD, self._speaker_tick)

    def update_speaker(self) -> None:
        """Announce the loudest publisher when it changes; let levels decay."""
        self.speakers.tick()


def _describe(track: Track) -> TrackInfo:
    return TrackInfo(
        n=track.number,
        mid=track.mid,
        kind=track.kind,
        codec=track.codec.name,
        clock=track.codec.clock,
        channels=track.codec.channels,
        fmtp=track.codec.fmtp,
        rids=[layer.rid for layer in track.layers],
        ssrcs=[layer.ssrc for layer in track.layers],
        stream=track.stream,
        msid_track=track.msid_track,
        level_ext=track.audio_level_ext,
    )


def _same_fingerprint(a: str, b: str) -> bool:
    return a.upper() == b.upper()


def _primary_ssrc(media: sdp.Media) -> int:
    for semantics, ssrcs in media.ssrc_groups:
        if semantics == "FID" and ssrcs:
            return ssrcs[0]
    return media.ssrcs[0] if media.ssrcs else 0


def _height(index: int, count: int) -> int:
    """Nominal height of simulcast layer `index` of `count`, low to high: a
    guess (layers scaled by 4, 2 and 1 from a 720p camera) for a layer whose
    keyframe has not yet said its real size (VP8), or never will (VP9, H.264).
    """
    return 720 >> (count - 1 - index)
