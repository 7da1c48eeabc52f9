"""The WebSocket endpoint: read frames, validate, dispatch, refuse.

Dispatch goes through a table of small handlers on the Hub, one per message
type, rather than one long switch. A handler that must wait (a password hash
off the event loop) returns an awaitable, which the reader awaits before it
reads this connection's next frame.

A handler that fails in a way nobody planned is a bug of ours: its sender
gets `internal-error` and a close of 1011 (reconnect), the room carries on,
and the log gets one traceback every few seconds, not one per frame.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.server import captions, hosts, interpretation
from frankly.server.hub import Hub
from frankly.server.link import Link, State, client_address

log = logging.getLogger(__name__)

# Seconds between two tracebacks of unexpected errors in the log.
CRASH_LOG_INTERVAL = 10.0

Handler = Callable[[Hub, Link, Any], Awaitable[None] | None]
HANDLERS: dict[type[Any], Handler] = {
    messages.Hello: Hub.hello,
    messages.Update: Hub.update,
    messages.Signal: Hub.signal,
    messages.Chat: Hub.chat,
    messages.Ping: Hub.ping,
    messages.Leave: Hub.leave,
    messages.Sfu: Hub.sfu,
    messages.SfuRestart: Hub.sfu_restart,
    messages.View: Hub.view,
    messages.E2ee: Hub.signal,  # key exchange is relayed like negotiation
    messages.Hand: Hub.hand,
    messages.React: Hub.react,
    messages.Settings: hosts.settings,
    messages.Admit: hosts.admit,
    messages.Deny: hosts.deny,
    messages.Moderate: hosts.moderate,
    messages.End: hosts.end,
    messages.Invite: hosts.invite,
    messages.Revoke: hosts.revoke,
    messages.Interpreter: interpretation.interpreter,
    messages.Interpret: interpretation.interpret,
    messages.Handover: interpretation.handover,
    messages.Listen: interpretation.listen,
    messages.BoothChat: interpretation.booth_chat,
    messages.Captions: captions.captions,
    messages.Caption: captions.caption,
    messages.TranscriptLine: captions.transcript_line,
}


async def endpoint(ws: WebSocket) -> None:
    hub: Hub = ws.app.state.hub
    loop = asyncio.get_running_loop()
    await ws.accept()
    address = client_address(ws, hub.config.trust_proxy)
    link = Link(ws, hub.config, loop.time(), address, hub.stats)
    try:
        await _read_loop(hub, link, loop)
    finally:
        hub.detach(link)
        await link.finish()


async def _read_loop(hub: Hub, link: Link, loop: asyncio.AbstractEventLoop) -> None:
    while link.state is not State.CLOSING:
        frame = await _receive(hub, link)
        if frame is None:
            return
        now = loop.time()
        if not link.bucket.take(now):
            link.rate_limited(now)
            continue
        try:
            message = _parsed(hub, link, frame)
            pending = HANDLERS[type(message)](hub, link, message)
            if inspect.isawaitable(pending):
                await pending
            if isinstance(message, messages.Hello) and link.state is State.JOINED:
                hub.stats.join_seconds.observe(loop.time() - now)  # hello to welcome
        except ProtocolError as err:
            link.refuse(err)
        except Exception:
            _crashed(link, now)


def _parsed(hub: Hub, link: Link, frame: str | bytes) -> messages.ClientMessage:
    """The message, counted by type (frames that parse as none: "unknown")."""
    try:
        message = messages.parse(frame)
    except ProtocolError:
        hub.stats.received(None)
        raise
    hub.stats.received(message.type)
    if isinstance(message, messages.Hello):
        link.asked_room = message.room
    return message


class _CrashLog:
    """Tracebacks of unexpected errors, at most one per CRASH_LOG_INTERVAL."""

    last = float("-inf")
    unlogged = 0


def _crashed(link: Link, now: float) -> None:
    if now - _CrashLog.last >= CRASH_LOG_INTERVAL:
        more = f" ({_CrashLog.unlogged} more since the last)" if _CrashLog.unlogged else ""
        log.exception("unexpected error handling a message%s", more)
        _CrashLog.last, _CrashLog.unlogged = now, 0
    else:
        _CrashLog.unlogged += 1
    link.refuse(ProtocolError(Code.INTERNAL_ERROR, "the server failed on this message"))


async def _receive(hub: Hub, link: Link) -> str | bytes | None:
    """The next frame, or None once the socket is closed or timed out."""
    # Knockers wait as long as a host takes, kept alive by their pings.
    joined = link.state in (State.JOINED, State.WAITING)
    timeout = hub.config.timeout if joined else hub.config.hello_timeout
    try:
        event = await asyncio.wait_for(link.ws.receive(), timeout)
    except TimeoutError:
        what = f"nothing heard for {timeout:g} s" if joined else f"no hello within {timeout:g} s"
        link.refuse(ProtocolError(Code.TIMEOUT, what))
        return None
    if event["type"] == "websocket.disconnect":
        return None
    text: str | None = event.get("text")
    return text if text is not None else event.get("bytes", b"")
