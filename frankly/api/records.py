"""The dialogue rules' records read from and written to storage's tables, on one connection.

Storage keeps the convener and each side's lead as flags on members, and
the rules keep them as ids on Dialogue and Side: this module is the one place
that translates. Every function takes an open connection, so that a use case
of the service reads and writes in the one transaction it began. Nothing
here decides anything; the rules do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, insert, select, update

from frankly.dialogues.model import (
    AgreedPoint,
    Appointment,
    Confirmation,
    Dialogue,
    Meeting,
    MeetingDate,
    Member,
    Proposal,
    Readout,
    Revision,
    Side,
)
from frankly.storage.ids import ID_LENGTH, secret_hash
from frankly.storage.schema import (
    confirmations,
    credentials,
    device_links,
    dialogues,
    invites,
    meeting_sides,
    meetings,
    members,
    points,
    proposals,
    readouts,
    representatives,
    revisions,
    sides,
    transcript_lines,
)


def dialogue(tx: Connection, dialogue_id: str) -> Dialogue | None:
    row = tx.execute(select(dialogues).where(dialogues.c.id == dialogue_id)).first()
    if row is None:
        return None
    convener = tx.execute(
        select(members.c.id).where(members.c.dialogue == dialogue_id, members.c.convener)
    ).scalar()
    return Dialogue(row.id, row.title, convener, row.created)


def sides_of(tx: Connection, dialogue_id: str) -> dict[str, Side]:
    """The dialogue's sides by id, in the order they are shown."""
    lead = members.alias("lead")
    rows = tx.execute(
        select(sides, lead.c.id.label("lead_id"))
        .outerjoin(lead, and_(lead.c.side == sides.c.id, lead.c.lead))
        .where(sides.c.dialogue == dialogue_id)
        .order_by(sides.c.position)
    )
    return {r.id: Side(r.id, r.dialogue, r.name, r.time_zone, r.lead_id) for r in rows}


def members_of(tx: Connection, dialogue_id: str) -> list[Member]:
    rows = tx.execute(
        select(members).where(members.c.dialogue == dialogue_id).order_by(members.c.created)
    )
    return [_member(r) for r in rows]


def meeting(tx: Connection, meeting_id: str, *, lock: bool = False) -> tuple[Meeting, str] | None:
    """A meeting and its room's name. `lock` holds its row until the transaction ends
    (PostgreSQL; SQLite's changes take the whole database's write lock anyway), so
    that two answers to its proposals cannot both pass the rules."""
    if not _id_shaped(meeting_id):  # never sent to the database (PostgreSQL refuses NUL)
        return None
    query = select(meetings).where(meetings.c.id == meeting_id)
    row = tx.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    invited = _invited(tx, meeting_sides.c.meeting == row.id)
    return _meeting(row, invited.get(row.id, ())), row.room


def meetings_of(tx: Connection, dialogue_id: str) -> list[tuple[Meeting, str]]:
    rows = tx.execute(
        select(meetings).where(meetings.c.dialogue == dialogue_id).order_by(meetings.c.created)
    ).all()
    invited = _invited(tx, meeting_sides.c.dialogue == dialogue_id) if rows else {}
    return [(_meeting(row, invited.get(row.id, ())), row.room) for row in rows]


def proposals_of(tx: Connection, meeting_id: str) -> list[Proposal]:
    rows = tx.execute(
        select(proposals)
        .where(proposals.c.meeting == meeting_id)
        .order_by(proposals.c.proposed, proposals.c.at)
    )
    return [
        Proposal(r.id, r.meeting, r.side, r.at, r.state, r.proposed_by, r.answered_by) for r in rows
    ]


def transcript_size(tx: Connection, meeting_id: str) -> tuple[int, int]:
    """How many lines the meeting's kept transcript holds, and their characters
    (text and English), for its cap."""
    size = func.length(transcript_lines.c.text) + func.coalesce(
        func.length(transcript_lines.c.english), 0
    )
    row = tx.execute(
        select(func.count(), func.coalesce(func.sum(size), 0)).where(
            transcript_lines.c.meeting == meeting_id
        )
    ).one()
    return int(row[0]), int(row[1])


