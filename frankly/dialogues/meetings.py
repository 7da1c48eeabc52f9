"""Founding a dialogue, its meetings and follow-ups, and appointing representatives.

A dialogue has a title and two or more sides, each with a name and a time
zone. Its convener or a side's lead sets up its meetings; a follow-up is made
from a meeting, points to it, is held between the same sides and starts with
its own date to agree. Representatives are appointed to a follow-up by their
side's lead; once a follow-up has any, its room is theirs and the leads'
(access.entrant).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Final

from frankly.dialogues import access
from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import (
    TBA,
    Appointment,
    Dialogue,
    Meeting,
    MeetingDate,
    Member,
    Side,
    require_utc,
)
from frankly.dialogues.texts import (
    clean_agenda,
    clean_person,
    clean_side_name,
    clean_title,
    clean_topic,
)
from frankly.dialogues.zones import check_zone

MAX_SIDES: Final = 12
MINUTES_MIN: Final = 15  # storage's CHECK holds the same range (storage/schema.py)
MINUTES_MAX: Final = 600
MINUTES_DEFAULT: Final = 60


def found(
    dialogue_id: str, title: str, sides: Sequence[tuple[str, str, str]], now: datetime
) -> tuple[Dialogue, tuple[Side, ...]]:
    """A new dialogue and its sides, from (side id, name, zone) each; no lead joined yet."""
    if not 2 <= len(sides) <= MAX_SIDES:
        raise DialogueError(DialogueCode.BAD_SIDES, f"a dialogue has 2 to {MAX_SIDES} sides")
    made = tuple(
        Side(sid, dialogue_id, clean_side_name(name), check_zone(zone), None)
        for sid, name, zone in sides
    )
    names = [s.name.casefold() for s in made]
    for side in made:
        if names.count(side.name.casefold()) > 1:
            raise DialogueError(DialogueCode.BAD_SIDES, f"two sides are named {side.name}")
    dialogue = Dialogue(dialogue_id, clean_title(title), None, require_utc(now, "now"))
    return dialogue, made


def organiser(member: Member | None, dialogue: Dialogue, sides: Mapping[str, Side]) -> Member:
    """The convener or a side's lead: who sets up meetings."""
    found_member = access.reader(member, dialogue.id)
    leads = {s.lead for s in sides.values() if s.dialogue == dialogue.id}
    if found_member.id != dialogue.convener and found_member.id not in leads:
        raise DialogueError(
            DialogueCode.NOT_LEAD, "only the convener or a side's lead sets up meetings"
        )
    return found_member


def meeting(
    dialogue: Dialogue,
    member: Member | None,
    sides: Mapping[str, Side],
    new_id: str,
    topic: str,
    agenda: str = "",
    date: MeetingDate = TBA,
    invited: Iterable[str] | None = None,
    minutes: int = 60,
) -> Meeting:
    """A first meeting between `invited` sides (every side when None), date to be agreed."""
    organiser(member, dialogue, sides)
    chosen = tuple(invited) if invited is not None else tuple(sides)
    if len(chosen) < 2 or len(set(chosen)) != len(chosen):
        raise DialogueError(DialogueCode.BAD_SIDES, "a meeting is between two or more sides")
    for side_id in chosen:
        if side_id not in sides or sides[side_id].dialogue != dialogue.id:
            raise DialogueError(DialogueCode.UNKNOWN_SIDE, "no such side in this dialogue")
    chosen = tuple(s for s in sides if s in chosen)  # in the order `sides` has them
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise DialogueError(
            DialogueCode.BAD_DATE, f"a meeting lasts {MINUTES_MIN} to {MINUTES_MAX} minutes"
        )
    if date.kind == "scheduled":
        # A time is agreed between sides (schedule.py), never set by one of them.
        raise DialogueError(DialogueCode.BAD_DATE, "a new meeting's time is agreed by proposals")
    return Meeting(
        new_id, dialogue.id, clean_topic(topic), clean_agenda(agenda), None, date, chosen, minutes
    )


def follow_up(
    source: Meeting,
    dialogue: Dialogue,
    member: Member | None,
    sides: Mapping[str, Side],
    new_id: str,
    topic: str,
    agenda: str = "",
    date: MeetingDate = TBA,
    minutes: int | None = None,
) -> Meeting:
    """A meeting that follows up `source`: the same sides, its own topic and date to agree,
    and `source`'s planned length unless told another."""
    if source.dialogue != dialogue.id:
        raise DialogueError(DialogueCode.UNKNOWN_MEETING, "no such meeting in this dialogue")
    length = source.minutes if minutes is None else minutes
    made = meeting(dialogue, member, sides, new_id, topic, agenda, date, source.sides, length)
    return replace(made, follows=source.id)


def appoint(
    follow: Meeting,
    side: Side,
    member: Member | None,
    appointee: Member,
    topic: str,
    appointments: Iterable[Appointment],
) -> Appointment:
    """`appointee` made a representative of `side` at follow-up `follow`, by the side's lead."""
    access.appointer(member, side, appointee)
    if follow.follows is None:
        raise DialogueError(
            DialogueCode.NOT_A_FOLLOW_UP, "representatives are appointed to a follow-up meeting"
        )
    if side.id not in follow.sides:
        raise DialogueError(DialogueCode.NOT_INVITED, f"{side.name} is not in this meeting")
    if any(a.meeting == follow.id and a.member == appointee.id for a in appointments):
        raise DialogueError(
            DialogueCode.ALREADY_APPOINTED, f"{appointee.name} is already a representative here"
        )
    return Appointment(follow.id, appointee.id, clean_topic(topic))


def join(side: Side, member_id: str, name: str, *, as_lead: bool) -> tuple[Member, Side]:
    """A new member of `side` from its link; through the lead's link, its lead.

    The service has checked the signed link and says which kind it was; a
    lead's link is good once, while the side has no lead.
    """
    member = Member(member_id, side.dialogue, side.id, clean_person(name))
    if not as_lead:
        return member, side
    if side.lead is not None:
        raise DialogueError(DialogueCode.NOT_LEAD, f"{side.name} has a lead already")
    return member, replace(side, lead=member.id)


def hand_lead(side: Side, member: Member | None, successor: Member) -> Side:
    """`side` led by `successor`, a current member of it, by the side's lead."""
    access.lead_of(member, side)
    return replace(side, lead=access.current_of(successor, side).id)
