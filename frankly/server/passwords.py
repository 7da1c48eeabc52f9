"""Room passwords: scrypt off the event loop, its work bounded per address and in total.

scrypt at its interactive cost takes tens of milliseconds and 16 MiB. Run on
the event loop, a flood of password changes from hosts that each stay under
their connection's flood limit stalled every room on the server (issue 10).
So every hash runs on a small thread pool (hashlib releases the GIL while it
works), and before one is queued, two cheap checks may refuse it:

- the whole server has at most `queue` hashes queued or running, so the pool
  never falls more than `queue` hashes (a few hundred ms) behind;
- one address may start `per_address_burst` hashes at once, refilling at
  `per_address_rate` a second. Loopback is many people behind an untrusted
  proxy (see access.own_address): it has no bucket of its own, only the
  total, so that nobody there can use up the others' share.

A refusal costs a dictionary look-up, never a hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from frankly.protocol.errors import Close, Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.server.limits import KeyedBuckets

SALT_BYTES = 16


@dataclass(frozen=True)
class Hashed:
    """A password as a room keeps it: never the password itself."""

    salt: bytes
    digest: bytes

    def __repr__(self) -> str:  # nothing worth printing
        return "Hashed(...)"


class Hasher:
    def __init__(
        self, workers: int, queue: int, per_address_rate: float, per_address_burst: float
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scrypt")
        self._queue = queue
        self._busy = 0  # hashes queued or running
        self._buckets = KeyedBuckets(per_address_rate, per_address_burst)

    async def make(self, password: str, address: str | None, now: float, ref: Msg) -> Hashed:
        """Hash a new password under a fresh salt (a host's `settings`)."""
        salt = secrets.token_bytes(SALT_BYTES)
        return Hashed(salt, await self._hash(password, salt, address, now, ref))

    async def matches(
        self, password: str, hashed: Hashed, address: str | None, now: float, ref: Msg
    ) -> bool:
        digest = await self._hash(password, hashed.salt, address, now, ref)
        return secrets.compare_digest(digest, hashed.digest)

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _hash(
        self, password: str, salt: bytes, address: str | None, now: float, ref: Msg
    ) -> bytes:
        self._admit(address, now, ref)
        self._busy += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, scrypt, password, salt)
        finally:
            self._busy -= 1

    def _admit(self, address: str | None, now: float, ref: Msg) -> None:
        """Refuse cheaply, before any work: the server's total first, then the address's."""
        # A refused hello may simply try again a little later (1013); a
        # refused `settings` changes nothing and leaves the connection open.
        close = Close.TRY_AGAIN_LATER if ref == Msg.HELLO else None
        if self._busy >= self._queue:
            what = "the server is busy checking passwords; try again in a moment"
            raise ProtocolError(Code.BUSY, what, ref, close, counts=False)
        if address is not None and not self._buckets.take(address, now):
            what = "too many passwords from this address at once; try again in a moment"
            raise ProtocolError(Code.BUSY, what, ref, close)


def scrypt(password: str, salt: bytes) -> bytes:
    # scrypt at its interactive cost (16 MiB, tens of milliseconds): the
    # password is only ever in memory, but a memory dump should not hand it out.
    return hashlib.scrypt(password.encode(), salt=salt, n=1 << 14, r=8, p=1)
