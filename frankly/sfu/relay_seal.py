"""Sealing the relay's datagrams between nodes: AES-256-GCM with a replay window.

A sealed datagram is ``boot id (4) | counter (8) | ciphertext | tag (16)``. The
boot id is random, chosen when a socket starts; the counter counts its
datagrams from 1. Together they are the GCM nonce, sent in clear so that the
receiver can refuse replays before it decrypts anything. The additional data
is ``sender address > receiver address`` (the relay's "udp:HOST:PORT"
strings): a datagram taken off the wire does not open when re-sent from
another address, nor when sent to another node than it was sealed for.

Each sender seals under a key of its own, derived from the cluster's key and
its address (HMAC-SHA256): GCM must never see one nonce twice under one key,
and 4 random bytes alone would repeat across a cluster's many worker starts
all too likely (a chance of about n**2 / 2**33 for n starts: one in ten for
30,000); per address, only that address's own starts can meet (a worker
bound to port 0 gets a new address each start).

The receiver keeps, per (sender address, boot id), the highest counter seen
and which of the 64 before it came (RFC 3711's replay list, as SRTP does): a
counter seen already or older than the window is a replay. State is made only
for a datagram that opened, and at most SOURCES of them are kept (the least
recently heard forgotten), so neither forged nor restarted senders grow memory;
a replay older than what is remembered (past SOURCES other senders' starts
heard since) would be taken again: the price of that bound.

No I/O here: bytes in, bytes out, and the reason a datagram is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections import OrderedDict

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256
_NONCE = struct.Struct(">4sQ")  # boot id, counter: the GCM nonce, in clear
TAG_BYTES = 16
OVERHEAD = _NONCE.size + TAG_BYTES
WINDOW = 64  # counters below the highest that may still come, out of order
# (Sender, boot) pairs remembered: a node's workers and a few restarts of each, with room.
SOURCES = 1024

UNAUTHENTICATED = "relay-unauthenticated"
REPLAYED = "relay-replayed"


class Refused(Exception):
    """A datagram that is not taken; `reason` is its drop counter's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_key(key: bytes | None) -> bytes:
    if key is None:
        raise ValueError("the relay over UDP needs a key: it never crosses a network in clear")
    if len(key) != KEY_BYTES:
        raise ValueError(f"the relay key is {len(key)} bytes, not {KEY_BYTES}")
    return key


def _aad(source: str, destination: str) -> bytes:
    return f"{source}>{destination}".encode()


def _sender_key(key: bytes, source: str) -> AESGCM:
    return AESGCM(hmac.digest(key, b"frankly relay sender " + source.encode(), hashlib.sha256))


class Sealer:
    """One socket's sending side: a boot id of its own and a counter."""

    def __init__(self, key: bytes) -> None:
        self._key = check_key(key)
        self._aead: tuple[str, AESGCM] | None = None  # its address's key
        self.boot = os.urandom(4)
        self.counter = 0

    def seal(self, data: bytes, source: str, destination: str) -> bytes:
        if self._aead is None or self._aead[0] != source:
            self._aead = (source, _sender_key(self._key, source))
        self.counter += 1  # 2**64 datagrams: never wraps
        nonce = _NONCE.pack(self.boot, self.counter)
        return nonce + self._aead[1].encrypt(nonce, data, _aad(source, destination))


class _Window:
    """What one sender's boot has sent: the highest counter and a bit per earlier one."""

    __slots__ = ("seen", "top")

    def __init__(self) -> None:
        self.top = 0
        self.seen = 0  # bit i: counter top - i came (bit 0, top itself)

    def fresh(self, counter: int) -> bool:
        if counter > self.top:
            return True
        behind = self.top - counter
        return behind < WINDOW and not self.seen >> behind & 1

    def mark(self, counter: int) -> None:
        if counter > self.top:
            ahead = counter - self.top
            self.seen = (self.seen << ahead | 1) & ((1 << WINDOW) - 1) if ahead < WINDOW else 1
            self.top = counter
        else:
            self.seen |= 1 << (self.top - counter)


class Opener:
    """One socket's receiving side: opens what its senders sealed for it, once each."""

    def __init__(self, key: bytes, sources: int = SOURCES) -> None:
        self._key = check_key(key)
        self._windows: OrderedDict[tuple[str, bytes], _Window] = OrderedDict()
        self._senders: OrderedDict[str, AESGCM] = OrderedDict()  # each one's key, once heard
        self._sources = sources

    def open(self, datagram: bytes, source: str, destination: str) -> bytes:
        """The plaintext of a datagram from `source`, or Refused."""
        if len(datagram) < OVERHEAD:
            raise Refused(UNAUTHENTICATED)
        nonce = datagram[: _NONCE.size]
        boot, counter = _NONCE.unpack(nonce)
        window = self._windows.get((source, boot))
        if window is not None and not window.fresh(counter):
            raise Refused(REPLAYED)  # before decrypting: a replay costs no AES
        aead = self._senders.get(source) or _sender_key(self._key, source)
        try:
            data = aead.decrypt(nonce, datagram[_NONCE.size :], _aad(source, destination))
        except InvalidTag:
            raise Refused(UNAUTHENTICATED) from None
        self._remember(source, boot, window).mark(counter)
        self._senders[source] = aead
        self._senders.move_to_end(source)
        if len(self._senders) > self._sources:
            self._senders.popitem(last=False)
        return data

    def _remember(self, source: str, boot: bytes, window: _Window | None) -> _Window:
        if window is not None:
            self._windows.move_to_end((source, boot))
            return window
        window = self._windows[source, boot] = _Window()
        while len(self._windows) > self._sources:
            self._windows.popitem(last=False)
        return window
