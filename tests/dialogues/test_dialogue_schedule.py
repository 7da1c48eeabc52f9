from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from frankly.dialogues import schedule
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import ASAP, MeetingDate, Proposal, by_day, scheduled
from tests.dialogues.world import (
    MEETING,
    NOW,
    REMOVED,
    RU,
    RU_LEAD,
    RU_MEMBER,
    SIDES,
    STRANGER,
    US,
    US_LEAD,
    US_MEMBER,
    refused,
)

LATER = NOW + timedelta(days=3)


def proposed(at: datetime = LATER, pid: str = "p1", who: object = US_MEMBER) -> Proposal:
    return schedule.propose(MEETING, (), who, SIDES, at, NOW, pid)  # type: ignore[arg-type]


def test_a_side_proposes_a_time() -> None:
    assert proposed() == Proposal("p1", MEETING.id, US.id, LATER, "open", US_MEMBER.id)


def test_a_proposal_in_the_past_is_refused() -> None:
    for at in (NOW, NOW - timedelta(minutes=1)):
        error = refused(schedule.propose, MEETING, (), US_MEMBER, SIDES, at, NOW, "p")
        assert (error.code, error.message) == (
            DialogueCode.PROPOSAL_IN_THE_PAST,
            "this time has already passed",
        )


def test_a_time_must_be_utc_and_within_two_years() -> None:
    naive = LATER.replace(tzinfo=None)
    error = refused(schedule.propose, MEETING, (), US_MEMBER, SIDES, naive, NOW, "p")
    assert (error.code, error.message) == (
        DialogueCode.BAD_DATE,
        "a proposed time has no time zone; give it in UTC",
    )
    moscow = LATER.astimezone(timezone(timedelta(hours=3)))
    assert refused(schedule.propose, MEETING, (), US_MEMBER, SIDES, moscow, NOW, "p").code is (
        DialogueCode.BAD_DATE
    )
    far = NOW + timedelta(days=800)
    assert refused(schedule.propose, MEETING, (), US_MEMBER, SIDES, far, NOW, "p").code is (
        DialogueCode.BAD_DATE
    )


def test_at_most_ten_open_proposals_a_side() -> None:
    mine = [proposed(LATER + timedelta(hours=i), f"p{i}") for i in range(10)]
    error = refused(
        schedule.propose, MEETING, mine, US_LEAD, SIDES, NOW + timedelta(days=9), NOW, "x"
    )
    assert error.code is DialogueCode.TOO_MANY_PROPOSALS
    # The other side still may; and a withdrawn one no longer counts.
    assert schedule.propose(MEETING, mine, RU_LEAD, SIDES, LATER, NOW, "r").side == RU.id
    mine[0] = replace(mine[0], state="withdrawn")
    assert schedule.propose(MEETING, mine, US_LEAD, SIDES, NOW + timedelta(days=9), NOW, "y")


def test_the_same_time_twice_is_refused() -> None:
    error = refused(schedule.propose, MEETING, [proposed()], US_LEAD, SIDES, LATER, NOW, "p2")
    assert error.code is DialogueCode.BAD_DATE


@pytest.mark.parametrize(
    ("who", "code"),
    [(STRANGER, DialogueCode.UNKNOWN_DIALOGUE), (REMOVED, DialogueCode.MEMBER_REMOVED)],
)
def test_outsiders_and_removed_members_cannot_propose(who: object, code: DialogueCode) -> None:
    assert refused(schedule.propose, MEETING, (), who, SIDES, LATER, NOW, "p").code is code


def test_the_other_side_accepts_and_the_meeting_is_scheduled() -> None:
    first, second = proposed(), proposed(LATER + timedelta(hours=1), "p2")
    theirs = schedule.propose(MEETING, (), RU_LEAD, SIDES, LATER + timedelta(hours=2), NOW, "r1")
    decision = schedule.accept(MEETING, (first, second, theirs), "p2", RU_MEMBER, SIDES, NOW)
    assert decision.meeting.date == MeetingDate("scheduled", at=second.at)
    states = {p.id: (p.state, p.decided_by) for p in decision.proposals}
    assert states == {
        "p2": ("accepted", RU_MEMBER.id),
        "p1": ("declined", RU_MEMBER.id),  # the other side's, not chosen
        "r1": ("withdrawn", RU_MEMBER.id),  # the accepting side's own, no longer needed
    }


