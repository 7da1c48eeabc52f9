"""Who may do what in a dialogue, decided from a membership the caller looked up.

The service finds the member behind a credential (a cookie's hash) and passes
that `Member` here, or None when there is none; what a client claims about its
side or role never reaches these functions. Each check returns the member it
vouched for or raises a `DialogueError`. The order of checks matters: first
whether the dialogue is the caller's at all (so that an outsider learns
nothing, not even that it exists), then removal, then side and role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.model import Appointment, Meeting, Member, Readout, Revision, Side


def reader(member: Member | None, dialogue: str) -> Member:
    """A member who may read `dialogue` (its structure, meetings and published readouts)."""
    if member is None or member.dialogue != dialogue:
        raise DialogueError(DialogueCode.UNKNOWN_DIALOGUE, "no such dialogue")
    if member.removed:
        raise DialogueError(DialogueCode.MEMBER_REMOVED, "you were removed from this dialogue")
    return member


def of_side(member: Member | None, side: Side) -> Member:
    """A member of `side` itself, for what only a side does: its draft, its proposals."""
    found = reader(member, side.dialogue)
    if found.side != side.id:
        raise DialogueError(DialogueCode.NOT_YOUR_SIDE, f"only {side.name} may do this")
    return found


def lead_of(member: Member | None, side: Side) -> Member:
    """The lead of `side`, for publishing, appointing, confirming and removing."""
    found = of_side(member, side)
    if side.lead != found.id:
        raise DialogueError(DialogueCode.NOT_LEAD, f"only the lead of {side.name} may do this")
    return found


def invited(member: Member | None, meeting: Meeting, sides: Mapping[str, Side]) -> Member:
    """A member of a side that `meeting` is held between (to propose or answer dates)."""
    found = reader(member, meeting.dialogue)
    if found.side not in meeting.sides:
        names = ", ".join(sides[s].name for s in meeting.sides if s in sides)
        raise DialogueError(
            DialogueCode.NOT_INVITED, f"this meeting is between {names}; your side is not in it"
        )
    return found


def draft_reader(member: Member | None, side: Side) -> Member:
    """Who may read a side's draft: its own members, nobody else (leads of others neither)."""
    return of_side(member, side)


def visible_revisions(member: Member | None, readout: Readout, side: Side) -> tuple[Revision, ...]:
    """The revisions of `readout` that `member` may see: all for its side, else published ones."""
    found = reader(member, side.dialogue)
    if found.side == readout.side:
        return readout.revisions
    return tuple(r for r in readout.revisions if r.published)


def appointer(member: Member | None, side: Side, appointee: Member) -> Member:
    """The lead of `side` appointing `appointee`, who must be a current member of that side."""
    lead = lead_of(member, side)
    current_of(appointee, side)
    return lead


def current_of(target: Member, side: Side) -> Member:
    """`target` if they are a current member of `side`: whom a lead may act on."""
    if target.dialogue != side.dialogue:
        raise DialogueError(DialogueCode.UNKNOWN_MEMBER, "no such member in this dialogue")
    if target.side != side.id:
        raise DialogueError(
            DialogueCode.NOT_YOUR_SIDE, f"{target.name} is not a member of {side.name}"
        )
    if target.removed:
        raise DialogueError(
            DialogueCode.MEMBER_REMOVED, f"{target.name} was removed from this dialogue"
        )
    return target


def remover(member: Member | None, side: Side, target: Member) -> Member:
    """The lead of `target`'s side removing `target`; a lead cannot remove themselves."""
    lead = lead_of(member, side)
    current_of(target, side)
    if target.id == side.lead:
        raise DialogueError(
            DialogueCode.CANNOT_REMOVE_LEAD, "a side's lead cannot be removed; hand the lead on"
        )
    return lead


def leaver(member: Member | None, side: Side) -> Member:
    """A member of `side` leaving it; its lead hands the lead on first."""
    found = of_side(member, side)
    if found.id == side.lead:
        raise DialogueError(
            DialogueCode.CANNOT_REMOVE_LEAD, "a side's lead cannot leave; hand the lead on first"
        )
    return found


def side_in(meeting: Meeting, side: Side) -> Side:
    """`side` if `meeting` is held between it and others: its readout, its confirmations."""
    if side.id not in meeting.sides:
        raise DialogueError(DialogueCode.NOT_INVITED, f"{side.name} is not in this meeting")
    return side


def attendees(
    meeting: Meeting,
    sides: Mapping[str, Side],
    members: Iterable[Member],
    appointments: Iterable[Appointment],
) -> tuple[Member, ...]:
    """Who may enter `meeting`'s room.

    A meeting with appointed representatives is theirs: only they and the
    leads of the invited sides go in. Any other meeting is open to every
    current member of the sides invited to it.
    """
    current = [m for m in members if not m.removed and m.side in meeting.sides]
    appointed = {a.member for a in appointments if a.meeting == meeting.id}
    if not appointed:
        return tuple(current)
    leads = {sides[s].lead for s in meeting.sides if s in sides}
    return tuple(m for m in current if m.id in appointed or m.id in leads)


def entrant(
    member: Member | None,
    meeting: Meeting,
    sides: Mapping[str, Side],
    members: Iterable[Member],
    appointments: Iterable[Appointment],
) -> Member:
    """`member` if they may enter the room, else not-invited saying who may attend."""
    found = reader(member, meeting.dialogue)
    appointments = tuple(appointments)
    allowed = attendees(meeting, sides, members, appointments)
    if any(m.id == found.id for m in allowed):
        return found
    names = [f"{m.name} ({sides[m.side].name})" for m in allowed if m.side in sides]
    reason = (
        "only the appointed representatives and the leads"
        if any(a.meeting == meeting.id for a in appointments)
        else "only members of the invited sides"
    )
    raise DialogueError(
        DialogueCode.NOT_INVITED,
        f"{reason} may attend this meeting: {', '.join(names) or 'nobody yet'}",
        {"attendees": [m.id for m in allowed]},
    )
