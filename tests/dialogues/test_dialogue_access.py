from dataclasses import replace

import pytest

from frankly.dialogues import access
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import Appointment, Readout, Revision
from tests.dialogues.world import (
    MEETING,
    MEMBERS,
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


def test_a_member_reads_their_dialogue() -> None:
    assert access.reader(RU_MEMBER, "d1") is RU_MEMBER


@pytest.mark.parametrize("who", [None, STRANGER])
def test_an_outsider_cannot_learn_the_dialogue_exists(who: object) -> None:
    error = refused(access.reader, who, "d1")
    assert error.code is DialogueCode.UNKNOWN_DIALOGUE
    assert error.message == "no such dialogue"  # the same words as an id that does not exist


def test_a_removed_member_is_refused_everywhere() -> None:
    assert refused(access.reader, REMOVED, "d1").code is DialogueCode.MEMBER_REMOVED
    assert refused(access.draft_reader, REMOVED, US).code is DialogueCode.MEMBER_REMOVED
    assert refused(access.lead_of, replace(US_LEAD, removed=True), US).code is (
        DialogueCode.MEMBER_REMOVED
    )


def test_only_a_sides_members_read_its_draft() -> None:
    assert access.draft_reader(US_MEMBER, US) is US_MEMBER
    error = refused(access.draft_reader, RU_LEAD, US)  # another side's lead neither
    assert (error.code, error.message) == (
        DialogueCode.NOT_YOUR_SIDE,
        "only United States may do this",
    )


def test_other_sides_see_only_published_revisions() -> None:
    draft = Revision(2, "draft", US_MEMBER.id, NOW)
    public = Revision(1, "said", US_LEAD.id, NOW, published=True)
    readout = Readout(MEETING.id, US.id, (public, draft))
    assert access.visible_revisions(US_MEMBER, readout, US) == (public, draft)
    assert access.visible_revisions(RU_MEMBER, readout, US) == (public,)
    assert refused(access.visible_revisions, STRANGER, readout, US).code is (
        DialogueCode.UNKNOWN_DIALOGUE
    )


def test_only_the_lead_of_the_side() -> None:
    assert access.lead_of(US_LEAD, US) is US_LEAD
    error = refused(access.lead_of, US_MEMBER, US)
    assert (error.code, error.message) == (
        DialogueCode.NOT_LEAD,
        "only the lead of United States may do this",
    )
    assert refused(access.lead_of, RU_LEAD, US).code is DialogueCode.NOT_YOUR_SIDE


def test_a_lead_appoints_members_of_their_own_side_only() -> None:
    assert access.appointer(US_LEAD, US, US_MEMBER) is US_LEAD
    assert refused(access.appointer, US_MEMBER, US, US_MEMBER).code is DialogueCode.NOT_LEAD
    error = refused(access.appointer, US_LEAD, US, RU_MEMBER)
    assert (error.code, error.message) == (
        DialogueCode.NOT_YOUR_SIDE,
        "Yuri is not a member of United States",
    )
    assert refused(access.appointer, US_LEAD, US, REMOVED).code is DialogueCode.MEMBER_REMOVED
    assert refused(access.appointer, US_LEAD, US, STRANGER).code is DialogueCode.UNKNOWN_MEMBER


def test_a_lead_removes_a_member_of_their_side_but_not_themselves() -> None:
    assert access.remover(US_LEAD, US, US_MEMBER) is US_LEAD
    assert refused(access.remover, US_MEMBER, US, US_LEAD).code is DialogueCode.NOT_LEAD
    assert refused(access.remover, US_LEAD, US, RU_MEMBER).code is DialogueCode.NOT_YOUR_SIDE
    assert refused(access.remover, US_LEAD, US, US_LEAD).code is DialogueCode.CANNOT_REMOVE_LEAD


def test_members_of_invited_sides_enter_a_meeting() -> None:
    allowed = access.attendees(MEETING, SIDES, MEMBERS, ())
    assert allowed == (US_LEAD, US_MEMBER, RU_LEAD, RU_MEMBER)  # not the removed one
    assert access.entrant(RU_MEMBER, MEETING, SIDES, MEMBERS, ()) is RU_MEMBER
    assert refused(access.entrant, REMOVED, MEETING, SIDES, MEMBERS, ()).code is (
        DialogueCode.MEMBER_REMOVED
    )


def test_a_side_not_invited_is_refused() -> None:
    only_us = replace(MEETING, sides=(US.id,))
    error = refused(access.entrant, RU_LEAD, only_us, SIDES, MEMBERS, ())
    assert error.code is DialogueCode.NOT_INVITED
    assert error.message == (
        "only members of the invited sides may attend this meeting: "
        "Alice (United States), Bob (United States)"
    )


def test_a_follow_up_admits_only_representatives_and_leads_and_says_who() -> None:
    follow_up = replace(MEETING, id="mt2", follows=MEETING.id)
    appointed = [Appointment("mt2", RU_MEMBER.id, "strategic stability in Europe")]
    assert access.entrant(RU_MEMBER, follow_up, SIDES, MEMBERS, appointed) is RU_MEMBER
    assert access.entrant(US_LEAD, follow_up, SIDES, MEMBERS, appointed) is US_LEAD
    error = refused(access.entrant, US_MEMBER, follow_up, SIDES, MEMBERS, iter(appointed))
    assert error.code is DialogueCode.NOT_INVITED
    assert error.message == (
        "only the appointed representatives and the leads may attend this meeting: "
        "Alice (United States), Sergei (Russian Federation), Yuri (Russian Federation)"
    )
    assert error.detail == {"attendees": [US_LEAD.id, RU_LEAD.id, RU_MEMBER.id]}


def test_an_appointment_to_another_meeting_does_not_count() -> None:
    elsewhere = [Appointment("mt9", RU_MEMBER.id, "other")]
    assert access.entrant(US_MEMBER, MEETING, SIDES, MEMBERS, elsewhere) is US_MEMBER


def test_proposing_needs_an_invited_side() -> None:
    assert access.invited(US_MEMBER, MEETING, SIDES) is US_MEMBER
    error = refused(access.invited, RU_MEMBER, replace(MEETING, sides=(US.id,)), SIDES)
    assert (error.code, error.message) == (
        DialogueCode.NOT_INVITED,
        "this meeting is between United States; your side is not in it",
    )
    assert RU.id in MEETING.sides


def test_a_lead_cannot_remove_a_member_twice_or_one_of_another_dialogue() -> None:
    assert refused(access.remover, US_LEAD, US, REMOVED).code is DialogueCode.MEMBER_REMOVED
    assert refused(access.remover, US_LEAD, US, STRANGER).code is DialogueCode.UNKNOWN_MEMBER


def test_a_member_leaves_their_side_but_its_lead_hands_on_first() -> None:
    assert access.leaver(US_MEMBER, US) == US_MEMBER
    assert refused(access.leaver, US_LEAD, US).code is DialogueCode.CANNOT_REMOVE_LEAD
    assert refused(access.leaver, RU_MEMBER, US).code is DialogueCode.NOT_YOUR_SIDE
    assert refused(access.leaver, REMOVED, US).code is DialogueCode.MEMBER_REMOVED
    assert refused(access.leaver, STRANGER, US).code is DialogueCode.UNKNOWN_DIALOGUE


def test_a_side_acts_only_on_meetings_it_is_in() -> None:
    assert access.side_in(MEETING, US) == US
    alone = replace(MEETING, sides=(RU.id,))
    error = refused(access.side_in, alone, US)
    assert (error.code, error.message) == (
        DialogueCode.NOT_INVITED,
        "United States is not in this meeting",
    )
