from dataclasses import replace

import pytest

from frankly.dialogues import meetings
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import ASAP, Appointment, Dialogue, scheduled
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

DIALOGUE = Dialogue("d1", "Talks", None, NOW)
FOLLOW_UP = replace(MEETING, id="mt2", follows=MEETING.id)
SIDE_SPECS = [
    ("a", "United States", "America/New_York"),
    ("b", "Russian Federation", "Europe/Moscow"),
]


def test_founding_a_dialogue_with_its_sides() -> None:
    dialogue, sides = meetings.found("d9", "  Talks ", SIDE_SPECS, NOW)
    assert dialogue == Dialogue("d9", "Talks", None, NOW)
    assert [(s.id, s.name, s.zone, s.lead) for s in sides] == [
        ("a", "United States", "America/New_York", None),
        ("b", "Russian Federation", "Europe/Moscow", None),
    ]


@pytest.mark.parametrize(
    ("title", "specs", "code"),
    [
        ("\x00\x01", SIDE_SPECS, DialogueCode.BAD_TEXT),
        ("Talks", SIDE_SPECS[:1], DialogueCode.BAD_SIDES),
        ("Talks", [*SIDE_SPECS, ("c", "united states", "UTC")], DialogueCode.BAD_SIDES),
        ("Talks", [SIDE_SPECS[0], ("b", "Mars", "Mars/Olympus_Mons")], DialogueCode.BAD_TIME_ZONE),
        ("Talks", [SIDE_SPECS[0], ("b", "Evil\u202e", "UTC")], DialogueCode.BAD_TEXT),
    ],
)
def test_founding_refuses_bad_input(
    title: str, specs: list[tuple[str, str, str]], code: DialogueCode
) -> None:
    assert refused(meetings.found, "d9", title, specs, NOW).code is code


def test_a_lead_or_the_convener_sets_up_a_meeting() -> None:
    made = meetings.meeting(DIALOGUE, US_LEAD, SIDES, "mt9", "Stability", "1. arms", ASAP)
    assert (made.topic, made.agenda, made.date, made.sides, made.follows) == (
        "Stability",
        "1. arms",
        ASAP,
        (US.id, RU.id),
        None,
    )
    convener = replace(DIALOGUE, convener=RU_MEMBER.id)
    assert meetings.meeting(convener, RU_MEMBER, SIDES, "mt9", "x").id == "mt9"
    error = refused(meetings.meeting, DIALOGUE, US_MEMBER, SIDES, "mt9", "x")
    assert error.code is DialogueCode.NOT_LEAD
    assert refused(meetings.meeting, DIALOGUE, STRANGER, SIDES, "m", "x").code is (
        DialogueCode.UNKNOWN_DIALOGUE
    )


def test_a_meeting_needs_two_known_sides_a_sane_length_and_no_fixed_time() -> None:
    def make(**kw: object) -> object:
        return meetings.meeting(DIALOGUE, US_LEAD, SIDES, "m", "x", **kw)  # type: ignore[arg-type]

    assert refused(lambda: make(invited=[US.id])).code is DialogueCode.BAD_SIDES
    assert refused(lambda: make(invited=[US.id, "s-x"])).code is DialogueCode.UNKNOWN_SIDE
    assert refused(lambda: make(minutes=2)).code is DialogueCode.BAD_DATE
    assert refused(lambda: make(date=scheduled(NOW))).code is DialogueCode.BAD_DATE


def test_a_follow_up_points_to_its_meeting_with_its_own_date_to_agree() -> None:
    held = replace(MEETING, date=scheduled(NOW))
    made = meetings.follow_up(
        held, DIALOGUE, RU_LEAD, SIDES, "mt2", "strategic stability in Europe"
    )
    assert (made.follows, made.sides, made.date.kind, made.topic) == (
        MEETING.id,
        MEETING.sides,
        "tba",
        "strategic stability in Europe",
    )
    elsewhere = replace(MEETING, dialogue="d2")
    assert refused(meetings.follow_up, elsewhere, DIALOGUE, RU_LEAD, SIDES, "m", "x").code is (
        DialogueCode.UNKNOWN_MEETING
    )


