from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.ics import escape, fold, meeting_ics
from frankly.dialogues.model import scheduled
from tests.dialogues.world import MEETING, NOW, refused

AT = datetime(2027, 3, 15, 15, 0, tzinfo=UTC)
URL = "https://frankly.example/d/d1/m/mt1?x=1,2;3"
AGENDA = "1. Stability; arms control, Europe\n2. Next steps \\ dates\n" + "Длинный текст. " * 12


def calendar_file(**changes: object) -> str:
    meeting = replace(MEETING, date=scheduled(AT), agenda=AGENDA, **changes)  # type: ignore[arg-type]
    return meeting_ics(meeting, "Talks, round 2", URL, NOW, sequence=1)


def test_the_file_parses_back_with_every_field() -> None:
    text = calendar_file()
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "mt1@frankly.example"
    assert event.decoded("DTSTART") == AT
    assert event.decoded("DTEND") == AT + timedelta(minutes=60)
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["SUMMARY"]) == "Talks, round 2: Strategic stability"
    assert str(event["DESCRIPTION"]) == AGENDA + "\n\n" + URL
    assert str(event["URL"]) == URL
    assert event.decoded("SEQUENCE") == 1


def test_lines_are_folded_at_75_octets_with_crlf() -> None:
    text = calendar_file()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) <= 75
    assert any(line.startswith(" ") for line in physical)  # something was folded
    text.encode("utf-8").decode("utf-8")  # no character was split


def test_fold_never_splits_a_character() -> None:
    folded = fold("DESCRIPTION:" + "ж" * 100)
    for line in folded.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "ж" * 100


def test_text_escaping() -> None:
    assert escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_only_a_scheduled_meeting_has_a_calendar_file() -> None:
    error = refused(meeting_ics, MEETING, "Talks", URL, NOW)
    assert (error.code, error.message) == (
        DialogueCode.NOT_SCHEDULED,
        "this meeting has no agreed time yet",
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://a.b/\r\nX-EVIL:1", "https://a b/", "ftp://a.b/", "/rel"]
)
def test_a_link_that_could_break_the_file_is_refused(url: str) -> None:
    meeting = replace(MEETING, date=scheduled(AT))
    assert refused(meeting_ics, meeting, "Talks", url, NOW).code is DialogueCode.BAD_LINK
