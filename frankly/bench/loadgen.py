"""A load generator of real WebRTC peers: ICE, DTLS-SRTP, synthetic audio and video.

Each peer connection of a simulated participant is one UDP socket here. The
generator is the controlling ICE agent (it sends the checks, with
USE-CANDIDATE), takes the DTLS role its SDP negotiated, and then sends and
receives SRTP through pylibsrtp, exactly as a browser would on the wire.

Media is synthetic but sized and timed like a camera and a microphone:
Opus-sized audio every 20 ms with the audio-level header extension, and VP8
frames at 30 fps split into MTU-sized packets (sent back to back, or paced
as Chrome paces them with MediaProfile.paced), with a keyframe every few
seconds and whenever the server asks for one (PLI or FIR). The last 16 bytes
of every payload are a stamp: stream id, the publisher's own packet counter,
and the send time (CLOCK_REALTIME, ns). A receiver takes its arrival time
from the kernel (SO_TIMESTAMPNS), so the latency it measures does not
include the time this Python process takes to get round to reading a
socket; a direct path between two of the generator's own sockets measures
what remains of the generator's share (the baseline).

Everything runs on one asyncio event loop: sockets are read through
`add_reader`, media is sent from a 2 ms ticker. Signaling for a particular
server (Frankly's WebSocket protocol, Janus's VideoRoom API) lives with that
server, in frankly/bench/sfu/servers/, and only calls `Engine.transport`,
`Transport.set_remote` and the SDP helpers below.
"""

from __future__ import annotations

import array
import asyncio
import collections
import contextlib
import logging
import os
import random
import secrets
import socket
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pylibsrtp
from OpenSSL import SSL

from frankly.sfu import dtls, rtcp, sdp, stun

log = logging.getLogger(__name__)

AUDIO_PT = 111
VIDEO_PT = 96
AUDIO_LEVEL_ID = 1
AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

# Linux socket options the socket module does not name.
SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("@qq")
_ANCBUF = socket.CMSG_SPACE(_TIMESPEC.size)

# The stamp at the end of every payload: magic, stream id, counter, send time.
STAMP = struct.Struct("!HHIq")
STAMP_MAGIC = 0xF7A1
MAX_STREAMS = 1024
PROBE_STREAM = MAX_STREAMS - 1

_RTP = struct.Struct("!BBHII")
_AUDIO_EXT = struct.Struct("!HHBBxx")  # 0xBEDE, 1 word, id/len, level, padding
_VP8_DESCRIPTOR = struct.Struct("!BBH")  # X|S, I, M|picture id

# Offered SRTP profiles, as a browser offers them (best first).
SRTP_PROFILES = {
    "gcm": b"SRTP_AEAD_AES_128_GCM",
    "cm": b"SRTP_AES128_CM_SHA1_80",
    "any": b"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
}
_TAG_PROFILE = {16: "AEAD_AES_128_GCM", 10: "AES_CM_128_HMAC_SHA1_80"}

ICE_RETRY = 0.05  # a check every 50 ms until one is answered
CONSENT_PERIOD = 2.5  # then a consent check every 2.5 s (RFC 7675)
KEYFRAME_MIN_GAP = 0.3  # answer PLI/FIR no more often than this


