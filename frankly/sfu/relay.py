"""Relaying one room's media between SFU workers: the datagram format and the socket.

A room that outgrows its worker spans several (docs/scaling.md, *A room on
several workers*). Each worker that holds a part of the room has a Router of
its own; a publisher's packets reach its worker, whose Router forwards them
to its own subscribers and relays each packet once to every other part that
wants its layer. That part's Router holds a *remote* publisher, fed by the
relay, and forwards to its subscribers as if the publisher were its own.
Feedback goes back the same way: keyframe requests and NACKs that a part
could not answer from its own cache, and which layers it wants at all.

Every datagram starts with HEAD: kind, the publisher's relay key (given by
the signaling process, unique in the pool), the track's number in its
publisher and the layer's index in its track. Then:

- RTP: the publisher's RTP packet as the origin received it (SRTP removed,
  which the SFU does for any forwarding; the frames inside stay end-to-end
  encrypted), origin to part;
- SR: the publisher's 28-byte sender report of the layer, origin to part (lip sync);
- FEEDBACK: RTCP built by the part's Router (PLI, NACK) for the publisher's
  SSRCs, part to origin, which answers as for its own subscribers, and
  coalesced there with theirs: one keyframe request an interval at most;
- WANTS: the (track, layer) pairs the part has down-tracks on, part to origin,
  which relays nothing else to it; sent on every change and every second;
- INFO: each layer's bitrate (u32) and picture height (u16) as the origin
  measures them, origin to part, so a part chooses layers it is not sent yet.

What one worker sends another within BATCH_DELAY goes as one datagram, each
message behind its length (u16): a video frame's packets come back to back,
and a datagram's cost (a system call each way, a turn of the receiving
event loop) is most of a relayed packet's; the kernel also queues only a few
Unix datagrams for a reader (net.unix.max_dgram_qlen, 10 by default), past
which a sender must wait. The batching adds at most BATCH_DELAY of latency.

The socket is a Unix datagram socket in a directory only the server's user
can enter: the relay never leaves the machine, and nothing else can write to
it. Between machines it would need an authenticated channel; that is not built.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Protocol, TypedDict

log = logging.getLogger(__name__)

RTP, SR, FEEDBACK, WANTS, INFO = 1, 2, 3, 4, 5
HEAD = struct.Struct(">BIHB")  # kind, relay key, track number, layer index
_PAIR = struct.Struct(">HB")
_INFO = struct.Struct(">HBIH")
_LENGTH = struct.Struct(">H")
# Seconds a worker gathers what it relays to one other before it sends it, and the
# most it gathers (a batch is sent at once past it): about a video frame of packets.
BATCH_DELAY = 0.001
BATCH_BYTES = 32 << 10
# Enough for a burst of video while the receiving worker's loop is busy.
BUFFER = 4 << 20


class TrackInfo(TypedDict):
    """A published track as its origin tells the room's other parts (JSON, via the hub)."""

    n: int  # its number in its publisher: the datagrams' track field
    mid: str
    kind: str
    codec: str
    clock: int
    channels: int
    fmtp: str
    rids: list[str]  # its layers, low to high; [""] without simulcast
    ssrcs: list[int]  # of each layer, 0 where not seen yet (the datagram says it)
    stream: str  # the msid stream subscribers see
    msid_track: str
    level_ext: int  # the publisher's audio level extension id, 0: none


class RelayEnd(Protocol):
    """What a Router does with a datagram for one of its relay keys."""

    def on_relay(
        self, kind: int, key: int, track: int, layer: int, body: bytes, source: str
    ) -> None: ...


def head(kind: int, key: int, track: int = 0, layer: int = 0) -> bytes:
    return HEAD.pack(kind, key, track, layer)


def wants(pairs: Iterable[tuple[int, int]]) -> bytes:
    return b"".join(_PAIR.pack(track, layer) for track, layer in sorted(pairs))