def moves(tx: Connection, meeting_id: str) -> int:
    """How often a meeting was moved: accepted proposals after the first."""
    accepted = tx.execute(
        select(func.count())
        .select_from(proposals)
        .where(proposals.c.meeting == meeting_id, proposals.c.state == "accepted")
    ).scalar_one()
    return max(0, int(accepted) - 1)


def readout(tx: Connection, meeting_id: str, side_id: str) -> tuple[str | None, Readout]:
    """A side's readout of a meeting with every revision (its row id; None before the first)."""
    readout_id = tx.execute(
        select(readouts.c.id).where(readouts.c.meeting == meeting_id, readouts.c.side == side_id)
    ).scalar()
    if readout_id is None:
        return None, Readout(meeting_id, side_id)
    rows = tx.execute(
        select(revisions).where(revisions.c.readout == readout_id).order_by(revisions.c.number)
    )
    found = tuple(
        Revision(r.number, r.text, r.author, r.saved, r.published is not None) for r in rows
    )
    return readout_id, Readout(meeting_id, side_id, found)


def add_dialogue(tx: Connection, made: Dialogue, made_sides: Sequence[Side]) -> None:
    tx.execute(insert(dialogues).values(id=made.id, title=made.title, created=made.created))
    tx.execute(
        insert(sides),
        [
            {"id": s.id, "dialogue": s.dialogue, "name": s.name, "time_zone": s.zone, "position": i}
            for i, s in enumerate(made_sides)
        ],
    )


def add_member(
    tx: Connection, member: Member, now: datetime, *, lead: bool, convener: bool = False
) -> None:
    tx.execute(
        insert(members).values(
            id=member.id,
            dialogue=member.dialogue,
            side=member.side,
            name=member.name,
            lead=lead,
            convener=convener,
            created=now,
        )
    )


def add_credential(
    tx: Connection,
    credential_id: str,
    member_id: str,
    secret: str,
    now: datetime,
    device: str | None = None,
) -> None:
    tx.execute(
        insert(credentials).values(
            id=credential_id,
            member=member_id,
            secret_hash=secret_hash(secret),
            created=now,
            device=device,
        )
    )


def add_invite(
    tx: Connection,
    invite_id: str,
    side_id: str,
    now: datetime,
    expires: datetime,
    *,
    lead: bool = False,
) -> None:
    tx.execute(
        insert(invites).values(id=invite_id, side=side_id, created=now, expires=expires, lead=lead)
    )


def invite(tx: Connection, invite_id: str) -> Row[Any] | None:
    if not _id_shaped(invite_id):
        return None
    return tx.execute(select(invites).where(invites.c.id == invite_id)).first()


def add_meeting(tx: Connection, made: Meeting, room: str, now: datetime) -> None:
    tx.execute(
        insert(meetings).values(
            id=made.id,
            dialogue=made.dialogue,
            follows=made.follows,
            topic=made.topic,
            agenda=made.agenda,
            date_state=made.date.kind,
            by_date=made.date.by,
            scheduled_at=made.date.at,
            room=room,
            created=now,
            minutes=made.minutes,
        )
    )
    tx.execute(
        insert(meeting_sides),
        [{"meeting": made.id, "side": s, "dialogue": made.dialogue} for s in made.sides],
    )


def set_date(tx: Connection, changed: Meeting) -> None:
    tx.execute(
        update(meetings)
        .where(meetings.c.id == changed.id)
        .values(date_state=changed.date.kind, by_date=changed.date.by, scheduled_at=changed.date.at)
    )


def add_proposal(tx: Connection, made: Proposal, now: datetime) -> None:
    tx.execute(
        insert(proposals).values(
            id=made.id,
            meeting=made.meeting,
            side=made.side,
            at=made.at,
            state=made.state,
            proposed_by=made.by,
            proposed=now,
        )
    )


def answer_proposals(tx: Connection, changed: Iterable[Proposal], now: datetime) -> None:
    for proposal in changed:
        tx.execute(
            update(proposals)
            .where(proposals.c.id == proposal.id, proposals.c.state == "open")
            .values(state=proposal.state, answered_by=proposal.decided_by, answered=now)
        )


def add_readout(
    tx: Connection, readout_id: str, meeting_id: str, side_id: str, now: datetime
) -> None:
    tx.execute(
        insert(readouts).values(id=readout_id, meeting=meeting_id, side=side_id, created=now)
    )


