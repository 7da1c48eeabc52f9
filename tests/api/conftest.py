"""The real app on a temporary data directory, driven by httpx over ASGI, with a clock.

Each person is an `httpx.AsyncClient` of their own (their own cookie jar, as
their own browser would have). The service's clock is a `Clock` that a test
moves, so that links expire and proposals pass without waiting.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from frankly.api.routes import Store
from frankly.server.app import create_app
from frankly.server.config import ServerConfig
from tests.pg import Cluster

BASE = "http://127.0.0.1:8080"
_names = itertools.count(1)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2027, 3, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Server:
    app: Starlette
    clock: Clock

    def client(self, **headers: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers)


async def running(config: ServerConfig) -> AsyncIterator[Server]:
    app = create_app(config)
    clock = Clock()
    async with app.router.lifespan_context(app):
        store: Store = app.state.store
        assert store.service is not None
        store.service.clock = clock
        yield Server(app, clock)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """The app with its default store: a SQLite file in the data directory."""
    async for found in running(ServerConfig(data_dir=tmp_path)):
        yield found


@pytest.fixture
async def pg_server(tmp_path: Path, postgres: Cluster) -> AsyncIterator[Server]:
    """The app on a fresh PostgreSQL database (--database)."""
    url = postgres.database(f"api_{next(_names)}")
    async for found in running(ServerConfig(data_dir=tmp_path, database=url)):
        yield found
