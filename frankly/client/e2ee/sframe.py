"""SFrame (RFC 9605) as Frankly uses it: docs/security.md, *Wire format*.

A leaf module of pure functions over bytes: the header, the keys of one KID,
sealing and opening one frame with its clear prefix, and the key schedule
(ratchet, chat, passphrase). frankly/web/e2ee/sframe.js is its browser twin;
the two must agree byte for byte.

The cipher suite is AES_128_GCM_SHA256_128 (0x0004). Frankly's one deviation
from RFC 9605: the first bytes of a frame (the *clear prefix*) stay in the
clear ahead of the header, and are authenticated with it. With an empty
prefix a sealed frame is exactly RFC 9605's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

SUITE = 0x0004
"""AES_128_GCM_SHA256_128."""
KEY_BYTES = 16
SALT_BYTES = 12
TAG_BYTES = 16
BASE_BYTES = 32
"""Every base key (a generation of a sender's key) is 32 bytes."""
GENERATION_BITS = 24
MAX_GENERATION = (1 << GENERATION_BITS) - 1
PASSPHRASE_ITERATIONS = 200_000

Kind = Literal["audio", "video"]

_PARTICIPANT_ID = re.compile(r"^p-[0-9a-f]{10}$")


# --- header -------------------------------------------------------------------


def _minimal(value: int) -> bytes:
    """Big-endian bytes of ``value``, as few as hold it (at least one)."""
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def encode_header(kid: int, ctr: int) -> bytes:
    """The header for ``kid`` and ``ctr``: config byte ``X KKK Y CCC``, then KID, then CTR.

    A value below 8 sits in its 3 bits of the config byte (flag 0); a larger
    one follows in the fewest bytes, its length minus one in those 3 bits (flag 1).
    """
    if not 0 <= kid < 1 << 64 or not 0 <= ctr < 1 << 64:
        raise ValueError("KID and CTR are unsigned 64-bit values")
    config = 0
    tail = b""
    for value, shift in ((kid, 4), (ctr, 0)):
        if value < 8:
            config |= value << shift
        else:
            raw = _minimal(value)
            config |= (0x8 | (len(raw) - 1)) << shift
            tail += raw
    return bytes([config]) + tail


def decode_header(data: bytes, at: int = 0) -> tuple[int, int, int] | None:
    """``(kid, ctr, end)`` of the header starting at ``data[at]``; None if cut short.

    ``end`` is the index of the first byte after the header. Any length is
    accepted, minimal or not.
    """
    if at >= len(data):
        return None
    config = data[at]
    pos = at + 1
    values: list[int] = []
    for nibble in (config >> 4, config & 0xF):
        if not nibble & 0x8:
            values.append(nibble)
            continue
        length = (nibble & 0x7) + 1
        if pos + length > len(data):
            return None
        values.append(int.from_bytes(data[pos : pos + length], "big"))
        pos += length
    return values[0], values[1], pos


# --- key ids ----------------------------------------------------------------------


def kid_for(participant_id: str, generation: int) -> int:
    """A sender's KID: its id (``p-`` and 10 hex digits, 40 bits) above the 24-bit generation."""
    if not _PARTICIPANT_ID.match(participant_id):
        raise ValueError(f"not a participant id: {participant_id!r}")
    if not 0 <= generation <= MAX_GENERATION:
        raise ValueError(f"a generation is 24 bits, not {generation}")
    return int(participant_id[2:], 16) << GENERATION_BITS | generation


def sender_of(kid: int) -> tuple[str, int]:
    """The participant id and the generation a KID names."""
    return f"p-{kid >> GENERATION_BITS:010x}", kid & MAX_GENERATION


# --- keys ---------------------------------------------------------------------------


def _extract(ikm: bytes) -> bytes:
    # HKDF-Extract with an empty salt, which RFC 5869 makes the same as HashLen zeros.
    return hmac.new(b"", ikm, hashlib.sha256).digest()


def _expand(secret: bytes, info: bytes, length: int) -> bytes:
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(secret)


def hkdf(ikm: bytes, info: str | bytes, length: int) -> bytes:
    """HKDF-SHA256 (RFC 5869) with an empty salt."""
    label = info.encode() if isinstance(info, str) else info
    return _expand(_extract(ikm), label, length)


def _label(text: str, kid: int) -> bytes:
    return text.encode() + kid.to_bytes(8, "big") + SUITE.to_bytes(2, "big")


@dataclass(frozen=True, slots=True)
class FrameKey:
    """The AEAD key and salt of one KID, ready to seal and open its frames."""

    kid: int
    key: bytes
    salt: bytes
    aead: AESGCM = field(repr=False, compare=False)


def frame_key(base: bytes, kid: int) -> FrameKey:
    """The key and salt of ``kid`` from its base key (RFC 9605, section 4.4.2)."""
    secret = _extract(base)
    key = _expand(secret, _label("SFrame 1.0 Secret key ", kid), KEY_BYTES)
    salt = _expand(secret, _label("SFrame 1.0 Secret salt ", kid), SALT_BYTES)
    return FrameKey(kid, key, salt, AESGCM(key))


def nonce(salt: bytes, ctr: int) -> bytes:
    """The salt XOR the counter (as 12 big-endian bytes)."""
    mixed = int.from_bytes(salt, "big") ^ ctr
    return mixed.to_bytes(SALT_BYTES, "big")


def ratchet(base: bytes) -> bytes:
    """The next generation's base key, after someone joined (a one-way step)."""
    return hkdf(base, "Frankly ratchet", BASE_BYTES)


def chat_base(base: bytes) -> bytes:
    """The base key that chat is sealed with: apart from media's, so they never share a CTR."""
    return hkdf(base, "Frankly chat", BASE_BYTES)


def room_secret(passphrase: str, room: str) -> bytes:
    """What every participant of a passphrase room derives alike (slow on purpose)."""
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(),
        length=BASE_BYTES,
        salt=f"Frankly room {room}".encode(),
        iterations=PASSPHRASE_ITERATIONS,
    )
    return kdf.derive(passphrase.encode())