def add_revision(tx: Connection, readout_id: str, revision: Revision) -> None:
    """A new revision; a second with the same number (a save that lost a race) raises
    IntegrityError, which the service turns into the rules' stale-revision."""
    tx.execute(
        insert(revisions).values(
            readout=readout_id,
            number=revision.number,
            text=revision.text,
            author=revision.author,
            saved=revision.at,
        )
    )


def publish_revision(
    tx: Connection, readout_id: str, number: int, member_id: str, now: datetime
) -> None:
    tx.execute(
        update(revisions)
        .where(
            revisions.c.readout == readout_id,
            revisions.c.number == number,
            revisions.c.published.is_(None),
        )
        .values(published=now, published_by=member_id)
    )


# Members, their devices and their sides' links.


def member(tx: Connection, member_id: str) -> Member | None:
    if not _id_shaped(member_id):
        return None
    row = tx.execute(select(members).where(members.c.id == member_id)).first()
    return _member(row) if row is not None else None


def credential_by_secret(tx: Connection, secret: str) -> tuple[str, Member] | None:
    """The credential `secret` is (its id) and its member, if it is not revoked."""
    row = tx.execute(
        select(members, credentials.c.id.label("credential"))
        .join(credentials, credentials.c.member == members.c.id)
        .where(credentials.c.secret_hash == secret_hash(secret), credentials.c.revoked.is_(None))
    ).first()
    return (row.credential, _member(row)) if row is not None else None


def remove_member(tx: Connection, member_id: str, now: datetime) -> None:
    """Marked removed (never deleted: what they wrote stays theirs); never a lead."""
    tx.execute(
        update(members)
        .where(members.c.id == member_id, members.c.removed.is_(None), members.c.lead.is_(False))
        .values(removed=now)
    )


def set_lead(tx: Connection, side_id: str, successor: str) -> None:
    """`successor` leads `side_id` instead of its lead; one lead a side throughout
    (the old flag goes first, or the unique index would refuse the new one)."""
    tx.execute(update(members).where(members.c.side == side_id, members.c.lead).values(lead=False))
    tx.execute(update(members).where(members.c.id == successor).values(lead=True))


def invites_of(tx: Connection, side_id: str) -> list[Row[Any]]:
    """Every link made to a side, newest first: current, expired and revoked alike."""
    query = select(invites).where(invites.c.side == side_id)
    return list(tx.execute(query.order_by(invites.c.created.desc(), invites.c.id)))


def revoke_invite(tx: Connection, invite_id: str, now: datetime) -> None:
    tx.execute(
        update(invites)
        .where(invites.c.id == invite_id, invites.c.revoked.is_(None))
        .values(revoked=now)
    )


def add_device_link(
    tx: Connection, link_id: str, member_id: str, secret: str, now: datetime, expires: datetime
) -> None:
    tx.execute(
        insert(device_links).values(
            id=link_id,
            member=member_id,
            secret_hash=secret_hash(secret),
            created=now,
            expires=expires,
        )
    )


def device_link(tx: Connection, secret: str) -> Row[Any] | None:
    query = select(device_links).where(device_links.c.secret_hash == secret_hash(secret))
    return tx.execute(query).first()


def use_device_link(tx: Connection, link_id: str, now: datetime) -> bool:
    """Marks the link used; False when another claim used it first."""
    done = tx.execute(
        update(device_links)
        .where(device_links.c.id == link_id, device_links.c.used.is_(None))
        .values(used=now)
    )
    return done.rowcount == 1


def devices_of(tx: Connection, member_id: str) -> list[Row[Any]]:
    """A member's credentials that still work, oldest first."""
    return list(
        tx.execute(
            select(credentials)
            .where(credentials.c.member == member_id, credentials.c.revoked.is_(None))
            .order_by(credentials.c.created, credentials.c.id)
        )
    )


def revoke_device(tx: Connection, credential_id: str, member_id: str, now: datetime) -> bool:
    """Revokes one of `member_id`'s own credentials; False if it is not one that works."""
    if not _id_shaped(credential_id):
        return False
    done = tx.execute(
        update(credentials)
        .where(
            credentials.c.id == credential_id,
            credentials.c.member == member_id,
            credentials.c.revoked.is_(None),
        )
        .values(revoked=now)
    )
    return done.rowcount == 1


# Representatives and agreed points.


