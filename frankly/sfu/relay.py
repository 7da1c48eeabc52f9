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

Between the workers of one machine, the socket is a Unix datagram socket in
a directory only the server's user can enter: nothing else can write to it.
A room that spans nodes borrows a worker on another node, which relays with
the room node's workers over UDP: the same batches, addressed "udp:HOST:PORT"
(each socket binds one host, so the address a datagram comes from is the one
its sender names itself by, and a remote publisher's origin is checked the
same way). What crosses the network is the media as the SFU forwards it
(SRTP removed; end-to-end encrypted frames stay so), sender reports, the
feedback and the layer lists above, and every UDP datagram is sealed with
AES-256-GCM under the cluster's relay key (relay_seal.py): nothing unsealed is
taken, the sender's and receiver's addresses are bound into each seal, and a
replayed datagram is refused. A socket never uses UDP without a key. Beyond
the key, the network is not trusted: an attacker on it can drop or delay
datagrams, which the relay treats as loss, but not forge or alter them, nor
replay them (within the bounds relay_seal.py states).
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
from typing import Any, Protocol, TypedDict

from frankly.sfu import relay_seal

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
# Between nodes, a batch fits one IP packet of a 1,500-byte Ethernet path (IPv6: 1,452
# bytes of UDP payload), the seal's 28 bytes included: a fragmented datagram is lost
# whole when one fragment is, and some networks drop fragments altogether. A video
# frame's packets (up to ~1,250 bytes each) then go one a datagram, its audio and
# feedback gathered; the Unix socket's queue limit that makes batching pay most does
# not apply to UDP. A message bigger than this goes alone.
UDP_BATCH_BYTES = 1400
UDP_SCHEME = "udp:"
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
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
    """One worker's relay socket: sends to other workers' paths (or, with `udp`, to
    other nodes' workers' "udp:HOST:PORT"), hands what comes to the Router that holds
    the datagram's relay key."""

    def __init__(
        self,
        path: str,
        dropped: Counter[str],
        *,
        udp: tuple[str, int] | None = None,
        key: bytes | None = None,
    ) -> None:
        self.path = path
        self.ends: dict[int, RelayEnd] = {}
        self.dropped = dropped  # the media port's drop counts, which /metrics shows
        self._transport: asyncio.DatagramTransport | None = None
        self._batches: dict[str, list[bytes]] = {}  # to each address: length-prefixed messages
        self._sizes: dict[str, int] = {}
        self._udp = _Udp(self, udp, key) if udp is not None else None
        self._unreachable: set[str] = set()

    @property
    def udp_address(self) -> str:
        """Its address for other nodes: "udp:HOST:PORT" as bound (the port chosen where
        0 was asked), "" without UDP."""
        return self._udp.address if self._udp is not None else ""

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # the socket of this worker's previous process
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        _buffers(sock)
        sock.bind(self.path)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, sock=sock)
        if self._udp is not None:
            await self._udp.start()

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
        if self._udp is not None:
            self._udp.stop()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def send(self, message: bytes, to: str) -> None:
        """Queue one message for `to`: sent with the others of its batch. Over UDP, `to` is
        the receiver's `udp_address` exactly (a worker's "ready" says it): the seal binds it."""
        cap = UDP_BATCH_BYTES if to.startswith(UDP_SCHEME) else BATCH_BYTES
        size = _LENGTH.size + len(message)
        if self._sizes.get(to, 0) + size > cap:
            self.flush(to)  # it would not fit: what is gathered goes first
        batch = self._batches.get(to)
        if batch is None:
            batch = self._batches[to] = []
            self._sizes[to] = 0
            asyncio.get_running_loop().call_later(BATCH_DELAY, self.flush, to)
        batch += (_LENGTH.pack(len(message)), message)
        self._sizes[to] += size
        if self._sizes[to] >= cap:
            self.flush(to)  # a message alone as big as a batch

    def flush(self, to: str) -> None:
        batch = self._batches.pop(to, None)
        self._sizes.pop(to, None)
        if not batch:
            return
        if to.startswith(UDP_SCHEME):
            if self._udp is None:
                if to not in self._unreachable:  # a configuration's mistake: said once
                    self._unreachable.add(to)
                    log.warning("relay: no UDP on this worker to send to %s", to)
            else:
                self._udp.send(b"".join(batch), to)
        elif self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(b"".join(batch), to)

    def error_received(self, exc: Exception) -> None:
        # A part's worker restarting: its path is gone for a moment; the room is reset anyway.
        log.debug("relay: %s", exc)

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.batch_received(data, _path(addr))

    def batch_received(self, data: bytes, source: str) -> None:
        """A batch from `source` (a path, or "udp:HOST:PORT" once opened): each message."""
        at = 0
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


def _buffers(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUFFER)


def _path(addr: object) -> str:
    """A sender's address as it was bound: a path (str), or bytes where Python gives them."""
    return addr.decode(errors="replace") if isinstance(addr, bytes) else str(addr)


def udp_address(host: str, port: int) -> str:
    """A UDP relay socket's address: what it names itself by and its datagrams come from."""
    return f"{UDP_SCHEME}{host}:{port}"


def _udp_target(to: str) -> tuple[str, int]:
    host, _, port = to.removeprefix(UDP_SCHEME).rpartition(":")
    return host.strip("[]"), int(port)


class _Udp(asyncio.DatagramProtocol):
    """A relay socket's UDP side, to and from other nodes: every datagram sealed."""

    def __init__(self, relay: RelaySocket, bind: tuple[str, int], key: bytes | None) -> None:
        host, port = bind
        if host in _WILDCARDS:  # its datagrams would come from an address it cannot name
            raise ValueError(f"the relay's UDP socket binds one host, not {host!r}")
        self.relay = relay
        self.bind = (host, port)
        key = relay_seal.check_key(key)
        self.sealer = relay_seal.Sealer(key)
        self.opener = relay_seal.Opener(key)
        self.address = ""
        self._transport: asyncio.DatagramTransport | None = None
        self._targets: dict[str, tuple[str, int]] = {}

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.bind[0] else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        _buffers(sock)
        sock.bind(self.bind)
        sock.setblocking(False)
        host, port = sock.getsockname()[:2]
        self.address = udp_address(host, port)
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, sock=sock)

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def send(self, batch: bytes, to: str) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        target = self._targets.get(to)
        if target is None:
            target = self._targets[to] = _udp_target(to)
        self._transport.sendto(self.sealer.seal(batch, self.address, to), target)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        source = udp_address(addr[0], addr[1])
        try:
            batch = self.opener.open(data, source, self.address)
        except relay_seal.Refused as refused:
            self.relay.dropped[refused.reason] += 1
            return
        self.relay.batch_received(batch, source)

    def error_received(self, exc: Exception) -> None:
        # ICMP unreachable: a node's worker restarting, or gone; the relay treats it as loss.
        log.debug("relay over UDP: %s", exc)


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
