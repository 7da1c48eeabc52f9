"""Prometheus metrics: read from the hub's and the SFU's own counters at scrape time.

A custom collector walks what the server already keeps (rooms, routers, the
media server's drop counts, `Stats`, the lag monitor) when Prometheus asks,
so the SFU's per-packet path does no work for metrics beyond the integer
increments it always had. Every label value is a bounded word: a mode, an
error code, a message type, a drop reason. No room, name or address.

/metrics is never open to the world by default (docs/operations.md): either
its own listener (`--metrics-listen 127.0.0.1:9100`, `listener.py`) or the
main port behind a bearer token (`--metrics-token-file`); neither, no /metrics.
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from frankly import __version__
from frankly.ops.lag import LagMonitor
from frankly.ops.stats import Histogram

if TYPE_CHECKING:
    from frankly.server.hub import Hub

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # what generate_latest writes
MODES = ("p2p", "sfu")

# The Router's counters (frankly/sfu/router.py) as metrics: name, help.
ROUTER_METRICS = {
    "forwarded": ("frankly_sfu_forwarded_packets", "RTP packets the SFU sent to subscribers"),
    "forwarded_bytes": (
        "frankly_sfu_forwarded_bytes",
        "RTP bytes the SFU sent to subscribers (header and payload, before SRTP's tag)",
    ),
    "nacks_served": (
        "frankly_sfu_nack_resent_packets",
        "packets the SFU resent from its cache when a subscriber NACKed them",
    ),
    "nacks_sent": (
        "frankly_sfu_nack_requested_packets",
        "sequence numbers the SFU NACKed to publishers (lost on the way in)",
    ),
    "plis": ("frankly_sfu_plis", "keyframe requests (PLI) the SFU sent to publishers"),
    "layer_switches": (
        "frankly_sfu_layer_switches",
        "times a subscriber's video moved to another simulcast layer",
    ),
    "relayed": (
        "frankly_sfu_relayed_packets",
        "RTP packets relayed once to another SFU worker holding part of the same room",
    ),
}


class HubCollector(Collector):
    def __init__(self, hub: Hub, lag: LagMonitor) -> None:
        self.hub = hub
        self.lag = lag

    def collect(self) -> Iterator[Metric]:
        yield from self._rooms()
        yield from self._signaling()
        yield from self._sfu()
        yield from self._loop()
        info = InfoMetricFamily("frankly_build", "the running Frankly")
        info.add_metric([], {"version": __version__})
        yield info

    def _rooms(self) -> Iterator[Metric]:
        rooms = GaugeMetricFamily("frankly_rooms", "open rooms, by mode", labels=["mode"])
        people = GaugeMetricFamily(
            "frankly_participants",
            "participants in open rooms (those whose socket dropped, within grace, too)",
            labels=["mode"],
        )
        room_count: Counter[str] = Counter()
        people_count: Counter[str] = Counter()
        for room in self.hub.rooms.rooms.values():
            room_count[room.mode] += 1
            people_count[room.mode] += len(room.participants)
        for mode in MODES:
            rooms.add_metric([mode], room_count[mode])
            people.add_metric([mode], people_count[mode])
        yield rooms
        yield people

    def _signaling(self) -> Iterator[Metric]:
        stats = self.hub.stats
        joins = Counter({"new": 0, "resumed": 0})  # both series there from the start
        joins.update(stats.joins)
        yield _counter("frankly_joins", "participants let in (welcome sent)", "kind", joins)
        yield _counter(
            "frankly_join_failures",
            "hellos refused, by error code",
            "reason",
            stats.join_failures,
        )
        yield _histogram(
            "frankly_join_seconds",
            "from a hello read to its welcome queued (lobby waits not included)",
            stats.join_seconds,
        )
        yield _counter(
            "frankly_signaling_messages",
            "messages received from clients, by type ('unknown': parsed as none)",
            "type",
            stats.messages,
        )
        yield _counter(
            "frankly_signaling_errors",
            "error messages sent to clients, by code",
            "code",
            stats.errors,
        )
        yield _counter(
            "frankly_e2ee_relay_failures",
            "key-exchange messages the server refused or could not deliver, by code",
            "code",
            stats.e2ee_failures,
        )

    def _sfu(self) -> Iterator[Metric]:
        totals = self.hub.stats.router_totals(list(self.hub.routers.values()))
        for name, (metric, text) in ROUTER_METRICS.items():
            family = CounterMetricFamily(metric, text)
            family.add_metric([], totals[name])
            yield family
        dropped = self.hub.media_dropped()
        yield _counter(
            "frankly_sfu_dropped_packets",
            "datagrams the SFU's media port dropped, by reason",
            "reason",
            dropped,
        )

    def _loop(self) -> Iterator[Metric]:
        last = GaugeMetricFamily(
            "frankly_event_loop_lag_last_seconds", "how late the event loop woke, latest"
        )
        last.add_metric([], self.lag.last)
        yield last
        yield _histogram(
            "frankly_event_loop_lag_seconds",
            "how late the event loop woke, measured every 0.25 s",
            self.lag.histogram,
        )


def _counter(name: str, text: str, label: str, counts: Counter[str]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, text, labels=[label])
    for value, count in sorted(counts.items()):
        family.add_metric([value], count)
    return family


def _histogram(name: str, text: str, histogram: Histogram) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, text)
    family.add_metric([], histogram.cumulative(), histogram.sum)
    return family


def registry(hub: Hub, lag: LagMonitor) -> CollectorRegistry:
    """The server's own registry (not prometheus_client's global one: a test
    process runs many servers), with the process's CPU, memory and files."""
    made = CollectorRegistry(auto_describe=False)
    made.register(HubCollector(hub, lag))
    ProcessCollector(registry=made)
    return made


def render(made: CollectorRegistry) -> bytes:
    """The text exposition. Runs on the event loop, so the rooms it reads hold still."""
    return generate_latest(made)


def token_ok(header: str | None, token: str) -> bool:
    """`Authorization: Bearer TOKEN`, compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    given_bytes, token_bytes = given.strip().encode(), token.encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given_bytes, token_bytes)
