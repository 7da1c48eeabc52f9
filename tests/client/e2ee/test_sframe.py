"""SFrame as Frankly uses it: RFC 9605's test vectors, the clear prefix, the key schedule."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from frankly.client.e2ee import sframe
from frankly.client.e2ee.sframe import (
    chat_base,
    clear_length,
    decode_header,
    encode_header,
    frame_key,
    kid_for,
    nonce,
    passphrase_base,
    peek_kid,
    ratchet,
    received_in_clear,
    room_secret,
    seal,
    sender_of,
    sent_in_clear,
    unseal,
)

HEADERS = Path(__file__).parent / "vectors" / "rfc9605-c1-headers.txt"


def rfc_headers() -> list[tuple[int, int, str]]:
    rows = []
    for line in HEADERS.read_text().splitlines():
        if line and not line.startswith("#"):
            kid, ctr, header = line.split()
            rows.append((int(kid, 16), int(ctr, 16), header))
    return rows


def test_rfc9605_c1_every_header_encodes_and_decodes() -> None:
    rows = rfc_headers()
    assert len(rows) == 17 * 17
    for kid, ctr, header in rows:
        assert encode_header(kid, ctr).hex() == header, (kid, ctr)
        assert decode_header(bytes.fromhex(header)) == (kid, ctr, len(header) // 2)


def test_headers_decode_after_a_prefix_and_refuse_cut_ones() -> None:
    data = b"\x9d\x01\x2a" + encode_header(0x1FF, 0xAAAA) + b"rest"
    assert decode_header(data, 3) == (0x1FF, 0xAAAA, 3 + 5)
    assert decode_header(bytes.fromhex("9901"), 0) is None  # KID cut short
    assert decode_header(b"", 0) is None
    # Readers accept a longer than minimal encoding.
    assert decode_header(bytes.fromhex("9900070005")) == (7, 5, 5)


# RFC 9605, Appendix C.3, cipher suite 0x0004 (AES_128_GCM_SHA256_128).
C3 = {
    "kid": 0x0000000000000123,
    "ctr": 0x0000000000004567,
    "base_key": "000102030405060708090a0b0c0d0e0f",
    "sframe_key_label": "534672616d6520312e3020536563726574206b65792000000000000001230004",
    "sframe_salt_label": "534672616d6520312e30205365637265742073616c742000000000000001230004",
    "sframe_secret": "d926952ca8b7ec4a95941d1ada3a5203ceff8cceee34f574d23909eb314c40c0",
    "sframe_key": "d34f547f4ca4f9a7447006fe7fcbf768",
    "sframe_salt": "75234edefe07819026751816",
    "metadata": "4945544620534672616d65205747",
    "nonce": "75234edefe07819026755d71",
    "aad": "99012345674945544620534672616d65205747",
    "pt": "64726166742d696574662d736672616d652d656e63",
    "ct": "9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb",
}


def test_rfc9605_c3_key_derivation() -> None:
    base = bytes.fromhex(C3["base_key"])
    kid = C3["kid"]
    assert sframe._label("SFrame 1.0 Secret key ", kid).hex() == C3["sframe_key_label"]
    assert sframe._label("SFrame 1.0 Secret salt ", kid).hex() == C3["sframe_salt_label"]
    assert hmac.new(b"", base, hashlib.sha256).hexdigest() == C3["sframe_secret"]
    fk = frame_key(base, kid)
    assert fk.key.hex() == C3["sframe_key"]
    assert fk.salt.hex() == C3["sframe_salt"]
    assert nonce(fk.salt, C3["ctr"]).hex() == C3["nonce"]


def test_rfc9605_c3_encrypt_and_decrypt() -> None:
    fk = frame_key(bytes.fromhex(C3["base_key"]), C3["kid"])
    pt = bytes.fromhex(C3["pt"])
    metadata = bytes.fromhex(C3["metadata"])
    ct = bytes.fromhex(C3["ct"])
    # With no clear prefix a Frankly frame is exactly RFC 9605's SFrame ciphertext.
    assert seal(fk, C3["ctr"], pt, 0, metadata) == ct
    assert unseal(fk, ct, 0, metadata) == pt
    assert unseal(fk, ct, 0) is None  # the metadata is authenticated
    assert unseal(fk, ct[:-1] + bytes([ct[-1] ^ 1]), 0, metadata) is None


def test_the_clear_prefix_stays_clear_and_is_authenticated() -> None:
    fk = frame_key(bytes(32), kid_for("p-0123456789", 5))
    keyframe = bytes([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]) + b"picture" * 20
    sealed = seal(fk, 7, keyframe, clear_length("video", keyframe))
    assert sealed[:10] == keyframe[:10]
    assert b"picture" not in sealed
    assert peek_kid(sealed, 10) == fk.kid
    assert unseal(fk, sealed, 10) == keyframe
    tampered = bytes([sealed[0] ^ 0x20]) + sealed[1:]
    assert unseal(fk, tampered, 10) is None


def test_clear_lengths() -> None:
    assert clear_length("audio", b"\x78abc") == 1
    assert clear_length("video", b"\x10rest") == 10  # bit 0 clear: a keyframe
    assert clear_length("video", b"\x31rest") == 3
    assert clear_length("video", b"") == 0


@pytest.mark.parametrize(
    ("kind", "frame", "sent", "received"),
    [
        ("video", b"", True, True),
        ("video", b"\x10" * 9, True, True),  # a keyframe shorter than its 10 bytes
        ("video", b"\x10" * 10, False, True),
        ("video", b"\x31\x00", True, True),
        ("video", b"\x31\x00\x00\x00", False, False),
        ("audio", b"", True, True),
        ("audio", b"\x78", False, True),
        ("audio", b"\x78\x01", False, False),
    ],
)
def test_frames_too_short_to_seal(
    kind: sframe.Kind, frame: bytes, sent: bool, received: bool
) -> None:
    assert sent_in_clear(kind, frame) is sent
    assert received_in_clear(kind, frame) is received


def test_kids_carry_the_participant_and_the_generation() -> None:
    kid = kid_for("p-5b1e0c7d2a", 3)
    assert kid == 0x5B1E0C7D2A << 24 | 3
    assert sender_of(kid) == ("p-5b1e0c7d2a", 3)
    assert sender_of(kid_for("p-0000000001", 0xFFFFFF)) == ("p-0000000001", 0xFFFFFF)
    for bad in ("p-5B1E0C7D2A", "5b1e0c7d2a", "p-5b1e0c7d2", "p-5b1e0c7d2ab"):
        with pytest.raises(ValueError):
            kid_for(bad, 0)
    with pytest.raises(ValueError):
        kid_for("p-5b1e0c7d2a", 1 << 24)


def test_key_schedule_steps_are_distinct_and_deterministic() -> None:
    base = bytes(range(32))
    steps = {base, ratchet(base), ratchet(ratchet(base)), chat_base(base)}
    assert len(steps) == 4 and all(len(s) == 32 for s in steps)
    assert ratchet(base) == ratchet(base)
    secret = room_secret("correct horse", "team-sync")
    assert secret == room_secret("correct horse", "team-sync")
    assert secret != room_secret("correct horse", "team-sync2")
    assert secret != room_secret("wrong horse", "team-sync")
    assert passphrase_base(secret, "p-0000000001") != passphrase_base(secret, "p-0000000002")


def test_key_schedule_known_answers() -> None:
    """HKDF-SHA256 with an empty salt, and PBKDF2, computed independently with hashlib."""
    base = bytes(range(32))

    def hkdf(ikm: bytes, info: bytes) -> bytes:
        prk = hmac.new(bytes(32), ikm, hashlib.sha256).digest()  # zeros: the same as no salt
        return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()

    assert ratchet(base) == hkdf(base, b"Frankly ratchet")
    assert chat_base(base) == hkdf(base, b"Frankly chat")
    secret = hashlib.pbkdf2_hmac("sha256", b"pass", b"Frankly room r", 200_000, 32)
    assert room_secret("pass", "r") == secret
    assert passphrase_base(secret, "p-00000000ff") == hkdf(secret, b"Frankly sender p-00000000ff")
