from dataclasses import replace
from datetime import timedelta

from frankly.dialogues import points
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import Confirmation
from tests.dialogues.world import (
    MEETING,
    NOW,
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

SOON = NOW + timedelta(minutes=5)


def test_any_side_drafts_a_point_that_nobody_has_confirmed_yet() -> None:
    point = points.draft(MEETING, RU_MEMBER, SIDES, "  Next meeting very soon ", "pt1")
    assert (point.text, point.drafted_by, point.confirmations) == (
        "Next meeting very soon",
        RU.id,
        (),
    )
    assert not points.is_agreed(point, MEETING)
    assert points.waiting_for(point, MEETING) == (US.id, RU.id)


def test_agreed_only_when_every_sides_lead_confirmed_and_who_confirmed_what() -> None:
    point = points.draft(MEETING, US_MEMBER, SIDES, "Appoint representatives", "pt1")
    once = points.confirm(point, MEETING, US, US_LEAD, NOW)
    assert not points.is_agreed(once, MEETING)
    assert points.waiting_for(once, MEETING) == (RU.id,)
    both = points.confirm(once, MEETING, RU, RU_LEAD, SOON)
    assert points.is_agreed(both, MEETING)
    assert both.confirmations == (
        Confirmation(US.id, US_LEAD.id, NOW),
        Confirmation(RU.id, RU_LEAD.id, SOON),
    )
    assert points.confirmed_by(both) == {US.id, RU.id}
    assert points.agreed([point, once, both], MEETING) == (both,)


def test_only_a_lead_confirms_for_their_own_side_once() -> None:
    point = points.draft(MEETING, US_MEMBER, SIDES, "x", "pt1")
    assert refused(points.confirm, point, MEETING, US, US_MEMBER, NOW).code is DialogueCode.NOT_LEAD
    assert refused(points.confirm, point, MEETING, US, RU_LEAD, NOW).code is (
        DialogueCode.NOT_YOUR_SIDE
    )
    once = points.confirm(point, MEETING, US, US_LEAD, NOW)
    error = refused(points.confirm, once, MEETING, US, US_LEAD, SOON)
    assert (error.code, error.message) == (
        DialogueCode.ALREADY_CONFIRMED,
        "United States has confirmed this point",
    )


def test_a_point_of_another_meeting_or_a_side_not_in_it() -> None:
    point = points.draft(MEETING, US_MEMBER, SIDES, "x", "pt1")
    other = replace(MEETING, id="mt2")
    assert (
        refused(points.confirm, point, other, US, US_LEAD, NOW).code is DialogueCode.UNKNOWN_POINT
    )
    only_ru = replace(MEETING, sides=(RU.id,))
    assert (
        refused(points.confirm, point, only_ru, US, US_LEAD, NOW).code is DialogueCode.NOT_INVITED
    )


def test_drafting_needs_a_member_and_clean_text() -> None:
    assert refused(points.draft, MEETING, STRANGER, SIDES, "x", "p").code is (
        DialogueCode.UNKNOWN_DIALOGUE
    )
    assert refused(points.draft, MEETING, US_LEAD, SIDES, "a\u202eb", "p").code is (
        DialogueCode.BAD_TEXT
    )
    assert refused(points.draft, MEETING, US_LEAD, SIDES, "x" * 1001, "p").code is (
        DialogueCode.TOO_LONG
    )


def test_a_point_remembers_who_drafted_it_and_when() -> None:
    point = points.draft(MEETING, RU_MEMBER, SIDES, "x", "pt1", NOW)
    assert (point.drafted_by, point.author, point.at) == (RU.id, RU_MEMBER.id, NOW)
    assert points.draft(MEETING, RU_MEMBER, SIDES, "x", "pt1").at is None
