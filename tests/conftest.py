"""Fixtures shared by every test: a real server on a loopback port, and one
private PostgreSQL cluster for the whole run (tests/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.pg import Cluster, find_bin

# The live server: `.url`, `.ws_url`, `.app`, `.hub`, `.call(fn)`, `.drop(participant_id)`,
# `.participant_ids(room)`.
LiveServer = BackgroundServer


@pytest.fixture
def server_config() -> ServerConfig:
    """Override in a test module to run the server with other settings."""
    return ServerConfig()


@pytest.fixture
def live_server(server_config: ServerConfig) -> Iterator[BackgroundServer]:
    server = BackgroundServer(server_config).start()
    yield server
    server.stop()


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in
    the main thread for as long as its session fixture lives, which would break
    every asyncio test collected after it."""
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """Started once, on first use, on a Unix socket in a temporary folder; removed after."""
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed: run ./scripts/system-deps postgresql")
    cluster = Cluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
