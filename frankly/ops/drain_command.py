"""`frankly drain`: start the drain of the `frankly serve` running on a data directory.

The same drain as SIGTERM (server/drain.py), which is what it sends: the
server takes no new rooms, moves nobody by force, and exits when its last
room ends or its --drain-seconds pass. The server is found by its
DATA_DIR/serve.json (server/running.py), never by a name, so a stale file
or another process with the same pid is never signalled. A server that
drains already is not signalled again: a second SIGTERM would end its
drain at once.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from frankly.server import running

# How long the server may take to say it drains (it rewrites serve.json on
# its event loop, within a tenth of a second of the signal when it is well).
SAID_WITHIN = 10.0
POLL_SECONDS = 0.1


class DrainError(Exception):
    """Nothing was drained; the message says why, for the operator."""


def drain(data_dir: Path, wait: bool, say: Callable[[str], None] = print) -> None:
    """Signal the server, say what it does, and with `wait` stay until it has exited."""
    try:
        server = running.find(data_dir)
    except running.NotRunning as exc:
        raise DrainError(str(exc)) from None
    who = f"frankly serve (pid {server.pid}, {server.url})"
    if server.draining:
        say(f"{who} drains already: {_rooms(server.rooms)} open; not signalled again")
    else:
        _signal(server.pid, who)
        server = _said(data_dir, server)
        say(_what_it_does(who, server))
    if wait:
        _wait_for_exit(data_dir, server, say)


def _signal(pid: int, who: str) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except PermissionError:
        raise DrainError(f"{who} is not yours to signal: run this as its user") from None
    except ProcessLookupError:
        raise DrainError(f"{who} exited just now") from None


def _said(data_dir: Path, sent: running.Running) -> running.Running:
    """serve.json once it says the drain is on; the last seen if the server exits first."""
    deadline = time.monotonic() + SAID_WITHIN
    while time.monotonic() < deadline and running.alive(sent):
        now = _current(data_dir, sent)
        if now is None or now.draining:
            return now or sent
        time.sleep(POLL_SECONDS)
    return sent


def _current(data_dir: Path, server: running.Running) -> running.Running | None:
    """The file as it is now, if it still names this server."""
    try:
        now = running.read_file(data_dir)
    except running.NotRunning:
        return None
    return now if now.pid == server.pid else None


def _what_it_does(who: str, server: running.Running) -> str:
    if not running.alive(server):
        return f"{who} has exited (no room was open, or its --drain-seconds is 0)"
    if server.rooms == 0:
        return f"{who} had no room open: it exits now"
    if not server.draining:
        return f"{who} was sent SIGTERM but does not say it drains (see its log)"
    return (
        f"{who} drains: {_rooms(server.rooms)} open go on, no new rooms; it exits when the "
        f"last ends or in {server.drain_seconds:g} s"
    )


def _wait_for_exit(data_dir: Path, server: running.Running, say: Callable[[str], None]) -> None:
    """Until the process is gone, saying each change of the count of open rooms."""
    told = server.rooms
    while running.alive(server):
        now = _current(data_dir, server)
        if now is not None and now.rooms != told:
            told = now.rooms
            say(f"{_rooms(told)} open")
        time.sleep(POLL_SECONDS)
    say(f"frankly serve (pid {server.pid}) has exited")


def _rooms(count: int | None) -> str:
    if count is None:
        return "its rooms"
    return "1 room" if count == 1 else f"{count} rooms"
