"""The servers `frankly bench sfu` compares, one file each.

The first is the server under test; the report gives every other one's
figures beside it, with ratios. A server to compare against is a new file
here with a `server.Server` subclass, and its row in SERVERS.
"""

from __future__ import annotations

from frankly.bench.sfu.server import Server
from frankly.bench.sfu.servers.frankly import FranklyServer
from frankly.bench.sfu.servers.janus import JanusServer

SERVERS: tuple[type[Server], ...] = (FranklyServer, JanusServer)


def by_name(name: str) -> type[Server]:
    """The server called `name` in SERVERS."""
    for kind in SERVERS:
        if kind.name == name:
            return kind
    raise ValueError(f"no server called {name!r}: {', '.join(k.name for k in SERVERS)}")
