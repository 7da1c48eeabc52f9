"""In-memory stand-ins for the SFU's UDP transports, to drive the router by hand.

The router's algorithms (keyframe starts, layer switches, sequence mapping,
NACK and PLI handling) are tested by feeding it packets and reading what it
would have sent; the real sockets are exercised in test_router.py.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from frankly.sfu.router import Router


def _ignore(*args: Any) -> None:
    pass


@dataclass(eq=False)
class FakeTransport:
    ufrag: str
    pwd: str = "pwd"
    remote_ufrag: str = ""
    remote_fingerprint: str = ""
    restarts: int = 0
    rtp: list[bytes] = field(default_factory=list)
    rtcp: list[bytes] = field(default_factory=list)
    closed: bool = False
    sent: asyncio.Event = field(default_factory=asyncio.Event)
    on_rtp: Callable[..., None] = _ignore
    on_rtcp: Callable[..., None] = _ignore
    on_connected: Callable[..., None] = _ignore
    on_closed: Callable[..., None] = _ignore

    def set_remote(self, fingerprint: str, ufrag: str) -> None:
        self.remote_ufrag = ufrag
        self.remote_fingerprint = self.remote_fingerprint or fingerprint

    def restart(self, remote_ufrag: str = "") -> None:
        self.ufrag = f"{self.ufrag}r"
        self.remote_ufrag = remote_ufrag
        self.restarts += 1

    def send_rtp(self, packet: bytes) -> None:
        self.rtp.append(packet)

    def send_rtcp(self, packet: bytes) -> None:
        self.rtcp.append(packet)
        self.sent.set()

    def close(self) -> None:
        self.closed = True
        self.on_closed(self)


class FakeCertificate:
    fingerprint = "AA:" * 31 + "AA"


class FakeMedia:
    public_host = "127.0.0.1"
    port = 9
    tcp_port = 0
    udp = True
    certificate = FakeCertificate()

    def __init__(self) -> None:
        self.transports: list[FakeTransport] = []
        self.dropped: dict[str, int] = {}

    def create(self) -> FakeTransport:
        transport = FakeTransport(f"u{len(self.transports)}")
        self.transports.append(transport)
        return transport


def offer(ufrag: str, *, simulcast: bool = False, audio: bool = True, ssrc: int = 1111) -> str:
    """A browser-like publish offer: VP8 video (simulcast or one SSRC), Opus audio."""
    lines = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1"]
    common = [
        f"a=ice-ufrag:{ufrag}",
        "a=ice-pwd:0123456789abcdef0123456789",
        "a=fingerprint:sha-256 " + "BB:" * 31 + "BB",
        "a=setup:actpass",
        "a=rtcp-mux",
    ]
    lines += [
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
        "c=IN IP4 0.0.0.0",
        "a=mid:0",
        *common,
        "a=sendonly",
        "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 nack",
        "a=rtcp-fb:96 nack pli",
        "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=96",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    ]
    if simulcast:
        lines += ["a=rid:q send", "a=rid:h send", "a=rid:f send", "a=simulcast:send q;h;f"]
    else:
        lines += [f"a=ssrc:{ssrc} cname:x"]
    if audio:
        lines += [
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=mid:1",
            *common,
            "a=sendonly",
            "a=rtpmap:111 opus/48000/2",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            f"a=ssrc:{ssrc + 1} cname:x",
        ]
    return "\r\n".join(lines) + "\r\n"


def answer(ufrag: str) -> str:
    return (
        "\r\n".join(
            [
                "v=0",
                "o=- 1 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                f"a=ice-ufrag:{ufrag}",
                "a=ice-pwd:0123456789abcdef0123456789",
                "a=fingerprint:sha-256 " + "CC:" * 31 + "CC",
                "a=setup:active",
                "a=mid:0",
            ]
        )
        + "\r\n"
    )


def vp8(seq: int, ts: int, ssrc: int, keyframe: bool, *, rid: str = "", size: int = 100) -> bytes:
    """A VP8 RTP packet: descriptor with S=1, payload header keyframe bit."""
    ext = b""
    if rid:  # as a browser's first packets of a layer: mid (id 4) and rid (id 10)
        body = b"\x40" + b"0" + bytes([0xA0 | (len(rid) - 1)]) + rid.encode()
        body += b"\x00" * (-len(body) % 4)
        ext = struct.pack("!HH", 0xBEDE, len(body) // 4) + body
    first = 0x90 if ext else 0x80
    head = struct.pack("!BBHII", first, 96, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
    payload = bytes([0x10, 0x00 if keyframe else 0x01]) + b"v" * size
    return head + ext + payload


def opus(seq: int, ts: int, ssrc: int, level: int = 30) -> bytes:
    body = bytes([0x10, 0x80 | level, 0, 0])  # id 1, audio level
    ext = struct.pack("!HH", 0xBEDE, 1) + body
    return struct.pack("!BBHII", 0x90, 111, seq, ts, ssrc) + ext + b"\xfc" + b"o" * 80


class Rig:
    """A router over fake transports, with offers collected per subscriber."""

    def __init__(self) -> None:
        self.media = FakeMedia()
        self.offers: dict[str, list[str]] = {}
        self.speakers: list[str] = []
        self.router = Router(
            self.media,  # type: ignore[arg-type]
            lambda pid, sdp: self.offers.setdefault(pid, []).append(sdp),
            self.speakers.append,
        )

    def subscriber(self, pid: str) -> FakeTransport:
        self.router.subscribe_all(pid)
        transport: Any = self.router.subscribers[pid].transport
        return transport  # type: ignore[no-any-return]

    def accept(self, pid: str) -> None:
        """Answer the latest subscribe offer."""
        self.router.subscriber_answer(pid, answer(f"r{pid}"))

    def publish(self, pid: str, **kw: Any) -> FakeTransport:
        self.router.publish(pid, offer(f"o{pid}", **kw))
        transport: Any = self.router.publishers[pid].transport
        return transport  # type: ignore[no-any-return]
