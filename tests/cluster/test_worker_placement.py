"""Where a new room goes: the least loaded worker by measured load, not by room count."""

from __future__ import annotations

import pytest

from frankly.cluster.worker_placement import (
    PACKETS_PER_CORE,
    Load,
    least_loaded,
    place_participant,
)


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


# --- a room's participants (place_participant) -----------------------------------

BUSY = Load(cpu=0.8)
IDLE = Load(cpu=0.05)


def test_a_room_stays_on_its_worker_while_that_has_room() -> None:
    # Worker 1 is idler, but the room's own worker is below the threshold.
    assert place_participant([Load(cpu=0.5), IDLE], [7, None], spread_at=0.75) == 0


def test_a_busy_worker_spreads_its_room_to_the_least_loaded_one() -> None:
    assert place_participant([BUSY, IDLE, Load(cpu=0.3)], [9, None, None], spread_at=0.75) == 1


def test_a_spread_room_fills_the_part_with_most_of_its_people_first() -> None:
    assert place_participant([BUSY, Load(cpu=0.2), IDLE], [9, 4, 1], spread_at=0.75) == 1


def test_when_every_worker_is_busy_the_least_loaded_takes_it_even_its_own() -> None:
    assert place_participant([Load(cpu=0.8), Load(cpu=0.95)], [9, None], spread_at=0.75) == 0


def test_spread_at_zero_spreads_evenly_from_the_first_participant() -> None:
    here: list[int | None] = [0, None]
    for _ in range(6):
        worker = place_participant([IDLE, IDLE], here, spread_at=0.0)
        here[worker] = (here[worker] or 0) + 1
    assert here == [3, 3]


def test_a_restarting_worker_takes_no_participant_while_another_is_ready() -> None:
    assert place_participant([Load(ready=False), BUSY], [None, 3], spread_at=0.0) == 1
    with pytest.raises(ValueError):
        place_participant([IDLE], [], spread_at=0.5)