def passphrase_base(secret: bytes, participant_id: str) -> bytes:
    """A participant's base key (generation 0, for good) in a passphrase room."""
    return hkdf(secret, f"Frankly sender {participant_id}", BASE_BYTES)


# --- frames ---------------------------------------------------------------------------


def clear_length(kind: Kind, data: bytes) -> int:
    """How many leading bytes of a frame stay in the clear.

    The Opus TOC byte; a VP8 frame's tag (3 bytes), or a keyframe's tag, start
    code and size (10 bytes; a keyframe has bit 0 of byte 0 clear). The RTP
    packetizer and the SFU read them.
    """
    if kind == "audio":
        return 1
    if not data:
        return 0
    return 3 if data[0] & 0x01 else 10


def is_keyframe(data: bytes) -> bool:
    """Whether a (clear or sealed) VP8 frame is a keyframe."""
    return bool(data) and not data[0] & 0x01


def seal(fk: FrameKey, ctr: int, data: bytes, clear: int = 0, metadata: bytes = b"") -> bytes:
    """``clear prefix | header | ciphertext | tag``, the AAD being ``prefix | header | metadata``.

    ``ctr`` must never repeat under one key. ``metadata`` is RFC 9605's (Frankly
    uses none).
    """
    header = encode_header(fk.kid, ctr)
    head = data[:clear] + header
    return head + fk.aead.encrypt(nonce(fk.salt, ctr), data[clear:], head + metadata)


def peek_kid(data: bytes, clear: int = 0) -> int | None:
    """The KID a sealed frame names, or None when it has no whole header."""
    header = decode_header(data, clear)
    return None if header is None else header[0]


def unseal(fk: FrameKey, data: bytes, clear: int = 0, metadata: bytes = b"") -> bytes | None:
    """The frame `seal` sealed (prefix and plaintext); None if it does not authenticate."""
    header = decode_header(data, clear)
    if header is None or header[0] != fk.kid:
        return None
    _, ctr, end = header
    if len(data) < end + TAG_BYTES:
        return None
    try:
        plain = fk.aead.decrypt(nonce(fk.salt, ctr), data[end:], data[:end] + metadata)
    except InvalidTag:
        return None  # another key, or tampered with
    return data[:clear] + plain


def sent_in_clear(kind: Kind, data: bytes) -> bool:
    """Whether a frame to send goes unsealed: empty, or shorter than its clear prefix.

    There is nothing beyond the prefix to hide (docs/security.md).
    """
    return not data or len(data) < clear_length(kind, data)


def received_in_clear(kind: Kind, data: bytes) -> bool:
    """Whether a received frame is played as it came: no longer than its clear prefix.

    A sealed frame has a header and a tag after its prefix, so such a frame
    cannot be one; and it carries nothing a sender could have meant to hide.
    (The browser also sends a frame of exactly its prefix's length unsealed.)
    """
    return len(data) <= clear_length(kind, data)
