"""ICE over TCP: RFC 4571 framing, connection limits, and the SFU's TCP twin on loopback."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from frankly.sfu import dtls, sdp, stun, tcp
from frankly.sfu.tcp import Admission, Deframer, FrameError, TcpLink
from frankly.sfu.transport import MediaServer, PeerTransport
from tests.waiting import until

# --- framing ----------------------------------------------------------------


def test_frames_split_over_reads_come_out_whole() -> None:
    packets = [b"a" * 5, b"b" * 300, b"c"]
    stream = b"".join(tcp.frame(p) for p in packets)
    deframer = Deframer()
    out: list[bytes] = []
    for i in range(len(stream)):  # one byte a read, the worst a stream can do
        out += deframer.feed(stream[i : i + 1])
    assert out == packets


def test_several_frames_in_one_read_and_a_tail_kept_for_the_next() -> None:
    stream = tcp.frame(b"one") + tcp.frame(b"two") + tcp.frame(b"three")[:4]
    deframer = Deframer()
    assert deframer.feed(stream) == [b"one", b"two"]
    assert deframer.feed(b"ree") == [b"three"]
    assert deframer.feed(b"") == []


def test_an_oversize_length_is_refused_before_its_bytes_arrive() -> None:
    deframer = Deframer(limit=100)
    with pytest.raises(FrameError, match="RFC 4571 frame of 101 bytes, over the 100 limit"):
        deframer.feed(struct.pack("!H", 101))


def test_an_empty_frame_is_refused() -> None:
    with pytest.raises(FrameError, match="RFC 4571 frame of 0 bytes"):
        Deframer().feed(b"\x00\x00")


def test_the_deframer_holds_at_most_one_frame() -> None:
    deframer = Deframer(limit=50)
    deframer.feed(struct.pack("!H", 50) + b"x" * 49)
    assert len(deframer._pending) == 51
    assert deframer.feed(b"x" + struct.pack("!H", 3)) == [b"x" * 50]
    assert len(deframer._pending) == 2


def test_a_packet_too_long_for_two_bytes_cannot_be_framed() -> None:
    with pytest.raises(FrameError, match="a 65536-byte packet cannot be framed"):
        tcp.frame(b"x" * 65536)


# --- limits and backpressure -------------------------------------------------


def test_admission_caps_the_total_and_each_address_but_not_loopback() -> None:
    gate = Admission(total=4, per_address=2)
    assert gate.admit("192.0.2.1") and gate.admit("192.0.2.1")
    assert not gate.admit("192.0.2.1")  # its own cap
    assert gate.admit("127.0.0.1") and gate.admit("127.0.0.1")  # loopback: only the total
    assert not gate.admit("198.51.100.7")  # the total
    gate.release("192.0.2.1")
    assert gate.admit("198.51.100.7")
    for host in ("192.0.2.1", "198.51.100.7", "127.0.0.1", "127.0.0.1"):
        gate.release(host)
    assert gate.open == 0 and not gate.by_address


def test_an_ipv6_address_counts_by_its_64() -> None:
    gate = Admission(total=10, per_address=2)
    assert gate.admit("2001:db8:1:2::1") and gate.admit("2001:db8:1:2::ffff")
    assert not gate.admit("2001:db8:1:2:aaaa::7")  # the same /64
    assert gate.admit("2001:db8:1:3::1")  # another


class _SlowTransport(asyncio.Transport):
    """A connection whose reader stopped: everything written stays buffered."""

    def __init__(self) -> None:
        super().__init__()
        self.buffered = 0
        self.writes = 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("192.0.2.9", 5000) if name == "peername" else default

    def write(self, data: Any) -> None:
        self.buffered += len(data)
        self.writes += 1

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False

    def abort(self) -> None:
        pass


async def test_a_slow_reader_loses_packets_instead_of_growing_a_buffer() -> None:
    dropped: Counter[str] = Counter()
    link = TcpLink(Admission(10, 10), lambda link, p: None, lambda link: None, dropped, 5.0)
    slow = _SlowTransport()
    link.connection_made(slow)
    for _ in range(1000):
        link.send(b"m" * 1200)
    assert slow.buffered <= tcp.WRITE_LIMIT + 1202
    assert dropped["tcp-backpressure"] == 1000 - slow.writes > 700
    link.connection_lost(None)


# --- the SFU's TCP twin ------------------------------------------------------


@pytest.fixture
async def media() -> AsyncIterator[MediaServer]:
    server = MediaServer("127.0.0.1", tcp_deadline=0.3)
    await server.start()
    yield server
    server.stop()


def _check(transport: PeerTransport, nominate: bool = True, ufrag: str | None = None) -> bytes:
    user = f"{ufrag or transport.ufrag}:browser"
    return stun.binding_request(os.urandom(12), user, transport.pwd.encode(), nominate=nominate)


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (length,) = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), 5))
    return await asyncio.wait_for(reader.readexactly(length), 5)


async def _closed(reader: asyncio.StreamReader) -> bool:
    """Whether the server closes the connection (soon), whatever it sent before."""
    try:
        while await asyncio.wait_for(reader.read(4096), 5):
            pass
    except ConnectionResetError:
        pass
    return True


async def test_a_valid_check_over_tcp_makes_the_connection_the_transports_path(
    media: MediaServer,
) -> None:
    assert media.tcp_port == media.port  # the UDP port's TCP twin
    transport = media.create()
    transport.remote_ufrag = "browser"
    reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    request = _check(transport)
    writer.write(tcp.frame(request))
    response = stun.parse(await _read_frame(reader))
    assert response.type == stun.BINDING_SUCCESS
    assert response.transaction == stun.parse(request).transaction
    assert response.check_integrity(transport.pwd.encode())
    assert transport.protocol == "tcp" and transport.link is not None
    # What the SFU sends the transport goes down this connection, framed.
    transport.send(b"\x80hello")
    assert await _read_frame(reader) == b"\x80hello"
    writer.close()
    await writer.wait_closed()
    await until(lambda: transport.link is None, 5, "the path goes with the connection")
    assert transport.protocol == "" and media.links == set()


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", "tcp-bad-frame"),  # "GE": a length of 18245
        (struct.pack("!H", 60000) + b"x" * 100, "tcp-bad-frame"),  # oversize
        (tcp.frame(b"\x80\x60" + os.urandom(40)), "tcp-no-stun-first"),  # RTP before STUN
        (tcp.frame(stun.binding_request(os.urandom(12), "nobody:x", b"pw")), "tcp-bad-stun"),
    ],
    ids=["garbage", "oversize", "rtp-first", "unknown-user"],
)
async def test_bad_input_closes_just_that_connection(
    media: MediaServer, first: bytes, reason: str
) -> None:
    transport = media.create()
    good_reader, good_writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    good_writer.write(tcp.frame(_check(transport)))
    await _read_frame(good_reader)
    reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    writer.write(first)
    assert await _closed(reader)
    assert media.dropped[reason] >= 1
    # The good connection is untouched.
    good_writer.write(tcp.frame(_check(transport)))
    assert stun.parse(await _read_frame(good_reader)).type == stun.BINDING_SUCCESS
    assert transport.protocol == "tcp"
    good_writer.close()
    writer.close()


async def test_a_connection_that_proves_nothing_is_closed_after_the_deadline(
    media: MediaServer,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    writer.write(b"\x00")  # half a length, and then nothing: a slow loris
    assert await _closed(reader)
    assert media.dropped["tcp-no-stun"] == 1
    assert media.admission.open == 0
    writer.close()


async def test_connections_past_the_cap_are_refused() -> None:
    media = MediaServer("127.0.0.1", tcp_total=2)
    await media.start()
    try:
        held = [await asyncio.open_connection("127.0.0.1", media.tcp_port) for _ in range(2)]
        reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
        assert await _closed(reader)
        assert media.dropped["tcp-refused"] == 1 and media.admission.open == 2
        for _, w in [*held, (reader, writer)]:
            w.close()
    finally:
        media.stop()


# --- ICE restarts and a path taken away ----------------------------------------


async def test_after_a_restart_the_old_credentials_work_until_the_new_ones_do(
    media: MediaServer,
) -> None:
    transport = media.create()
    old_ufrag = transport.ufrag
    old = _check(transport)
    transport.restart("browser2")
    assert transport.ufrag != old_ufrag and media.by_ufrag[old_ufrag] is transport
    reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    writer.write(tcp.frame(old))  # the old generation, still answered
    assert stun.parse(await _read_frame(reader)).type == stun.BINDING_SUCCESS
    new = stun.binding_request(
        os.urandom(12), f"{transport.ufrag}:browser2", transport.pwd.encode()
    )
    writer.write(tcp.frame(new))
    assert stun.parse(await _read_frame(reader)).type == stun.BINDING_SUCCESS
    assert old_ufrag not in media.by_ufrag  # proven: the old ones are gone
    writer.close()


async def test_a_blackholed_transport_goes_unanswered_until_ice_restarts(
    media: MediaServer,
) -> None:
    transport = media.create()
    loop = asyncio.get_running_loop()
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    class Browser(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            answers.put_nowait(data)

    udp, _ = await loop.create_datagram_endpoint(Browser, local_addr=("127.0.0.1", 0))
    try:
        udp.sendto(_check(transport), ("127.0.0.1", media.port))
        await asyncio.wait_for(answers.get(), 5)
        reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
        writer.write(tcp.frame(_check(transport)))
        await _read_frame(reader)
        assert transport.protocol == "tcp"
        media.blackhole(transport)
        assert transport.protocol == ""
        udp.sendto(_check(transport), ("127.0.0.1", media.port))
        writer.write(tcp.frame(_check(transport)))
        other_reader, other = await asyncio.open_connection("127.0.0.1", media.tcp_port)
        other.write(tcp.frame(_check(transport)))  # no new connection helps either
        assert await _closed(other_reader)
        assert transport.protocol == "" and answers.empty()
        assert media.dropped["stun-blackholed"] == 2  # the silenced link's never got there
        # New credentials (an ICE restart) find a path again, the old address too.
        transport.restart("browser")
        udp.sendto(_check(transport), ("127.0.0.1", media.port))
        assert stun.parse(await asyncio.wait_for(answers.get(), 5)).type == stun.BINDING_SUCCESS
        assert transport.protocol == "udp"
        writer.close()
        other.close()
    finally:
        udp.close()


# --- several nominated pairs: the browser's packets say which it uses ------------

RTP = bytes([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]) + b"payload" * 10


async def test_the_path_follows_the_browsers_dtls_and_media_not_its_last_nomination(
    media: MediaServer,
) -> None:
    """As Firefox does (aggressive nomination): it nominates its UDP pair and
    its TCP pair, the TCP check landing last, and goes on over UDP, the pair
    of higher priority. The SFU once followed the last nomination alone, sent
    its DTLS and media down TCP and dropped Firefox's handshake over UDP, and
    Firefox's link stayed "connecting" (issue 16)."""
    transport = media.create()
    browser = dtls.Certificate()
    transport.set_remote(browser.fingerprint, "browser")
    client = dtls.Endpoint(browser.context(), media.certificate.fingerprint, server=False)
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    class Browser(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: Any) -> None:
            answers.put_nowait(data)

    loop = asyncio.get_running_loop()
    udp, _ = await loop.create_datagram_endpoint(Browser, local_addr=("127.0.0.1", 0))
    reader, writer = await asyncio.open_connection("127.0.0.1", media.tcp_port)
    server = ("127.0.0.1", media.port)
    try:
        udp.sendto(_check(transport), server)
        await asyncio.wait_for(answers.get(), 5)
        writer.write(tcp.frame(_check(transport)))  # nominated last
        await _read_frame(reader)
        assert transport.protocol == "tcp"
        # The handshake over UDP: the SFU answers there, and sends there from now on.
        flight = client.start()
        while client.state is not dtls.State.CONNECTED:
            for datagram in flight:
                udp.sendto(datagram, server)
            flight = client.receive(await asyncio.wait_for(answers.get(), 5))
            while not answers.empty():
                flight += client.receive(answers.get_nowait())
        await until(lambda: transport.connected, 5, "the SFU's end of the handshake")
        assert transport.protocol == "udp"
        transport.send_rtp(RTP)
        assert client.rx is not None
        assert client.rx.unprotect(await asyncio.wait_for(answers.get(), 5)) == RTP
        # Media over the other proven path takes the transport there; from an
        # address never proven, it is dropped.
        assert client.tx is not None
        writer.write(tcp.frame(client.tx.protect(RTP)))
        await until(lambda: transport.protocol == "tcp", 5, "the path follows the media")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
            stranger.sendto(client.tx.protect(RTP[:3] + b"\x02" + RTP[4:]), server)
            await until(lambda: media.dropped["unknown-address"] == 1, 5, "the stranger dropped")
        assert transport.protocol == "tcp"
    finally:
        udp.close()
        writer.close()


