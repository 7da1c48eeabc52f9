"""The real server on a loopback port in a background thread.

For tests and benchmarks that drive it from outside (a browser, the SDK) and
still want to reach into its state, on its own event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable
from typing import TypeVar

import uvicorn

from frankly.server.app import create_app, uvicorn_options
from frankly.server.config import ServerConfig
from frankly.server.hub import Hub

T = TypeVar("T")


class BackgroundServer:
    def __init__(self, config: ServerConfig | None = None, port: int | None = None) -> None:
        """`port`: a port to serve on again (a restart on the same data directory,
        which browsers must reach at the same origin); else a free one."""
        app = create_app(config)
        self.app = app
        self.hub: Hub = app.state.hub
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.hub.captions.url = self.url  # where its captioners join
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                **{
                    **uvicorn_options(app, log_level="warning"),
                    "log_config": None,  # tests keep pytest's logging
                },
            )
        )
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self._server.serve(),), daemon=True
        )

    def start(self) -> BackgroundServer:
        self._thread.start()
        ready = threading.Event()

        def poll() -> None:
            if self._server.started:
                ready.set()
            else:
                self.loop.call_later(0.01, poll)

        self.loop.call_soon_threadsafe(poll)
        if not ready.wait(10):
            raise RuntimeError("the server did not start within 10 s")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self.loop.close()

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
