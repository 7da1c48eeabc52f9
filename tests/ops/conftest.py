"""Fixtures of the ops tests: the server tests' raw clients, the SDK tests' participants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.client.helpers import Clients
from tests.server.conftest import close_clients

__all__ = ["clients", "close_clients"]


@pytest.fixture
async def clients(live_server: Any) -> AsyncIterator[Clients]:
    made = Clients(live_server.url)
    yield made
    for client in made.made:
        await client.leave()
