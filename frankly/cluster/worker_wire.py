"""The channel between the signaling process and an SFU worker: JSON, one object a line.

Control only (SDP, who subscribes, layer choices, counters): no media ever
crosses it; the worker's own UDP and TCP ports carry that. Both ends read
with `read` and write with `write` on an asyncio stream over a Unix socket
pair made by the signaling process (workers.py).

Hub to worker: ``{"op": "open"|"close", "room": R}`` and
``{"op": "call", "room": R, "method": M, "args": [...], "id": N?}``; a call
with an id is answered ``{"reply": N, "result": ...}`` or
``{"reply": N, "error": "why"}`` (the router refused it with ValueError: bad SDP).
Worker to hub: ``{"event": "ready", "port": P, "tcp_port": T, "relay_udp": U}``
once its ports are open (U: its relay socket's "udp:HOST:PORT", which other
nodes' workers relay with, from the settings' ``relay_udp`` [host, port] and
``relay_key`` (hex); "" without them), ``{"event": "offer", "room": R, "pid":
P, "sdp": S}`` and ``{"event": "speaker", "room": R, "pid": P}`` (the router's
callbacks), and
every second ``{"event": "load", ...}`` (what it forwarded, its CPU time,
each room's counters and the media port's drop counts).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

# A subscribe offer of a big room is tens of kilobytes; a line longer than this is a bug.
LINE_LIMIT = 16 << 20


async def read(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None once the other end closed the channel."""
    try:
        line = await reader.readline()
    except (ConnectionError, asyncio.IncompleteReadError):
        return None
    if not line:
        return None
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("a channel message is a JSON object")
    return message


def write(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    if not writer.is_closing():
        writer.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
