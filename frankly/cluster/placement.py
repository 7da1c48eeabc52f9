"""Which node a room goes to, and what the hub asks of the cluster: pure, no Redis.

A node's entry in the registry (nodes.py writes it, every second, with a TTL)
is its public URL, its load and whether it drains. A new room goes to the
least loaded live node that does not drain; on a tie this node keeps it,
which saves its first participant a redirect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from frankly.server.meetings import Record


@dataclass(frozen=True)
class Node:
    id: str
    url: str  # its public base URL: http(s)://host:port
    load: int  # participants it serves now
    draining: bool = False

    def dump(self) -> str:
        return json.dumps({"url": self.url, "load": self.load, "draining": self.draining})

    @classmethod
    def parse(cls, node_id: str, raw: str | bytes | None) -> Node | None:
        """A registry entry, or None for one that is gone or not ours to read."""
        if raw is None:
            return None
        try:
            body = json.loads(raw)
            return cls(node_id, str(body["url"]), int(body["load"]), bool(body["draining"]))
        except (ValueError, TypeError, KeyError):
            return None


def choose(nodes: Iterable[Node], me: str) -> Node | None:
    """The node a new room goes to: least loaded, not draining; this one on a tie.

    None when every node drains (this one too): the caller refuses as a
    draining server does.
    """
    open_nodes = [node for node in nodes if not node.draining]
    if not open_nodes:
        return None
    return min(open_nodes, key=lambda node: (node.load, node.id != me, node.id))


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
