"""The signaling plane's counters: plain integers, read by `metrics` at scrape time.

Nothing here imports prometheus_client: the hub and each connection bump a
dict entry or an int, and only a scrape turns them into metric families.
Every key is a bounded word (a message type, an error code, a drop reason),
never a room, a name or an address, so a client cannot grow these maps.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import Any, Protocol

from frankly.protocol.words import Msg

# What a frame that parses as no message of the protocol is counted as:
# only frames that parse are counted under their type, so a client that
# sends made-up types adds no label value.
UNKNOWN = "unknown"

# Upper bounds, in seconds, of the join time histogram's buckets: a hello
# answered on the event loop takes milliseconds, one with a password hash or
# a dialogue lookup up to a second or two.
JOIN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Histogram:
    """Observations counted per bucket (not cumulative), and their sum."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last: over every bound
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value

    def cumulative(self) -> list[tuple[str, float]]:
        """[(le, count of observations <= le), ..., ("+Inf", all)] as Prometheus wants."""
        out, total = [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            total += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), float(total)))
        return out


class RouterCounters(Protocol):
    """What the SFU's Router counts (frankly/sfu/router.py)."""

    forwarded: int
    forwarded_bytes: int
    nacks_served: int
    nacks_sent: int
    plis: int
    layer_switches: int
    relayed: int


# The Router's counters, in the order `metrics` exports them.
ROUTER_COUNTERS = (
    "forwarded",
    "forwarded_bytes",
    "nacks_served",
    "nacks_sent",
    "plis",
    "layer_switches",
    "relayed",
)


class Stats:
    def __init__(self) -> None:
        self.messages: Counter[str] = Counter()  # received, by type
        self.errors: Counter[str] = Counter()  # sent, by code
        self.joins: Counter[str] = Counter()  # "new" or "resumed"
        self.join_failures: Counter[str] = Counter()  # a hello refused, by code
        # Key exchange the server relays but could not deliver or refused, by code.
        self.e2ee_failures: Counter[str] = Counter()
        self.join_seconds = Histogram(JOIN_BUCKETS)
        # The counters of routers that have stopped (their rooms ended), so
        # that the totals never go down when a room closes.
        self.retired: Counter[str] = Counter()

    def received(self, kind: str | None) -> None:
        """A frame from a client: the type of the message it parsed as, or None."""
        self.messages[kind or UNKNOWN] += 1

    def sent_error(self, message: dict[str, Any]) -> None:
        """An `error` the server sends; a hello's is also a failed join."""
        code, ref = message["code"], message.get("ref")
        self.errors[code] += 1
        if ref == Msg.HELLO:
            self.join_failures[code] += 1
        elif ref == Msg.E2EE:
            self.e2ee_failures[code] += 1

    def retire(self, router: RouterCounters) -> None:
        for name in ROUTER_COUNTERS:
            self.retired[name] += getattr(router, name)

    def router_totals(self, routers: list[RouterCounters]) -> dict[str, int]:
        """Every router's counters summed, the stopped ones' included."""
        return {
            name: self.retired[name] + sum(getattr(router, name) for router in routers)
            for name in ROUTER_COUNTERS
        }
