"""The cost of a cascaded hop and what it means for capacity against cores (pure arithmetic).

`frankly bench sfu --workers N` measures one room on one worker and the same
room spread over N (workers.py); this module turns the two runs' figures into
the extra CPU of the relay path a relayed packet and into a capacity model
(docs/benchmarks.md, "One worker against N", says what the model assumes).
"""

from __future__ import annotations

from dataclasses import dataclass


def counter(text: str, name: str) -> float:
    """The value of an unlabelled series `name` in a Prometheus text page (0 if absent:
    a counter the server has not reported yet has counted nothing)."""
    for line in text.splitlines():
        word, _, value = line.partition(" ")
        if word == name:
            return float(value)
    return 0.0


def relayed_in_window(received: int, relayed_delta: float, forwarded_delta: float) -> float:
    """Relayed packets in a window in which the generator received `received`.

    The workers report their counters once a second each, at their own phase,
    so a difference of /metrics readings covers no exact window; but each
    report holds both counters at one instant, so their ratio over any span of
    the same steady load is exact for each worker, and for their sum when the
    parts relay the same share of what they forward (an even spread; else a
    report more or less of one worker moves it a little, less the longer the
    span). The generator's own count fixes the scale.
    """
    return received * relayed_delta / forwarded_delta if forwarded_delta > 0 else 0.0


def relayed_per_forwarded(publishers: int, viewers: int, parts: int) -> float:
    """Relayed over forwarded packets of one room spread evenly over `parts` workers.

    Each publisher's packets reach every other participant (P - 1 + V
    forwards) and, once, every other part (parts - 1 relays): with viewers
    on every part, each part wants every publisher's layer.
    """
    return (parts - 1) / (publishers - 1 + viewers)


@dataclass(frozen=True)
class RelayCost:
    """What spreading one room cost, from one run on one worker and one spread."""

    single_cpu_us: float  # server CPU a forwarded packet, room on one worker
    spread_cpu_us: float  # the same, room spread
    relayed_per_forwarded: float  # in the spread run
    relay_us: float  # extra CPU a relayed packet: (CPU spread - CPU single) / relayed
    added_latency_p50_us: float  # spread - single
    added_latency_p99_us: float


def relay_cost(
    single_cpu: float,
    single_forwarded: int,
    spread_cpu: float,
    spread_forwarded: int,
    relayed: float,
    latency_single_us: tuple[float, float],
    latency_spread_us: tuple[float, float],
) -> RelayCost:
    """The extra cost of the relay path, from two runs of the same load (CPU in seconds).

    The single run's CPU is scaled to the spread run's forwarded packets, so
    that a little loss in one of them is not taken for relay cost. What is left
    is all the spread run costs more: the origin's send on the relay socket, the
    far worker's receive and its routing, and the extra worker's own timers.
    """
    single_us = 1e6 * single_cpu / single_forwarded if single_forwarded else float("nan")
    spread_us = 1e6 * spread_cpu / spread_forwarded if spread_forwarded else float("nan")
    extra_us = (spread_us - single_us) * spread_forwarded
    return RelayCost(
        single_cpu_us=single_us,
        spread_cpu_us=spread_us,
        relayed_per_forwarded=relayed / spread_forwarded if spread_forwarded else float("nan"),
        relay_us=extra_us / relayed if relayed else float("nan"),
        added_latency_p50_us=latency_spread_us[0] - latency_single_us[0],
        added_latency_p99_us=latency_spread_us[1] - latency_single_us[1],
    )


def predicted_cpu(forward_us: float, relay_us: float, forwarded: float, relayed: float) -> float:
    """CPU seconds the model gives for `forwarded` and `relayed` packets."""
    return (forward_us * forwarded + relay_us * relayed) / 1e6


def capacity(cores: float, forward_us: float, relay_us: float, relayed_per_fwd: float) -> float:
    """Forwarded packets a second that `cores` SFU cores carry for rooms of this relay share."""
    return cores * 1e6 / (forward_us + relay_us * relayed_per_fwd)
