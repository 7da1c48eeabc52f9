"""The down-track: one published track as one subscriber receives it.

`DownTrack.forward` is the per-subscriber half of the hot path. It owns the
mapping into the subscriber's numbering (SSRC, sequence and timestamp
offsets, chosen afresh when the down-track starts, and seamlessly when it
switches layers at a keyframe), builds the forwarded packet's header, and
sends it. A NACK resend (`resend`) and a translated sender report
(`sender_report`) go through the same mapping, so it is written once.

A forwarded packet is the SFU's 12-byte header, written for each
subscriber, in front of a tail built once per incoming packet: the SFU's own
header extensions (`extensions`), then the payload as it came. The
publisher's extension ids mean nothing to a subscriber, whose bundle the SFU
negotiated. The header is packed and concatenated, not rewritten in place in
a bytearray: the SRTP binding takes only `bytes`, and turning a bytearray
back into `bytes` is a copy too, slower than one concatenation.
"""

from __future__ import annotations

import secrets
import struct
import time
from typing import TYPE_CHECKING

from frankly.sfu import rtp

if TYPE_CHECKING:
    from frankly.sfu.router import Layer, Subscriber, Track

# Header extension ids toward subscribers (the SDP announces the same).
# abs-send-time, stamped as the packet leaves, lets the subscriber's browser
# estimate its bandwidth and report it back in REMB.
AUDIO_LEVEL_ID, ABS_SEND_TIME_ID = 1, 3
_HEAD = struct.Struct("!BBHII")
_EXT_VIDEO = struct.Struct("!HHB3s")  # 0xBEDE, 1 word, abs-send-time
_EXT_AUDIO = struct.Struct("!HHBBB3sxx")  # 0xBEDE, 2 words, audio level, abs-send-time
_SEND_TIME = ABS_SEND_TIME_ID << 4 | 2  # element header: id, 3 bytes
_LEVEL = AUDIO_LEVEL_ID << 4  # element header: id, 1 byte
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
SILENT = 127  # the audio level (-dBov) when a packet does not carry one


def extensions(level: int | None, now: float) -> bytes:
    """The SFU's header extension block: abs-send-time, and the audio level if any."""
    sent = (int(now * 262144) & 0xFFFFFF).to_bytes(3, "big")  # 6.18 fixed point
    if level is None:
        return _EXT_VIDEO.pack(0xBEDE, 1, _SEND_TIME, sent)
    return _EXT_AUDIO.pack(0xBEDE, 2, _LEVEL, level, _SEND_TIME, sent)


def audio_level(packet: bytes, ext_id: int) -> int:
    """The audio-level byte (V flag and -dBov) a publisher's packet carries."""
    value = rtp.extension(packet, ext_id) if ext_id else None
    return value[0] if value else SILENT


def outgoing(packet: bytes, start: int, level: int | None, now: float) -> tuple[int, int, bytes]:
    """What every down-track of a packet shares: the first header byte (version
    2, the padding bit, the SFU's extensions), the marker, and the SFU's
    extensions ahead of the payload (which starts at `start`)."""
    b0, marker = 0x90 | (packet[0] & 0x20), packet[1] & 0x80
    return b0, marker, extensions(level, now) + packet[start:]


