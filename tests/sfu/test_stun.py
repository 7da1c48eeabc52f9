"""STUN for ICE-lite, checked against aioice's independent implementation."""

from __future__ import annotations

import os

import pytest
from aioice import stun as ref

from frankly.sfu import stun

KEY = b"server-password-0123456789"


def test_parse_a_request_built_by_aioice() -> None:
    request = ref.Message(ref.Method.BINDING, ref.Class.REQUEST, os.urandom(12))
    request.attributes["USERNAME"] = "sfu1:brow"
    request.attributes["PRIORITY"] = 1853824767
    request.attributes["ICE-CONTROLLING"] = 12345
    request.attributes["USE-CANDIDATE"] = None
    request.add_message_integrity(KEY)
    request.add_fingerprint()
    message = stun.parse(bytes(request))
    assert message.type == stun.BINDING_REQUEST
    assert message.username == "sfu1:brow"
    assert stun.USE_CANDIDATE in message.attributes
    assert message.check_integrity(KEY)
    assert not message.check_integrity(b"wrong")


def test_success_response_verifies_in_aioice() -> None:
    transaction = os.urandom(12)
    request = stun.parse(stun.binding_request(transaction, "sfu1:brow", KEY))
    answer = stun.binding_success(request, ("127.0.0.1", 50123), KEY)
    parsed = ref.parse_message(answer)
    assert parsed.check_message_integrity(KEY)
    assert parsed.message_class == ref.Class.RESPONSE
    assert parsed.transaction_id == transaction
    assert parsed.attributes["XOR-MAPPED-ADDRESS"] == ("127.0.0.1", 50123)
    assert stun.parse(answer).check_integrity(KEY)


def test_ipv6_mapped_address_round_trips() -> None:
    transaction = os.urandom(12)
    request = stun.parse(stun.binding_request(transaction, "a:b", KEY))
    answer = stun.parse(stun.binding_success(request, ("::1", 9), KEY))
    value = answer.attributes[stun.XOR_MAPPED_ADDRESS]
    assert stun.read_xor_address(value, transaction) == ("::1", 9)


def test_demultiplexing() -> None:
    assert stun.is_stun(stun.binding_request(os.urandom(12), "a:b", KEY))
    assert not stun.is_stun(b"\x80" + bytes(30))  # RTP
    assert not stun.is_stun(b"\x16" + bytes(30))  # DTLS


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x00\x01", "STUN message shorter than its 20-byte header"),
        (b"\x00\x01\x00\x00" + b"\x00" * 16, "STUN magic cookie is wrong"),
        (b"\x00\x01\x00\x04\x21\x12\xa4\x42" + bytes(12), "STUN length 4 does not match"),
        (
            b"\x00\x01\x00\x04\x21\x12\xa4\x42" + bytes(12) + b"\x00\x06\x00\x09",
            "STUN attribute 0x0006 runs past the end",
        ),
    ],
)
def test_malformed_is_refused_with_the_reason(data: bytes, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        stun.parse(data)


def test_corrupted_fingerprint_is_refused() -> None:
    data = bytearray(stun.binding_request(os.urandom(12), "a:b", KEY))
    data[-1] ^= 1
    with pytest.raises(ValueError, match="STUN fingerprint does not match"):
        stun.parse(bytes(data))
