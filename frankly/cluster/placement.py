"""Which node a room goes to, and what the hub asks of the cluster: pure, no Redis.

A node's entry in the registry (nodes.py writes it, every second, with a TTL)
is its public URL, its measured load and whether it drains. A new room goes
to the least loaded live node that does not drain.

The load is measured as the SFU workers' is (worker_placement.py): over the
last second, the CPU seconds per second of the server's process and its
workers together, and the packets it forwarded per second as a share of a
core (at PACKETS_PER_CORE); the larger of the two, divided by the cores it
forwards on (its workers, or 1 for the SFU in its own process), so that a
node of 8 workers half busy counts as less loaded than one of 1 nearly full.
Loads closer than TIE are a tie, and then the node with fewer participants
wins, then this node (which saves its first participant a redirect), then
the lower id. Participants alone decided until 0.1.0's measured load; an entry
without the measures (a node of that version) counts as idle, and its
participants still break the tie.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from frankly.cluster.worker_placement import TIE, Load
from frankly.server.meetings import Record


@dataclass(frozen=True)
class NodeLoad:
    """What a node measured over its last second, and whom it serves."""

    participants: int = 0  # connected to it now: the tie-break
    cpu: float = 0.0  # CPU seconds per second, its process and its workers together
    packets: float = 0.0  # RTP packets it forwarded per second
    cores: int = 1  # the cores its SFU forwards on: its workers, or 1 (in-process)

    @property
    def share(self) -> float:
        """The part of its forwarding cores in use: 0 idle, 1 full."""
        return Load(packets_per_second=self.packets, cpu=self.cpu).core_share / max(self.cores, 1)


@dataclass(frozen=True)
class Node:
    id: str
    url: str  # its public base URL: http(s)://host:port
    load: NodeLoad
    draining: bool = False
    lends: bool = False  # lends its workers to other nodes' rooms (borrow.py, lend.py)

    def dump(self) -> str:
        load = self.load
        # "load" stays the participant count: what nodes before the measured load read.
        return json.dumps(
            {
                "url": self.url,
                "load": load.participants,
                "draining": self.draining,
                "cpu": load.cpu,
                "packets": load.packets,
                "cores": load.cores,
                "lends": self.lends,
            }
        )

    @classmethod
    def parse(cls, node_id: str, raw: str | bytes | None) -> Node | None:
        """A registry entry, or None for one that is gone or not ours to read."""
        if raw is None:
            return None
        try:
            body = json.loads(raw)
            load = NodeLoad(
                int(body["load"]),
                float(body.get("cpu", 0.0)),
                float(body.get("packets", 0.0)),
                int(body.get("cores", 1)),
            )
            lends = bool(body.get("lends", False))
            return cls(node_id, str(body["url"]), load, bool(body["draining"]), lends)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def choose(nodes: Iterable[Node], me: str) -> Node | None:
    """The node a new room goes to: the least measured load among those that do not
    drain; within TIE of it, fewest participants, then this one, then the lower id.

    None when every node drains (this one too): the caller refuses as a
    draining server does.
    """
    open_nodes = [node for node in nodes if not node.draining]
    if not open_nodes:
        return None
    lightest = min(node.load.share for node in open_nodes)
    tied = [node for node in open_nodes if node.load.share - lightest < TIE]
    return min(tied, key=lambda node: (node.load.participants, node.id != me, node.id))


@dataclass(frozen=True)
class Placed:
    """Where a hello for a room that is not open here must go.

    `redirect`: another node's URL, which holds the room or was chosen for it;
    None: here. `record`: a meeting a node that died left in this room (its
    Record from Redis), to continue as after a restart.
    """

    redirect: str | None = None
    record: Record | None = None


HERE = Placed()


class Placement(Protocol):
    """What the hub needs of the cluster (nodes.py's Cluster)."""

    async def place(self, room: str) -> Placed:
        """Where a hello for a room not open here goes; here when Redis is away."""
        ...

    def keep(self, room: str, record: str | None) -> None:
        """A meeting's Record (JSON) to keep in Redis, or None once it is over: never waits."""
        ...

    def urls(self) -> list[str]:
        """The live nodes' public URLs, this node's first: what the welcome tells clients."""
        ...

    def view(self) -> dict[str, Any]:
        """What /readyz says of the cluster: this node's id, Redis reached, the live nodes."""
        ...
