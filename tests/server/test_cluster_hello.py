"""A hello at a node of a cluster (frankly/cluster/): redirected, or taken over here.

The cluster is a stand-in with the Placement's three calls, so that what the
hub does with each answer is seen without Redis (tests/cluster has the real one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frankly.cluster.placement import HERE, Placed
from frankly.protocol.errors import Close
from frankly.server.meetings import Record, token_hash
from tests.conftest import LiveServer
from tests.server.wsclient import Raw

OTHER = "http://127.0.0.1:9"


@dataclass
class Cluster:
    """Places every room as `placed` says, and counts what the hub asks."""

    placed: dict[str, Placed] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    kept: dict[str, str | None] = field(default_factory=dict)

    async def place(self, room: str) -> Placed:
        self.asked.append(room)
        return self.placed.get(room, HERE)

    def keep(self, room: str, record: str | None) -> None:
        self.kept[room] = record

    def urls(self) -> list[str]:
        return ["http://127.0.0.1:1", OTHER]

    def view(self) -> dict[str, Any]:
        return {"node": "n", "redis": True, "nodes": self.urls()}


def in_cluster(live_server: LiveServer, cluster: Cluster) -> None:
    def wire() -> None:
        live_server.hub.cluster = cluster
        live_server.hub.meetings.mirror = cluster.keep

    live_server.call(wire)


async def test_a_hello_for_a_room_on_another_node_is_redirected_there(
    live_server: LiveServer,
) -> None:
    in_cluster(live_server, Cluster(placed={"there": Placed(redirect=OTHER)}))
    ada = await Raw.hello(live_server.ws_url, "there", "Ada")
    assert await ada.expect("redirect") == {"type": "redirect", "url": OTHER, "room": "there"}
    assert await ada.closed() == Close.TRY_AGAIN_LATER
    assert live_server.participant_ids("there") == []


async def test_a_room_open_here_asks_the_cluster_nothing_and_its_welcome_lists_the_nodes(
    live_server: LiveServer,
) -> None:
    cluster = Cluster()
    in_cluster(live_server, cluster)
    ada = await Raw.join(live_server.ws_url, "here", "Ada")
    bob = await Raw.join(live_server.ws_url, "here", "Bob")
    assert cluster.asked == ["here"]  # the first hello only: then the room is open here
    assert bob.welcome["nodes"] == ["http://127.0.0.1:1", OTHER]
    assert cluster.kept["here"] is not None  # its record, for Redis
    await ada.send({"type": "leave"})
    await bob.send({"type": "leave"})
    await bob.closed()
    assert cluster.kept["here"] is None  # the meeting is over: its record goes


async def test_a_room_whose_node_died_continues_here_with_the_roles_on_record(
    live_server: LiveServer,
) -> None:
    record = Record(
        id="m-1", members={token_hash("tok-host"): "host", token_hash("tok-bob"): "participant"}
    )
    in_cluster(live_server, Cluster(placed={"orphan": Placed(record=record)}))
    bob = await Raw.join(live_server.ws_url, "orphan", "Bob", resume="tok-bob")
    assert bob.welcome["you"]["role"] == "participant"  # first back, and not made host
    ada = await Raw.join(live_server.ws_url, "orphan", "Ada", resume="tok-host")
    assert ada.welcome["you"]["role"] == "host"
    assert ada.welcome["meeting"] == bob.welcome["meeting"]