# --- the SDP -----------------------------------------------------------------


def _local(**kw: Any) -> sdp.Local:
    return sdp.Local("u", "p", "AA:AA", "192.0.2.1", 8080, **kw)


def test_the_tcp_candidate_is_passive_and_ranks_below_udp() -> None:
    udp, tcp_line = sdp.candidates(_local(tcp_port=8081))
    assert udp == f"a=candidate:1 1 udp {sdp.UDP_PRIORITY} 192.0.2.1 8080 typ host"
    assert tcp_line == (
        f"a=candidate:2 1 tcp {sdp.TCP_PRIORITY} 192.0.2.1 8081 typ host tcptype passive"
    )
    assert sdp.TCP_PRIORITY < sdp.UDP_PRIORITY
    assert sdp.candidates(_local()) == [udp]  # no TCP twin open: no TCP candidate


def test_without_udp_only_the_tcp_candidate_is_offered() -> None:
    local = _local(tcp_port=8081, udp=False)
    slot = sdp.Outgoing("0", "audio", sdp.Codec(111, "OPUS", 48000, 2))
    text = sdp.subscriber_offer(local, [slot], 2)
    assert "m=audio 8081 " in text
    assert [line for line in text.split("\r\n") if "candidate:" in line] == [
        f"a=candidate:2 1 tcp {sdp.TCP_PRIORITY} 192.0.2.1 8081 typ host tcptype passive"
    ]
