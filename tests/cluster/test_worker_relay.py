"""A worker's relay socket as its settings open it (cluster/worker_process.py): over UDP
to other nodes with `relay_udp` and `relay_key`, and the "ready" event that says where."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

from frankly.cluster import worker_process
from frankly.cluster import worker_wire as wire


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "public_ip": None,
        "udp": True,
        "port": 0,
        "tcp_port": None,
        "tcp_total": 10,
        "tcp_per_address": 2,
        "tcp_deadline": 5.0,
        "relay": str(tmp_path / "0.sock"),
        **extra,
    }


async def ready(worker_settings: dict[str, Any]) -> dict[str, Any]:
    """The worker's first event, then its channel closed: it stops."""
    ours, theirs = socket.socketpair()
    serving = asyncio.create_task(worker_process.serve(theirs.detach(), worker_settings))
    reader, writer = await asyncio.open_unix_connection(sock=ours)
    event = await asyncio.wait_for(wire.read(reader), 10)
    writer.close()
    await asyncio.wait_for(serving, 10)
    assert event is not None
    return event


async def test_a_worker_with_relay_udp_and_a_key_says_its_udp_address(tmp_path: Path) -> None:
    event = await ready(
        settings(tmp_path, relay_udp=["127.0.0.1", 0], relay_key=bytes(range(32)).hex())
    )
    assert event["event"] == "ready" and event["relay_udp"].startswith("udp:127.0.0.1:")
    assert int(event["relay_udp"].rpartition(":")[2]) > 0  # the port it was given


async def test_a_worker_without_them_relays_on_its_machine_alone(tmp_path: Path) -> None:
    event = await ready(settings(tmp_path))
    assert event["event"] == "ready" and event["relay_udp"] == ""
