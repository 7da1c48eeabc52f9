"""DTLS-SRTP between two in-memory endpoints, then SRTP both ways."""

from __future__ import annotations

import pytest

from frankly.sfu import dtls

RTP = bytes([0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]) + b"payload" * 10


def pair(server_sees: str | None = None) -> tuple[dtls.Endpoint, dtls.Endpoint]:
    client_cert, server_cert = dtls.Certificate(), dtls.Certificate()
    client = dtls.Endpoint(client_cert.context(), server_cert.fingerprint, server=False)
    server = dtls.Endpoint(server_cert.context(), server_sees or client_cert.fingerprint)
    return client, server


def run(client: dtls.Endpoint, server: dtls.Endpoint) -> None:
    """Shuttle datagrams until neither side has anything to send."""
    to_server = client.start()
    while to_server:
        to_client = [d for datagram in to_server for d in server.receive(datagram)]
        to_server = [d for datagram in to_client for d in client.receive(datagram)]


def test_handshake_gives_matching_srtp_sessions() -> None:
    client, server = pair()
    run(client, server)
    assert client.state is dtls.State.CONNECTED and server.state is dtls.State.CONNECTED
    assert client.tx and server.rx and server.tx and client.rx
    protected = client.tx.protect(RTP)
    assert protected != RTP and server.rx.unprotect(protected) == RTP
    assert client.rx.unprotect(server.tx.protect(RTP)) == RTP


def test_wrong_fingerprint_fails() -> None:
    client, server = pair(server_sees="AB:" * 31 + "AB")
    with pytest.raises(dtls.DtlsError, match="does not match the SDP fingerprint"):
        run(client, server)
    assert server.state is dtls.State.FAILED and server.rx is None


def test_garbage_records_are_ignored_and_the_handshake_still_works() -> None:
    client, server = pair()
    assert server.receive(b"\x16\xfe\xfd" + b"\x00" * 40) == []
    assert server.receive(b"\x17") == []
    assert server.state is dtls.State.HANDSHAKING
    run(client, server)
    assert server.state is dtls.State.CONNECTED


def test_demultiplexing() -> None:
    assert dtls.is_dtls(b"\x16\xfe\xfd") and not dtls.is_dtls(RTP) and not dtls.is_dtls(b"")
