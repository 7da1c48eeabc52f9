"""The service's use cases for who is in a dialogue: removing and leaving, handing the
lead on, a member's devices, and the links to a side.

Each is one transaction, as in service.py, whose helpers it uses (the arrows
point one way: service.py knows nothing of this module). A member's
credentials are kept when they are removed, so that their old cookie is
recognised and refused with member-removed rather than taken for a stranger's.

Adding a device: a member asks for a device link from a device they use; its
secret is random, shown once, and stored only as its hash; within ten
minutes, the new device exchanges it once for a credential of its own (the
same member, another secret). A second claim, or a late one, makes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection

from frankly.api import records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.service import (
    DialogueView,
    Joined,
    Service,
    calling_credential,
    calling_member,
    dialogue_for,
    may_invite,
    side_in,
)
from frankly.dialogues import access, lookups, meetings
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import Member, Side
from frankly.dialogues.texts import clean_line
from frankly.storage.ids import CREDENTIAL, DEVICE_LINK, new_id, new_secret
from frankly.storage.schema import NAME_LENGTH

DEVICE_LINK_TTL: Final = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DeviceLink:
    token: str  # shown once; the database keeps its hash
    expires: datetime


@dataclass(frozen=True, slots=True)
class Device:
    id: str  # the credential's id
    device: str | None  # as its member named it
    created: datetime
    current: bool  # the device asking


@dataclass(frozen=True, slots=True)
class Link:
    invite: str
    side: str
    lead: bool
    created: datetime
    expires: datetime
    revoked: datetime | None


# Members.


def remove(service: Service, secret: str | None, dialogue_id: str, member_id: str) -> bool:
    """`member_id` removed by their side's lead, or leaving if it is the caller themselves
    (then True). Their history stays; their credentials are refused from now on."""
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        target = _member(tx, dialogue_id, member_id)
        side = records.sides_of(tx, dialogue_id).get(target.side)
        if side is None:  # a member of no side: nobody leads them
            raise ApiError(ApiCode.INVALID_REQUEST, "this member belongs to no side")
        if target.id == caller.id:
            access.leaver(caller, side)
        else:
            access.remover(caller, side, target)
        records.remove_member(tx, target.id, now)
    return target.id == caller.id


def hand_lead(
    service: Service, secret: str | None, dialogue_id: str, side_id: str, successor_id: str
) -> DialogueView:
    """The side's lead hands the lead on to a current member of the same side."""
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        side = side_in(tx, dialogue_id, side_id)
        successor = _member(tx, dialogue_id, successor_id)
        led = meetings.hand_lead(side, caller, successor)
        assert led.lead is not None  # the rule names the successor
        records.set_lead(tx, side.id, led.lead)
        return service._view(tx, caller, dialogue_id)


# Devices.


def device_link(service: Service, secret: str | None, dialogue_id: str) -> DeviceLink:
    """A one-use link for another device of the caller, good for ten minutes."""
    now = service.clock()
    token = new_secret()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        records.add_device_link(
            tx, new_id(DEVICE_LINK), caller.id, token, now, now + DEVICE_LINK_TTL
        )
    return DeviceLink(token, now + DEVICE_LINK_TTL)


def claim_device(service: Service, token: str, device: str | None) -> tuple[DialogueView, Joined]:
    """The new device's own credential for the member who made the link."""
    now = service.clock()
    name = clean_line(device, "a device's name", NAME_LENGTH) if device is not None else None
    secret = new_secret()
    with service.db.transaction() as tx:
        link = records.device_link(tx, token)
        if link is None or link.used is not None:
            raise ApiError(ApiCode.INVALID_INVITE, "this device link is not valid (or was used)")
        if link.expires <= now:
            raise ApiError(ApiCode.EXPIRED_INVITE, "this device link has expired; make another")
        member = records.member(tx, link.member)
        assert member is not None  # a foreign key
        access.reader(member, member.dialogue)  # a removed member adds no device
        if not records.use_device_link(tx, link.id, now):  # another claim came first
            raise ApiError(ApiCode.INVALID_INVITE, "this device link is not valid (or was used)")
        records.add_credential(tx, new_id(CREDENTIAL), member.id, secret, now, name)
        view = service._view(tx, member, member.dialogue)
    return view, Joined(member, secret)


def devices(service: Service, secret: str | None, dialogue_id: str) -> list[Device]:
    """The caller's own devices that still work."""
    with service.db.read() as tx:
        credential, caller = calling_credential(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        return [
            Device(row.id, row.device, row.created, row.id == credential)
            for row in records.devices_of(tx, caller.id)
        ]


def revoke_device(service: Service, secret: str | None, dialogue_id: str, device_id: str) -> None:
    """One of the caller's own devices signed out (the asking one too, if named)."""
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        if not records.revoke_device(tx, device_id, caller.id, now):
            raise ApiError(ApiCode.UNKNOWN_DEVICE, "you have no such device")


# Side links.


def links(service: Service, secret: str | None, dialogue_id: str, side_id: str) -> list[Link]:
    """Every link made to a side, for whoever may make them."""
    with service.db.read() as tx:
        _, side = _link_maker(tx, secret, dialogue_id, side_id)
        return [
            Link(row.id, side.id, row.lead, row.created, row.expires, row.revoked)
            for row in records.invites_of(tx, side.id)
        ]


def revoke_link(
    service: Service, secret: str | None, dialogue_id: str, side_id: str, invite_id: str
) -> None:
    """A side's link that joins nobody from now on (revoking it again changes nothing)."""
    now = service.clock()
    with service.db.transaction() as tx:
        _, side = _link_maker(tx, secret, dialogue_id, side_id)
        row = records.invite(tx, invite_id)
        if row is None or row.side != side.id:
            raise ApiError(ApiCode.UNKNOWN_INVITE, "no such link to this side")
        records.revoke_invite(tx, invite_id, now)


# Helpers.


def _member(tx: Connection, dialogue_id: str, member_id: str) -> Member:
    return lookups.in_dialogue(
        records.member(tx, member_id), dialogue_id, DialogueCode.UNKNOWN_MEMBER
    )


def _link_maker(
    tx: Connection, secret: str | None, dialogue_id: str, side_id: str
) -> tuple[Member, Side]:
    caller = calling_member(tx, secret)
    found = dialogue_for(tx, caller, dialogue_id)
    side = side_in(tx, dialogue_id, side_id)
    may_invite(caller, found, side, lead=False)
    return caller, side
