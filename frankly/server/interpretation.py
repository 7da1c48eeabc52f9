"""Handlers of interpretation's messages: interpreters, direction, hand-over, listening, booth chat.

The room's interpretation is pure state (rooms/interpretation.py); these
handlers check who may act, apply the change there, and ask the Hub to
route the SFU and tell the room (`Hub.interpretation_changed`). Refusals of
the rules come back as `Refused` and leave here as the codes in `REFUSALS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.rooms import Participant, Room
from frankly.rooms.interpretation import Refused, Why
from frankly.rooms.room import GUEST
from frankly.server.hub import Hub
from frankly.server.link import Link

T = TypeVar("T")

REFUSALS: dict[Why, Code] = {
    "booth-full": Code.NOT_ALLOWED,
    "too-many": Code.NOT_ALLOWED,
    "not-interpreter": Code.NOT_INTERPRETER,
    "unknown-language": Code.UNKNOWN_LANGUAGE,
    "channel-busy": Code.CHANNEL_BUSY,
    "own-channel": Code.NOT_ALLOWED,
    "no-partner": Code.BOOTH_NOT_READY,
}


def interpreter(hub: Hub, link: Link, msg: messages.Interpreter) -> None:
    """A host makes `msg.id` the interpreter of a pair, or (`pair: null`) no interpreter."""
    room, me = hub.joined(link, Msg.INTERPRETER)
    if not me.is_host:
        raise ProtocolError(Code.NOT_HOST, "interpreter: only a host may do this", Msg.INTERPRETER)
    target = _participant(room, msg.id, Msg.INTERPRETER)
    interp = room.interpretation
    before = dict(interp.listening)
    if msg.pair is None:
        interp.unassign(target.id)
    else:
        if target.role == GUEST:
            what = "a guest cannot be an interpreter: make them a participant first"
            raise ProtocolError(Code.GUEST_INTERPRETER, what, Msg.INTERPRETER)
        pair = (msg.pair[0], msg.pair[1])
        _rule(lambda: interp.assign(target.id, pair), Msg.INTERPRETER)
    hub.interpretation_changed(room, before)


def interpret(hub: Hub, link: Link, msg: messages.Interpret) -> None:
    """An interpreter switches its booth's direction, or names the track it speaks on."""
    room, me = hub.joined(link, Msg.INTERPRET)
    interp = room.interpretation
    before = dict(interp.listening)
    into, track = msg.into, msg.track
    if into is not None:
        _rule(lambda: interp.direction(me.id, into), Msg.INTERPRET)
    if track is not None:
        _rule(lambda: interp.set_track(me.id, track), Msg.INTERPRET)
    hub.interpretation_changed(room, before)


async def handover(hub: Hub, link: Link, msg: messages.Handover) -> None:
    """The live channel of a booth goes to another member, at once, if they are ready.

    The order of switching: (1) the new voice must be ready to take over
    (`Router.channel_ready`: sending its channel track now, and every
    listener of the channel negotiated for it, so none is left in silence
    while its connection renegotiates), else `booth-not-ready` and nothing
    changes; (2) the booth's live member changes;
    (3) the SFU stops forwarding the old voice and starts the new one in one
    call, so no packet of the channel is routed in between (never two voices,
    and the next packet of the new one follows at once); (4) the room is told.
    """
    room, me = hub.joined(link, Msg.HANDOVER)
    interp = room.interpretation
    booth, to = _rule(lambda: interp.handover(me.id, msg.to), Msg.HANDOVER)
    router = hub.routers.get(room.name)
    ready = router is not None and to != booth.live and router.channel_ready(to, time.monotonic())
    if not isinstance(ready, bool):  # a router in an SFU worker answers over its channel
        ready = await ready
    if to != booth.live and not ready:
        name = room.participants[to].name if to in room.participants else to
        what = (
            f"{name}'s channel is not ready to take over yet (not sending, or a listener's "
            "connection still being told of it): the channel stays with whom it is"
        )
        raise ProtocolError(Code.BOOTH_NOT_READY, what, Msg.HANDOVER)
    before = dict(interp.listening)
    interp.go_live(booth, to)
    hub.interpretation_changed(room, before)


def listen(hub: Hub, link: Link, msg: messages.Listen) -> None:
    """The sender hears `msg.channel` from now on; for an interpreter, its relay."""
    room, me = hub.joined(link, Msg.LISTEN)
    interp = room.interpretation
    _rule(lambda: interp.listen(me.id, msg.channel), Msg.LISTEN)
    link.send(messages.listening(msg.channel))
    hub.route_interpretation(room)
    if interp.booth_of(me.id) is not None:  # a relay is for the room to see
        hub.broadcast(room, messages.interpretation(interp.public()))


def booth_chat(hub: Hub, link: Link, msg: messages.BoothChat) -> None:
    """Relay a sealed line to the other members of the sender's booth, each its own."""
    room, me = hub.joined(link, Msg.BOOTH_CHAT)
    booth = room.interpretation.booth_of(me.id)
    if booth is None:
        raise ProtocolError(Code.NOT_INTERPRETER, "only an interpreter has a booth", Msg.BOOTH_CHAT)
    for pid in msg.sealed:
        if pid == me.id or pid not in booth.members:
            what = f"{pid!r} is not another member of your booth"
            raise ProtocolError(Code.UNKNOWN_PEER, what, Msg.BOOTH_CHAT)
    ts = time.time()
    for pid, sealed in msg.sealed.items():
        hub.send_to(pid, messages.booth_chat(me.id, me.name, sealed, ts))


# --- helpers ------------------------------------------------------------------


def _rule(change: Callable[[], T], ref: Msg) -> T:
    """Apply one change of the rules; a refusal leaves with its code."""
    try:
        return change()
    except Refused as refused:
        raise ProtocolError(REFUSALS[refused.why], refused.message, ref) from None


def _participant(room: Room, pid: str, ref: Msg) -> Participant:
    target = room.participants.get(pid)
    if target is None and room.has_left(pid):
        what = f"participant {pid!r} has left this room"
        raise ProtocolError(Code.UNKNOWN_PEER, what, ref, counts=False)
    if target is None:
        raise ProtocolError(Code.UNKNOWN_PEER, f"no participant {pid!r} in this room", ref)
    return target
