"""The signaling socket of one client: handshake, keepalive, the outbox, reconnecting.

docs/protocol.md: a `hello` answered by a `welcome` (after a wait in the lobby,
in a room that has one; a fresh join shows its invite, password, device id and
the human check's answer, a resuming one only its `resume` token), a `ping`
every `ping_interval` (two missed answers and the server counts as gone), and
after a lost socket a new one with backoff that resumes us, or joins afresh
when the server forgot us.

What goes out waits in one outbox, so that what is said while the socket is
away goes out, in order, once it is back. What comes in goes to `on_message`;
the room model is the client's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from frankly.client.errors import CLOSED, HANDSHAKE_FAILED, FranklyError
from frankly.client.events import Event, Reconnecting, Waiting
from frankly.client.humancheck import fetch_proof
from frankly.client.nodes import Route
from frankly.client.vocabulary import (
    ASKS_NEWCOMERS,
    FATAL_ERRORS,
    FINAL_CLOSE_CODES,
    HOPELESS,
    PROTOCOL_VERSION,
    Code,
    Msg,
)

log = logging.getLogger("frankly.client")

# The SDK's own refusal: a resume that landed in the lobby, with an invite at hand.
FORGOTTEN = "forgotten"
# Another of the SDK's own: more redirects in a row than nodes.MAX_REDIRECTS (a loop).
REDIRECTED = "redirected"
SOLVE_TIMEOUT = 120.0  # seconds the human check may take, on top of the handshake
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 5.0
# After `going-away`: the longest wait between attempts, so that we are back soon
# after the next process is up, plus up to RESTART_JITTER at random, so that a whole
# server's clients do not knock at once; and how long past the drain a restart may
# take before it counts as an ordinary loss again.
RESTART_BACKOFF_MAX = 1.5
RESTART_JITTER = 0.5
RESTART_PATIENCE = 60.0

Welcomed = tuple[ClientConnection, dict[str, Any]]


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def refusal(message: dict[str, Any]) -> FranklyError:
    """An ``error`` message as a `FranklyError`, with the close code that follows a fatal one."""
    error = FranklyError.from_message(message)
    error.close_code = FATAL_ERRORS.get(error.code)
    return error


class Session:
    """The socket, and what the client needs to say hello again after losing it."""

    def __init__(
        self,
        ws_url: str,
        *,
        room: str,
        name: str,
        handshake_timeout: float,
        credentials: dict[str, str | bool | None],
        media_state: Callable[[], tuple[bool, bool]],
        on_message: Callable[[dict[str, Any]], None],
        emit: Callable[[Event], None],
        seal: Callable[[dict[str, Any]], dict[str, Any]],
        leaving: Callable[[], bool],
        tls: ssl.SSLContext | None = None,
    ) -> None:
        # Where the next hello goes: a cluster's redirects and node list move it.
        self.route = Route(ws_url, room)
        self._tls = tls  # for a wss:// URL: whom to trust (None: the system's CAs)
        self.room = room
        self._name = name
        self._handshake_timeout = handshake_timeout
        self._credentials = credentials  # invite, password, device: a newcomer's
        self._media_state = media_state  # (audio on, video on), as the hello says
        self._on_message = on_message
        self._emit = emit
        self._seal = seal
        self._leaving = leaving
        self.ws: ClientConnection | None = None
        self.resume: str | None = None
        self.ping_interval = 10.0
        # The socket of a hello not yet welcomed (to close it on leave), and
        # whether it waits in the lobby.
        self.hello_ws: ClientConnection | None = None
        self.waiting = False
        self._outbox: deque[dict[str, Any]] = deque()
        self._outbox_ready = asyncio.Event()
        self._restart_until = 0.0  # loop time until which a loss is the server's restart

    @property
    def ws_url(self) -> str:
        return self.route.url

    # --- the server restarts -------------------------------------------------------------

    def expect_restart(self, drain_seconds: float) -> None:
        """`going-away` came (or `draining`): the close that follows is no failure."""
        now = asyncio.get_running_loop().time()
        self._restart_until = now + max(drain_seconds, 0.0) + RESTART_PATIENCE

    @property
    def restarting(self) -> bool:
        return asyncio.get_running_loop().time() < self._restart_until

    def _backoff(self, delay: float) -> tuple[float, float]:
        """This attempt's wait and the next one's base, shorter while the server restarts."""
        if self.restarting:
            wait = min(delay, RESTART_BACKOFF_MAX) + random.uniform(0, RESTART_JITTER)
            return wait, min(delay * 2, BACKOFF_MAX)
        return delay, min(delay * 2, BACKOFF_MAX)

    # --- the outbox ---------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; it goes out now, or after the socket comes back."""
        self._outbox.append(message)
        self._outbox_ready.set()

    def keep_queued(self, keep: Callable[[dict[str, Any]], bool]) -> None:
        """Drop the queued messages that ``keep`` refuses (for someone we no longer are)."""
        self._outbox = deque(m for m in self._outbox if keep(m))
        self._outbox_ready.set()

    async def _write(self, ws: ClientConnection) -> None:
        while True:
            while not self._outbox:
                self._outbox_ready.clear()
                await self._outbox_ready.wait()
            await ws.send(dump(self._seal(self._outbox[0])))
            self._outbox.popleft()

    async def _ping(self, ws: ClientConnection) -> None:
        n = 0
        while True:
            await asyncio.sleep(self.ping_interval)
            n += 1
            await ws.send(dump({"type": Msg.PING, "n": n}))

    # --- hello and welcome ---------------------------------------------------------------

    def welcomed(self, welcome: dict[str, Any]) -> None:
        """Take what a welcome says about the connection: the room, resume token, ping interval."""
        resume = welcome.get("resume")
        self.resume = resume if isinstance(resume, str) else None
        self.room = str(welcome.get("room", self.room))
        self.ping_interval = float(welcome.get("ping_interval") or 10.0)
        self.route.welcomed(welcome.get("nodes"))

    def hello(self, resume: str | None, proof: str | None = None) -> dict[str, Any]:
        audio, video = self._media_state()
        hello: dict[str, Any] = {
            "type": Msg.HELLO,
            "version": PROTOCOL_VERSION,
            "room": self.room,
            "name": self._name,
            "audio": audio,
            "video": video,
            "resume": resume,
        }
        if resume is None:
            # What a newcomer shows; a resuming participant was let in already.
            credentials = {**self._credentials, "proof": proof}
            hello.update({k: v for k, v in credentials.items() if v is not None})
        return hello

    async def _proof(self) -> str | None:
        """The human check's answer for a fresh join, when the server asks for one.

        An invite skips the check. The search runs in a thread, so the loop
        goes on; it stops early if the join is given up.
        """
        if self._credentials.get("invite") is not None:
            return None
        stop = threading.Event()
        try:
            async with asyncio.timeout(self._handshake_timeout + SOLVE_TIMEOUT):
                return await asyncio.to_thread(
                    fetch_proof, self.ws_url, self._handshake_timeout, stop, self._tls
                )
        except TimeoutError:
            raise FranklyError(HANDSHAKE_FAILED, "the human check took too long") from None
        finally:
            stop.set()

    async def handshake(self, resume: str | None) -> Welcomed:
        """Say hello and wait for the welcome, following a cluster's redirects (bounded)."""
        proof = await self._proof() if resume is None else None
        while True:
            try:
                return await self._handshake_once(resume, proof)
            except _Redirect as redirect:
                if not self.route.follow(redirect.url):
                    raise FranklyError(REDIRECTED, "redirected too often; trying again") from None
                log.info("the room is on another node: %s", self.route.url)

    async def _handshake_once(self, resume: str | None, proof: str | None) -> Welcomed:
        """One socket's hello: through the lobby, if the room has one."""
        # websockets makes its own default context for wss:// when given none.
        tls: dict[str, Any] = {"ssl": self._tls} if self._tls is not None else {}
        ws = await connect(
            self.ws_url,
            ping_interval=None,  # the protocol has its own ping
            open_timeout=self._handshake_timeout,
            close_timeout=2,
            max_size=2**20,
            **tls,
        )
        self.hello_ws = ws
        pinger: asyncio.Task[None] | None = None
        try:
            if self._leaving():  # leave() came while we connected
                raise FranklyError(CLOSED, "left before the welcome came")
            await ws.send(dump(self.hello(resume, proof)))
            async with asyncio.timeout(self._handshake_timeout) as first_answer:
                while True:
                    message = _parse(await ws.recv())
                    if message is None:
                        continue
                    kind = message.get("type")
                    if kind == Msg.WELCOME:
                        self.welcomed(message)
                        return ws, message
                    if kind == Msg.ERROR:
                        raise refusal(message)
                    if kind == Msg.REDIRECT:
                        raise _Redirect(message.get("url"))
                    if kind == Msg.LOBBY and resume is not None and self._credentials.get("invite"):
                        # Forgotten, and sent to the lobby: our invite gets us in instead.
                        raise FranklyError(FORGOTTEN, "the server forgot us; rejoining")
                    if kind == Msg.LOBBY and pinger is None:
                        # We knocked: wait as long as the hosts take, pinging to stay.
                        first_answer.reschedule(None)
                        pinger = self._knocked(ws, message)
        except ConnectionClosed as exc:
            await ws.close()
            code = exc.rcvd.code if exc.rcvd is not None else None
            raise FranklyError.from_close(code, exc.rcvd.reason if exc.rcvd else "") from None
        except TimeoutError:
            ws.transport.abort()
            raise FranklyError(HANDSHAKE_FAILED, "no welcome from the server in time") from None
        except BaseException:
            await ws.close()
            raise
        finally:
            self.hello_ws = None
            self.waiting = False
            await _stop(pinger)

    def _knocked(self, ws: ClientConnection, lobby: dict[str, Any]) -> asyncio.Task[None]:
        log.info("waiting in the lobby of %s for a host", self.room)
        self.waiting = True
        self._emit(Waiting(room=str(lobby.get("room", self.room))))
        return asyncio.get_running_loop().create_task(self._ping(ws))

    # --- one connection, and the next ---------------------------------------------------

    @property
    def _dead_after(self) -> float:
        # Two missed pongs (docs/protocol.md, "Keepalive"); never under a second,
        # so that a pause of the event loop is not taken for a dead server.
        return max(2 * self.ping_interval, 1.0)

    async def serve(self, ws: ClientConnection) -> int | None:
        """Serve one connection; return its close code (None if it went silent or vanished)."""
        writer = asyncio.get_running_loop().create_task(self._write(ws))
        pinger = asyncio.get_running_loop().create_task(self._ping(ws))
        try:
            while True:
                try:
                    async with asyncio.timeout(self._dead_after):
                        raw = await ws.recv()
                except TimeoutError:
                    log.warning("heard nothing from the server for %.1f s", self._dead_after)
                    ws.transport.abort()
                    return None
                message = _parse(raw)
                if message is not None:
                    self._on_message(message)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None
        finally:
            for task in (writer, pinger):
                task.cancel()
            for task in (writer, pinger):
                await _stop(task)

    async def first_handshake(self) -> Welcomed:
        """The first hello; a server too busy to check a password now (`busy`) is
        asked again after a backoff, within the caller's join timeout."""
        delay = BACKOFF_FIRST
        while True:
            try:
                return await self.handshake(None)
            except FranklyError as exc:
                if exc.code not in (Code.BUSY, Code.DRAINING, REDIRECTED):
                    raise
                log.info("the server is %s; asking again in %.1f s", exc.code, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def reconnect(self, close_code: int | None) -> Welcomed | FranklyError:
        """Try again with backoff until welcomed, or refused for good."""
        delay = BACKOFF_FIRST
        attempt = 0
        fresh = False  # the server forgot us: join as a newcomer, credentials and all
        hurry = False  # a cluster's node refused us: the next one at once
        while True:
            attempt += 1
            restarting = self.restarting
            wait, delay = (0.0, delay) if hurry else self._backoff(delay)
            hurry = False
            self._emit(
                Reconnecting(
                    attempt=attempt, delay=wait, close_code=close_code, restarting=restarting
                )
            )
            await asyncio.sleep(wait)
            self.route.after_loss(attempt)  # in a cluster, the next node in turn
            try:
                return await self.handshake(None if fresh else self.resume)
            except FranklyError as exc:
                if exc.code == Code.DRAINING:  # the old process still drains: the next will do
                    self.expect_restart(0.0)
                if exc.code in ASKS_NEWCOMERS | {FORGOTTEN} and not fresh:
                    log.info("the server forgot us and the room asks newcomers (%s)", exc.code)
                    fresh = True
                    continue
                if exc.code in HOPELESS or exc.close_code in FINAL_CLOSE_CODES:
                    return exc
                log.info("reconnect attempt %d refused: %s", attempt, exc)
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
                log.info("reconnect attempt %d failed: %r", attempt, exc)
                # Refused: that node is down (a dead node of a cluster), so another, now.
                hurry = isinstance(exc, ConnectionRefusedError) and self.route.refused()


class _Redirect(Exception):
    """The server said `redirect`: the room is on the node at `url`."""

    def __init__(self, url: object) -> None:
        super().__init__(url)
        self.url = url


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    """A text frame's JSON object; None for anything else (ignored)."""
    if not isinstance(raw, str):
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


async def _stop(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
            await task
