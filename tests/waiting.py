"""Waiting for a condition that raises no event of its own.

Most tests wait on what the code under test says (a message, a page's
state). Some states say nothing when they change: a process that exits,
counters in the SFU, encryption stats, a server that starts listening.
There a test asks again and again until the condition holds or the time
is up; these functions are the only places that poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

POLL = 0.05  # seconds between asks: short beside any deadline, cheap to ask


def wait_until(holds: Callable[[], bool], within: float, what: str) -> None:
    """Until `holds()` (asked from this thread); AssertionError saying `what` after `within` s."""
    deadline = time.monotonic() + within
    while not holds():
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        time.sleep(POLL)


async def until(holds: Callable[[], bool], within: float, what: str) -> None:
    """As wait_until, from the event loop, which keeps running meanwhile."""
    deadline = time.monotonic() + within
    while not holds():
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(POLL)


async def until_answered(asks: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    """As `until`, for a condition only a call answers (an HTTP read of a stored record)."""
    deadline = time.monotonic() + within
    while not await asks():
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(POLL)
