"""Which node of a cluster the next hello goes to (docs/scaling.md, "Nodes through Redis").

A `redirect` from the server names the node that holds the room: the same
hello goes there at once. A loop of redirects (nodes that disagree for a
moment while one dies) is bounded: after MAX_REDIRECTS in a row without a
welcome, the next one is not followed at once, and the attempt counts as
failed, so the ordinary backoff paces what follows. The welcome names the
cluster's live nodes, its own first; after a lost socket, each attempt goes
to the next of them, so that one node's death sends everyone to the others;
a node that refuses the connection (it is down) is passed over at once, for
the next one, at most once per other node between two waits.
"""

from __future__ import annotations

from frankly.client.urls import split_url

MAX_REDIRECTS = 4


class Route:
    """The signaling URL for the next hello, and what the cluster said of its nodes."""

    def __init__(self, ws_url: str, room: str) -> None:
        self.url = ws_url
        self.room = room
        self.nodes: list[str] = []  # the live nodes' signaling URLs, as the last welcome said
        self.hops = 0  # redirects followed since the last welcome
        self._quick = 0  # nodes passed over without a wait since the last one

    def welcomed(self, nodes: object) -> None:
        """A welcome came: the redirect count starts again, and these are the nodes."""
        self.hops = self._quick = 0
        if isinstance(nodes, list):
            urls = [self._ws(node) for node in nodes if isinstance(node, str)]
            self.nodes = [url for url in urls if url is not None]

    def follow(self, url: object) -> bool:
        """Go where a redirect says; False (and the count starts again) past the bound."""
        target = self._ws(url) if isinstance(url, str) else None
        if target is None or self.hops >= MAX_REDIRECTS:
            self.hops = 0
            return False
        self.hops += 1
        self.url = target
        return True

    def after_loss(self, attempt: int) -> None:
        """Attempt `attempt` (1, 2, ...) after a lost socket: the next node in turn."""
        if len(self.nodes) > 1:
            self.url = self.nodes[(attempt - 1) % len(self.nodes)]

    def refused(self) -> bool:
        """The node refused the connection: whether to try the next one now, no backoff."""
        if self._quick + 1 < len(self.nodes):
            self._quick += 1
            return True
        self._quick = 0
        return False

    def _ws(self, base: str) -> str | None:
        try:
            return split_url(base, self.room)[0]
        except ValueError:
            return None
