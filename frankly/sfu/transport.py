"""All media on one UDP port and its TCP twin: ICE-lite, DTLS-SRTP, then RTP/RTCP to the router.

Datagrams are told apart by their first byte (RFC 7983). A STUN check names
its transport by ICE username and, when its MESSAGE-INTEGRITY holds, proves
the sender's path for that transport; every other packet is only accepted
from a path so proven. A malformed or unauthenticated datagram is dropped and
counted; it never reaches another session.

A path is a UDP address or, for a browser whose UDP cannot get through, an
ICE-TCP connection to the same port number over TCP (tcp.py, RFC 6544): the
same packets, framed on a stream. A transport sends on one path at a time:
the one its browser last nominated, or the one its browser's DTLS and media
last came on, whichever is later (`_bind_udp` says why); `send` is bound to
it, so the hot path pays nothing for the choice. An ICE restart (`restart`)
gives a transport new credentials and keeps its DTLS association: the
browser's checks with the new credentials, over whatever path still works,
move it there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any

import pylibsrtp

from frankly.sfu import dtls, rtp, stun
from frankly.sfu.dtls import Endpoint
from frankly.sfu.impair import Impairment
from frankly.sfu.tcp import Admission, TcpLink

log = logging.getLogger(__name__)

Address = tuple[Any, ...]
CONSENT_TIMEOUT = 30.0  # RFC 7675: consent expires 30 s after the last check
# UDP addresses a transport keeps proven at once (a browser has a few candidates).
MAX_PATHS = 8
Send = Callable[[bytes], None]


def _nowhere(data: bytes) -> None:
    """Where a transport with no path sends: nowhere."""


class PeerTransport:
    """One ICE/DTLS transport (a browser's RTCPeerConnection toward the SFU)."""

    def __init__(self, server: MediaServer) -> None:
        self.server = server
        self.ufrag = secrets.token_hex(4)
        self.pwd = secrets.token_hex(16)
        # Known once the browser's SDP arrives: with the SFU offering, checks
        # and DTLS may come before the answer does.
        self.remote_ufrag = ""
        self.remote_fingerprint = ""
        self.dtls: Endpoint | None = None
        self._early: list[bytes] = []
        # The path: a UDP address, or an ICE-TCP link; `send` goes there.
        self.address: Address | None = None
        self.link: TcpLink | None = None
        # Every UDP address a valid check came from, the path's among them:
        # what comes from them is accepted.
        self.proven: list[Address] = []
        self.send: Send = _nowhere
        self.impair: Impairment | None = None  # tests: a lossy or narrow link
        self.last_check = 0.0
        # Until a check proves the new credentials, the ones an ICE restart
        # replaced still work: (ufrag, pwd, remote ufrag).
        self.previous: tuple[str, str, str] | None = None
        self.restarts = 0
        self.closed = False
        # Set by the router: called with each unprotected RTP or RTCP packet.
        self.on_rtp: Callable[[PeerTransport, bytes], None] = _ignore
        self.on_rtcp: Callable[[PeerTransport, bytes], None] = _ignore
        self.on_connected: Callable[[PeerTransport], None] = _ignore_transport
        self.on_closed: Callable[[PeerTransport], None] = _ignore_transport

    def set_remote(self, fingerprint: str, ufrag: str) -> None:
        """The browser's DTLS fingerprint and ICE ufrag, from its SDP.

        A new ufrag under the same fingerprint is an ICE restart on the
        browser's side: checks with it are accepted from now on, and the DTLS
        association goes on (docs/protocol.md, "ICE restarts").
        """
        self.remote_ufrag = ufrag
        if self.dtls is not None:
            return
        self.remote_fingerprint = fingerprint
        self.dtls = Endpoint(self.server.context, fingerprint, server=True)
        early, self._early = self._early, []
        for datagram in early:
            self.server.handle_dtls(self, datagram, self.send)

    def restart(self, remote_ufrag: str = "") -> None:
        """New ICE credentials of our own (and the browser's, when known: "" takes any).

        The old ones keep working until a check proves the new ones, and the
        path stays until a check nominates another, so media flows on while
        it still can and moves as soon as another path works.
        """
        self.server.rekey(self)
        self.remote_ufrag = remote_ufrag
        self.restarts += 1

    def credentials(self, ufrag: str) -> tuple[str, str] | None:
        """(pwd, remote ufrag) checks to our `ufrag` must carry, if it is ours."""
        if ufrag == self.ufrag:
            return self.pwd, self.remote_ufrag
        if self.previous is not None and ufrag == self.previous[0]:
            return self.previous[1], self.previous[2]
        return None

    def hold_early(self, datagram: bytes) -> None:
        if len(self._early) < 16:
            self._early.append(datagram)

    @property
    def connected(self) -> bool:
        return (
            self.dtls is not None
            and self.dtls.state is dtls.State.CONNECTED
            and (self.address is not None or self.link is not None)
        )

    @property
    def protocol(self) -> str:
        """The path's protocol: "udp", "tcp", or "" with none."""
        return "tcp" if self.link is not None else "udp" if self.address is not None else ""

    def send_rtp(self, packet: bytes) -> None:
        tx = self.dtls.tx if self.dtls is not None else None
        if tx is not None:
            if self.impair is not None and self.impair.drop(len(packet)):
                return
            self.send(tx.protect(packet))

    def send_rtcp(self, packet: bytes) -> None:
        tx = self.dtls.tx if self.dtls is not None else None
        if tx is not None:
            self.send(tx.protect_rtcp(packet))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        goodbye = self.dtls.close() if self.dtls is not None else []
        for datagram in goodbye:
            self.send(datagram)
        self.server.forget(self)
        self.on_closed(self)


# Every publisher shares this one socket, so its buffers must absorb a stall
# of the event loop: the kernel's default (208 KiB, about 90 full packets)
# overflowed under load at half the CPU (docs/benchmarks.md).
SOCKET_BUFFER = 4 << 20


def _enlarge_buffers(sock: Any) -> None:
    if sock is None:
        return
    for force, plain in (
        (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF),
        (getattr(socket, "SO_SNDBUFFORCE", None), socket.SO_SNDBUF),
    ):
        try:  # past net.core.rmem_max / wmem_max needs CAP_NET_ADMIN
            sock.setsockopt(socket.SOL_SOCKET, force or plain, SOCKET_BUFFER)
        except (OSError, TypeError):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, plain, SOCKET_BUFFER)
    got = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if got < SOCKET_BUFFER:
        log.warning(
            "the SFU's UDP receive buffer is %d KiB; raise net.core.rmem_max to %d "
            "(or run with CAP_NET_ADMIN) so bursts are not dropped",
            got // 1024,
            SOCKET_BUFFER,
        )


