"""The schema refuses what no rule allows, on both backends, and keeps nothing of it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from frankly.storage import Database, schema
from tests.storage import rows
from tests.storage.rows import NOW, add


@pytest.fixture
def made(db: Database) -> dict[str, str]:
    with db.transaction() as tx:
        return rows.dialogue(tx)


def _refused(db: Database, change: Callable[[Connection], Any]) -> None:
    """`change` fails with IntegrityError, and the database holds what it held."""
    before = _counts(db)
    with pytest.raises(IntegrityError), db.transaction() as tx:
        change(tx)
    assert _counts(db) == before


def _counts(db: Database) -> dict[str, int]:
    with db.read() as tx:
        return {
            name: tx.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.metadata.tables.items()
        }


def _revision(tx: Connection, made: dict[str, str], number: int, text: str) -> None:
    add(tx, schema.revisions, readout=made["readout"], number=number, text=text,
        author=made["lead_a"], saved=NOW)  # fmt: skip


def test_two_saves_from_the_same_base_cannot_both_be_revision_2(
    db: Database, made: dict[str, str]
) -> None:
    with db.transaction() as tx:
        _revision(tx, made, 1, "first")
        _revision(tx, made, 2, "mine")
    _refused(db, lambda tx: _revision(tx, made, 2, "theirs"))
    with db.read() as tx:
        texts = tx.execute(select(schema.revisions.c.text).order_by("number")).scalars().all()
    assert texts == ["first", "mine"]


def test_of_two_saves_at_once_from_the_same_base_exactly_one_wins(
    db: Database, made: dict[str, str]
) -> None:
    with db.transaction() as tx:
        _revision(tx, made, 1, "base")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(text: str) -> None:
        start.wait()
        try:
            with db.transaction() as tx:
                _revision(tx, made, 2, text)
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")

    savers = [threading.Thread(target=save, args=(text,)) for text in ("mine", "theirs")]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join()
    assert sorted(outcomes) == ["refused", "saved"]
    with db.read() as tx:
        assert tx.execute(select(func.count()).select_from(schema.revisions)).scalar_one() == 2


def _proposal(made: dict[str, str], **values: Any) -> Callable[[Connection], None]:
    fields = {"id": "pr-1", "meeting": made["meeting"], "side": made["a"], "at": NOW,
              "proposed_by": made["lead_a"], "proposed": NOW} | values  # fmt: skip
    return lambda tx: add(tx, schema.proposals, **fields)


def test_a_proposal_in_a_state_that_is_no_state_is_refused(
    db: Database, made: dict[str, str]
) -> None:
    _refused(db, _proposal(made, state="maybe", answered=NOW))
    _refused(db, _proposal(made, state=schema.ACCEPTED))  # answered, but by nobody at no time
    with db.transaction() as tx:
        _proposal(made)(tx)
    _refused(db, lambda tx: tx.execute(update(schema.proposals).values(state="pending")))


def test_a_meeting_is_scheduled_exactly_when_it_has_an_instant(
    db: Database, made: dict[str, str]
) -> None:
    meeting = schema.meetings.update().where(schema.meetings.c.id == made["meeting"])
    _refused(db, lambda tx: tx.execute(meeting.values(date_state=schema.SCHEDULED)))
    _refused(db, lambda tx: tx.execute(meeting.values(scheduled_at=NOW)))
    _refused(db, lambda tx: tx.execute(meeting.values(date_state=schema.BY_DATE)))
    _refused(db, lambda tx: tx.execute(meeting.values(date_state="soonish")))
    with db.transaction() as tx:
        tx.execute(meeting.values(date_state=schema.SCHEDULED, scheduled_at=NOW))


def test_a_side_has_one_lead_and_a_dialogue_one_convener(
    db: Database, made: dict[str, str]
) -> None:
    def member(**values: Any) -> Callable[[Connection], None]:
        fields = {"id": "mb-2", "dialogue": made["dialogue"], "side": made["a"], "name": "X",
                  "created": NOW} | values  # fmt: skip
        return lambda tx: add(tx, schema.members, **fields)

    _refused(db, member(lead=True))
    _refused(db, member(side=None, lead=True))  # a lead of no side
    with db.transaction() as tx:
        member(id="mb-3", side=None, convener=True)(tx)
        member(id="mb-4")(tx)  # a second member who leads nothing is welcome
    _refused(db, member(id="mb-5", convener=True))


def test_rows_point_only_at_rows_of_their_own_dialogue(db: Database, made: dict[str, str]) -> None:
    with db.transaction() as tx:
        other = rows.dialogue(tx, "Other talks")
    into_other_side = {"id": "mb-9", "dialogue": made["dialogue"], "side": other["a"],
                       "name": "Stray", "created": NOW}  # fmt: skip
    _refused(db, lambda tx: add(tx, schema.members, **into_other_side))
    follow_up = {"id": "mt-9", "dialogue": made["dialogue"], "follows": other["meeting"],
                 "topic": "Next", "date_state": schema.ASAP, "room": "r9",
                 "created": NOW}  # fmt: skip
    _refused(db, lambda tx: add(tx, schema.meetings, **follow_up))
    _refused(db, lambda tx: add(tx, schema.readouts, id="ro-9", meeting=made["meeting"],
                                side="s-nowhere", created=NOW))  # fmt: skip


def test_nothing_is_deleted_from_under_what_points_at_it(
    db: Database, made: dict[str, str]
) -> None:
    dialogue = schema.dialogues.c.id == made["dialogue"]
    _refused(db, lambda tx: tx.execute(delete(schema.dialogues).where(dialogue)))
    _refused(db, lambda tx: tx.execute(delete(schema.sides).where(schema.sides.c.id == made["a"])))


def test_one_readout_a_side_a_meeting(db: Database, made: dict[str, str]) -> None:
    second = {"id": "ro-2", "meeting": made["meeting"], "side": made["a"], "created": NOW}
    _refused(db, lambda tx: add(tx, schema.readouts, **second))
    with db.transaction() as tx:
        add(tx, schema.readouts, **(second | {"side": made["b"]}))


def test_a_revision_is_published_by_someone_at_some_time(
    db: Database, made: dict[str, str]
) -> None:
    with db.transaction() as tx:
        _revision(tx, made, 1, "draft")
    revision = update(schema.revisions).where(schema.revisions.c.number == 1)
    _refused(db, lambda tx: tx.execute(revision.values(published=NOW)))
    _refused(db, lambda tx: tx.execute(revision.values(number=0)))
    with db.transaction() as tx:
        tx.execute(revision.values(published=NOW, published_by=made["lead_a"]))


def test_a_meeting_invites_only_its_own_dialogues_sides_for_a_sane_length(
    db: Database, made: dict[str, str]
) -> None:
    with db.transaction() as tx:
        other = rows.dialogue(tx, "Other talks")
        add(tx, schema.meeting_sides, meeting=made["meeting"], side=made["a"],
            dialogue=made["dialogue"])  # fmt: skip
    _refused(db, lambda tx: add(tx, schema.meeting_sides, meeting=made["meeting"],
                                side=other["a"], dialogue=made["dialogue"]))  # fmt: skip
    _refused(db, lambda tx: add(tx, schema.meeting_sides, meeting=made["meeting"],
                                side=made["a"], dialogue=made["dialogue"]))  # fmt: skip
    meeting = update(schema.meetings).where(schema.meetings.c.id == made["meeting"])
    for minutes in (14, 601):
        _refused(db, lambda tx, m=minutes: tx.execute(meeting.values(minutes=m)))
    with db.transaction() as tx:
        tx.execute(meeting.values(minutes=90))


def test_a_device_link_is_kept_as_a_hash_once(db: Database, made: dict[str, str]) -> None:
    link = {"member": made["lead_a"], "secret_hash": "0" * 64, "created": NOW, "expires": NOW}
    with db.transaction() as tx:
        add(tx, schema.device_links, id="dl-1", **link)
    _refused(db, lambda tx: add(tx, schema.device_links, id="dl-2", **link))
