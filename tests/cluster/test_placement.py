"""Which node a new room goes to (frankly/cluster/placement.py), and registry entries."""

from __future__ import annotations

from frankly.cluster.placement import Node, choose


def node(node_id: str, load: int, draining: bool = False) -> Node:
    return Node(node_id, f"http://{node_id}:8080", load, draining)


def test_the_least_loaded_node_gets_the_room() -> None:
    assert choose([node("a", 5), node("b", 2), node("c", 9)], me="a") == node("b", 2)


def test_on_a_tie_this_node_keeps_the_room_which_saves_a_redirect() -> None:
    assert choose([node("a", 3), node("b", 3)], me="b") == node("b", 3)
    assert choose([node("a", 3), node("c", 3)], me="b") == node("a", 3)  # else the first id


def test_a_draining_node_gets_no_room_however_idle() -> None:
    assert choose([node("a", 0, draining=True), node("b", 40)], me="a") == node("b", 40)


def test_when_every_node_drains_there_is_no_choice() -> None:
    assert choose([node("a", 0, draining=True)], me="a") is None
    assert choose([], me="a") is None


def test_a_registry_entry_round_trips_and_a_bad_one_is_ignored() -> None:
    entry = node("a", 7, draining=True)
    assert Node.parse("a", entry.dump()) == entry
    assert Node.parse("a", None) is None
    assert Node.parse("a", "{not json") is None
    assert Node.parse("a", '{"url": "http://a"}') is None  # no load, no draining flag
