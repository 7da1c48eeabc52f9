"""Fixtures shared by every test: a real server on a loopback port."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import uvicorn

from frankly.server.app import create_app
from frankly.server.config import ServerConfig
from frankly.server.hub import Hub

T = TypeVar("T")


@dataclass
class LiveServer:
    """`frankly serve` in a background thread, with hooks into its state."""

    url: str
    ws_url: str
    hub: Hub
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[], T]) -> T:
        """Run fn on the server's event loop (room state is not thread-safe)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return future.result(timeout=10)

    def drop(self, participant_id: str) -> None:
        """Close a participant's WebSocket from the server side, mid-call."""
        self.call(lambda: self.hub.drop(participant_id))

    def participant_ids(self, room: str) -> list[str]:
        def ids() -> list[str]:
            live = self.hub.rooms.rooms.get(room)
            return list(live.participants) if live else []

        return self.call(ids)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(config: ServerConfig) -> tuple[LiveServer, Callable[[], None]]:
    app = create_app(config)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=1 << 20)
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    ready = threading.Event()

    def poll() -> None:
        if server.started:
            ready.set()
        else:
            loop.call_later(0.01, poll)

    loop.call_soon_threadsafe(poll)
    if not ready.wait(10):
        raise RuntimeError("the test server did not start within 10 s")

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        loop.close()

    live = LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws", app.state.hub, loop)
    return live, stop


@pytest.fixture
def server_config() -> ServerConfig:
    """Override in a test module to run the server with other settings."""
    return ServerConfig()


@pytest.fixture
def live_server(server_config: ServerConfig) -> Iterator[LiveServer]:
    live, stop = start_server(server_config)
    yield live
    stop()


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")