def appointments_of(tx: Connection, dialogue_id: str) -> list[Appointment]:
    """Every representative appointed to the dialogue's meetings, in order of appointment."""
    rows = tx.execute(
        select(representatives)
        .join(meetings, meetings.c.id == representatives.c.meeting)
        .where(meetings.c.dialogue == dialogue_id)
        .order_by(representatives.c.appointed, representatives.c.member)
    )
    return [Appointment(r.meeting, r.member, r.topic) for r in rows]


def add_appointment(tx: Connection, made: Appointment, by: str, now: datetime) -> None:
    """A new representative; a second of the same member (a race) raises IntegrityError."""
    tx.execute(
        insert(representatives).values(
            meeting=made.meeting,
            member=made.member,
            appointed_by=by,
            topic=made.topic,
            appointed=now,
        )
    )


def remove_appointment(tx: Connection, meeting_id: str, member_id: str) -> None:
    tx.execute(
        delete(representatives).where(
            representatives.c.meeting == meeting_id, representatives.c.member == member_id
        )
    )


def points_of(tx: Connection, dialogue_id: str) -> list[AgreedPoint]:
    """Every agreed point of the dialogue's meetings with its confirmations, oldest first."""
    rows = tx.execute(
        select(points)
        .join(meetings, meetings.c.id == points.c.meeting)
        .where(meetings.c.dialogue == dialogue_id)
        .order_by(points.c.created, points.c.id)
    ).all()
    return _points(tx, rows)


def point(tx: Connection, point_id: str) -> AgreedPoint | None:
    if not _id_shaped(point_id):
        return None
    rows = tx.execute(select(points).where(points.c.id == point_id)).all()
    found = _points(tx, rows)
    return found[0] if found else None


def add_point(tx: Connection, made: AgreedPoint) -> None:
    assert made.author is not None and made.at is not None  # the service drafts with both
    tx.execute(
        insert(points).values(
            id=made.id,
            meeting=made.meeting,
            text=made.text,
            drafted_by=made.drafted_by,
            author=made.author,
            created=made.at,
        )
    )


def add_confirmation(tx: Connection, point_id: str, made: Confirmation) -> None:
    """A side's confirmation; a second for the same side (a race) raises IntegrityError."""
    tx.execute(
        insert(confirmations).values(
            point=point_id, side=made.side, lead=made.member, confirmed=made.at
        )
    )


def _points(tx: Connection, rows: Sequence[Row[Any]]) -> list[AgreedPoint]:
    if not rows:
        return []
    found = tx.execute(
        select(confirmations)
        .where(confirmations.c.point.in_([r.id for r in rows]))
        .order_by(confirmations.c.confirmed, confirmations.c.side)
    )
    confirmed: dict[str, tuple[Confirmation, ...]] = {}
    for c in found:
        confirmed[c.point] = (
            *confirmed.get(c.point, ()),
            Confirmation(c.side, c.lead, c.confirmed),
        )
    return [
        AgreedPoint(
            r.id, r.meeting, r.text, r.drafted_by, confirmed.get(r.id, ()), r.author, r.created
        )
        for r in rows
    ]


def _id_shaped(text: str) -> bool:
    """Whether `text` could be one of storage's ids: short, printable ASCII."""
    return len(text) <= ID_LENGTH and text.isascii() and text.isprintable()


def _member(row: Row[Any]) -> Member:
    # A member without a side (a convener who takes none) is not made by this
    # service; "" keeps the rules' type and matches no side.
    return Member(row.id, row.dialogue, row.side or "", row.name, row.removed is not None)


def _invited(tx: Connection, where: Any) -> dict[str, tuple[str, ...]]:
    """The invited sides of the meetings `where` picks, in the order sides are shown."""
    rows = tx.execute(
        select(meeting_sides.c.meeting, meeting_sides.c.side)
        .join(sides, sides.c.id == meeting_sides.c.side)
        .where(where)
        .order_by(sides.c.position)
    )
    found: dict[str, tuple[str, ...]] = {}
    for row in rows:
        found[row.meeting] = (*found.get(row.meeting, ()), row.side)
    return found


def _meeting(row: Row[Any], invited: tuple[str, ...]) -> Meeting:
    date = MeetingDate(row.date_state, by=row.by_date, at=row.scheduled_at)
    return Meeting(
        row.id, row.dialogue, row.topic, row.agenda, row.follows, date, invited, row.minutes
    )
