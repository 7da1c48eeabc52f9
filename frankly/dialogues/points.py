"""Agreed points: drafted by any side, agreed only once every side's lead has confirmed.

A point is a short text that the sides of a meeting agree on ("appoint
representatives", "next meeting very soon"), unlike a readout, which is one
side's own. Each confirmation records the side, its lead and the time, so
that the page shows who confirmed what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from frankly.dialogues import access
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import (
    AgreedPoint,
    Confirmation,
    Meeting,
    Member,
    Side,
    require_utc,
)
from frankly.dialogues.texts import POINT_MAX, clean_line


def draft(
    meeting: Meeting,
    member: Member | None,
    sides: Mapping[str, Side],
    text: str,
    new_id: str,
    now: datetime | None = None,
) -> AgreedPoint:
    """A new point on `meeting`, drafted by `member`'s side, confirmed by nobody yet."""
    drafter = access.invited(member, meeting, sides)
    cleaned = clean_line(text, "a point", POINT_MAX)
    at = require_utc(now, "now") if now is not None else None
    return AgreedPoint(new_id, meeting.id, cleaned, drafter.side, author=drafter.id, at=at)


def confirm(
    point: AgreedPoint, meeting: Meeting, side: Side, member: Member | None, now: datetime
) -> AgreedPoint:
    """`point` confirmed for `side` by its lead; a side confirms a point once."""
    lead = access.lead_of(member, side)
    if side.id not in meeting.sides:
        raise DialogueError(DialogueCode.NOT_INVITED, f"{side.name} is not in this meeting")
    if point.meeting != meeting.id:
        raise DialogueError(DialogueCode.UNKNOWN_POINT, "no such point in this meeting")
    if any(c.side == side.id for c in point.confirmations):
        raise DialogueError(DialogueCode.ALREADY_CONFIRMED, f"{side.name} has confirmed this point")
    confirmation = Confirmation(side.id, lead.id, require_utc(now, "now"))
    return replace(point, confirmations=(*point.confirmations, confirmation))


def confirmed_by(point: AgreedPoint) -> frozenset[str]:
    return frozenset(c.side for c in point.confirmations)


def waiting_for(point: AgreedPoint, meeting: Meeting) -> tuple[str, ...]:
    """The sides of the meeting that have not confirmed `point` yet."""
    done = confirmed_by(point)
    return tuple(s for s in meeting.sides if s not in done)


def is_agreed(point: AgreedPoint, meeting: Meeting) -> bool:
    return not waiting_for(point, meeting)


def agreed(points: Iterable[AgreedPoint], meeting: Meeting) -> tuple[AgreedPoint, ...]:
    return tuple(p for p in points if is_agreed(p, meeting))
