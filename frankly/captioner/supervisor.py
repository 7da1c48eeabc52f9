"""The server's side of live captions: one captioner process per captioned room.

The hub asks `start` when a host turns captions on and `stop` when a host
turns them off (or the meeting is over); it tells `joined` when the
captioner's participant came in. Everything else is here: launching the
process (`python -m frankly.captioner`, with its invite in the environment,
not on a command line others can read), noticing it died, restarting it
(state "restarting"), giving up after too many deaths ("failed"), and the
state everyone sees. Nothing here waits on speech: the process does that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frankly.protocol import messages
from frankly.protocol.words import CaptionsState

log = logging.getLogger(__name__)

# The captioner program's exit code when its models are missing or corrupt:
# restarting it would not help (frankly/captions/worker.py's EXIT_UNAVAILABLE).
EXIT_UNAVAILABLE = 3
INVITE_ENV = "FRANKLY_CAPTIONER_INVITE"
CACHE_ENV = "FRANKLY_CAPTIONS_CACHE"  # where split models are joined (under the data directory)
# Set by `launch`: the captioner's stdin is a pipe from the server, whose end
# closes when the server dies however it dies (kill -9 too); at EOF it exits.
PARENT_PIPE_ENV = "FRANKLY_CAPTIONER_PARENT_PIPE"
# The server's own TLS certificate (PEM), when it serves https: the one the
# captioner trusts, and nothing else (frankly/captioner/program.py's `pinned`).
CERT_ENV = "FRANKLY_CAPTIONER_CERT"
MODEL_ENV = "FRANKLY_CAPTIONS_MODEL"  # the English model: tiny.en (default) or base
MAX_RESTARTS = 3  # deaths within RESTART_WINDOW after which captions fail
RESTART_WINDOW = 60.0
STOP_WAIT = 5.0  # seconds a captioner has to leave before it is killed

# Starts a captioner for (server URL, room, its environment); the process it started.
Launch = Callable[[str, str, dict[str, str]], Awaitable[asyncio.subprocess.Process]]


async def launch(url: str, room: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """The captioner program as a child process of the server."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "frankly.captioner",
        url,
        room,
        env={**env, PARENT_PIPE_ENV: "1"},
        stdin=asyncio.subprocess.PIPE,  # never written: held open while the server lives
    )


@dataclass
class RoomCaptions:
    """One room's captions: what everyone is told, and the process behind them."""

    room: str
    transcript: bool
    # The room holds a dialogue's meeting: a kept transcript is stored with it
    # too (`stored`), until it is full (`full` says why, in every `message` after).
    meeting: bool = False
    state: CaptionsState = "starting"
    captioner: str | None = None  # its participant id while it is in the room
    joined_at: float = 0.0  # when it came in (time.time()): its lines' times count from here
    full: str | None = None
    message: str | None = None
    process: asyncio.subprocess.Process | None = None
    task: asyncio.Task[None] | None = None
    stopping: bool = False
    deaths: deque[float] = field(default_factory=deque)

    @property
    def stored(self) -> bool:
        """The captioner hands its final lines to the server, for the dialogue meeting."""
        return self.transcript and self.meeting and self.full is None

    def public(self) -> dict[str, Any]:
        return messages.captions_state(
            self.state,
            transcript=self.transcript,
            captioner=self.captioner,
            message=self.message or self.full,
            stored=self.stored,
        )


