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

from sqlalchemy import Connection, Row, and_, func, insert, select, update

from frankly.dialogues.model import (
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
    credentials,
    dialogues,
    invites,
    meetings,
    members,
    proposals,
    readouts,
    revisions,
    sides,
)

# Storage has no column for a meeting's planned length yet: the rules' default.
MINUTES = 60


def member_by_secret(tx: Connection, secret: str) -> Member | None:
    """The member whose device holds `secret` (a credential not revoked), or None."""
    row = tx.execute(
        select(members)
        .join(credentials, credentials.c.member == members.c.id)
        .where(credentials.c.secret_hash == secret_hash(secret), credentials.c.revoked.is_(None))
    ).first()
    return _member(row) if row is not None else None


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
    return None if row is None else (_meeting(tx, row), row.room)


def meetings_of(tx: Connection, dialogue_id: str) -> list[tuple[Meeting, str]]:
    rows = tx.execute(
        select(meetings).where(meetings.c.dialogue == dialogue_id).order_by(meetings.c.created)
    ).all()
    shown = list(sides_of(tx, dialogue_id)) if rows else []
    return [(_meeting(tx, row, shown), row.room) for row in rows]


def proposals_of(tx: Connection, meeting_id: str) -> list[Proposal]:
    rows = tx.execute(
        select(proposals)
        .where(proposals.c.meeting == meeting_id)
        .order_by(proposals.c.proposed, proposals.c.at)
    )
    return [
        Proposal(r.id, r.meeting, r.side, r.at, r.state, r.proposed_by, r.answered_by) for r in rows
    ]


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
    tx: Connection, credential_id: str, member_id: str, secret: str, now: datetime
) -> None:
    tx.execute(
        insert(credentials).values(
            id=credential_id, member=member_id, secret_hash=secret_hash(secret), created=now
        )
    )


def add_invite(
    tx: Connection, invite_id: str, side_id: str, now: datetime, expires: datetime
) -> None:
    tx.execute(insert(invites).values(id=invite_id, side=side_id, created=now, expires=expires))


def invite(tx: Connection, invite_id: str) -> Row[Any] | None:
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
        )
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


def _id_shaped(text: str) -> bool:
    """Whether `text` could be one of storage's ids: short, printable ASCII."""
    return len(text) <= ID_LENGTH and text.isascii() and text.isprintable()


def _member(row: Row[Any]) -> Member:
    # A member without a side (a convener who takes none) is not made by this
    # service; "" keeps the rules' type and matches no side.
    return Member(row.id, row.dialogue, row.side or "", row.name, row.removed is not None)


def _meeting(tx: Connection, row: Row[Any], all_sides: list[str] | None = None) -> Meeting:
    # Storage keeps no list of invited sides yet: a meeting is between every side.
    invited = all_sides if all_sides is not None else list(sides_of(tx, row.dialogue))
    date = MeetingDate(row.date_state, by=row.by_date, at=row.scheduled_at)
    return Meeting(
        row.id, row.dialogue, row.topic, row.agenda, row.follows, date, tuple(invited), MINUTES
    )
