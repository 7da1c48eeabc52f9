"""Settings of one server; the defaults are the ones docs/protocol.md states."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServerConfig:
    max_participants: int = 100
    grace: float = 30.0  # seconds a participant whose socket dropped is kept
    ping_interval: float = 10.0
    timeout: float = 30.0  # silence after which the server closes a socket
    hello_timeout: float = 10.0
    rate: float = 20.0  # messages a second, sustained
    burst: float = 200.0  # an SDP offer plus a burst of ICE candidates fits
    max_errors: int = 10
    max_dropped: int = 100
    send_queue: int = 256  # outgoing messages a slow reader may owe us
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    # The SFU's one UDP port (0: any free port), the address it binds, and the
    # address it announces in its ICE candidates.
    media_port: int = 0
    media_host: str = "127.0.0.1"
    public_ip: str | None = None
