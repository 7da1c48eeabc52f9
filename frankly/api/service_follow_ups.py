"""The service's use cases after a meeting: its follow-ups, the representatives a side's
lead appoints to one, and the points all sides agree on.

Each is one transaction, as in service.py, whose helpers it uses (service.py
knows nothing of this module). Two answers racing for the same row (two
appointments of one member, two confirmations by one side) meet the
database's primary key; the loser is run again and told by the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from frankly.api import records
from frankly.api.errors import ApiCode, ApiError
from frankly.api.service import (
    MeetingView,
    Service,
    calling_member,
    dialogue_for,
    meeting_in,
    meeting_view,
    new_room,
    side_in,
)
from frankly.dialogues import access, lookups, meetings, points
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import AgreedPoint, Meeting, MeetingDate, Member
from frankly.dialogues.words import DateKind
from frankly.storage.ids import MEETING, POINT, new_id

T = TypeVar("T")


def follow_up(
    service: Service,
    secret: str | None,
    dialogue_id: str,
    meeting_id: str,
    topic: str,
    agenda: str,
    kind: DateKind,
    by: date | None,
    minutes: int | None,
) -> MeetingView:
    """A meeting following up `meeting_id`, between the same sides; the convener or a lead."""
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        found = dialogue_for(tx, caller, dialogue_id)
        source, _ = meeting_in(tx, dialogue_id, meeting_id)
        made = meetings.follow_up(
            source,
            found,
            caller,
            records.sides_of(tx, dialogue_id),
            new_id(MEETING),
            topic,
            agenda,
            MeetingDate(kind, by=by),
            minutes,
        )
        room = new_room()
        records.add_meeting(tx, made, room, now)
        return meeting_view(tx, made, room)


def appoint(
    service: Service,
    secret: str | None,
    dialogue_id: str,
    meeting_id: str,
    member_id: str,
    topic: str | None,
) -> MeetingView:
    """`member_id` a representative of their side at follow-up `meeting_id`, on `topic`
    (the follow-up's own unless told), by their side's lead."""
    return _retried(lambda: _appoint(service, secret, dialogue_id, meeting_id, member_id, topic))


def unappoint(
    service: Service, secret: str | None, dialogue_id: str, meeting_id: str, member_id: str
) -> MeetingView:
    """`member_id` no longer a representative at `meeting_id`, by their side's lead."""
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        follow, room = meeting_in(tx, dialogue_id, meeting_id)
        appointee = _member(tx, dialogue_id, member_id)
        side = side_in(tx, dialogue_id, appointee.side) if appointee.side else None
        if side is None:
            raise DialogueError(DialogueCode.UNKNOWN_MEMBER, "no such representative here")
        access.lead_of(caller, side)
        appointed = records.appointments_of(tx, dialogue_id)
        if not any(a.meeting == follow.id and a.member == appointee.id for a in appointed):
            raise DialogueError(
                DialogueCode.UNKNOWN_MEMBER, f"{appointee.name} is not a representative here"
            )
        records.remove_appointment(tx, follow.id, appointee.id)
        return meeting_view(tx, follow, room)


def draft_point(
    service: Service, secret: str | None, dialogue_id: str, meeting_id: str, text: str
) -> tuple[AgreedPoint, Meeting]:
    """A new point on the meeting, by a member of a side invited to it."""
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        meeting, _ = meeting_in(tx, dialogue_id, meeting_id)
        sides = records.sides_of(tx, dialogue_id)
        made = points.draft(meeting, caller, sides, text, new_id(POINT), now)
        records.add_point(tx, made)
        return made, meeting


def confirm_point(
    service: Service,
    secret: str | None,
    dialogue_id: str,
    meeting_id: str,
    point_id: str,
    side_id: str | None,
) -> tuple[AgreedPoint, Meeting]:
    """The point confirmed for `side_id` (the caller's side unless told) by its lead."""
    return _retried(lambda: _confirm(service, secret, dialogue_id, meeting_id, point_id, side_id))


def _appoint(
    service: Service,
    secret: str | None,
    dialogue_id: str,
    meeting_id: str,
    member_id: str,
    topic: str | None,
) -> MeetingView:
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        follow, room = meeting_in(tx, dialogue_id, meeting_id)
        appointee = _member(tx, dialogue_id, member_id)
        side = records.sides_of(tx, dialogue_id).get(appointee.side)
        if side is None:
            raise DialogueError(DialogueCode.UNKNOWN_MEMBER, "this member belongs to no side")
        made = meetings.appoint(
            follow,
            side,
            caller,
            appointee,
            follow.topic if topic is None else topic,
            records.appointments_of(tx, dialogue_id),
        )
        records.add_appointment(tx, made, caller.id, now)
        return meeting_view(tx, follow, room)


def _confirm(
    service: Service,
    secret: str | None,
    dialogue_id: str,
    meeting_id: str,
    point_id: str,
    side_id: str | None,
) -> tuple[AgreedPoint, Meeting]:
    now = service.clock()
    with service.db.transaction() as tx:
        caller = calling_member(tx, secret)
        dialogue_for(tx, caller, dialogue_id)
        meeting, _ = meeting_in(tx, dialogue_id, meeting_id)
        point = lookups.in_meeting(
            records.point(tx, point_id), meeting.id, DialogueCode.UNKNOWN_POINT
        )
        wanted = side_id if side_id is not None else caller.side
        if not wanted:
            raise ApiError(ApiCode.INVALID_REQUEST, "name the side you confirm for")
        side = side_in(tx, dialogue_id, wanted)
        confirmed = points.confirm(point, meeting, side, caller, now)
        records.add_confirmation(tx, point.id, confirmed.confirmations[-1])
        return confirmed, meeting


def _member(tx: Connection, dialogue_id: str, member_id: str) -> Member:
    return lookups.in_dialogue(
        records.member(tx, member_id), dialogue_id, DialogueCode.UNKNOWN_MEMBER
    )


def _retried(change: Callable[[], T]) -> T:
    """`change`, run again once if it lost a race for a row's key; the rules then see
    the winner's row and refuse with their own code."""
    try:
        return change()
    except IntegrityError:
        return change()