@dataclass(frozen=True)
class MediaProfile:
    """What one publisher sends: a microphone and a camera, in packets."""

    audio_interval: float = 0.020  # 50 packets a second
    audio_payload: tuple[int, int] = (80, 140)  # bytes, uniform: 100-160 bytes of RTP
    video_fps: float = 30.0
    video_frame: tuple[int, int] = (3000, 5600)  # bytes of a delta frame, uniform
    keyframe_bytes: int = 22000
    keyframe_interval: float = 3.0
    mtu_payload: int = 1150  # VP8 bytes per packet: ~1200-byte RTP packets
    # False: a frame's packets leave back to back (the worst case, the default).
    # True: spread at 2.5 times the video bitrate, as Chrome's pacer does.
    paced: bool = False

    @property
    def video_bitrate(self) -> float:
        """Average bits a second of the camera."""
        mean = (self.video_frame[0] + self.video_frame[1]) / 2
        return 8 * (self.video_fps * mean + self.keyframe_bytes / self.keyframe_interval)

    @property
    def packets_per_second(self) -> float:
        """Average RTP packets a second of one publisher (audio + video)."""
        mean = (self.video_frame[0] + self.video_frame[1]) / 2
        per_frame = _mean_packets(self.video_frame, self.mtu_payload, mean)
        key = -(-self.keyframe_bytes // self.mtu_payload)
        video = self.video_fps * per_frame + key / self.keyframe_interval
        return 1 / self.audio_interval + video


def _mean_packets(bounds: tuple[int, int], mtu: int, mean: float) -> float:
    low, high = bounds
    sizes = range(low, high + 1, 50)
    return sum(-(-s // mtu) for s in sizes) / len(sizes)


class Transport:
    """One peer connection's transport: a UDP socket, ICE, DTLS, SRTP."""

    def __init__(self, engine: Engine, label: str) -> None:
        self.engine = engine
        self.label = label
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        with contextlib.suppress(OSError):  # ride out bursts: loss must be the server's
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind((engine.host, 0))
        self.port: int = self.sock.getsockname()[1]
        self.ufrag = secrets.token_hex(4)
        self.pwd = secrets.token_hex(16)
        self.remote_ufrag = ""
        self.remote_pwd = ""
        self.remote: tuple[str, int] | None = None
        self.dtls: dtls.Endpoint | None = None
        self.dtls_client = True
        self.ice_ok = False
        self.last_check = 0.0
        self.last_dtls = 0.0
        self.tx: pylibsrtp.Session | None = None
        self.rx: pylibsrtp.Session | None = None
        self.profile = ""
        self.connected = asyncio.Event()
        self.closed = False
        self.ice = True  # False for the probe's sockets, which skip ICE and DTLS
        # Receiving: packets counted per stream inside the window, and the
        # streams ever seen (to know when every subscription has started).
        self.expect: set[int] = set()
        self.counts = [0] * MAX_STREAMS
        self.seen: set[int] = set()
        self.stray = 0
        self.bad = 0
        self.on_keyframe_request: Callable[[], None] | None = None

    # --- signaling ---------------------------------------------------------

    def set_remote(self, session: sdp.Session, text: str, we_offered: bool) -> None:
        """The server's SDP: credentials, fingerprint, candidate, DTLS role."""
        if self.dtls is not None:
            return  # a renegotiation keeps the transport
        ufrag, pwd, fingerprint = session.credentials()
        self.remote_ufrag, self.remote_pwd = ufrag, pwd
        self.remote = remote_candidate(session, text)
        setup = next((m.setup for m in session.media if m.setup), "actpass")
        # Our offers say actpass; our answers say active (we are the DTLS client).
        self.dtls_client = not we_offered or setup != "active"
        self.dtls = dtls.Endpoint(self.engine.context, fingerprint, server=not self.dtls_client)
        self.engine.pending.add(self)
        self.send_check()

    # --- ICE and DTLS ------------------------------------------------------

    def send_check(self) -> None:
        if self.remote is None or self.closed:
            return
        self.last_check = time.monotonic()
        request = stun.binding_request(
            secrets.token_bytes(12),
            f"{self.remote_ufrag}:{self.ufrag}",
            self.remote_pwd.encode(),
        )
        self.sendto(request)

    def sendto(self, data: bytes) -> None:
        if self.remote is not None and not self.closed:
            try:
                self.sock.sendto(data, self.remote)
            except (BlockingIOError, ConnectionRefusedError):
                self.engine.send_errors += 1

    def _stun(self, data: bytes, addr: tuple[str, int]) -> None:
        kind = data[0] << 8 | data[1]
        if kind == stun.BINDING_SUCCESS:
            if not self.ice_ok:
                self.ice_ok = True
                if self.dtls is not None and self.dtls_client:
                    self.last_dtls = time.monotonic()
                    for datagram in self.dtls.start():
                        self.sendto(datagram)
        elif kind == stun.BINDING_REQUEST:  # a full ICE agent checks us too
            try:
                message = stun.parse(data)
            except ValueError:
                return
            reply = stun.binding_success(message, addr, self.pwd.encode())
            with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
                self.sock.sendto(reply, addr)

    def _dtls(self, data: bytes) -> None:
        endpoint = self.dtls
        if endpoint is None:
            return
        try:
            replies = endpoint.receive(data)
        except dtls.DtlsError as exc:
            log.warning("%s: %s", self.label, exc)
            return
        self.last_dtls = time.monotonic()
        for datagram in replies:
            self.sendto(datagram)
        if endpoint.state is dtls.State.CONNECTED and self.tx is None:
            self.tx, self.rx = endpoint.tx, endpoint.rx
            self.engine.pending.discard(self)
            self.connected.set()

    def housekeeping(self, now: float) -> None:
        """Retry checks and DTLS flights until connected; then keep consent."""
        if self.remote is None or self.closed or not self.ice:
            return
        period = CONSENT_PERIOD if self.ice_ok else ICE_RETRY
        if now - self.last_check >= period:
            self.send_check()
        endpoint = self.dtls
        if (
            endpoint is not None
            and endpoint.state is dtls.State.HANDSHAKING
            and (self.ice_ok or not self.dtls_client)
            and now - self.last_dtls > 0.25
        ):
            self.last_dtls = now
            for datagram in endpoint.on_timeout():
                self.sendto(datagram)

    def close(self) -> None:
        if self.closed:
            return
        if self.dtls is not None:
            for datagram in self.dtls.close():
                self.sendto(datagram)
        self.closed = True
        self.engine.forget(self)
        self.sock.close()

    # --- receiving ---------------------------------------------------------

    def readable(self) -> None:
        """Drain the socket. The hot path of the generator: keep it short."""
        recvmsg = self.sock.recvmsg
        engine = self.engine
        counts, seen, expect = self.counts, self.seen, self.expect
        unpack_stamp = STAMP.unpack_from
        while True:
            try:
                data, ancillary, _, addr = recvmsg(2048, _ANCBUF)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. an ICMP error queued on the socket
                if self.closed:
                    return
                continue
            first = data[0]
            if 128 <= first <= 191:
                if 192 <= data[1] <= 223:
                    self._rtcp(data)
                    continue
                rx = self.rx
                if rx is None:
                    continue
                try:
                    plain = rx.unprotect(data)
                except pylibsrtp.Error:
                    self.bad += 1
                    continue
                if not self.profile:
                    self.profile = _TAG_PROFILE.get(len(data) - len(plain), "?")
                if len(plain) < 12 + STAMP.size:
                    self.stray += 1
                    continue
                magic, stream, _, sent = unpack_stamp(plain, len(plain) - STAMP.size)
                if magic != STAMP_MAGIC or stream not in expect:
                    if stream == PROBE_STREAM and magic == STAMP_MAGIC:
                        engine.probe_received(ancillary, sent)
                    else:
                        self.stray += 1
                    continue
                if engine.window_start <= sent < engine.window_end:
                    counts[stream] += 1
                    if ancillary:
                        sec, nsec = _TIMESPEC.unpack(ancillary[0][2])
                        engine.latency.append(sec * 1_000_000_000 + nsec - sent)
                else:
                    seen.add(stream)
            elif first < 4:
                self._stun(data, addr)
            elif 20 <= first <= 63:
                self._dtls(data)

    def _rtcp(self, data: bytes) -> None:
        rx = self.rx
        if rx is None or self.on_keyframe_request is None:
            return
        try:
            plain = rx.unprotect_rtcp(data)
            parts = list(rtcp.walk(plain))
        except (pylibsrtp.Error, ValueError):
            return
        for kind, fmt, _, _ in parts:
            if kind == rtcp.PSFB and fmt in (rtcp.FMT_PLI, rtcp.FMT_FIR):
                self.on_keyframe_request()


class Source:
    """One synthetic RTP stream of a publisher: its microphone or its camera."""

    def __init__(
        self, engine: Engine, transport: Transport, stream: int, video: bool, ssrc: int
    ) -> None:
        self.engine = engine
        self.transport = transport
        self.stream = stream
        self.video = video
        self.ssrc = ssrc
        self.seq = random.randrange(1 << 16)
        self.ts = random.randrange(1 << 32)
        self.counter = 0
        self.sent_in_window = 0
        profile = engine.media
        self.interval = 1 / profile.video_fps if video else profile.audio_interval
        self.due = time.monotonic() + random.random() * self.interval  # independent phases
        self.picture_id = random.randrange(1 << 15)
        self.next_keyframe = 0.0  # the first frame is a keyframe
        self.last_keyframe = float("-inf")
        self.level = random.randrange(20, 60)
        # Paced packets waiting for their time: (when, packet).
        self.queue: collections.deque[tuple[float, bytes]] = collections.deque()
        self.spacing = 8 * (profile.mtu_payload + 50) / (2.5 * profile.video_bitrate)

    def request_keyframe(self) -> None:
        if time.monotonic() - self.last_keyframe >= KEYFRAME_MIN_GAP:
            self.next_keyframe = 0.0

    def tick(self, now: float) -> None:
        if self.transport.tx is None:
            self.due = now + self.interval
            return
        queue = self.queue
        while queue and queue[0][0] <= now:
            self._send(queue.popleft()[1])
        while self.due <= now:
            lag = now - self.due
            if lag > 0.2:  # the generator stalled: do not send a backlog in one burst
                self.engine.stalls += 1
                self.due = now
            self.engine.lag.append(int(lag * 1e6))
            if self.video:
                self._frame(now)
            else:
                self._audio()
            self.due += self.interval
        while queue and queue[0][0] <= now:
            self._send(queue.popleft()[1])

    @property
    def next_at(self) -> float:
        """When this source next has something to send."""
        return min(self.due, self.queue[0][0]) if self.queue else self.due

    def _audio(self) -> None:
        low, high = self.engine.media.audio_payload
        size = random.randint(low, high)
        self.seq = (self.seq + 1) & 0xFFFF
        self.ts = (self.ts + 960) & 0xFFFFFFFF
        head = _RTP.pack(0x90, AUDIO_PT, self.seq, self.ts, self.ssrc)
        ext = _AUDIO_EXT.pack(0xBEDE, 1, AUDIO_LEVEL_ID << 4, 0x80 | self.level)
        self._send(head + ext + b"\xf8" + self.engine.filler[: size - 1 - STAMP.size])

    def _frame(self, now: float) -> None:
        profile = self.engine.media
        keyframe = now >= self.next_keyframe
        if keyframe:
            size = profile.keyframe_bytes
            self.next_keyframe = now + profile.keyframe_interval
            self.last_keyframe = now
        else:
            size = random.randint(*profile.video_frame)
        self.ts = (self.ts + 3000) & 0xFFFFFFFF
        self.picture_id = (self.picture_id + 1) & 0x7FFF
        count = -(-size // profile.mtu_payload)
        filler = self.engine.filler
        for i in range(count):
            chunk = min(profile.mtu_payload, size - i * profile.mtu_payload)
            self.seq = (self.seq + 1) & 0xFFFF
            marker = 0x80 if i == count - 1 else 0
            head = _RTP.pack(0x80, marker | VIDEO_PT, self.seq, self.ts, self.ssrc)
            # X and S (start of partition 0) on the first packet; then the picture id.
            descriptor = _VP8_DESCRIPTOR.pack(
                0x90 if i == 0 else 0x80, 0x80, 0x8000 | self.picture_id
            )
            if i == 0:  # the VP8 payload header: P bit clear on a keyframe, and its start code
                vp8 = b"\x10\x02\x00\x9d\x01\x2a\x80\x02\x68\x01" if keyframe else b"\x11\x02\x00"
            else:
                vp8 = b""
            body = max(0, chunk - len(vp8) - STAMP.size)
            packet = head + descriptor + vp8 + filler[:body]
            if profile.paced:
                last = self.queue[-1][0] if self.queue else now
                self.queue.append((max(now, last + self.spacing), packet))
            else:
                self._send(packet)

    def _send(self, packet: bytes) -> None:
        engine = self.engine
        self.counter += 1
        sent = time.time_ns()
        if engine.window_start <= sent < engine.window_end:
            self.sent_in_window += 1
        packet += STAMP.pack(STAMP_MAGIC, self.stream, self.counter & 0xFFFFFFFF, sent)
        tx = self.transport.tx
        if tx is not None:
            self.transport.sendto(tx.protect(packet))


class Probe:
    """The direct path: SRTP packets from one of our sockets to another.

    It measures, in the same window and under the same load, what the
    generator itself adds between stamping a packet and the kernel queueing
    it at the receiver; the forwarding latency of a server is reported
    above this baseline.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        key = os.urandom(28)
        policy_tx = pylibsrtp.Policy(
            key=key,
            ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
            srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
        )
        policy_rx = pylibsrtp.Policy(
            key=key,
            ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND,
            srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
        )
        self.sender = engine.transport("probe-tx")
        self.receiver = engine.transport("probe-rx")
        self.sender.remote = (engine.host, self.receiver.port)
        self.sender.ice = self.receiver.ice = False
        self.sender.tx = pylibsrtp.Session(policy_tx)
        self.receiver.rx = pylibsrtp.Session(policy_rx)
        self.source = Source(engine, self.sender, PROBE_STREAM, False, secrets.randbits(32))
        self.source.interval = 0.005  # 200 packets a second
        engine.sources.append(self.source)


class Engine:
    """All transports and sources of the generator, on one event loop."""

    def __init__(
        self, media: MediaProfile | None = None, srtp: str = "any", host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.media = media or MediaProfile()
        self.certificate = dtls.Certificate()
        self.context: SSL.Context = self.certificate.context()
        self.context.set_tlsext_use_srtp(SRTP_PROFILES[srtp])
        self.transports: set[Transport] = set()
        self.pending: set[Transport] = set()
        self.sources: list[Source] = []
        self.filler = os.urandom(2048)
        self.window_start = 0
        self.window_end = 0
        self.latency: array.array[int] = array.array("q")
        self.probe_latency: array.array[int] = array.array("q")
        self.lag: array.array[int] = array.array("q")
        self.stalls = 0
        self.send_errors = 0
        self._ticker: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticks = 0
        self.probe: Probe | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.probe = Probe(self)
        self._tick()

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        for transport in list(self.transports):
            transport.close()

    def transport(self, label: str) -> Transport:
        transport = Transport(self, label)
        self.transports.add(transport)
        loop = self._loop or asyncio.get_running_loop()
        loop.add_reader(transport.sock.fileno(), transport.readable)
        return transport

    def forget(self, transport: Transport) -> None:
        if transport in self.transports:
            self.transports.discard(transport)
            self.pending.discard(transport)
            loop = self._loop or asyncio.get_running_loop()
            loop.remove_reader(transport.sock.fileno())
        self.sources = [s for s in self.sources if s.transport is not transport]

    def publish(self, transport: Transport, index: int) -> tuple[Source, Source]:
        """Start the microphone and camera of publisher `index` on `transport`."""
        audio = Source(self, transport, audio_stream(index), False, secrets.randbits(32))
        video = Source(self, transport, video_stream(index), True, secrets.randbits(32))
        transport.on_keyframe_request = video.request_keyframe
        self.sources += [audio, video]
        return audio, video

    def probe_received(self, ancillary: list[tuple[int, int, bytes]], sent: int) -> None:
        if ancillary and self.window_start <= sent < self.window_end:
            sec, nsec = _TIMESPEC.unpack(ancillary[0][2])
            self.probe_latency.append(sec * 1_000_000_000 + nsec - sent)

    def _tick(self) -> None:
        now = time.monotonic()
        for source in self.sources:
            if source.next_at <= now:
                source.tick(now)
        self._ticks += 1
        if self._ticks % 10 == 0:
            for transport in list(self.pending) + (
                list(self.transports) if self._ticks % 500 == 0 else []
            ):
                transport.housekeeping(now)
        assert self._loop is not None
        self._ticker = self._loop.call_later(0.002, self._tick)

    # --- measuring -----------------------------------------------------------

    def open_window(self, start_ns: int, end_ns: int) -> None:
        for transport in self.transports:
            transport.counts = [0] * MAX_STREAMS
            transport.stray = 0
        for source in self.sources:
            source.sent_in_window = 0
        self.latency = array.array("q")
        self.probe_latency = array.array("q")
        self.lag = array.array("q")
        self.stalls = 0
        self.window_start, self.window_end = start_ns, end_ns

    def close_window(self) -> None:
        self.window_start = self.window_end = 0

    def tally(self, receivers: Iterable[Transport]) -> tuple[int, int]:
        """(received, expected) packets of the window over these receivers."""
        sent = [0] * MAX_STREAMS
        for source in self.sources:
            sent[source.stream] += source.sent_in_window
        received = expected = 0
        for transport in receivers:
            for stream in transport.expect:
                expected += sent[stream]
                received += transport.counts[stream]
        return received, expected


def audio_stream(index: int) -> int:
    return 2 * index


def video_stream(index: int) -> int:
    return 2 * index + 1


def percentile(ordered: list[int] | array.array[int], share: float) -> float:
    if not ordered:
        return float("nan")
    return float(ordered[min(len(ordered) - 1, int(share * len(ordered)))])


# --- SDP ------------------------------------------------------------------------


def remote_candidate(session: sdp.Session, text: str) -> tuple[str, int]:
    """The server's UDP host candidate (IPv4), else its connection address and port."""
    for line in text.splitlines():
        if line.startswith("a=candidate:"):
            parts = line[len("a=candidate:") :].split()
            if len(parts) >= 8 and parts[2].lower() == "udp" and "." in parts[4]:
                return parts[4], int(parts[5])
    for line in text.splitlines():
        if line.startswith("c=IN IP4 "):
            host = line.split()[2]
            port = next(m.port for m in session.media if m.port)
            return host, port
    raise ValueError("the server's SDP has no IPv4 candidate")


def _credentials(transport: Transport, fingerprint: str, setup: str) -> list[str]:
    return [
        f"a=ice-ufrag:{transport.ufrag}",
        f"a=ice-pwd:{transport.pwd}",
        f"a=fingerprint:sha-256 {fingerprint}",
        f"a=setup:{setup}",
        "a=rtcp-mux",
        f"a=candidate:1 1 udp 2130706431 {transport.engine.host} {transport.port} typ host",
        "a=end-of-candidates",
    ]


def publish_offer(transport: Transport, name: str, audio: Source, video: Source) -> str:
    """A browser-like offer: one sendonly Opus and one sendonly VP8 m-line, bundled."""
    fingerprint = transport.engine.certificate.fingerprint
    lines = [
        "v=0",
        f"o=- {random.randrange(1 << 62)} 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1",
        "a=msid-semantic: WMS *",
    ]
    host = transport.engine.host
    for mid, source in enumerate((audio, video)):
        kind, pt = ("video", VIDEO_PT) if source.video else ("audio", AUDIO_PT)
        lines += [
            f"m={kind} {transport.port} UDP/TLS/RTP/SAVPF {pt}",
            f"c=IN IP4 {host}",
            f"a=mid:{mid}",
            "a=sendonly",
            f"a=msid:{name} {kind}-{name}",
            *_credentials(transport, fingerprint, "actpass"),
        ]
        if source.video:
            lines += [
                f"a=rtpmap:{pt} VP8/90000",
                f"a=rtcp-fb:{pt} nack",
                f"a=rtcp-fb:{pt} nack pli",
                f"a=rtcp-fb:{pt} ccm fir",
                f"a=rtcp-fb:{pt} goog-remb",
            ]
        else:
            lines += [
                f"a=extmap:{AUDIO_LEVEL_ID} {AUDIO_LEVEL_URI}",
                f"a=rtpmap:{pt} opus/48000/2",
                f"a=fmtp:{pt} minptime=10;useinbandfec=1",
            ]
        lines += [
            "a=rtcp-rsize",
            f"a=ssrc:{source.ssrc} cname:{name}",
            f"a=ssrc:{source.ssrc} msid:{name} {kind}-{name}",
        ]
    return "\r\n".join(lines) + "\r\n"


def subscribe_answer(transport: Transport, offer: sdp.Session) -> str:
    """Answer a server's offer: receive every sending m-line, keep the rest inactive."""
    fingerprint = transport.engine.certificate.fingerprint
    mids = [m.mid for m in offer.media if m.port != 0]
    lines = [
        "v=0",
        f"o=- {random.randrange(1 << 62)} 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        f"a=group:BUNDLE {' '.join(mids)}",
        "a=msid-semantic: WMS *",
    ]
    for media in offer.media:
        codec = media.codecs[0] if media.codecs else None
        if media.port == 0 or codec is None or media.kind not in ("audio", "video"):
            lines += [
                f"m={media.kind} 0 {media.proto} {' '.join(media.formats[:1]) or '0'}",
                "c=IN IP4 0.0.0.0",
                f"a=mid:{media.mid}",
                "a=inactive",
            ]
            continue
        direction = "recvonly" if media.direction in ("sendonly", "sendrecv") else "inactive"
        lines += [
            f"m={media.kind} {transport.port} {media.proto} {codec.pt}",
            f"c=IN IP4 {transport.engine.host}",
            f"a=mid:{media.mid}",
            f"a={direction}",
            *_credentials(transport, fingerprint, "active"),
        ]
        name = "opus" if codec.name == "OPUS" else codec.name
        rtpmap = f"a=rtpmap:{codec.pt} {name}/{codec.clock}"
        lines.append(rtpmap + (f"/{codec.channels}" if codec.channels > 1 else ""))
        if codec.fmtp:
            lines.append(f"a=fmtp:{codec.pt} {codec.fmtp}")
        lines += [f"a=rtcp-fb:{codec.pt} {fb}" for fb in codec.feedback]
        lines.append("a=rtcp-rsize")
    return "\r\n".join(lines) + "\r\n"


# --- participants ----------------------------------------------------------------


@dataclass(eq=False)
class Participant:
    """One simulated person: a publisher (camera and microphone on) or a viewer."""

    index: int
    publishes: bool
    name: str = ""
    pub: Transport | None = None
    sub: Transport | None = None
    sources: tuple[Source, Source] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def transports(self) -> list[Transport]:
        return [t for t in (self.pub, self.sub) if t is not None]
