"""Token buckets, failure windows and memory budgets: flood limits, join
limits, password tries, bytes owed to slow readers.

Leaf module. Time is passed in, so tests need no clock.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from typing import Any


class TokenBucket:
    """Allows `rate` events a second on average and bursts of `burst`."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def take(self, now: float) -> bool:
        """Spend one token if there is one; False means: drop this event."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class KeyedBuckets:
    """One TokenBucket per key (an address), forgetting those that refilled.

    A bucket idle for burst/rate seconds is full again, so dropping it loses
    nothing; that keeps memory bounded by the keys seen in that time.
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}  # least recently used first

    def take(self, key: str, now: float) -> bool:
        self._forget_full(now)
        bucket = self._buckets.pop(key, None) or TokenBucket(self.rate, self.burst, now)
        self._buckets[key] = bucket
        return bucket.take(now)

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            if now - oldest.stamp < refill:
                return
            del self._buckets[key]


class Attempts:
    """Failures per key within a sliding window: `limit` in `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[Hashable, deque[float]] = {}  # least recently failed first

    def blocked(self, key: Hashable, now: float) -> bool:
        self._forget_old(now)
        failures = self._failures.get(key)
        if failures is None:
            return False
        while now - failures[0] >= self.window:
            failures.popleft()
        return len(failures) >= self.limit

    def failed(self, key: Hashable, now: float) -> None:
        self._forget_old(now)
        failures = self._failures.pop(key, None) or deque(maxlen=self.limit)
        failures.append(now)
        self._failures[key] = failures

    def _forget_old(self, now: float) -> None:
        """Drop keys whose last failure left the window (they come first)."""
        while self._failures:
            key, failures = next(iter(self._failures.items()))
            if now - failures[-1] < self.window:
                return
            del self._failures[key]


class UnreadBudget:
    """Bytes queued for clients that have not read them yet, over all connections.

    Each connection's outgoing queue is bounded in messages (link.py) and, here,
    in bytes: one connection may owe `per_queue` bytes, and all of them
    together `total`. Past the total, a message is refused only to a connection
    that owes more than its share (the total owed over the connections owing
    anything), so the readers that hoard lose their sockets (and may resume)
    while those that keep up are still served. A queue that owes nothing takes
    any one message, however large: a welcome must always fit.

    Sizes are counted in characters of the JSON text, which is ASCII-escaped
    (messages.dump), so characters are bytes.
    """

    def __init__(self, total: int, per_queue: int) -> None:
        self.total = total
        self.per_queue = per_queue
        self.used = 0
        self.owing = 0  # queues that owe anything

    def queue(self, maxsize: int) -> UnreadQueue:
        """A connection's outgoing queue, counted against this budget."""
        return UnreadQueue(self, maxsize)

    def allows(self, owed: int, size: int) -> bool:
        if owed == 0:
            return True
        if owed + size > self.per_queue:
            return False
        return self.used + size <= self.total or owed * self.owing < self.used

    def _add(self, owed: int, size: int) -> None:
        self.owing += owed == 0 and size > 0
        self.used += size

    def _remove(self, owed: int, size: int) -> None:
        self.used -= size
        self.owing -= owed == size and size > 0


def unread_budget(ws: Any) -> UnreadBudget:
    """The budget of the server `ws` came to (set by create_app), or a lone one."""
    budget = getattr(getattr(getattr(ws, "app", None), "state", None), "unread", None)
    return budget if isinstance(budget, UnreadBudget) else UnreadBudget(64 << 20, 4 << 20)


class UnreadQueue(asyncio.Queue[str | int]):
    """An asyncio.Queue of outgoing texts (and close codes) that keeps to a budget.

    `put_nowait` raises QueueFull when the budget refuses a text, as it does
    when the queue is full, so a caller handles both alike.
    """

    def __init__(self, budget: UnreadBudget, maxsize: int) -> None:
        super().__init__(maxsize)
        self.budget = budget
        self.owed = 0

    def put_nowait(self, item: str | int) -> None:
        size = len(item) if isinstance(item, str) else 0
        if size and not self.budget.allows(self.owed, size):
            raise asyncio.QueueFull
        super().put_nowait(item)
        self.budget._add(self.owed, size)
        self.owed += size

    def _get(self) -> str | int:
        item: str | int = super()._get()
        if isinstance(item, str):
            self.budget._remove(self.owed, len(item))
            self.owed -= len(item)
        return item
