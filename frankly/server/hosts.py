"""Handlers of the messages only a host may send.

Each one first makes sure the sender is a host of its room (`not-host`
otherwise), then asks the Hub to act: the Hub owns the sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from frankly.protocol import messages
from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.words import Msg
from frankly.rooms import Participant, Room
from frankly.rooms.room import CAPTIONER
from frankly.server.access import own_address
from frankly.server.hub import Hub
from frankly.server.link import Link
from frankly.server.lobby import Knock

# Invites a meeting may have revoked: plenty for any meeting, and bounded.
MAX_REVOKED = 1000


async def settings(hub: Hub, link: Link, msg: messages.Settings) -> None:
    room, _ = host_of(hub, link, Msg.SETTINGS)
    hashed = None
    if msg.password is not None:
        # Refused cheaply if over budget; hashed off the event loop; nothing
        # changes until it is done, so the new settings arrive together.
        now = asyncio.get_running_loop().time()
        address = own_address(link.address)
        hashed = await hub.gate.hasher.make(msg.password, address, now, Msg.SETTINGS)
        if hub.rooms.rooms.get(room.name) is not room or link.room is not room:
            return  # the meeting ended, or the host left, while it was hashed
    if msg.lobby is not None:
        room.lobby = msg.lobby
    if msg.locked is not None:
        room.locked = msg.locked
    if "password" in msg.model_fields_set:
        room.password = hashed
    hub.broadcast(room, messages.settings(**room.settings()))
    hub.save(room)


def admit(hub: Hub, link: Link, msg: messages.Admit) -> None:
    room, _ = host_of(hub, link, Msg.ADMIT)
    hub.admit(room, _knock(hub, room, msg.id, Msg.ADMIT))


def deny(hub: Hub, link: Link, msg: messages.Deny) -> None:
    room, _ = host_of(hub, link, Msg.DENY)
    hub.deny(room, _knock(hub, room, msg.id, Msg.DENY))


def moderate(hub: Hub, link: Link, msg: messages.Moderate) -> None:
    room, me = host_of(hub, link, Msg.MODERATE)
    target = room.participants.get(msg.id)
    if target is None and room.has_left(msg.id):
        # A host's click crossed their leave: not the host's fault.
        what = f"participant {msg.id!r} has left this room"
        raise ProtocolError(Code.UNKNOWN_PEER, what, Msg.MODERATE, counts=False)
    if target is None:
        raise ProtocolError(
            Code.UNKNOWN_PEER, f"no participant {msg.id!r} in this room", Msg.MODERATE
        )
    if msg.action == "remove" and target is me:
        raise ProtocolError(
            Code.INVALID_MESSAGE,
            "moderate: a host cannot remove itself; send 'leave'",
            Msg.MODERATE,
        )
    if target.role == CAPTIONER and msg.action != "remove":
        what = f"moderate: the server's captioner cannot be given {msg.action!r}"
        raise ProtocolError(Code.NOT_ALLOWED, what, Msg.MODERATE)
    if target.role == CAPTIONER:  # captions off: the captioner leaves and is not restarted
        hub.captions_off(room)
        return
    if msg.action != "remove":  # the removed get their `removed` error instead
        hub.send_to(target.id, messages.moderated(msg.action, me.id))
    ACTIONS[msg.action](hub, room, target)


def end(hub: Hub, link: Link, msg: messages.End) -> None:
    room, me = host_of(hub, link, Msg.END)
    hub.end(room, me)


def invite(hub: Hub, link: Link, msg: messages.Invite) -> None:
    room, _ = host_of(hub, link, Msg.INVITE)
    interprets = None
    if msg.interpret is not None:
        if msg.role == "guest":
            what = "invite: a guest cannot be an interpreter; invite a participant"
            raise ProtocolError(Code.GUEST_INTERPRETER, what, Msg.INVITE)
        interprets = (msg.interpret[0], msg.interpret[1])
    # Tied to this meeting: once it is over, a room of the same name is
    # another meeting, which this token does not open (docs/security.md).
    token, invite_id, exp = hub.gate.invites.make(
        room.name, msg.role, msg.ttl, meeting=room.meeting, interprets=interprets
    )
    reply = messages.invite_token(token, invite_id, msg.role, exp)
    if interprets is not None:
        reply["interpret"] = list(interprets)
    link.send(reply)


def revoke(hub: Hub, link: Link, msg: messages.Revoke) -> None:
    """From now until the meeting is over, a hello with that invite is refused."""
    room, _ = host_of(hub, link, Msg.REVOKE)
    if msg.id not in room.revoked and len(room.revoked) >= MAX_REVOKED:
        what = f"revoke: this meeting has revoked {MAX_REVOKED} invites already"
        raise ProtocolError(Code.NOT_ALLOWED, what, Msg.REVOKE)
    room.revoked.add(msg.id)
    hub.save(room)
    hub.to_hosts(room.name, messages.revoked(msg.id))


# --- moderation actions -------------------------------------------------------


def _mute(hub: Hub, room: Room, target: Participant) -> None:
    target.audio = False
    hub.updated(room, target)


def _stop_video(hub: Hub, room: Room, target: Participant) -> None:
    target.video = False
    hub.updated(room, target)


def _stop_screen(hub: Hub, room: Room, target: Participant) -> None:
    room.stop_screen(target)
    hub.updated(room, target)


def _lower_hand(hub: Hub, room: Room, target: Participant) -> None:
    target.hand = None
    hub.updated(room, target)


def _ask_unmute(hub: Hub, room: Room, target: Participant) -> None:
    """Nothing to change: only its owner may turn a microphone on."""


ACTIONS: dict[str, Callable[[Hub, Room, Participant], None]] = {
    "mute": _mute,
    "ask-unmute": _ask_unmute,
    "stop-video": _stop_video,
    "stop-screen": _stop_screen,
    "remove": Hub.remove,
    "make-host": Hub.make_host,
    "lower-hand": _lower_hand,
}


# --- helpers ------------------------------------------------------------------


def host_of(hub: Hub, link: Link, ref: Msg) -> tuple[Room, Participant]:
    room, me = hub.joined(link, ref)
    if not me.is_host:
        raise ProtocolError(Code.NOT_HOST, f"{ref}: only a host may do this", ref)
    return room, me


def _knock(hub: Hub, room: Room, knock_id: str, ref: Msg) -> Knock:
    knock = hub.lobby.get(room.name, knock_id)
    if knock is None:
        raise ProtocolError(Code.UNKNOWN_KNOCK, f"nobody is knocking as {knock_id!r}", ref)
    return knock