class DownTrack:
    __slots__ = (
        "last_seq",
        "last_time",
        "last_ts",
        "layer",
        "mid",
        "offered",
        "pt",
        "seq_offset",
        "ssrc",
        "started",
        "subscriber",
        "target",
        "track",
        "transport",
        "ts_offset",
    )

    def __init__(self, subscriber: Subscriber, track: Track, mid: str, pt: int) -> None:
        self.subscriber = subscriber
        # Looked up at each send, not bound once: a test may tap the transport.
        self.transport = subscriber.transport
        self.track = track
        self.mid = mid
        self.pt = pt  # the payload type toward the subscriber
        self.ssrc = secrets.randbits(32)
        self.layer: Layer | None = None  # forwarding from
        self.target: Layer | None = None  # switching to, at its next keyframe
        self.seq_offset = 0
        self.ts_offset = 0
        # Where the layer switched away from left off, in the subscriber's
        # numbering (set by `switch`, not per packet); -1: nothing sent yet.
        self.last_seq = -1
        self.last_ts = 0
        self.last_time = 0.0  # when that layer's last packet came
        self.started = False
        # The subscriber's offer version that first carried this m-line; 0: none yet.
        self.offered = 0

    # --- the hot path --------------------------------------------------------

    def forward(self, seq: int, ts: int, b0: int, marker: int, tail: bytes) -> None:
        """Send one packet of the layer: header fields as received, `tail` as built."""
        if not self.started:
            self._start(seq, ts)
        out_seq = (seq + self.seq_offset) & 0xFFFF
        out_ts = (ts + self.ts_offset) & 0xFFFFFFFF
        self.transport.send_rtp(_HEAD.pack(b0, marker | self.pt, out_seq, out_ts, self.ssrc) + tail)

    def _start(self, seq: int, ts: int) -> None:
        """Map a new source into the subscriber's sequence and time, seamlessly."""
        if self.last_seq < 0:
            self.seq_offset = secrets.randbits(16) - seq
            self.ts_offset = secrets.randbits(32) - ts
        else:
            elapsed = max(1, int((time.monotonic() - self.last_time) * self.track.codec.clock))
            self.seq_offset = self.last_seq + 1 - seq
            self.ts_offset = self.last_ts + elapsed - ts
        self.started = True

    # --- feedback --------------------------------------------------------------

    def resend(self, out_seqs: list[int]) -> int:
        """Resend what a NACK asks for, from the layer's cache; return how many."""
        layer = self.layer
        if layer is None or not self.started:
            return 0
        sent = 0
        track = self.track
        for out_seq in out_seqs:
            seq = (out_seq - self.seq_offset) & 0xFFFF
            packet = layer.cache.get(seq)
            if packet is None:
                continue
            level = audio_level(packet, track.audio_level_ext) if track.kind == "audio" else None
            start = rtp.payload_offset(packet)
            b0, marker, tail = outgoing(packet, start, level, time.monotonic())
            self.forward(seq, rtp.timestamp(packet), b0, marker, tail)
            sent += 1
        return sent

    def sender_report(self, data: bytes, offset: int) -> None:
        """Pass on the publisher's sender report (28 bytes at `offset`), translated.

        Lip sync needs each stream's RTP time against wall-clock time, in
        the subscriber's numbering.
        """
        if not self.started:
            return
        report = bytearray(data[offset : offset + 28])
        report[0] &= 0xE0  # drop the report blocks: they describe the publisher's view
        _U16.pack_into(report, 2, 6)
        _U32.pack_into(report, 4, self.ssrc)
        ts = (_U32.unpack_from(report, 16)[0] + self.ts_offset) & 0xFFFFFFFF
        _U32.pack_into(report, 16, ts)
        self.transport.send_rtcp(bytes(report))

    # --- layers ------------------------------------------------------------------

    def retarget(self, layer: Layer | None) -> None:
        """Switch to `layer` at its next keyframe (None: forget a pending switch)."""
        if self.target is not None and self in self.target.waiting:
            self.target.waiting.remove(self)
        self.target = layer
        if layer is not None:
            layer.waiting.append(self)

    def switch(self, layer: Layer) -> None:
        """A keyframe starts on `layer`: forward from it, numbered on from the last.

        Every packet of the old layer since the start went to this
        down-track, so the newest one in its cache is the last one sent;
        found here once, not noted for every packet.
        """
        old = self.layer
        if old is not None and self in old.downs:
            old.downs.remove(self)
            self._left_off(old)
        self.layer, self.target, self.started = layer, None, False
        layer.downs.append(self)

    def pause(self) -> None:
        """Stop forwarding for now (an interpreter who is not live); see `resume`."""
        layer = self.layer
        if layer is not None and self in layer.downs:
            self._left_off(layer)
            layer.downs.remove(self)
            self.started = False

    def resume(self, layer: Layer) -> None:
        """Forward from `layer` again, numbered on from where `pause` left off."""
        self.layer = layer
        if self not in layer.downs:
            layer.downs.append(self)

    def _left_off(self, old: Layer) -> None:
        """Note where the subscriber's numbering stands after the last packet of `old`."""
        self.last_time = old.last_arrival
        newest = old.cache.get(old.cache.highest) if self.started else None
        if newest is not None:
            self.last_seq = (old.cache.highest + self.seq_offset) & 0xFFFF
            self.last_ts = (rtp.timestamp(newest) + self.ts_offset) & 0xFFFFFFFF

    def detach(self) -> None:
        """Stop forwarding: the subscriber or the track is gone."""
        for layer in self.track.layers:
            if self in layer.downs:
                layer.downs.remove(self)
            if self in layer.waiting:
                layer.waiting.remove(self)