def read_wants(body: bytes) -> set[tuple[int, int]]:
    usable = len(body) - len(body) % _PAIR.size
    return {_PAIR.unpack_from(body, at) for at in range(0, usable, _PAIR.size)}


def info(layers: Iterable[tuple[int, int, float, int]]) -> bytes:
    """(track, layer, bits a second, height) of each layer."""
    return b"".join(
        _INFO.pack(track, layer, min(int(rate), 0xFFFFFFFF), min(height, 0xFFFF))
        for track, layer, rate, height in layers
    )


def read_info(body: bytes) -> list[tuple[int, int, int, int]]:
    usable = len(body) - len(body) % _INFO.size
    return [_INFO.unpack_from(body, at) for at in range(0, usable, _INFO.size)]


class RelaySocket(asyncio.DatagramProtocol):
    """One worker's relay socket: sends to other workers' paths, hands what comes to
    the Router that holds the datagram's relay key."""

    def __init__(self, path: str, dropped: Counter[str]) -> None:
        self.path = path
        self.ends: dict[int, RelayEnd] = {}
        self.dropped = dropped  # the media port's drop counts, which /metrics shows
        self._transport: asyncio.DatagramTransport | None = None
        self._batches: dict[str, list[bytes]] = {}  # to each path: length-prefixed messages
        self._sizes: dict[str, int] = {}

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # the socket of this worker's previous process
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUFFER)
        sock.bind(self.path)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, sock=sock)

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def send(self, message: bytes, to: str) -> None:
        """Queue one message for `to`: sent with the others of its batch."""
        batch = self._batches.get(to)
        if batch is None:
            batch = self._batches[to] = []
            self._sizes[to] = 0
            asyncio.get_running_loop().call_later(BATCH_DELAY, self.flush, to)
        batch += (_LENGTH.pack(len(message)), message)
        self._sizes[to] += _LENGTH.size + len(message)
        if self._sizes[to] >= BATCH_BYTES:
            self.flush(to)

    def flush(self, to: str) -> None:
        batch = self._batches.pop(to, None)
        self._sizes.pop(to, None)
        if batch and self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(b"".join(batch), to)

    def error_received(self, exc: Exception) -> None:
        # A part's worker restarting: its path is gone for a moment; the room is reset anyway.
        log.debug("relay: %s", exc)

    def datagram_received(self, data: bytes, addr: object) -> None:
        source, at = _path(addr), 0
        while at + _LENGTH.size <= len(data):
            (size,) = _LENGTH.unpack_from(data, at)
            at += _LENGTH.size
            self._message(data[at : at + size], source)
            at += size
        if at != len(data):
            self.dropped["relay-short"] += 1  # a batch cut short: what came before it stands

    def _message(self, message: bytes, source: str) -> None:
        if len(message) < HEAD.size:
            self.dropped["relay-short"] += 1
            return
        kind, key, track, layer = HEAD.unpack_from(message)
        end = self.ends.get(key)
        if end is None:  # a publisher gone, or a part this worker no longer holds
            self.dropped["relay-unknown-key"] += 1
            return
        end.on_relay(kind, key, track, layer, message[HEAD.size :], source)


def _path(addr: object) -> str:
    """A sender's address as it was bound: a path (str), or bytes where Python gives them."""
    return addr.decode(errors="replace") if isinstance(addr, bytes) else str(addr)


class RelayUplink:
    """A remote publisher's stand-in for its transport: feedback goes to its origin."""

    def __init__(self, relay: RelaySocket, key: int, origin: str) -> None:
        self.relay = relay
        self.key = key
        self.origin = origin
        self.closed = False
        self.on_closed: Callable[[RelayUplink], None] = lambda uplink: None

    def send_rtcp(self, packet: bytes) -> None:
        self.relay.send(head(FEEDBACK, self.key) + packet, self.origin)

    def send_wants(self, pairs: Iterable[tuple[int, int]]) -> None:
        self.relay.send(head(WANTS, self.key) + wants(pairs), self.origin)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.on_closed(self)