class Supervisor:
    """The captioned rooms of one server.

    `tell(room, message)` sends a `captions` message to the room;
    `crashed(room, pid)` lets the hub forget a dead captioner's participant
    at once rather than after the grace period; `invite(room)` signs a
    fresh invite for the captioner (each start, since a restart is a new join).
    """

    def __init__(
        self,
        tell: Callable[[str, dict[str, Any]], None],
        crashed: Callable[[str, str], None],
        invite: Callable[[str], str],
        cache: Path,
        launch: Launch = launch,
    ) -> None:
        self.url: str | None = None  # where the captioner reaches this server: set at start
        self.cert: str | None = None  # the server's certificate, when `url` is https
        self.env: dict[str, str] = {CACHE_ENV: str(cache)}  # and MODEL_ENV, if given
        self.rooms: dict[str, RoomCaptions] = {}
        self._ending: set[asyncio.Task[None]] = set()  # captioners let go, not yet exited
        self._tell, self._crashed, self._invite, self._launch = tell, crashed, invite, launch

    def state(self, room: str) -> dict[str, Any]:
        captions = self.rooms.get(room)
        return captions.public() if captions else messages.captions_state("off")

    def start(self, room: str, transcript: bool, *, meeting: bool = False) -> None:
        """Turn captions on (again: only the transcript flag changes); `meeting`: the
        room holds a dialogue's meeting, so a kept transcript is stored with it."""
        captions = self.rooms.get(room)
        if captions is not None and captions.state == "failed":  # a host tries again
            del self.rooms[room]
            captions = None
        if captions is not None:
            captions.transcript, captions.meeting = transcript, meeting
            self._announce(captions)
            return
        captions = self.rooms[room] = RoomCaptions(room, transcript, meeting)
        captions.task = asyncio.get_running_loop().create_task(self._run(captions))
        self._announce(captions)

    def wanted(self, room: str) -> bool:
        """Whether a captioner may join `room` now: captions are on and it is not in yet."""
        captions = self.rooms.get(room)
        return captions is not None and captions.captioner is None and captions.state != "failed"

    def joined(self, room: str, pid: str) -> None:
        """The captioner's participant came in (`wanted` let it): captions are on."""
        captions = self.rooms.get(room)
        if captions is not None and not captions.stopping:
            captions.state, captions.captioner, captions.message = "on", pid, None
            captions.joined_at = time.time()
            self._announce(captions)

    def storing(self, room: str, pid: str) -> RoomCaptions | None:
        """The room's captions if `pid` is its captioner and the transcript is stored now."""
        captions = self.rooms.get(room)
        if captions is None or captions.captioner != pid or not captions.stored:
            return None
        return captions

    def filled(self, room: str, why: str) -> None:
        """The meeting's transcript is full: no more lines are stored, and everyone is told."""
        captions = self.rooms.get(room)
        if captions is not None and captions.full is None:
            captions.full = why
            self._announce(captions)

    def stop(self, room: str, *, announce: bool = True) -> str | None:
        """Turn captions off; the captioner's participant id, for the hub to let go of."""
        captions = self.rooms.pop(room, None)
        if captions is None:
            return None
        captions.stopping = True
        if captions.task is not None:
            ending = asyncio.get_running_loop().create_task(_end(captions.task, captions))
            self._ending.add(ending)
            ending.add_done_callback(self._ending.discard)
        if announce:
            self._tell(room, messages.captions(messages.captions_state("off")))
        return captions.captioner

    def running(self) -> int:
        """How many captioner processes are alive or being waited for."""
        return len(self.rooms) + len(self._ending)

    async def aclose(self) -> None:
        """The server stops: every captioner goes with it, killed and reaped."""
        for room in list(self.rooms):
            self.stop(room, announce=False)
        # Let each `_end` take its first step before it is cancelled: a task
        # cancelled before it starts never runs its body, so its process would
        # be left running, unreaped, and its supervising task pending.
        await asyncio.sleep(0)
        for ending in list(self._ending):
            ending.cancel()  # `_end` kills its process when cancelled
        if self._ending:
            await asyncio.wait(list(self._ending))

    def close(self) -> None:
        """Last resort for a loop that is gone: kill what is still running, unreaped."""
        for captions in self.rooms.values():
            captions.stopping = True
            if captions.process is not None and captions.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    captions.process.kill()
        self.rooms.clear()

    # --- the process's life ---------------------------------------------------------

    async def _run(self, captions: RoomCaptions) -> None:
        while not captions.stopping:
            code = await self._once(captions)
            if captions.stopping:
                return
            if not self._restart(captions, code):
                return

    async def _once(self, captions: RoomCaptions) -> int | None:
        """Run the captioner once; its exit code (None: it could not be started)."""
        if self.url is None:
            raise RuntimeError("the captions supervisor does not know the server's URL")
        try:
            env = {**os.environ, **self.env, INVITE_ENV: self._invite(captions.room)}
            env.pop(CERT_ENV, None)  # only ever this server's own certificate
            if self.cert is not None:
                env[CERT_ENV] = self.cert
            captions.process = await self._launch(self.url, captions.room, env)
        except OSError as exc:
            log.warning("the captioner of %s could not start: %s", captions.room, exc)
            return None
        code = await captions.process.wait()
        captions.process = None
        return code

    def _restart(self, captions: RoomCaptions, code: int | None) -> bool:
        """After a death: whether to start again, the room told either way."""
        gone, captions.captioner = captions.captioner, None
        if gone is not None:
            self._crashed(captions.room, gone)
        now = time.monotonic()
        captions.deaths.append(now)
        while captions.deaths and now - captions.deaths[0] > RESTART_WINDOW:
            captions.deaths.popleft()
        if code == EXIT_UNAVAILABLE:
            why = "captions are not available: a speech model is missing or corrupt (server log)"
        elif len(captions.deaths) > MAX_RESTARTS:
            why = f"the captioner stopped {len(captions.deaths)} times in a minute: captions off"
        else:
            log.warning("the captioner of %s stopped (exit %s): restarting", captions.room, code)
            captions.state = "restarting"
            captions.message = (
                f"the captioner stopped (exit code {code}) and is starting again; "
                "what is said meanwhile is not captioned"
            )
            self._announce(captions)
            return True
        log.warning("captions in %s failed: %s", captions.room, why)
        captions.state, captions.message = "failed", why
        self._announce(captions)
        return False

    def _announce(self, captions: RoomCaptions) -> None:
        self._tell(captions.room, messages.captions(captions.public()))


async def _end(run: asyncio.Task[None], captions: RoomCaptions) -> None:
    """A captioner told to go (its participant was let go): it leaves, or is killed.

    Its supervising task ends once the process has exited (`stopping`), or is
    cancelled here if it had not started one yet.
    """
    try:
        await asyncio.wait_for(asyncio.shield(run), STOP_WAIT)
    except (TimeoutError, asyncio.CancelledError):
        process = captions.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
