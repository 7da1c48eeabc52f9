"""A token bucket: the flood limit of one connection.

Leaf module. Time is passed in, so tests need no clock.
"""

from __future__ import annotations


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
