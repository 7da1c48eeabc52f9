"""ICE over TCP for the SFU (RFC 6544): RFC 4571 framing and one accepted connection.

A browser whose UDP cannot reach the SFU connects to its passive TCP
candidate (the media port's TCP twin) and sends over the stream what it
would have sent as datagrams, each prefixed by its length in two bytes,
big-endian (RFC 4571). `Deframer` cuts a stream back into those packets,
whatever the reads look like; `TcpLink` is one accepted connection: it hands
each packet to the media server and sends framed packets back.

A connection is a stranger until its first packet, a STUN Binding request
with valid credentials, names the transport it belongs to; it must do so
within `deadline` seconds (a slow loris holds nothing for long). Anything
the link cannot frame closes just that connection. A slow reader never makes
the SFU buffer without bound: past `WRITE_LIMIT` bytes waiting in the
kernel's and asyncio's buffers, packets to it are dropped, as a full UDP
socket would drop them, and congestion control on the browser's side copes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import struct
from collections import Counter
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# The largest packet a browser sends the SFU is under 1500 bytes (RTP, DTLS
# records and STUN are all sized to a path MTU); a length far past that is
# garbage or an attempt to make us buffer.
MAX_FRAME = 4096
_LENGTH = struct.Struct("!H")
# Bytes a connection may owe its reader before packets to it are dropped: about
# a third of a second of 720p video, what a TCP stall is worth keeping.
WRITE_LIMIT = 256 * 1024


class FrameError(ValueError):
    """The stream is not RFC 4571 framing the SFU accepts."""


class Deframer:
    """An incremental RFC 4571 parser: bytes of a stream in, whole packets out.

    Copes with a frame split over reads and with several frames in one read;
    holds at most one unfinished frame (`limit` bytes and its length prefix).
    """

    def __init__(self, limit: int = MAX_FRAME) -> None:
        self.limit = limit
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Return the packets `data` completes; raise FrameError on a bad length."""
        buf = self._pending
        buf += data
        frames: list[bytes] = []
        pos = 0
        while len(buf) - pos >= 2:
            (length,) = _LENGTH.unpack_from(buf, pos)
            if length == 0:
                raise FrameError("RFC 4571 frame of 0 bytes")
            if length > self.limit:
                raise FrameError(f"RFC 4571 frame of {length} bytes, over the {self.limit} limit")
            end = pos + 2 + length
            if end > len(buf):
                break
            frames.append(bytes(buf[pos + 2 : end]))
            pos = end
        del buf[:pos]
        return frames


def frame(packet: bytes) -> bytes:
    """One packet with its RFC 4571 length prefix."""
    if not 0 < len(packet) <= 0xFFFF:
        raise FrameError(f"a {len(packet)}-byte packet cannot be framed")
    return _LENGTH.pack(len(packet)) + packet


class Admission:
    """How many ICE-TCP connections are open, in all and per address.

    An IPv6 address counts by its /64, as every per-address limit in
    Frankly does (a host is normally given a whole /64). Loopback is exempt
    from the per-address cap, as from every other: behind a local proxy or
    in tests it is everyone.
    """

    def __init__(self, total: int, per_address: int) -> None:
        self.total = total
        self.per_address = per_address
        self.open = 0
        self.by_address: Counter[str] = Counter()

    def admit(self, host: str) -> bool:
        if self.open >= self.total:
            return False
        key = _group(host)
        if key is not None and self.by_address[key] >= self.per_address:
            return False
        self.open += 1
        if key is not None:
            self.by_address[key] += 1
        return True

    def release(self, host: str) -> None:
        self.open -= 1
        key = _group(host)
        if key is not None:
            self.by_address[key] -= 1
            if self.by_address[key] <= 0:
                del self.by_address[key]


def _group(host: str) -> str | None:
    """The key an address counts under: None for loopback, which is not counted."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if ip.is_loopback:
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class TcpLink(asyncio.Protocol):
    """One accepted ICE-TCP connection.

    `on_packet(link, packet)` gets every packet; `on_lost(link)` is called
    once when the connection is gone, whoever closed it. `bound` is whatever
    the media server ties the link to once its first STUN check proves who it
    is (a transport); until then the deadline runs.
    """

    def __init__(
        self,
        admission: Admission,
        on_packet: Callable[[TcpLink, bytes], None],
        on_lost: Callable[[TcpLink], None],
        dropped: Counter[str],
        deadline: float,
    ) -> None:
        self.admission = admission
        self.on_packet = on_packet
        self.on_lost = on_lost
        self.dropped = dropped
        self.deadline = deadline
        self.deframer = Deframer()
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[Any, ...] = ("", 0)
        self.bound: object | None = None
        self.last_check = 0.0
        self._admitted = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.peer = transport.get_extra_info("peername") or ("", 0)
        if not self.admission.admit(str(self.peer[0])):
            self.dropped["tcp-refused"] += 1
            transport.abort()
            return
        self._admitted = True
        loop = asyncio.get_running_loop()
        self.last_check = loop.time()
        self._timer = loop.call_later(self.deadline, self._too_slow)

    def data_received(self, data: bytes) -> None:
        try:
            packets = self.deframer.feed(data)
        except FrameError as exc:
            self.fail("tcp-bad-frame", str(exc))
            return
        for packet in packets:
            if self.transport is None or self.transport.is_closing():
                return
            self.on_packet(self, packet)

    def proven(self, bound: object) -> None:
        """A valid STUN check came over this link: it belongs to `bound`."""
        self.bound = bound
        self.last_check = asyncio.get_running_loop().time()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def send(self, packet: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size() > WRITE_LIMIT:
            self.dropped["tcp-backpressure"] += 1
            return
        transport.write(_LENGTH.pack(len(packet)) + packet)

    def fail(self, reason: str, detail: str = "") -> None:
        """Bad input: count it and close this connection only."""
        self.dropped[reason] += 1
        log.debug("closing an ICE-TCP connection from %s: %s %s", self.peer[0], reason, detail)
        self.close()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._admitted:
            self._admitted = False
            self.admission.release(str(self.peer[0]))
            self.on_lost(self)
        self.transport = None

    def _too_slow(self) -> None:
        self._timer = None
        if self.bound is None:
            self.fail("tcp-no-stun", f"no valid STUN check within {self.deadline} s")
