"""Where a new room goes: the least loaded worker by measured load, not by room count."""

from __future__ import annotations

import pytest

from frankly.cluster.worker_placement import PACKETS_PER_CORE, Load, least_loaded


def test_idle_workers_take_rooms_in_turn_by_room_count() -> None:
    assert least_loaded([Load(rooms=1), Load(rooms=0)]) == 1
    assert least_loaded([Load(rooms=0), Load(rooms=0)]) == 0


def test_a_busy_worker_with_fewer_rooms_loses_to_an_idle_one_with_more() -> None:
    busy = Load(packets_per_second=0.5 * PACKETS_PER_CORE, cpu=0.5, rooms=1)
    idle = Load(packets_per_second=100, cpu=0.01, rooms=5)
    assert least_loaded([busy, idle]) == 1


def test_packets_count_even_where_cpu_reads_low() -> None:
    forwarding = Load(packets_per_second=0.6 * PACKETS_PER_CORE, cpu=0.1)
    burning = Load(packets_per_second=0, cpu=0.3)
    assert least_loaded([forwarding, burning]) == 1


def test_loads_within_the_tie_margin_go_by_room_count() -> None:
    assert least_loaded([Load(cpu=0.03, rooms=2), Load(cpu=0.0, rooms=3)]) == 0


def test_a_restarting_worker_takes_rooms_only_when_no_other_is_ready() -> None:
    restarting = Load(ready=False)
    assert least_loaded([restarting, Load(cpu=0.9, rooms=9)]) == 1
    assert least_loaded([restarting]) == 0
    with pytest.raises(ValueError):
        least_loaded([])
