"""The `clients` fixture: SDK participants on the live server that always leave."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.client.helpers import Clients


@pytest.fixture
async def clients(live_server: Any) -> AsyncIterator[Clients]:
    made = Clients(live_server.url)
    yield made
    for client in made.made:
        await client.leave()
