from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.server.wsclient import Raw


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    yield
    while Raw.opened:
        await Raw.opened.pop().close()


@dataclass
class Site:
    """The live server as tests/api/talks.py drives a server: one client a person."""

    url: str
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        self.clients.append(httpx.AsyncClient(base_url=self.url))
        return self.clients[-1]


@pytest.fixture
async def site(live_server: Any) -> AsyncIterator[Site]:
    found_site = Site(live_server.url)
    yield found_site
    for client in found_site.clients:
        await client.aclose()
