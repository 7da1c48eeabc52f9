"""The arithmetic of `frankly bench sfu --workers N`'s spread room: the relayed packets of
a window from /metrics, the relay path's cost, and the capacity model of docs/benchmarks.md.
"""

from __future__ import annotations

import math

import pytest

from frankly.bench.sfu.relay_model import (
    capacity,
    counter,
    predicted_cpu,
    relay_cost,
    relayed_in_window,
    relayed_per_forwarded,
)

PAGE = """# HELP frankly_sfu_relayed_packets_total RTP packets relayed
# TYPE frankly_sfu_relayed_packets_total counter
frankly_sfu_relayed_packets_total 1234.0
frankly_sfu_relayed_packets_created 1.7e9
frankly_sfu_forwarded_packets_total 5.6e4
frankly_rooms{mode="sfu"} 1.0
"""


def test_a_counter_is_read_by_its_exact_name_and_is_zero_before_any_report() -> None:
    assert counter(PAGE, "frankly_sfu_relayed_packets_total") == 1234.0
    assert counter(PAGE, "frankly_sfu_forwarded_packets_total") == 56_000.0
    assert counter(PAGE, "frankly_sfu_relayed_packets") == 0.0  # not the HELP line's word
    assert counter("", "frankly_sfu_relayed_packets_total") == 0.0


def test_relayed_packets_of_a_window_take_the_counters_ratio_and_the_generators_count() -> None:
    # The readings spanned 2.5 s of load at 40 forwarded a relayed; the window got 100,000.
    assert relayed_in_window(100_000, 5_000, 200_000) == 2_500
    assert relayed_in_window(100_000, 0, 0) == 0  # no report between the readings


def test_an_even_spread_relays_each_publisher_once_to_each_other_part() -> None:
    # 6 publishers and 20 viewers: each packet in goes to 25 people.
    assert relayed_per_forwarded(6, 20, 1) == 0
    assert relayed_per_forwarded(6, 20, 2) == pytest.approx(1 / 25)
    assert relayed_per_forwarded(6, 20, 4) == pytest.approx(3 / 25)


def test_the_relay_cost_is_the_spread_runs_extra_cpu_over_its_relayed_packets() -> None:
    # 10 µs a forwarded packet on one worker; spread: 100,000 forwarded, 4,000 relayed,
    # and 0.08 s more CPU, so 20 µs a relayed packet.
    cost = relay_cost(0.95, 95_000, 1.08, 100_000, 4_000, (500.0, 2000.0), (650.0, 2600.0))
    assert cost.single_cpu_us == pytest.approx(10.0)
    assert cost.spread_cpu_us == pytest.approx(10.8)
    assert cost.relayed_per_forwarded == pytest.approx(0.04)
    assert cost.relay_us == pytest.approx(20.0)  # the single run's loss is not relay cost
    assert (cost.added_latency_p50_us, cost.added_latency_p99_us) == (150.0, 600.0)
    assert math.isnan(relay_cost(1, 10, 1, 10, 0, (0, 0), (0, 0)).relay_us)


def test_the_model_charges_each_forward_and_each_relay_and_gives_capacity_per_core() -> None:
    assert predicted_cpu(10.0, 20.0, 100_000, 4_000) == pytest.approx(1.08)
    assert capacity(1, 10.0, 0.0, 0.0) == pytest.approx(100_000)
    # 8 cores, a relay at 20 µs every 25 forwards: 8e6 / (10 + 0.8) µs.
    assert capacity(8, 10.0, 20.0, 1 / 25) == pytest.approx(8e6 / 10.8)