def _ignore(transport: PeerTransport, packet: bytes) -> None:
    pass


def _ignore_transport(transport: PeerTransport) -> None:
    pass


def _silent(link: TcpLink, packet: bytes) -> None:
    """What a blackholed link does with what it receives: nothing."""


class MediaServer(asyncio.DatagramProtocol):
    """The SFU's one UDP socket, its TCP twin, and the transports that share them.

    `udp=False` (tests only) offers and answers nothing over UDP, as a
    network that blocks UDP would; `tcp_port` None is the UDP port's own
    number, -1 no TCP at all. The TCP limits: `tcp_total` connections at
    once, `tcp_per_address` from one address, `tcp_deadline` seconds for a
    connection to prove itself with a valid STUN check (docs/security.md).
    """

    def __init__(
        self,
        host: str,
        public_host: str | None = None,
        *,
        udp: bool = True,
        tcp_port: int | None = None,
        tcp_total: int = 2000,
        tcp_per_address: int = 100,
        tcp_deadline: float = 5.0,
    ) -> None:
        self.host = host
        self.public_host = public_host or host
        self.port = 0
        self.udp = udp
        self.tcp_port = 0  # once listening; 0: no TCP candidate
        self._tcp_wanted = tcp_port
        self.certificate = dtls.Certificate()
        self.context = self.certificate.context()
        self.by_ufrag: dict[str, PeerTransport] = {}
        self.by_address: dict[Address, PeerTransport] = {}
        self.links: set[TcpLink] = set()
        self.admission = Admission(tcp_total, tcp_per_address)
        self.tcp_deadline = tcp_deadline
        # Tests: ICE credentials whose paths are lost, as when a phone
        # leaves a Wi-Fi network (`blackhole`).
        self.blackholed: set[str] = set()
        self.dropped: Counter[str] = Counter()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._sweeper: asyncio.TimerHandle | None = None

    async def start(self, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, port))
        self._udp = udp
        self.port = udp.get_extra_info("sockname")[1]
        _enlarge_buffers(udp.get_extra_info("socket"))
        if self._tcp_wanted is None or self._tcp_wanted >= 0:
            await self._listen_tcp(self.port if self._tcp_wanted is None else self._tcp_wanted)
        self._sweeper = loop.call_later(5, self._sweep)

    async def _listen_tcp(self, port: int) -> None:
        """Open the TCP twin; without it the SFU still serves UDP, and says so."""
        loop = asyncio.get_running_loop()
        try:
            self._tcp = await loop.create_server(self._new_link, self.host, port)
        except OSError as exc:
            log.warning("the SFU's media over TCP is off: TCP port %d: %s", port, exc.strerror)
            return
        self.tcp_port = self._tcp.sockets[0].getsockname()[1]

    def _new_link(self) -> TcpLink:
        return TcpLink(
            self.admission, self._tcp_packet, self._link_lost, self.dropped, self.tcp_deadline
        )

    def stop(self) -> None:
        for transport in list(self.by_ufrag.values()):
            transport.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
        for link in list(self.links):
            link.close()

    def create(self) -> PeerTransport:
        transport = PeerTransport(self)
        transport.last_check = asyncio.get_running_loop().time()
        self.by_ufrag[transport.ufrag] = transport
        return transport

    def rekey(self, transport: PeerTransport) -> None:
        """New local ICE credentials for `transport` (an ICE restart)."""
        if transport.previous is not None:  # restarted again before the last one took
            self.by_ufrag.pop(transport.previous[0], None)
        transport.previous = (transport.ufrag, transport.pwd, transport.remote_ufrag)
        transport.ufrag = secrets.token_hex(4)
        transport.pwd = secrets.token_hex(16)
        self.by_ufrag[transport.ufrag] = transport

    def forget(self, transport: PeerTransport) -> None:
        self.by_ufrag.pop(transport.ufrag, None)
        if transport.previous is not None:
            self.by_ufrag.pop(transport.previous[0], None)
        self._forget_paths(transport)
        for link in [link for link in self.links if link.bound is transport]:
            link.close()

    def sendto(self, data: bytes, address: Address) -> None:
        if self._udp is not None:
            self._udp.sendto(data, address)

    def blackhole(self, transport: PeerTransport) -> None:
        """Tests: every path the transport has now goes dead, both ways.

        As when a phone leaves a Wi-Fi network: media on its paths is lost,
        checks with its present credentials go unanswered from any address,
        and its TCP connections go silent (not closed, which a browser would
        notice at once), so the browser's consent checks fail. The transport
        itself lives on: an ICE restart's new credentials find it a path.
        """
        self.blackholed.add(transport.ufrag)
        if transport.previous is not None:
            self.blackholed.add(transport.previous[0])
        for link in self.links:
            if link.bound is transport:
                link.on_packet = _silent
        self._forget_paths(transport)

    # --- receiving -----------------------------------------------------------

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if not data:
            return
        first = data[0]
        if first < 4:
            self._stun(data, addr)
            return
        transport = self.by_address.get(addr)
        if transport is None:
            self.dropped["unknown-address"] += 1
        elif 128 <= first <= 191:
            if self._srtp(transport, data) and transport.address != addr:
                self._bind_udp(transport, addr)  # the browser's media moved: follow it
        elif 20 <= first <= 63:
            if transport.address != addr:
                self._bind_udp(transport, addr)
            self.handle_dtls(transport, data, transport.send)
        else:
            self.dropped["unknown-kind"] += 1

    def _stun(self, data: bytes, addr: Address) -> None:
        if not self.udp:
            self.dropped["stun-udp-off"] += 1
            return
        transport, message, key = self._check(data)
        if message is None:
            return
        if transport is None:  # a known user, a wrong password: say so
            self.sendto(stun.binding_error(message, 401, "Unauthorized", None), addr)
            return
        self.sendto(stun.binding_success(message, (addr[0], addr[1]), key), addr)
        self._prove(transport, addr)
        # ICE-lite: the controlling browser picks the pair; follow its latest
        # nomination, or the first valid check if it never nominates.
        if transport.protocol == "" or stun.USE_CANDIDATE in message.attributes:
            self._bind_udp(transport, addr)

    def _check(self, data: bytes) -> tuple[PeerTransport | None, stun.Message | None, bytes]:
        """The transport a Binding request proves itself for, the request, and the key.

        (None, None, b""): not a Binding request for anyone we know (counted);
        (None, message, b""): a known username whose MESSAGE-INTEGRITY fails.
        """
        try:
            message = stun.parse(data)
        except ValueError:
            self.dropped["bad-stun"] += 1
            return None, None, b""
        if message.type != stun.BINDING_REQUEST:
            self.dropped["stun-not-request"] += 1
            return None, None, b""
        local, _, remote = (message.username or "").partition(":")
        if local in self.blackholed:
            self.dropped["stun-blackholed"] += 1
            return None, None, b""
        transport = self.by_ufrag.get(local)
        expected = transport.credentials(local) if transport is not None else None
        if transport is None or expected is None or remote != (expected[1] or remote):
            self.dropped["stun-unknown-user"] += 1
            return None, None, b""
        key = expected[0].encode()
        if not message.check_integrity(key):
            self.dropped["stun-bad-integrity"] += 1
            return None, message, b""
        transport.last_check = asyncio.get_running_loop().time()
        if local == transport.ufrag and transport.previous is not None:
            # The new credentials work: the ones the restart replaced go.
            self.by_ufrag.pop(transport.previous[0], None)
            transport.previous = None
        return transport, message, key

    def _prove(self, transport: PeerTransport, addr: Address) -> None:
        """A valid check came from `addr`: what comes from there is the transport's."""
        owner = self.by_address.get(addr)
        if owner is transport:
            return
        if owner is not None:  # another transport of the browser's, on the same port
            self._disown(owner, addr)
        self.by_address[addr] = transport
        transport.proven.append(addr)
        if len(transport.proven) > MAX_PATHS:
            oldest = next(a for a in transport.proven if a != transport.address)
            self._disown(transport, oldest)

    def _disown(self, transport: PeerTransport, addr: Address) -> None:
        """`addr` is no longer one of the transport's paths."""
        if self.by_address.get(addr) is transport:
            del self.by_address[addr]
        with contextlib.suppress(ValueError):
            transport.proven.remove(addr)
        if transport.address == addr:
            self._unbind(transport)

    def _forget_paths(self, transport: PeerTransport) -> None:
        """None of the transport's paths is any more."""
        for addr in list(transport.proven):
            self._disown(transport, addr)
        self._unbind(transport)

    def _unbind(self, transport: PeerTransport) -> None:
        """The transport sends nowhere until a check, or its browser's packets, give a path."""
        transport.address = None
        transport.link = None
        transport.send = _nowhere

    def _bind_udp(self, transport: PeerTransport, addr: Address) -> None:
        """Send on `addr`, one of the transport's proven addresses, from now on.

        Where the browser nominated, or where its DTLS or media came from
        last: a browser that nominates several pairs (aggressive nomination:
        Firefox nominates its UDP and its TCP pair, in whatever order their
        checks land) sends on just one of them, the one of highest priority
        (RFC 8445 section 8.1.1), not always the one nominated last. Its
        packets say which; what the SFU sent on another path would be lost.
        """
        if transport.address == addr:
            return
        self._unbind(transport)
        transport.address = addr
        udp_sendto = self._udp.sendto if self._udp is not None else None
        if udp_sendto is not None:
            transport.send = lambda data: udp_sendto(data, addr)

    def _bind_tcp(self, transport: PeerTransport, link: TcpLink) -> None:
        if transport.link is link:
            return
        self._unbind(transport)
        transport.link = link
        transport.send = link.send

    # --- receiving over TCP -----------------------------------------------------

    def _tcp_packet(self, link: TcpLink, data: bytes) -> None:
        """One packet off an ICE-TCP connection: demultiplexed as a datagram is."""
        first = data[0]
        if first < 4:
            self._tcp_stun(link, data)
            return
        transport = link.bound
        if not isinstance(transport, PeerTransport):
            link.fail("tcp-no-stun-first")
        elif 128 <= first <= 191:
            if self._srtp(transport, data) and transport.link is not link:
                self._bind_tcp(transport, link)  # the browser's media moved: follow it
        elif 20 <= first <= 63:
            self._bind_tcp(transport, link)
            self.handle_dtls(transport, data, link.send)
        else:
            link.fail("tcp-unknown-kind")

    def _tcp_stun(self, link: TcpLink, data: bytes) -> None:
        transport, message, key = self._check(data)
        if transport is None or message is None:
            # A stranger has no second chance; on a proven link this is a
            # stale check (credentials an ICE restart replaced), dropped as
            # over UDP.
            if link.bound is None:
                link.fail("tcp-bad-stun")
            return
        if link.bound is None:
            link.proven(transport)
            self.links.add(link)
        elif link.bound is not transport:
            link.fail("tcp-other-transport")  # not this connection's to make
            return
        link.last_check = transport.last_check
        peer = link.peer
        link.send(stun.binding_success(message, (peer[0], peer[1]), key))
        if transport.protocol == "" or stun.USE_CANDIDATE in message.attributes:
            self._bind_tcp(transport, link)

    def _link_lost(self, link: TcpLink) -> None:
        self.links.discard(link)
        transport = link.bound
        if isinstance(transport, PeerTransport) and transport.link is link:
            self._unbind(transport)

    # --- DTLS and SRTP ---------------------------------------------------------

    def handle_dtls(self, transport: PeerTransport, data: bytes, reply: Send) -> None:
        endpoint = transport.dtls
        if endpoint is None:
            transport.hold_early(data)
            return
        was = endpoint.state
        try:
            replies = endpoint.receive(data)
        except dtls.DtlsError as exc:
            log.info("closing a media transport: %s", exc)
            transport.close()
            return
        for packet in replies:
            reply(packet)
        if was is not dtls.State.CONNECTED and endpoint.state is dtls.State.CONNECTED:
            transport.on_connected(transport)
        elif endpoint.state is dtls.State.CLOSED:
            transport.close()

    def _srtp(self, transport: PeerTransport, data: bytes) -> bool:
        """Unprotect and route an SRTP or SRTCP packet; whether it was genuine."""
        rx = transport.dtls.rx if transport.dtls is not None else None
        if rx is None or len(data) < 12:
            self.dropped["srtp-early"] += 1
            return False
        rtcp = rtp.is_rtcp(data)
        try:
            plain = rx.unprotect_rtcp(data) if rtcp else rx.unprotect(data)
        except pylibsrtp.Error:
            self.dropped["srtp-auth"] += 1
            return False
        if rtcp:
            transport.on_rtcp(transport, plain)
        else:
            transport.on_rtp(transport, plain)
        return True

    def _sweep(self) -> None:
        """Close transports whose browser stopped its consent checks, and idle links."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for transport in list(self.by_ufrag.values()):
            if now - transport.last_check > CONSENT_TIMEOUT:
                log.info("media transport %s timed out", transport.ufrag)
                transport.close()
        for link in list(self.links):
            if now - link.last_check > CONSENT_TIMEOUT:
                link.close()
        self._sweeper = loop.call_later(5, self._sweep)

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)
