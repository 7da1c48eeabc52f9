"""Handlers of live captions' messages: a host's `captions`, the captioner's `caption`.

The captioner process and its supervision are frankly/captioner/; here only
who may send what. A caption line is relayed to the room as it was sealed
and not kept: there is no caption history on the server.
"""

from __future__ import annotations

import time

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.rooms.room import CAPTIONER
from frankly.server.hosts import host_of
from frankly.server.hub import Hub
from frankly.server.link import Link


def captions(hub: Hub, link: Link, msg: messages.Captions) -> None:
    room, _ = host_of(hub, link, "captions")
    if not msg.on:
        hub.captions_off(room)
        return
    missing = hub.captions_missing()
    if missing is not None:
        raise ProtocolError(Code.CAPTIONS_UNAVAILABLE, missing, "captions")
    hub.captions_on(room, msg.transcript)


def caption(hub: Hub, link: Link, msg: messages.Caption) -> None:
    room, me = hub.joined(link, "caption")
    if me.role != CAPTIONER:
        what = "caption: only the server's captioner sends caption lines"
        raise ProtocolError(Code.NOT_ALLOWED, what, "caption")
    hub.broadcast(room, messages.caption(me.id, msg.sealed, time.time()))
