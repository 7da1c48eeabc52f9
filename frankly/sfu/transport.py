"""All media on one UDP port: ICE-lite, DTLS-SRTP, then RTP/RTCP to the router.

Datagrams are told apart by their first byte (RFC 7983). A STUN check names
its transport by ICE username and, when its MESSAGE-INTEGRITY holds, binds
the sender's address to that transport; every other datagram is only
accepted from an address so bound. A malformed or unauthenticated datagram
is dropped and counted; it never reaches another session.
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

log = logging.getLogger(__name__)

Address = tuple[Any, ...]
CONSENT_TIMEOUT = 30.0  # RFC 7675: consent expires 30 s after the last check


class PeerTransport:
    """One ICE/DTLS transport (a browser's RTCPeerConnection toward the SFU)."""

    def __init__(self, server: MediaServer) -> None:
        self.server = server
        self.ufrag = secrets.token_hex(4)
        self.pwd = secrets.token_hex(16)
        # Known once the browser's SDP arrives: with the SFU offering, checks
        # and DTLS may come before the answer does.
        self.remote_ufrag = ""
        self.dtls: Endpoint | None = None
        self._early: list[bytes] = []
        self.address: Address | None = None
        self.impair: Impairment | None = None  # tests: a lossy or narrow link
        self.last_check = 0.0
        self.closed = False
        # Set by the router: called with each unprotected RTP or RTCP packet.
        self.on_rtp: Callable[[PeerTransport, bytes], None] = _ignore
        self.on_rtcp: Callable[[PeerTransport, bytes], None] = _ignore
        self.on_connected: Callable[[PeerTransport], None] = _ignore_transport
        self.on_closed: Callable[[PeerTransport], None] = _ignore_transport

    def set_remote(self, fingerprint: str, ufrag: str) -> None:
        """The browser's DTLS fingerprint and ICE ufrag, from its SDP."""
        if self.dtls is not None:
            return  # an ICE restart would change these; not supported yet
        self.remote_ufrag = ufrag
        self.dtls = Endpoint(self.server.context, fingerprint, server=True)
        early, self._early = self._early, []
        for datagram in early:
            if self.address is not None:
                self.server.handle_dtls(self, datagram, self.address)

    def hold_early(self, datagram: bytes) -> None:
        if len(self._early) < 16:
            self._early.append(datagram)

    @property
    def connected(self) -> bool:
        return (
            self.dtls is not None
            and self.dtls.state is dtls.State.CONNECTED
            and self.address is not None
        )

    def send_rtp(self, packet: bytes) -> None:
        tx = self.dtls.tx if self.dtls is not None else None
        if self.address is not None and tx is not None:
            if self.impair is not None and self.impair.drop(len(packet)):
                return
            self.server.sendto(tx.protect(packet), self.address)

    def send_rtcp(self, packet: bytes) -> None:
        tx = self.dtls.tx if self.dtls is not None else None
        if self.address is not None and tx is not None:
            self.server.sendto(tx.protect_rtcp(packet), self.address)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        goodbye = self.dtls.close() if self.dtls is not None else []
        for datagram in goodbye:
            if self.address is not None:
                self.server.sendto(datagram, self.address)
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


class MediaServer(asyncio.DatagramProtocol):
    """The SFU's one UDP socket and the transports that share it."""

    def __init__(self, host: str, public_host: str | None = None) -> None:
        self.host = host
        self.public_host = public_host or host
        self.port = 0
        self.certificate = dtls.Certificate()
        self.context = self.certificate.context()
        self.by_ufrag: dict[str, PeerTransport] = {}
        self.by_address: dict[Address, PeerTransport] = {}
        self.dropped: Counter[str] = Counter()
        self._udp: asyncio.DatagramTransport | None = None
        self._sweeper: asyncio.TimerHandle | None = None

    async def start(self, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, port))
        self._udp = udp
        self.port = udp.get_extra_info("sockname")[1]
        _enlarge_buffers(udp.get_extra_info("socket"))
        self._sweeper = loop.call_later(5, self._sweep)

    def stop(self) -> None:
        for transport in list(self.by_ufrag.values()):
            transport.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._udp is not None:
            self._udp.close()

    def create(self) -> PeerTransport:
        transport = PeerTransport(self)
        transport.last_check = asyncio.get_running_loop().time()
        self.by_ufrag[transport.ufrag] = transport
        return transport

    def forget(self, transport: PeerTransport) -> None:
        self.by_ufrag.pop(transport.ufrag, None)
        if transport.address is not None and self.by_address.get(transport.address) is transport:
            del self.by_address[transport.address]

    def sendto(self, data: bytes, address: Address) -> None:
        if self._udp is not None:
            self._udp.sendto(data, address)

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
            self._srtp(transport, data)
        elif 20 <= first <= 63:
            self.handle_dtls(transport, data, addr)
        else:
            self.dropped["unknown-kind"] += 1

    def _stun(self, data: bytes, addr: Address) -> None:
        try:
            message = stun.parse(data)
        except ValueError:
            self.dropped["bad-stun"] += 1
            return
        if message.type != stun.BINDING_REQUEST:
            self.dropped["stun-not-request"] += 1
            return
        local, _, remote = (message.username or "").partition(":")
        transport = self.by_ufrag.get(local)
        if transport is None or remote != (transport.remote_ufrag or remote):
            self.dropped["stun-unknown-user"] += 1
            return
        key = transport.pwd.encode()
        if not message.check_integrity(key):
            self.dropped["stun-bad-integrity"] += 1
            self.sendto(stun.binding_error(message, 401, "Unauthorized", None), addr)
            return
        self.sendto(stun.binding_success(message, (addr[0], addr[1]), key), addr)
        transport.last_check = asyncio.get_running_loop().time()
        # ICE-lite: the controlling browser picks the pair; follow its latest
        # nomination, or the first valid check if it never nominates.
        if transport.address is None or stun.USE_CANDIDATE in message.attributes:
            self._bind(transport, addr)

    def _bind(self, transport: PeerTransport, addr: Address) -> None:
        if transport.address == addr:
            return
        if transport.address is not None:
            self.by_address.pop(transport.address, None)
        previous = self.by_address.get(addr)
        if previous is not None and previous is not transport:
            previous.address = None
        transport.address = addr
        self.by_address[addr] = transport

    def handle_dtls(self, transport: PeerTransport, data: bytes, addr: Address) -> None:
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
        for reply in replies:
            self.sendto(reply, addr)
        if was is not dtls.State.CONNECTED and endpoint.state is dtls.State.CONNECTED:
            transport.on_connected(transport)
        elif endpoint.state is dtls.State.CLOSED:
            transport.close()

    def _srtp(self, transport: PeerTransport, data: bytes) -> None:
        rx = transport.dtls.rx if transport.dtls is not None else None
        if rx is None or len(data) < 12:
            self.dropped["srtp-early"] += 1
            return
        rtcp = rtp.is_rtcp(data)
        try:
            plain = rx.unprotect_rtcp(data) if rtcp else rx.unprotect(data)
        except pylibsrtp.Error:
            self.dropped["srtp-auth"] += 1
            return
        if rtcp:
            transport.on_rtcp(transport, plain)
        else:
            transport.on_rtp(transport, plain)

    def _sweep(self) -> None:
        """Close transports whose browser stopped its consent checks."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for transport in list(self.by_ufrag.values()):
            if now - transport.last_check > CONSENT_TIMEOUT:
                log.info("media transport %s timed out", transport.ufrag)
                transport.close()
        self._sweeper = loop.call_later(5, self._sweep)

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)
