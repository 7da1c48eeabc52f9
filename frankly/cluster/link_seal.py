"""Proving one node to another, and sealing what crosses their link: pure, no I/O.

Nodes of a cluster that hold one room between them (docs/scaling.md, *A room
on several nodes*) talk over a WebSocket on the lending node's own URL. Both
know the cluster's secret (`--cluster-secret-file`); neither ever sends it.

The handshake: the lender sends a fresh random challenge; the borrower
answers with its own and a proof over both and both node ids; the lender
answers with a proof of its own, of another label, so that neither proof can
be replayed as the other. Both then hold a key for this link alone, made from
the two challenges. Every frame after that carries a tag over its position in
the stream (each side counts its frames) and its bytes, so a frame cannot be
altered, dropped, replayed or reordered without the link failing. What the
frames say (SDP, who subscribes to whom) is not encrypted here: wss:// does
that where the node URLs are https, as for every client's signaling.

`derive` gives the other keys of the secret: the relay's (frankly/sfu/relay.py),
which seals the media datagrams between nodes, is one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from pathlib import Path

TAG = 16  # bytes of HMAC-SHA256 kept per frame: forging one is a 2**-128 guess
CHALLENGE = 32  # bytes of randomness from each side
_SEQ = struct.Struct(">Q")


class LinkRefused(ValueError):
    """A proof or a frame's tag did not check out: the other end lacks the secret."""


MIN_SECRET = 16  # characters: shorter is guessable offline from one handshake


def read_secret(path: Path) -> bytes:
    """The cluster secret: the file's first line (`openssl rand -hex 32` makes one)."""
    try:
        lines = path.read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the cluster secret file {path}: {exc}") from None
    secret = lines[0].strip() if lines else ""
    if len(secret) < MIN_SECRET:
        raise ValueError(
            f"the cluster secret file {path} holds {len(secret)} characters: give at least "
            f"{MIN_SECRET} on its first line (openssl rand -hex 32), the same on every node"
        )
    return secret.encode()


def derive(secret: bytes, label: str) -> bytes:
    """A 32-byte key of the cluster secret for one use (HMAC-SHA256 as a PRF)."""
    return hmac.new(secret, b"frankly cluster " + label.encode(), hashlib.sha256).digest()


def challenge() -> str:
    return secrets.token_hex(CHALLENGE)


def proof(secret: bytes, role: str, *parts: str) -> str:
    """`role` ("borrow" or "lend") binds the proof to one direction of the handshake."""
    key = derive(secret, "link")
    return hmac.new(key, "|".join((role, *parts)).encode(), hashlib.sha256).hexdigest()


def check(secret: bytes, given: object, role: str, *parts: str) -> None:
    if not isinstance(given, str) or not hmac.compare_digest(
        given.encode(), proof(secret, role, *parts).encode()
    ):
        raise LinkRefused(f"the other node's {role} proof is wrong: is its cluster secret ours?")


class Sealer:
    """One direction of one link: tags frames in order, or checks them in order."""

    def __init__(self, secret: bytes, direction: str, borrower_nonce: str, lender_nonce: str):
        material = f"session|{direction}|{borrower_nonce}|{lender_nonce}"
        self._key = hmac.new(derive(secret, "link"), material.encode(), hashlib.sha256).digest()
        self._count = 0

    def _tag(self, body: bytes) -> bytes:
        mac = hmac.new(self._key, _SEQ.pack(self._count), hashlib.sha256)
        mac.update(body)
        self._count += 1
        return mac.digest()[:TAG]

    def seal(self, body: bytes) -> bytes:
        return self._tag(body) + body

    def open(self, frame: bytes) -> bytes:
        if len(frame) < TAG:
            raise LinkRefused("a link frame shorter than its tag")
        tag, body = frame[:TAG], frame[TAG:]
        if not hmac.compare_digest(tag, self._tag(body)):
            raise LinkRefused("a link frame's tag is wrong: altered, replayed or out of order")
        return body
