"""Public readouts and readers' comments read from and written to storage, on one connection.

As records.py does for the rest: every function takes the open connection of
the use case's one transaction, and decides nothing. A reader's address
reaches this module only as its HMAC (public.py), never as the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, text, update

from frankly.api import records
from frankly.dialogues import readouts as readout_rules
from frankly.dialogues.comments import Comment
from frankly.dialogues.model import Meeting, Revision
from frankly.storage.ids import ID_LENGTH
from frankly.storage.schema import APPROVED, comments, readouts


@dataclass(frozen=True, slots=True)
class PublishedReadout:
    """A side's readout as every member sees it: its published revisions, oldest first."""

    id: str
    side: str
    public: bool
    history: tuple[Revision, ...]

    @property
    def latest(self) -> Revision:
        return self.history[-1]


def page_url(readout_id: str) -> str:
    """The public page of a readout (the dialogue pages' HTML reads the id from it)."""
    return f"/readouts/{readout_id}"


def id_shaped(text: str) -> bool:
    """Whether `text` could be one of storage's ids (never send others to PostgreSQL)."""
    return len(text) <= ID_LENGTH and text.isascii() and text.isprintable()


def published_of(tx: Connection, meeting: Meeting) -> tuple[PublishedReadout, ...]:
    """Each invited side's readout of `meeting` that has a published revision."""
    shown = []
    for side_id in meeting.sides:
        row = readout_of(tx, meeting.id, side_id)
        if row is None:
            continue
        _, found = records.readout(tx, meeting.id, side_id)
        history = readout_rules.history(found)
        if history:
            shown.append(PublishedReadout(row.id, side_id, bool(row.public), history))
    return tuple(shown)


def readout_row(tx: Connection, readout_id: str) -> Row[Any] | None:
    if not id_shaped(readout_id):
        return None
    return tx.execute(select(readouts).where(readouts.c.id == readout_id)).first()


def readout_of(tx: Connection, meeting_id: str, side_id: str) -> Row[Any] | None:
    return tx.execute(
        select(readouts).where(readouts.c.meeting == meeting_id, readouts.c.side == side_id)
    ).first()


def set_public(tx: Connection, readout_id: str, public: bool) -> None:
    tx.execute(update(readouts).where(readouts.c.id == readout_id).values(public=public))


def add_comment(tx: Connection, made: Comment, address_hash: str) -> None:
    tx.execute(
        insert(comments).values(
            id=made.id,
            readout=made.readout,
            name=made.name,
            text=made.text,
            address_hash=address_hash,
            state=made.state,
            created=made.at,
        )
    )


def hold_address(tx: Connection, address_hash: str) -> None:
    """Make two comments from one address at once count one after the other.

    SQLite's changes queue on its write lock already; on PostgreSQL, whose
    transactions would both count before either inserts, an advisory lock on
    the address, released when the transaction ends."""
    if tx.dialect.name == "postgresql":
        key = int(address_hash[:15], 16)  # fits PostgreSQL's bigint
        tx.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def sent_since(tx: Connection, address_hash: str, since: datetime) -> int:
    """How many comments from this address are stored, made after `since`."""
    count = tx.execute(
        select(func.count())
        .select_from(comments)
        .where(comments.c.address_hash == address_hash, comments.c.created > since)
    ).scalar_one()
    return int(count)


def comments_of(tx: Connection, readout_id: str, *, approved_only: bool) -> list[Comment]:
    query = select(comments).where(comments.c.readout == readout_id)
    if approved_only:
        query = query.where(comments.c.state == APPROVED)
    return [_comment(r) for r in tx.execute(query.order_by(comments.c.created, comments.c.id))]


def comment(tx: Connection, comment_id: str) -> Comment | None:
    if not id_shaped(comment_id):
        return None
    row = tx.execute(select(comments).where(comments.c.id == comment_id)).first()
    return None if row is None else _comment(row)


def approve(tx: Connection, comment_id: str, member_id: str, now: datetime) -> None:
    tx.execute(
        update(comments)
        .where(comments.c.id == comment_id)
        .values(state=APPROVED, approved_by=member_id, approved=now)
    )


def delete_comment(tx: Connection, comment_id: str) -> None:
    tx.execute(delete(comments).where(comments.c.id == comment_id))


def _comment(row: Row[Any]) -> Comment:
    return Comment(row.id, row.readout, row.name, row.text, row.state, row.created)
