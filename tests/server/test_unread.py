"""Memory owed to clients that do not read is bounded overall, not only per socket."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from frankly.server.config import ServerConfig
from frankly.server.limits import UnreadBudget
from frankly.server.link import Link, State


def test_one_message_always_fits_an_empty_queue() -> None:
    budget = UnreadBudget(total=1000, per_queue=100)
    queue = budget.queue(10)
    queue.put_nowait("w" * 5000)  # a welcome bigger than any limit
    with pytest.raises(asyncio.QueueFull):
        queue.put_nowait("x")
    assert queue.get_nowait() == "w" * 5000
    assert budget.used == 0
    queue.put_nowait("x" * 60)
    with pytest.raises(asyncio.QueueFull):
        queue.put_nowait("y" * 60)  # over its own 100


def test_past_the_total_only_those_over_their_share_are_refused() -> None:
    budget = UnreadBudget(total=1000, per_queue=2000)
    hoarder, reader = budget.queue(100), budget.queue(100)
    for _ in range(9):
        hoarder.put_nowait("h" * 100)
    reader.put_nowait("r" * 100)
    assert budget.used == 1000 and budget.owing == 2
    with pytest.raises(asyncio.QueueFull):
        hoarder.put_nowait("h" * 100)  # owes 900 of 1000: more than its share
    reader.put_nowait("r" * 100)  # owes 100: still served
    reader.get_nowait()
    reader.get_nowait()
    assert budget.used == 900 and budget.owing == 1
    hoarder.put_nowait(1000)  # a close code costs nothing


class StuckSocket:
    """A client that never reads: every send waits forever."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent: list[str] = []
        self.closed: int | None = None

    async def send_text(self, text: str) -> None:
        self.sent.append(text)
        await asyncio.Event().wait()

    async def close(self, code: int) -> None:
        self.closed = code


class ReadingSocket(StuckSocket):
    async def send_text(self, text: str) -> None:
        self.sent.append(text)


async def test_forty_clients_that_never_read_stay_within_the_total() -> None:
    total = 256 * 1024
    app = SimpleNamespace(state=SimpleNamespace(unread=UnreadBudget(total, 64 * 1024)))
    config = ServerConfig()
    now = asyncio.get_running_loop().time()
    stuck = [Link(StuckSocket(app), config, now, "192.0.2.1") for _ in range(40)]  # type: ignore[arg-type]
    healthy_socket = ReadingSocket(app)
    healthy = Link(healthy_socket, config, now, "192.0.2.2")  # type: ignore[arg-type]
    chat = {"type": "chat", "text": "x" * 3000}
    for _ in range(200):  # a busy room's broadcasts
        for link in [*stuck, healthy]:
            link.send(chat)
        await asyncio.sleep(0)  # the writers run
    assert app.state.unread.used <= total + 4096  # at most one message over
    assert all(link.state is State.CLOSING for link in stuck)  # each may resume
    assert healthy.state is State.JOINED or healthy.state is State.CONNECTED
    assert len(healthy_socket.sent) == 200
    for link in [*stuck, healthy]:
        link._writer.cancel()
