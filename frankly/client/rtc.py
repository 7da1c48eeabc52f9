"""aiortc plumbing that `PeerLink` and `SfuLink` share.

- `Negotiation`: one task that runs a link's steps (offer, answer, candidate,
  resend...) in order, so that an answer never races the offer it answers, and
  the timer that resends an offer lost while our socket was away.
- `close_connection`: closing an RTCPeerConnection without leaving aiortc's
  tasks behind (see its docstring).
- `ice_servers_from_wire`: the welcome's ``ice_servers`` as aiortc objects.
- `configuration`: an RTCConfiguration with those servers, relay-only when
  asked (hiding our address), where this aiortc can (`RELAY_SUPPORTED`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiortc.rtcconfiguration as _rtcconfiguration
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

log = logging.getLogger("frankly.client")

Send = Callable[[dict[str, Any]], None]
"""Queues a message to the server (a ``signal`` or an ``sfu``)."""
OnTrack = Callable[[str, MediaStreamTrack], None]
"""A remote track came, from the stream of this id (a participant, or a participant's screen)."""
# aiortc's RTCConfiguration took iceTransportPolicy only in its later
# versions (1.16 has it); before, it had no way to gather relay candidates only.
_POLICY: Any = getattr(_rtcconfiguration, "RTCIceTransportPolicy", None)
RELAY_SUPPORTED: bool = _POLICY is not None
Step = Callable[[Any], Awaitable[None]]
RESEND = "resend"  # the step `resend_later` queues


class Negotiation:
    """Runs ``steps[op](arg)`` for every ``put(op, arg)``, one at a time, in order.

    A step that fails is logged and the next goes on: one bad description
    from the other side must not end the connection.
    """

    def __init__(self, what: str, steps: Mapping[str, Step]) -> None:
        self._what = what  # for the log: "with p-...", "with the SFU"
        self._steps = steps
        self._stopped = False
        self._resend_timer: asyncio.TimerHandle | None = None
        self._inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._worker = asyncio.get_running_loop().create_task(self._work())

    def put(self, op: str, arg: Any = None) -> None:
        self._inbox.put_nowait((op, arg))

    def resend_later(self, delay: float) -> None:
        """Queue the ``resend`` step after ``delay`` seconds (again: the clock starts anew).

        After our socket came back, an offer we sent may have been lost on the
        way. The server keeps signals for an absent participant and delivers
        them on resume, so an answer usually comes without this; the step
        resends the offer if it is still unanswered then.
        """
        if self._resend_timer is not None:
            self._resend_timer.cancel()
        self._resend_timer = asyncio.get_running_loop().call_later(delay, self.put, RESEND)

    async def stop(self) -> None:
        """Stop after the step under way: cancelled halfway (gathering candidates, say),
        aiortc would leave its sockets open. Cancelled only if it takes over 10 s."""
        self._stopped = True
        if self._resend_timer is not None:
            self._resend_timer.cancel()
        self.put("stop")
        try:
            await asyncio.wait_for(asyncio.shield(self._worker), 10)
        except TimeoutError:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _work(self) -> None:
        while not self._stopped:
            op, arg = await self._inbox.get()
            step = self._steps.get(op)
            if self._stopped or step is None:
                continue
            try:
                await step(arg)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("negotiation %s: %s failed", self._what, op, exc_info=True)


async def close_connection(pc: RTCPeerConnection) -> None:
    """Close ``pc`` and everything its connecting started.

    aiortc connects in a task of its own that close() neither waits for nor
    stops: closed under it, that task can go on to start RTCP and ICE consent
    tasks that nothing ends. So give it a moment to finish first (tens of ms
    on a LAN; it never will if the peer is gone), then sweep up.
    """
    connecting = _connect_tasks(pc)
    if connecting:
        await asyncio.wait(connecting, timeout=0.5)
    await pc.close()
    if connecting:
        await asyncio.wait(connecting, timeout=2)
        for task in connecting:
            if task.done() and not task.cancelled():
                task.exception()  # a connection closed halfway fails; that is expected
        await _sweep(pc)


def _connect_tasks(pc: RTCPeerConnection) -> list[asyncio.Task[Any]]:
    """The unfinished `RTCPeerConnection.__connect` tasks of ``pc``."""
    found = []
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if (
            getattr(coro, "__qualname__", "") == "RTCPeerConnection.__connect"
            and frame is not None
            and frame.f_locals.get("self") is pc
        ):
            found.append(task)
    return found


async def _sweep(pc: RTCPeerConnection) -> None:
    """Stop what a connect task started after `close` (stopping twice is harmless)."""
    for transceiver in pc.getTransceivers():
        await transceiver.sender.stop()
        await transceiver.receiver.stop()
        connection = getattr(transceiver.receiver.transport.transport, "_connection", None)
        consent = getattr(connection, "_query_consent_task", None)
        if isinstance(consent, asyncio.Task) and not consent.done():
            consent.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consent


def ice_servers_from_wire(servers: list[dict[str, Any]]) -> list[RTCIceServer]:
    """The welcome's `ice_servers` (RTCIceServer dictionaries) as aiortc objects."""
    out: list[RTCIceServer] = []
    for server in servers:
        urls = server.get("urls")
        if not isinstance(urls, str | list):
            continue
        out.append(
            RTCIceServer(
                urls=urls, username=server.get("username"), credential=server.get("credential")
            )
        )
    return out


def configuration(
    ice_servers: list[RTCIceServer], relay_only: bool, **options: Any
) -> RTCConfiguration:
    """An RTCConfiguration with `ice_servers`; with `relay_only`, TURN relay candidates only."""
    if relay_only:
        if not RELAY_SUPPORTED:
            raise RuntimeError("this aiortc cannot use relay candidates only (iceTransportPolicy)")
        options["iceTransportPolicy"] = _POLICY.RELAY
    return RTCConfiguration(iceServers=ice_servers, **options)


def has_turn(servers: list[RTCIceServer]) -> bool:
    """Whether `servers` name a TURN relay (turn: or turns:)."""
    for server in servers:
        urls = [server.urls] if isinstance(server.urls, str) else server.urls
        if any(url.startswith(("turn:", "turns:")) for url in urls):
            return True
    return False
