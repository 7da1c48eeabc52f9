"""Restarting without cutting meetings: what `frankly serve` does on SIGTERM.

uvicorn, left to itself, closes every socket the moment SIGTERM comes. Here
the first SIGTERM drains instead (docs/operations.md, *Restarts*):

1. the hub drains: a hello that would open a new room is refused with
   `draining` (close 1013, so the client tries again, and finds the next
   process); the rooms that are open still let their people in;
2. every client is told `going-away` with the time left, so it shows a calm
   "the server is restarting" and reconnects by itself once the socket closes;
3. the server waits until no room is open or `drain_seconds` pass, keeps every
   meeting's record (server/meetings.py) so the next process continues them,
   and then shuts down as uvicorn does (sockets closed with 1012).

A second SIGTERM, or SIGINT at any time (Ctrl-C), ends the wait now. With
`drain_seconds` 0, SIGTERM exits at once, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from frankly.server import running
from frankly.server.hub import Hub

log = logging.getLogger(__name__)

# How often the wait looks whether the last room has closed: uvicorn's own tick.
POLL_SECONDS = 0.1


async def drain(hub: Hub, seconds: float, on_rooms: Callable[[int], None] | None = None) -> None:
    """Refuse new rooms, tell everyone, and return once no room is open or time is up;
    `on_rooms` hears the count of open rooms at the start and at each change."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    hub.drain(seconds)
    log.info(
        "SIGTERM: draining %d rooms for up to %g s (no new rooms meanwhile)",
        len(hub.rooms.rooms),
        seconds,
    )
    # Polled: rooms close in several places of the hub, and a tenth of a second
    # is nothing against a drain of seconds.
    told = None
    while loop.time() < deadline:
        if on_rooms is not None and len(hub.rooms.rooms) != told:
            told = len(hub.rooms.rooms)
            on_rooms(told)
        if not hub.rooms.rooms:
            break
        await asyncio.sleep(POLL_SECONDS)
    hub.keep_meetings()  # the next process continues them: written now, whatever came before
    if hub.rooms.rooms:
        log.info(
            "drain time is up with %d rooms open: they continue after the restart",
            len(hub.rooms.rooms),
        )
    else:
        log.info("no room is open: exiting")


class DrainingServer(uvicorn.Server):
    """uvicorn's server, whose first SIGTERM drains the hub before shutting down."""

    def __init__(
        self,
        config: uvicorn.Config,
        hub: Hub,
        drain_seconds: float,
        data_dir: Path | None = None,
        url: str = "",
    ) -> None:
        super().__init__(config)
        self.hub = hub
        self.drain_seconds = drain_seconds
        # DATA_DIR/serve.json (server/running.py), for `frankly drain`: written once
        # the server listens, removed when it exits.
        self.data_dir = data_dir
        self.url = url
        self._running: running.Running | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining: asyncio.Task[None] | None = None
        self._drain_asked = False

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()  # for the signal handler, which runs outside it
        await super().startup(sockets=sockets)
        if self.data_dir is not None and self.started:
            self._running = running.here(self.url, self.drain_seconds)
            running.write(self.data_dir, self._running)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().shutdown(sockets=sockets)
        finally:
            if self.data_dir is not None and self._running is not None:
                running.remove(self.data_dir, self._running.pid)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        first_term = sig == signal.SIGTERM and not self._drain_asked and not self.should_exit
        if first_term and self.drain_seconds > 0 and self._loop is not None:
            self._drain_asked = True
            # Re-raised once uvicorn is done, so the exit status is SIGTERM's, as before.
            self._captured_signals.append(sig)
            self._loop.call_soon_threadsafe(self._start_drain)
            return
        if self._drain_asked and not self.should_exit:
            log.info("signal %s during the drain: exiting now", signal.Signals(sig).name)
        elif self.should_exit and sig == signal.SIGTERM:
            self.force_exit = True  # a third word: as uvicorn's second Ctrl-C
        super().handle_exit(sig, frame)

    def _rooms_left(self, rooms: int) -> None:
        """serve.json says the drain is on, and how many rooms `frankly drain` waits for."""
        if self.data_dir is not None and self._running is not None:
            self._running = running.draining(self.data_dir, self._running, rooms)

    def _start_drain(self) -> None:
        self._draining = asyncio.get_running_loop().create_task(self._drain_then_exit())

    async def _drain_then_exit(self) -> None:
        try:
            await drain(self.hub, self.drain_seconds, self._rooms_left)
        finally:
            self.should_exit = True


def run(
    app: Any, drain_seconds: float, data_dir: Path | None = None, url: str = "", **options: Any
) -> None:
    """Serve `app` (create_app's) as uvicorn.run would, draining on SIGTERM; with a
    data directory, name this process in its serve.json while it runs."""
    config = uvicorn.Config(app, **options)
    # uvicorn raises Ctrl-C's KeyboardInterrupt again once it has shut down cleanly:
    # the server stopped as asked, which is no reason for a traceback.
    with contextlib.suppress(KeyboardInterrupt):
        DrainingServer(config, app.state.hub, drain_seconds, data_dir, url).run()
