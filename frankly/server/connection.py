"""The WebSocket endpoint: read frames, validate, dispatch, refuse.

Dispatch goes through a table of small handlers on the Hub, one per message
type, rather than one long switch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.server import hosts
from frankly.server.hub import Hub
from frankly.server.link import Link, State, client_address

log = logging.getLogger(__name__)

Handler = Callable[[Hub, Link, Any], None]
HANDLERS: dict[type[Any], Handler] = {
    messages.Hello: Hub.hello,
    messages.Update: Hub.update,
    messages.Signal: Hub.signal,
    messages.Chat: Hub.chat,
    messages.Ping: Hub.ping,
    messages.Leave: Hub.leave,
    messages.Sfu: Hub.sfu,
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
}


async def endpoint(ws: WebSocket) -> None:
    hub: Hub = ws.app.state.hub
    loop = asyncio.get_running_loop()
    await ws.accept()
    link = Link(ws, hub.config, loop.time(), client_address(ws, hub.config.trust_proxy))
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
            message = messages.parse(frame)
            HANDLERS[type(message)](hub, link, message)
        except ProtocolError as err:
            link.refuse(err)


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
