"""Which node a new room goes to (frankly/cluster/placement.py): by measured load (CPU and
packets, per forwarding core), participants breaking ties; and registry entries."""

from __future__ import annotations

import json

from frankly.cluster.node_load import NodeMeter
from frankly.cluster.placement import Node, NodeLoad, choose
from frankly.cluster.worker_placement import PACKETS_PER_CORE


def node(
    node_id: str,
    participants: int = 0,
    *,
    cpu: float = 0.0,
    packets: float = 0.0,
    cores: int = 1,
    draining: bool = False,
) -> Node:
    return Node(
        node_id, f"http://{node_id}:8080", NodeLoad(participants, cpu, packets, cores), draining
    )


def test_the_node_that_measured_the_least_load_gets_the_room_not_the_fewest_people() -> None:
    # b serves fewer people, but they are in one big meeting that keeps its core busy.
    busy_few = node("b", 12, cpu=0.8)
    idle_many = node("a", 40, cpu=0.1)
    assert choose([busy_few, idle_many], me="b") == idle_many


def test_packets_count_as_the_share_of_a_core_they_take() -> None:
    # c's CPU reads low (an average over a short second) but it forwards 80 % of a core.
    forwarding = node("c", 5, cpu=0.2, packets=0.8 * PACKETS_PER_CORE)
    burning = node("d", 5, cpu=0.5)
    assert choose([forwarding, burning], me="c") == burning


def test_the_load_is_per_forwarding_core() -> None:
    # Four workers at 1.6 cores in all are 40 % busy; one core at 0.7 is 70 %.
    four = node("e", 30, cpu=1.6, cores=4)
    one = node("f", 10, cpu=0.7)
    assert choose([one, four], me="f") == four
    assert four.load.share == 0.4


def test_within_the_tie_margin_fewer_participants_win() -> None:
    assert choose([node("a", 9, cpu=0.03), node("b", 2, cpu=0.05)], me="a") == node(
        "b", 2, cpu=0.05
    )
    # Outside it, the lighter load wins however many people it serves.
    assert choose([node("a", 9, cpu=0.03), node("b", 2, cpu=0.09)], me="a") == node(
        "a", 9, cpu=0.03
    )


def test_on_a_full_tie_this_node_keeps_the_room_which_saves_a_redirect() -> None:
    assert choose([node("a", 3), node("b", 3)], me="b") == node("b", 3)
    assert choose([node("a", 3), node("c", 3)], me="b") == node("a", 3)  # else the first id


def test_a_draining_node_gets_no_room_however_idle() -> None:
    assert choose([node("a", draining=True), node("b", 40, cpu=0.9)], me="a") == node(
        "b", 40, cpu=0.9
    )


def test_when_every_node_drains_there_is_no_choice() -> None:
    assert choose([node("a", draining=True)], me="a") is None
    assert choose([], me="a") is None


def test_a_registry_entry_round_trips_and_a_bad_one_is_ignored() -> None:
    entry = node("a", 7, cpu=0.25, packets=1234.5, cores=4, draining=True)
    assert Node.parse("a", entry.dump()) == entry
    assert Node.parse("a", None) is None
    assert Node.parse("a", "{not json") is None
    assert Node.parse("a", '{"url": "http://a"}') is None  # no load, no draining flag
    assert Node.parse("a", '{"url": "http://a", "load": 1, "draining": false, "cpu": "x"}') is None


def test_an_entry_of_a_node_before_the_measured_load_reads_as_idle_by_its_participants() -> None:
    old = '{"url": "http://a:8080", "load": 7, "draining": false}'
    assert Node.parse("a", old) == node("a", 7)
    # And "load" stays the participant count, which such a node reads of ours.
    assert json.loads(node("b", 3, cpu=0.5).dump())["load"] == 3


def test_the_meter_gives_rates_since_its_last_reading() -> None:
    clock, cpu, forwarded = [100.0], [5.0], [1000]
    meter = NodeMeter(
        forwarded=lambda: forwarded[0],
        workers_cpu=lambda: 0.75,  # the workers' last reports, already per second
        participants=lambda: 6,
        cores=2,
        clock=lambda: clock[0],
        cpu_time=lambda: cpu[0],
    )
    clock[0], cpu[0], forwarded[0] = 102.0, 5.5, 45_000
    assert meter() == NodeLoad(participants=6, cpu=0.25 + 0.75, packets=22_000.0, cores=2)
    # Nothing more forwarded nor spent in the next second: the rates fall to the workers'.
    clock[0] = 103.0
    assert meter() == NodeLoad(participants=6, cpu=0.75, packets=0.0, cores=2)


def test_the_meter_of_a_node_without_workers_counts_one_core() -> None:
    meter = NodeMeter(
        forwarded=lambda: 0,
        workers_cpu=lambda: 0.0,
        participants=lambda: 0,
        cores=0,  # --workers 0: the SFU forwards on the server's own loop
        clock=lambda: 0.0,
        cpu_time=lambda: 0.0,
    )
    assert meter().cores == 1
