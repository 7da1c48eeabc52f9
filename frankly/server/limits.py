"""Token buckets and failure windows: flood limits, join limits, password tries.

Leaf module. Time is passed in, so tests need no clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


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
