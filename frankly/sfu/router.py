"""The forwarding router: published tracks in, one down-track per subscriber out.

The hot path (`_on_rtp`) works on bytes: a dict lookup by SSRC, a few struct
reads, a copy into a bytearray per subscriber, an in-place header rewrite,
SRTP protect, sendto. Everything else (SDP, layer choice, feedback) runs on
timers or on control messages, never per packet.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from frankly.sfu import codecs, rtcp, rtp, sdp
from frankly.sfu.cache import PacketCache
from frankly.sfu.layers import HEADROOM, LayerInfo, choose, link_budget
from frankly.sfu.transport import MediaServer, PeerTransport

log = logging.getLogger(__name__)

_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_SEQ_TS_SSRC = struct.Struct("!HII")

KEYFRAME_INTERVAL = 0.5  # at most one keyframe request a layer per 500 ms
NACK_DELAY = 0.02  # a gap that lasts 20 ms is loss, not reordering
REMB_MAX = 3_000_000  # what a publisher may send in all, bits a second
# Appended to a publisher's id to name the stream of its screen share.
SCREEN_SUFFIX = ":screen"
STATS_PERIOD = 1.0
SPEAKER_PERIOD = 0.3

# Fixed payload types toward subscribers, so that every m-line of a bundle
# agrees on what a payload type means, whichever publisher it came from.
OUT_PT = {"OPUS": 111, "VP8": 96, "VP9": 98, "H264": 102}
FREE_SLOT_CODEC = {
    "audio": sdp.Codec(OUT_PT["OPUS"], "OPUS", 48000, 2),
    "video": sdp.Codec(OUT_PT["VP8"], "VP8", 90000),
}
# Header extension ids toward subscribers.
# Forwarded packets get a header of the SFU's own: the publisher's extension
# ids mean nothing to a subscriber, whose bundle the SFU negotiated.
# abs-send-time, stamped as the packet leaves, lets the subscriber's browser
# estimate its bandwidth and report it back in REMB.
OUT_EXT = {sdp.AUDIO_LEVEL: 1, sdp.ABS_SEND_TIME: 3}
_HEAD = struct.Struct("!BBHII")
_EXT_VIDEO = struct.Struct("!HHB3s")  # 0xBEDE, 1 word, abs-send-time
_EXT_AUDIO = struct.Struct("!HHBBB3sxx")  # 0xBEDE, 2 words, audio level, abs-send-time

Inspect = Callable[[bytes | memoryview, int, int], codecs.Frame]
_INSPECT: dict[str, Inspect] = {"VP8": codecs.vp8, "VP9": codecs.vp9, "H264": codecs.h264}


@dataclass(eq=False)
class Layer:
    """One RTP stream a publisher sends: a track, or one simulcast layer of it."""

    track: Track
    rid: str
    ssrc: int = 0
    cache: PacketCache = field(default_factory=lambda: PacketCache(512))
    downs: list[DownTrack] = field(default_factory=list)  # forwarding from this layer
    waiting: list[DownTrack] = field(default_factory=list)  # switching to it at a keyframe
    highest: int = -1
    last_keyframe_request: float = float("-inf")
    height: int = 0
    bytes_in: int = 0
    bitrate: float = 0.0
    last_arrival: float = 0.0
    # For receiver reports: packets received, and the extended highest
    # sequence number, now and at the last report.
    received: int = 0
    cycles: int = 0
    reported: tuple[int, int] = (-1, 0)  # (extended highest, received) at the last RR
    lost: int = 0


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
    # for a screen share, so that a client tells it from the camera.
    stream: str = ""

    @property
    def inspect(self) -> Inspect | None:
        return _INSPECT.get(self.codec.name)


@dataclass(eq=False)
class Publisher:
    id: str
    transport: PeerTransport
    tracks: dict[str, Track] = field(default_factory=dict)  # by mid
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))  # for our feedback
    level: float = 0.0  # smoothed audio level, 0 silent .. 127 loud


@dataclass(eq=False)
class DownTrack:
    subscriber: Subscriber
    track: Track
    mid: str
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))
    layer: Layer | None = None  # forwarding from
    target: Layer | None = None  # switching to, at its next keyframe
    seq_offset: int = 0
    ts_offset: int = 0
    last_seq: int = -1
    last_ts: int = 0
    last_time: float = 0.0
    started: bool = False
    pt: int = 0  # the payload type toward the subscriber

    def __post_init__(self) -> None:
        self.pt = OUT_PT[self.track.codec.name]


@dataclass(eq=False)
class Subscriber:
    id: str
    transport: PeerTransport
    slots: list[DownTrack | str] = field(default_factory=list)  # str: a freed mid's kind
    version: int = 1
    offering: bool = False
    dirty: bool = False
    remb: float = 0.0  # bits a second, the subscriber's last REMB
    loss: float = 0.0  # smoothed fraction lost it reports for what we send
    congested_at: float = float("-inf")
    wanted: dict[str, int] = field(default_factory=dict)  # publisher id -> tile height
    ssrc: int = field(default_factory=lambda: secrets.randbits(32))


class Router:
    def __init__(
        self,
        media: MediaServer,
        send_offer: Callable[[str, str], None],
        on_speaker: Callable[[str], None] = lambda pid: None,
    ) -> None:
        self.media = media
        self.send_offer = send_offer
        self.on_speaker = on_speaker
        self.publishers: dict[str, Publisher] = {}
        self.subscribers: dict[str, Subscriber] = {}
        self.by_ssrc: dict[int, Layer] = {}
        self.downs_by_ssrc: dict[int, DownTrack] = {}
        self.speaker = ""
        # The msid stream id each publisher shares its screen in (announced
        # over signaling before the publish offer that carries it).
        self.screen_streams: dict[str, str] = {}
        self.forwarded = 0
        self.nacks_served = 0
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
        if publisher is None or publisher.transport.remote_ufrag != ufrag:
            if publisher is not None:
                self._unpublish(publisher)
            transport = self.media.create()
            transport.set_remote(fingerprint, ufrag)
            transport.on_rtp = self._on_rtp
            transport.on_rtcp = self._on_publisher_rtcp
            transport.on_closed = functools.partial(self._publisher_gone, pid)
            publisher = self.publishers[pid] = Publisher(pid, transport)
        chosen = [sdp.choose_codec(m) for m in offer.media]
        self._update_tracks(publisher, offer, chosen)
        return sdp.answer(offer, self._local(publisher.transport), chosen)

    def _update_tracks(
        self, publisher: Publisher, offer: sdp.Session, chosen: list[sdp.Codec | None]
    ) -> None:
        sending = {
            m.mid: (m, c)
            for m, c in zip(offer.media, chosen, strict=True)
            if c is not None and m.direction in ("sendonly", "sendrecv") and m.port != 0
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
        )
        screen = self.screen_streams.get(publisher.id)
        if screen and media.msid.split(" ")[0] == screen:
            track.stream = publisher.id + SCREEN_SUFFIX
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
        for subscriber in self.subscribers.values():
            if subscriber.id != publisher.id:
                self._subscribe(subscriber, track)
        return track

    def _remove_track(self, track: Track) -> None:
        for layer in track.layers:
            if self.by_ssrc.get(layer.ssrc) is layer:
                del self.by_ssrc[layer.ssrc]
            layer.downs.clear()
            layer.waiting.clear()
        for subscriber in self.subscribers.values():
            for i, slot in enumerate(subscriber.slots):
                if isinstance(slot, DownTrack) and slot.track is track:
                    self.downs_by_ssrc.pop(slot.ssrc, None)
                    subscriber.slots[i] = track.kind
                    self._renegotiate(subscriber)
        # A layer and its track refer to each other; without this cycle the
        # layers' packet caches and the publisher they lead to go at once.
        track.layers = []

    def _unpublish(self, publisher: Publisher) -> None:
        for track in publisher.tracks.values():
            self._remove_track(track)
        publisher.tracks.clear()
        publisher.transport.on_closed = lambda t: None
        publisher.transport.close()

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
        for publisher in self.publishers.values():
            if publisher.id != pid:
                for track in publisher.tracks.values():
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
        if subscriber.dirty:
            subscriber.dirty = False
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
        down = DownTrack(subscriber, track, mid=str(free))
        if free == len(subscriber.slots):
            subscriber.slots.append(down)
        else:
            subscriber.slots[free] = down
        self.downs_by_ssrc[down.ssrc] = down
        lowest = track.layers[0]
        if track.kind == "audio":
            down.layer = lowest
            lowest.downs.append(down)
        else:  # video starts at the lowest layer's next keyframe: quick to arrive
            self._retarget(down, lowest)
        self._renegotiate(subscriber)

    def _retarget(self, down: DownTrack, layer: Layer | None) -> None:
        if down.target is not None and down in down.target.waiting:
            down.target.waiting.remove(down)
        down.target = layer
        if layer is not None:
            layer.waiting.append(down)

    def _subscriber_connected(self, transport: PeerTransport) -> None:
        for subscriber in self.subscribers.values():
            if subscriber.transport is transport:
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
        subscriber.version += 1
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
        publisher = self.publishers.pop(pid, None)
        if publisher is not None:
            self._unpublish(publisher)
        subscriber = self.subscribers.pop(pid, None)
        if subscriber is not None:
            for slot in subscriber.slots:
                if isinstance(slot, DownTrack):
                    self._detach(slot)
            # A down-track and its subscriber refer to each other: a cycle
            # only the cyclic GC would free, and it runs rarely here.
            subscriber.slots.clear()
            subscriber.transport.close()
        if self.speaker == pid:
            self.speaker = ""

    def _detach(self, down: DownTrack) -> None:
        self.downs_by_ssrc.pop(down.ssrc, None)
        for layer in down.track.layers:
            if down in layer.downs:
                layer.downs.remove(down)
            if down in layer.waiting:
                layer.waiting.remove(down)

    def _local(self, transport: PeerTransport) -> sdp.Local:
        return sdp.Local(
            transport.ufrag,
            transport.pwd,
            self.media.certificate.fingerprint,
            self.media.public_host,
            self.media.port,
        )

    # --- the hot path --------------------------------------------------------

    def _on_rtp(self, transport: PeerTransport, packet: bytes) -> None:
        ssrc = _U32.unpack_from(packet, 8)[0]
        layer = self.by_ssrc.get(ssrc)
        if layer is None:
            layer = self._learn(transport, packet, ssrc)
            if layer is None:
                return
        track = layer.track
        try:
            start = rtp.payload_offset(packet)
            inspect = track.inspect if layer.waiting else None
            keyframe = inspect is not None and inspect(packet, start, rtp.payload_end(packet))[0]
        except ValueError:
            self.media.dropped["bad-rtp"] += 1
            return
        seq = _U16.unpack_from(packet, 2)[0]
        layer.cache.put(seq, packet)
        layer.bytes_in += len(packet)
        layer.received += 1
        if layer.highest >= 0 and ((seq - layer.highest) & 0xFFFF) > 1:
            self._gap(layer, seq)
        if layer.highest < 0 or ((seq - layer.highest) & 0xFFFF) < 0x8000:
            if seq < layer.highest:
                layer.cycles += 1
            layer.highest = seq
        layer.last_arrival = now = time.monotonic()
        if keyframe:
            self._switch_to(layer)
        if not layer.downs:
            return
        ext = self._extensions(track, packet, now)
        body = packet[start:]
        ts = _U32.unpack_from(packet, 4)[0]
        b0, marker = 0x90 | (packet[0] & 0x20), packet[1] & 0x80
        for down in layer.downs:
            if not down.started:
                self._start(down, seq, ts)
            out_seq = (seq + down.seq_offset) & 0xFFFF
            out_ts = (ts + down.ts_offset) & 0xFFFFFFFF
            head = _HEAD.pack(b0, marker | down.pt, out_seq, out_ts, down.ssrc)
            if down.last_seq < 0 or ((out_seq - down.last_seq) & 0xFFFF) < 0x8000:
                down.last_seq, down.last_ts = out_seq, out_ts
            down.subscriber.transport.send_rtp(head + ext + body)
            self.forwarded += 1

    def _extensions(self, track: Track, packet: bytes, now: float) -> bytes:
        """The SFU's header extension block for one forwarded packet."""
        sent = (int(now * 262144) & 0xFFFFFF).to_bytes(3, "big")  # 6.18 fixed point
        if track.kind != "audio":
            return _EXT_VIDEO.pack(0xBEDE, 1, 0x32, sent)
        level = rtp.extension(packet, track.audio_level_ext) if track.audio_level_ext else None
        value = level[0] if level else 127
        track.publisher.level += (127 - (value & 0x7F) - track.publisher.level) * 0.1
        return _EXT_AUDIO.pack(0xBEDE, 2, 0x10, value, 0x32, sent)

    def _switch_to(self, layer: Layer) -> None:
        """A keyframe starts on `layer`: down-tracks waiting for it switch now."""
        for down in layer.waiting:
            if down.layer is not None and down in down.layer.downs:
                down.layer.downs.remove(down)
                down.last_time = down.layer.last_arrival
            down.layer, down.target, down.started = layer, None, False
            layer.downs.append(down)
        layer.waiting.clear()

    def _start(self, down: DownTrack, seq: int, ts: int) -> None:
        """Map a new source into the down-track's sequence and time, seamlessly."""
        now = time.monotonic()
        if down.last_seq < 0:
            down.seq_offset = secrets.randbits(16) - seq
            down.ts_offset = secrets.randbits(32) - ts
        else:
            elapsed = max(1, int((now - down.last_time) * down.track.codec.clock))
            down.seq_offset = down.last_seq + 1 - seq
            down.ts_offset = down.last_ts + elapsed - ts
        down.started = True

    def _learn(self, transport: PeerTransport, packet: bytes, ssrc: int) -> Layer | None:
        """An SSRC seen for the first time: find its layer by mid and rid."""
        publisher = next((p for p in self.publishers.values() if p.transport is transport), None)
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
                    layer.ssrc = ssrc
                    self.by_ssrc[ssrc] = layer
                    return layer
        return None

    # --- feedback ------------------------------------------------------------

    def _gap(self, layer: Layer, seq: int) -> None:
        missing = [(layer.highest + i) & 0xFFFF for i in range(1, (seq - layer.highest) & 0xFFFF)]
        if 0 < len(missing) <= 64:
            asyncio.get_running_loop().call_later(NACK_DELAY, self._nack_publisher, layer, missing)

    def _nack_publisher(self, layer: Layer, missing: list[int]) -> None:
        still = [s for s in missing if layer.cache.get(s) is None]
        if still and layer.ssrc:
            publisher = layer.track.publisher
            publisher.transport.send_rtcp(rtcp.nack(publisher.ssrc, layer.ssrc, still))

    def _request_keyframe(self, layer: Layer, now: float) -> None:
        if not layer.ssrc or now - layer.last_keyframe_request < KEYFRAME_INTERVAL:
            return
        layer.last_keyframe_request = now
        publisher = layer.track.publisher
        publisher.transport.send_rtcp(rtcp.pli(publisher.ssrc, layer.ssrc))

    def _on_subscriber_rtcp(self, transport: PeerTransport, data: bytes) -> None:
        try:
            parts = list(rtcp.walk(data))
        except ValueError:
            return
        now = time.monotonic()
        for kind, fmt, offset, size in parts:
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
                self._serve_nack(data, offset, size)
            elif kind == rtcp.PSFB and fmt == rtcp.FMT_AFB:
                estimate = rtcp.remb(data, offset, size)
                subscriber = self._subscriber_of(transport)
                if estimate is not None and subscriber is not None:
                    subscriber.remb = float(estimate[0])
            elif kind in (rtcp.RR, rtcp.SR):
                self._losses(transport, data, kind, fmt, offset)

    def _serve_nack(self, data: bytes, offset: int, size: int) -> None:
        down = self.downs_by_ssrc.get(rtcp.media_ssrc(data, offset))
        if down is None or down.layer is None or not down.started:
            return
        track = down.track
        for out_seq in rtcp.nack_seqs(data, offset, size):
            packet = down.layer.cache.get((out_seq - down.seq_offset) & 0xFFFF)
            if packet is None:
                continue
            ts = (_U32.unpack_from(packet, 4)[0] + down.ts_offset) & 0xFFFFFFFF
            b0, marker = 0x90 | (packet[0] & 0x20), packet[1] & 0x80
            head = _HEAD.pack(b0, marker | down.pt, out_seq, ts, down.ssrc)
            ext = self._extensions(track, packet, time.monotonic())
            down.subscriber.transport.send_rtp(head + ext + packet[rtp.payload_offset(packet) :])
            self.nacks_served += 1

    def _subscriber_of(self, transport: PeerTransport) -> Subscriber | None:
        for subscriber in self.subscribers.values():
            if subscriber.transport is transport:
                return subscriber
        return None

    def _losses(
        self, transport: PeerTransport, data: bytes, kind: int, count: int, at: int
    ) -> None:
        subscriber = self._subscriber_of(transport)
        if subscriber is None:
            return
        for ssrc, fraction, _ in rtcp.report_blocks(data, at, count, kind):
            if ssrc in self.downs_by_ssrc:
                subscriber.loss += (fraction / 256 - subscriber.loss) * 0.5

    def _on_publisher_rtcp(self, transport: PeerTransport, data: bytes) -> None:
        """Sender reports go on to subscribers, translated, for lip sync."""
        try:
            parts = list(rtcp.walk(data))
        except ValueError:
            return
        for kind, _, offset, size in parts:
            if kind != rtcp.SR or size < 28:
                continue
            layer = self.by_ssrc.get(rtcp.sender_ssrc(data, offset))
            if layer is None:
                continue
            for down in layer.downs:
                if down.started:
                    report = bytearray(data[offset : offset + 28])
                    report[0] &= 0xE0  # drop the report blocks: they describe the publisher's view
                    _U16.pack_into(report, 2, 6)
                    _U32.pack_into(report, 4, down.ssrc)
                    ts = (_U32.unpack_from(report, 16)[0] + down.ts_offset) & 0xFFFFFFFF
                    _U32.pack_into(report, 16, ts)
                    down.subscriber.transport.send_rtcp(bytes(report))

    # --- timers ----------------------------------------------------------------

    def _stats_tick(self) -> None:
        now = time.monotonic()
        for publisher in self.publishers.values():
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
                _report_block(layer)
                for track in publisher.tracks.values()
                for layer in track.layers
                if layer.ssrc and layer.highest >= 0
            ]
            if blocks:
                publisher.transport.send_rtcp(rtcp.receiver_report(publisher.ssrc, blocks))
        for subscriber in self.subscribers.values():
            self._choose_layers(subscriber, now)
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
            track_budget = budget * share / HEADROOM if budget < float("inf") else budget
            layers = slot.track.layers
            infos = [
                LayerInfo(layer.rid, _height(i, len(layers)), layer.bitrate)
                for i, layer in enumerate(layers)
            ]
            current = layers.index(slot.layer) if slot.layer in layers else -1
            wanted = subscriber.wanted.get(slot.track.publisher.id, 720)
            pick = choose(infos, current, wanted, track_budget)
            if pick < 0:
                continue
            if layers[pick] is slot.layer:
                self._retarget(slot, None)  # stay: forget a switch no longer wanted
            elif layers[pick] is not slot.target:
                self._retarget(slot, layers[pick])
            if slot.target is not None:  # still waiting for a keyframe: ask again
                self._request_keyframe(slot.target, now)

    def _speaker_tick(self) -> None:
        self.update_speaker()
        self._timers[1] = asyncio.get_running_loop().call_later(SPEAKER_PERIOD, self._speaker_tick)

    def update_speaker(self) -> None:
        """Announce the loudest publisher when it changes; let levels decay."""
        loudest = max(self.publishers.values(), key=lambda p: p.level, default=None)
        if loudest is not None and loudest.level > 40 and loudest.id != self.speaker:
            self.speaker = loudest.id
            self.on_speaker(loudest.id)
        for publisher in self.publishers.values():
            publisher.level *= 0.7  # silence decays even without packets


def _report_block(layer: Layer) -> tuple[int, int, int, int, int]:
    """(SSRC, fraction lost, cumulative lost, extended highest seq, jitter) since the last RR.

    Publishers' loss-based rate control needs these; without them a
    browser's estimate does not grow.
    """
    highest = layer.cycles << 16 | layer.highest
    last_highest, last_received = layer.reported
    if last_highest < 0:
        last_highest = highest - layer.received
    expected = highest - last_highest
    got = layer.received - last_received
    lost = max(0, expected - got)
    layer.lost += lost
    layer.reported = (highest, layer.received)
    fraction = (lost * 256 // expected) if expected > 0 else 0
    return layer.ssrc, min(fraction, 255), layer.lost, highest, 0


def _primary_ssrc(media: sdp.Media) -> int:
    for semantics, ssrcs in media.ssrc_groups:
        if semantics == "FID" and ssrcs:
            return ssrcs[0]
    return media.ssrcs[0] if media.ssrcs else 0


def _height(index: int, count: int) -> int:
    """Nominal height of simulcast layer `index` of `count`, low to high.

    Browsers scale layers by 4, 2 and 1 from a 720p camera; the real size is
    not in the RTP headers the SFU may read.
    """
    return 720 >> (count - 1 - index)
