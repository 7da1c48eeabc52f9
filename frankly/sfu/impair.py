"""A network impairment on one transport's egress: loss and a rate cap.

Leaf module, for tests and demonstrations: it lets a test put one subscriber
behind a lossy or narrow link while everyone else's stays clean, which a
shared loopback interface cannot do. Off (None) in normal operation.
"""

from __future__ import annotations

import time


class Impairment:
    def __init__(
        self, loss_every: int = 0, rate_bps: float = 0.0, burst_bytes: int = 30_000
    ) -> None:
        """Drop every `loss_every`-th packet (0: none) and packets over `rate_bps` (0: no cap)."""
        self.loss_every = loss_every
        self.rate = rate_bps / 8
        self.burst = burst_bytes
        self.tokens = float(burst_bytes)
        self.stamp = time.monotonic()
        self.count = 0
        self.dropped = 0

    def drop(self, size: int) -> bool:
        """True when this packet is lost on the emulated link."""
        self.count += 1
        if self.loss_every and self.count % self.loss_every == 0:
            self.dropped += 1
            return True
        if self.rate:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < size:
                self.dropped += 1
                return True
            self.tokens -= size
        return False
