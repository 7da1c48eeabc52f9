from dataclasses import replace

import pytest

from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.lookups import in_dialogue, in_meeting
from frankly.dialogues.model import AgreedPoint, Proposal
from tests.dialogues.world import MEETING, NOW, RU, STRANGER, US_MEMBER, refused


def test_a_record_of_the_dialogue_is_found() -> None:
    assert in_dialogue(MEETING, "d1", DialogueCode.UNKNOWN_MEETING) is MEETING
    assert in_dialogue(RU, "d1", DialogueCode.UNKNOWN_SIDE) is RU


@pytest.mark.parametrize(
    ("found", "code", "message"),
    [
        (None, DialogueCode.UNKNOWN_MEETING, "no such meeting in this dialogue"),
        (replace(MEETING, dialogue="d2"), DialogueCode.UNKNOWN_MEETING, None),
        (replace(RU, dialogue="d2"), DialogueCode.UNKNOWN_SIDE, "no such side in this dialogue"),
        (STRANGER, DialogueCode.UNKNOWN_MEMBER, "no such member in this dialogue"),
    ],
)
def test_a_missing_record_and_one_of_another_dialogue_look_the_same(
    found: object, code: DialogueCode, message: str | None
) -> None:
    error = refused(in_dialogue, found, "d1", code)
    assert error.code is code
    assert error.message == (message or "no such meeting in this dialogue")


def test_proposals_and_points_belong_to_their_meeting() -> None:
    proposal = Proposal("p1", "mt1", RU.id, NOW, "open", US_MEMBER.id)
    point = AgreedPoint("pt1", "mt2", "x", RU.id)
    assert in_meeting(proposal, "mt1", DialogueCode.UNKNOWN_PROPOSAL) is proposal
    error = refused(in_meeting, point, "mt1", DialogueCode.UNKNOWN_POINT)
    assert (error.code, error.message) == (
        DialogueCode.UNKNOWN_POINT,
        "no such point in this meeting",
    )
    assert refused(in_meeting, None, "mt1", DialogueCode.UNKNOWN_PROPOSAL).code is (
        DialogueCode.UNKNOWN_PROPOSAL
    )
