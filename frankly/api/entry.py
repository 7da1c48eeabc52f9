"""Entering a dialogue meeting's room: the invite the dialogue gives, and what the room asks.

A member whom the rules admit (access.entrant: a member of an invited side;
at a follow-up with appointed representatives, only they and the leads) gets
a short-lived room invite of the signaling plane's own kind (server/invites.py,
signed with `invite.key`): for the meeting's room, under the member's name,
as a host if they convene the dialogue or lead a side, else as a participant,
with the dialogue's id (which the room checks) and the name of their side
(which the room shows). Everyone else gets not-invited naming who may attend.

The API and the signaling server run in one process. The API reaches the
signaling plane's invites through `Store.invites` (any object with `make`,
set by the app), so that the rules never see it; and the signaling plane
asks `meeting_of_room` which dialogue meeting a room name holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Final, Protocol

import anyio.to_thread
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field
from sqlalchemy import exists, select

from frankly.api import records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.service import Service, calling_member, dialogue_for, meeting_in
from frankly.dialogues import access
from frankly.storage.schema import meetings, members, representatives

if TYPE_CHECKING:
    from frankly.api.routes import Store

# Long enough to get from the dialogue's page into the room, short enough that
# a copied link stops working soon after (a member removed meanwhile, too).
ENTRY_TTL: Final = timedelta(minutes=10)
HOST, PARTICIPANT = "host", "participant"  # the room's roles (protocol/words.py)


class RoomInvites(Protocol):
    """What the API needs of the signaling plane's invites (server/invites.Invites)."""

    def make(
        self,
        room: str,
        role: str,
        ttl: int,
        name: str | None = None,
        meeting: str | None = None,
        *,
        dialogue: str | None = None,
        side: str | None = None,
        member: str | None = None,
    ) -> tuple[str, str, int]: ...


@dataclass(frozen=True, slots=True)
class RoomEntry:
    room: str
    invite: str  # the token for the room's `hello.invite`
    expires: datetime


@dataclass(frozen=True, slots=True)
class RoomMeeting:
    """Which dialogue meeting a room holds, for the room to decide who comes in."""

    dialogue: str
    meeting: str
    representatives: bool  # appointed ones: only invite holders may enter
    removed: frozenset[str]  # members removed from the dialogue: their invites open nothing


def enter(
    service: Service, invites: RoomInvites, secret: str | None, dialogue_id: str, meeting_id: str
) -> RoomEntry:
    """The room invite for the member behind `secret`, if the rules admit them."""
    with service.db.read() as tx:
        member = calling_member(tx, secret)
        found = dialogue_for(tx, member, dialogue_id)
        meeting, room = meeting_in(tx, dialogue_id, meeting_id)
        sides = records.sides_of(tx, dialogue_id)
        members = records.members_of(tx, dialogue_id)
        appointed = records.appointments_of(tx, dialogue_id)
        access.entrant(member, meeting, sides, members, appointed)
    leads = {s.lead for s in sides.values()}
    role = HOST if member.id == found.convener or member.id in leads else PARTICIPANT
    token, _, exp = invites.make(
        room,
        role,
        int(ENTRY_TTL.total_seconds()),
        name=member.name,
        dialogue=dialogue_id,
        side=sides[member.side].name,
        member=member.id,
    )
    return RoomEntry(room, token, datetime.fromtimestamp(exp, UTC))


def meeting_of_room(service: Service, room: str) -> RoomMeeting | None:
    """The dialogue meeting whose room is named `room`, or None for any other room."""
    with service.db.read() as tx:
        row = tx.execute(
            select(
                meetings.c.id,
                meetings.c.dialogue,
                exists().where(representatives.c.meeting == meetings.c.id).label("representatives"),
            ).where(meetings.c.room == room)
        ).first()
        if row is None:
            return None
        removed = tx.execute(
            select(members.c.id).where(
                members.c.dialogue == row.dialogue, members.c.removed.is_not(None)
            )
        ).scalars()
        return RoomMeeting(row.dialogue, row.id, bool(row.representatives), frozenset(removed))


# The route.


class EntryOut(BaseModel):
    room: str
    invite: str = Field(description="a room invite: the room's `hello.invite`")
    expires: datetime = Field(description="ten minutes on: ask again to enter later")
    url: str = Field(description="the room's page (a path) with the invite in its fragment")


_Auth = Annotated[str | None, Header(description="Bearer SECRET (the SDK); else the cookie")]
SecretOf = Callable[[Request, str, str | None], str | None]


def routes(store: Store, secret_of: SecretOf) -> APIRouter:
    """The entry route, with the caller's secret found as the other routes find it."""
    router = APIRouter()

    @router.post(
        "/dialogues/{dialogue}/meetings/{meeting}/entry", status_code=201, response_model=EntryOut
    )
    async def entry(
        dialogue: str, meeting: str, request: Request, authorization: _Auth = None
    ) -> EntryOut:
        service, invites = store.service, store.invites
        if service is None or invites is None:
            raise ApiError(ApiCode.NO_DATABASE, "this server keeps no dialogues")
        secret = secret_of(request, dialogue, authorization)
        made = await anyio.to_thread.run_sync(
            lambda: enter(service, invites, secret, dialogue, meeting)
        )
        url = f"/{made.room}#invite={made.invite}"
        return EntryOut(room=made.room, invite=made.invite, expires=made.expires, url=url)

    return router
