"""How late the event loop runs what it was asked to run: the server's own pulse.

Every signaling message, timer and SFU packet waits its turn on one event
loop, so a loop that runs late (a long synchronous call, CPU starved) delays
them all. A task asks to wake every INTERVAL seconds and records how much
later than asked it woke; `readyz` refuses while that stays over a threshold
for the last RECENT wake-ups (one late wake-up is a hiccup, not a state).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib

from frankly.ops.stats import Histogram

INTERVAL = 0.25  # seconds between two measurements
RECENT = 4  # measurements `sustained` looks at: one second's
# Bounds of the lag histogram, in seconds: a healthy loop wakes within a
# millisecond or two; a tenth of a second is already heard in a call.
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class LagMonitor:
    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self.last = 0.0  # seconds late, at the latest wake-up
        self.histogram = Histogram(LAG_BUCKETS)
        self._recent: collections.deque[float] = collections.deque(maxlen=RECENT)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def sustained(self) -> float:
        """The least lag of the last RECENT wake-ups: how late the loop has been all
        along (0 until there are that many)."""
        return min(self._recent) if len(self._recent) == RECENT else 0.0

    def record(self, lag: float) -> None:
        self.last = max(lag, 0.0)
        self._recent.append(self.last)
        self.histogram.observe(self.last)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.record(loop.time() - asked)