def test_a_lead_appoints_a_representative_to_a_follow_up() -> None:
    made = meetings.appoint(FOLLOW_UP, RU, RU_LEAD, RU_MEMBER, " stability in Europe ", ())
    assert made == Appointment("mt2", RU_MEMBER.id, "stability in Europe")
    again = refused(meetings.appoint, FOLLOW_UP, RU, RU_LEAD, RU_MEMBER, "x", [made])
    assert again.code is DialogueCode.ALREADY_APPOINTED


@pytest.mark.parametrize(
    ("meeting", "side", "who", "appointee", "code"),
    [
        (FOLLOW_UP, US, US_MEMBER, US_MEMBER, DialogueCode.NOT_LEAD),
        (FOLLOW_UP, US, US_LEAD, RU_MEMBER, DialogueCode.NOT_YOUR_SIDE),
        (FOLLOW_UP, US, US_LEAD, REMOVED, DialogueCode.MEMBER_REMOVED),
        (MEETING, US, US_LEAD, US_MEMBER, DialogueCode.NOT_A_FOLLOW_UP),
        (
            replace(FOLLOW_UP, sides=(RU.id, "s-x")),
            US,
            US_LEAD,
            US_MEMBER,
            DialogueCode.NOT_INVITED,
        ),
    ],
)
def test_appointments_that_are_refused(
    meeting: object, side: object, who: object, appointee: object, code: DialogueCode
) -> None:
    assert refused(meetings.appoint, meeting, side, who, appointee, "x", ()).code is code


def test_joining_through_a_sides_link() -> None:
    side = replace(US, lead=None)
    member, same = meetings.join(side, "m-new", " Dana ", as_lead=False)
    assert (member.name, member.side, member.dialogue, same) == ("Dana", US.id, "d1", side)
    lead, led = meetings.join(side, "m-lead", "Eve", as_lead=True)
    assert led.lead == lead.id == "m-lead"
    assert (
        refused(lambda: meetings.join(led, "m-2", "Fay", as_lead=True)).code
        is DialogueCode.NOT_LEAD
    )


def test_joining_refuses_a_bad_name() -> None:
    def join(name: str) -> object:
        return meetings.join(US, "m", name, as_lead=False)

    error = refused(join, "Eve\u202e")
    assert error.code is DialogueCode.BAD_TEXT
    assert "U+202E" in error.message


def test_a_lead_hands_the_lead_on_to_a_current_member_of_the_side() -> None:
    assert meetings.hand_lead(US, US_LEAD, US_MEMBER).lead == US_MEMBER.id
    assert refused(meetings.hand_lead, US, US_MEMBER, US_MEMBER).code is DialogueCode.NOT_LEAD
    assert refused(meetings.hand_lead, US, US_LEAD, RU_MEMBER).code is DialogueCode.NOT_YOUR_SIDE
    assert refused(meetings.hand_lead, US, US_LEAD, REMOVED).code is DialogueCode.MEMBER_REMOVED


def test_a_meeting_lasts_15_to_600_minutes_and_lists_its_sides_in_the_dialogues_order() -> None:
    def make(**kw: object) -> object:
        return meetings.meeting(DIALOGUE, US_LEAD, SIDES, "m", "x", **kw)  # type: ignore[arg-type]

    for minutes in (14, 601):
        assert refused(lambda m=minutes: make(minutes=m)).code is DialogueCode.BAD_DATE
    made = meetings.meeting(DIALOGUE, US_LEAD, SIDES, "m", "x", invited=[RU.id, US.id], minutes=15)
    assert (made.sides, made.minutes) == ((US.id, RU.id), 15)
    assert meetings.meeting(DIALOGUE, US_LEAD, SIDES, "m", "x", minutes=600).minutes == 600


def test_a_follow_up_keeps_its_meetings_length_unless_told() -> None:
    held = replace(MEETING, minutes=90)
    assert meetings.follow_up(held, DIALOGUE, RU_LEAD, SIDES, "m2", "x").minutes == 90
    assert meetings.follow_up(held, DIALOGUE, RU_LEAD, SIDES, "m2", "x", minutes=30).minutes == 30
    error = refused(meetings.follow_up, held, DIALOGUE, RU_LEAD, SIDES, "m2", "x", "", ASAP, 5)
    assert error.code is DialogueCode.BAD_DATE
