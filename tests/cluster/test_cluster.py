"""One node's side of the cluster (frankly/cluster/nodes.py) against a real Redis, in-process.

Two Cluster objects stand for two nodes; each beat is called by hand, and a
node's death is its entry deleted (what its TTL does a few seconds later).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import RedisError

from frankly.cluster.nodes import Cluster, meeting_key, node_key, room_key
from frankly.cluster.placement import HERE, NodeLoad
from frankly.server.meetings import Record
from tests.cluster.nodes import RedisServer


def node(redis_server: RedisServer, url: str, rooms: list[str]) -> Cluster:
    return Cluster(
        redis_server.url,
        url,
        load=lambda: NodeLoad(participants=len(rooms)),
        draining=lambda: False,
        rooms=lambda: rooms,
        resync=lambda: None,
    )


@pytest.fixture
async def pair(redis_server: RedisServer) -> AsyncIterator[tuple[Cluster, Cluster, list[str]]]:
    rooms_a: list[str] = []
    a = node(redis_server, "http://a:1", rooms_a)
    b = node(redis_server, "http://b:2", [])
    for cluster in (a, b, a):  # a sees b too
        await cluster.beat()
    yield a, b, rooms_a
    for cluster in (a, b):
        await cluster.redis.aclose()


async def test_a_room_goes_to_one_node_and_the_other_sends_its_hellos_there(
    pair: tuple[Cluster, Cluster, list[str]], redis_server: RedisServer
) -> None:
    a, b, rooms_a = pair
    assert await a.place("r") == HERE
    rooms_a.append("r")
    assert redis_server.client().get(room_key("r")) == a.id
    placed = await b.place("r")
    assert placed.redirect == "http://a:1" and placed.record is None
    assert b.urls() == ["http://b:2", "http://a:1"]


async def test_the_records_are_written_at_the_beat_and_deleted_with_the_meeting(
    pair: tuple[Cluster, Cluster, list[str]], redis_server: RedisServer
) -> None:
    a, _, rooms_a = pair
    rooms_a.append("r")
    a.keep("r", json.dumps(Record(id="m", members={"h": "host"}).__dict__))
    await a.beat()
    assert json.loads(redis_server.client().get(meeting_key("r")))["members"] == {"h": "host"}
    a.keep("r", None)
    await a.beat()
    assert redis_server.client().get(meeting_key("r")) is None


async def test_a_dead_nodes_room_is_taken_over_with_its_record(
    pair: tuple[Cluster, Cluster, list[str]], redis_server: RedisServer
) -> None:
    a, b, rooms_a = pair
    await a.place("r")
    rooms_a.append("r")
    a.keep("r", json.dumps(Record(id="m", members={"h": "host"}).__dict__))
    await a.beat()
    redis_server.client().delete(node_key(a.id))  # its TTL lapsed: a is dead
    await b.beat()
    placed = await b.place("r")
    assert placed.redirect is None
    assert placed.record == Record(id="m", members={"h": "host"})
    assert redis_server.client().get(room_key("r")) == b.id
    # Gone from the list the welcome gives, not from the origins let in: pages
    # loaded from the dead node come here now.
    assert b.urls() == ["http://b:2"]
    assert set(b.origins()) == {"http://a:1", "http://b:2"}


async def test_with_redis_away_a_room_opens_here_and_the_node_registers_when_it_is_back(
    pair: tuple[Cluster, Cluster, list[str]], redis_server: RedisServer
) -> None:
    a, _, rooms_a = pair
    redis_server.stop()
    with pytest.raises((RedisError, OSError, TimeoutError)):
        await a.beat()
    a._lost(RuntimeError("away"))  # what the beat's loop does with that
    assert await a.place("new") == HERE  # no wait on a Redis that is away
    rooms_a.append("new")
    redis_server.start()  # empty
    await a.beat()
    assert a.up
    assert redis_server.client().get(room_key("new")) == a.id  # claimed again
    assert redis_server.client().get(node_key(a.id)) is not None