def test_a_side_cannot_accept_or_decline_its_own_proposal() -> None:
    mine = [proposed()]
    error = refused(schedule.accept, MEETING, mine, "p1", US_LEAD, SIDES, NOW)
    assert (error.code, error.message) == (
        DialogueCode.OWN_PROPOSAL,
        "a side cannot accept its own proposal; another side answers it",
    )
    assert refused(schedule.decline, MEETING, mine, "p1", US_LEAD, SIDES).code is (
        DialogueCode.OWN_PROPOSAL
    )


def test_an_accept_of_a_withdrawn_proposal_is_refused_and_changes_nothing() -> None:
    withdrawn = schedule.withdraw(MEETING, [proposed()], "p1", US_MEMBER, SIDES)
    assert (withdrawn.state, withdrawn.decided_by) == ("withdrawn", US_MEMBER.id)
    error = refused(schedule.accept, MEETING, [withdrawn], "p1", RU_LEAD, SIDES, NOW)
    assert (error.code, error.message) == (
        DialogueCode.PROPOSAL_NOT_OPEN,
        "this proposal was withdrawn; only an open proposal can change",
    )
    assert MEETING.date.kind == "tba"


def test_a_declined_proposal_cannot_be_withdrawn_or_declined_again() -> None:
    declined = schedule.decline(MEETING, [proposed()], "p1", RU_MEMBER, SIDES)
    assert declined.state == "declined"
    assert refused(schedule.withdraw, MEETING, [declined], "p1", US_MEMBER, SIDES).code is (
        DialogueCode.PROPOSAL_NOT_OPEN
    )
    assert refused(schedule.decline, MEETING, [declined], "p1", RU_LEAD, SIDES).code is (
        DialogueCode.PROPOSAL_NOT_OPEN
    )


def test_only_the_proposing_side_withdraws() -> None:
    error = refused(schedule.withdraw, MEETING, [proposed()], "p1", RU_LEAD, SIDES)
    assert error.code is DialogueCode.NOT_YOUR_SIDE


def test_an_unknown_proposal() -> None:
    error = refused(schedule.accept, MEETING, [proposed()], "nope", RU_LEAD, SIDES, NOW)
    assert error.code is DialogueCode.UNKNOWN_PROPOSAL


def test_a_proposal_whose_time_has_passed_cannot_be_accepted() -> None:
    old = proposed(NOW + timedelta(minutes=5))
    error = refused(schedule.accept, MEETING, [old], "p1", RU_LEAD, SIDES, NOW + timedelta(hours=1))
    assert error.code is DialogueCode.PROPOSAL_IN_THE_PAST


def test_a_scheduled_meeting_is_moved_by_a_new_proposal_accepted_again() -> None:
    first = schedule.accept(MEETING, [proposed()], "p1", RU_LEAD, SIDES, NOW)
    meeting = first.meeting
    moved_to = LATER + timedelta(days=1)
    move = schedule.propose(meeting, first.proposals, RU_LEAD, SIDES, moved_to, NOW, "p2")
    assert meeting.date.at == LATER  # still where it was until the move is accepted
    again = schedule.accept(meeting, (*first.proposals, move), "p2", US_LEAD, SIDES, NOW)
    assert again.meeting.date == scheduled(moved_to)
    assert [p.id for p in again.proposals] == ["p2"]  # the accepted first one is left alone


def test_date_kinds_hold_their_own_values_only() -> None:
    assert ASAP.kind == "asap" and by_day(NOW.date()).by == NOW.date()
    assert refused(MeetingDate, "by").code is DialogueCode.BAD_DATE
    assert refused(MeetingDate, "tba", None, NOW).code is DialogueCode.BAD_DATE
    assert refused(MeetingDate, "scheduled").code is DialogueCode.BAD_DATE
    naive = datetime(2027, 1, 1)
    assert refused(scheduled, naive).code is DialogueCode.BAD_DATE
    assert scheduled(datetime(2027, 1, 1, tzinfo=UTC)).kind == "scheduled"
