"""This node's measured load for its registry entry (placement.NodeLoad), taken at each beat.

Rates over the time since the last beat: the server process's own CPU time
(time.process_time: all its threads, the SFU's loop when it forwards in
process), plus what its SFU workers reported for their last second (already
rates, worker_process.py), and the packets forwarded, from the hub's running
total (ops/stats.py: stopped rooms' included, so the total never goes back).
The clock and the counters are passed in, so tests drive them by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from frankly.cluster.placement import NodeLoad


class NodeMeter:
    def __init__(
        self,
        *,
        forwarded: Callable[[], int],
        workers_cpu: Callable[[], float],
        participants: Callable[[], int],
        cores: int,
        clock: Callable[[], float] = time.monotonic,
        cpu_time: Callable[[], float] = time.process_time,
    ) -> None:
        self._forwarded, self._workers_cpu = forwarded, workers_cpu
        self._participants = participants
        self._cores, self._clock, self._cpu_time = cores, clock, cpu_time
        self._last = (clock(), cpu_time(), forwarded())

    def __call__(self) -> NodeLoad:
        """The load since the last call (or since the meter was made)."""
        now = (self._clock(), self._cpu_time(), self._forwarded())
        span = now[0] - self._last[0]
        cpu, packets = 0.0, 0.0
        if span > 0:
            cpu = max(now[1] - self._last[1], 0.0) / span
            packets = max(now[2] - self._last[2], 0) / span
            self._last = now
        return NodeLoad(
            self._participants(), cpu + self._workers_cpu(), packets, max(self._cores, 1)
        )
