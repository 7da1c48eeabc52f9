"""The SFU's media ports as the firewall must see them: one line the server logs at start."""

from __future__ import annotations

from frankly.server.config import ServerConfig


def firewall_line(config: ServerConfig) -> str:
    """What the firewall must let in for the SFU: one line, said at start because
    the default (a worker a core) opens as many ports as the machine has cores."""
    plural = "s" if config.workers > 1 else ""
    where = f"{config.workers} worker{plural}" if config.workers else "this process"
    if config.media_port == 0:
        return f"The SFU forwards in {where}, on free UDP and TCP ports."
    count = max(config.workers, 1)
    tcp = config.media_port if config.media_tcp_port is None else config.media_tcp_port
    ports = f"UDP {_span(config.media_port, count)}"
    if tcp >= 0:
        ports += f" and TCP {_span(tcp, count)}"
    return f"The SFU forwards in {where}, on {ports}: open them in the firewall."


def _span(first: int, count: int) -> str:
    return str(first) if count == 1 else f"{first}-{first + count - 1}"
