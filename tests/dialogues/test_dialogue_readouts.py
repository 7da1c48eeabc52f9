from datetime import timedelta

from frankly.dialogues import readouts
from frankly.dialogues.errors import DialogueCode
from frankly.dialogues.model import Readout, Revision
from tests.dialogues.world import (
    MEETING,
    NOW,
    REMOVED,
    RU_LEAD,
    US,
    US_LEAD,
    US_MEMBER,
    refused,
)

EMPTY = Readout(MEETING.id, US.id)
SOON = NOW + timedelta(minutes=1)


def drafted(*texts: str) -> Readout:
    readout = EMPTY
    for text in texts:
        readout = readouts.save(readout, US, US_MEMBER, len(readout.revisions), text, NOW)
    return readout


def test_every_save_is_a_revision_with_its_author_and_time() -> None:
    readout = readouts.save(EMPTY, US, US_MEMBER, 0, "  We met.\r\n", NOW)
    readout = readouts.save(readout, US, US_LEAD, 1, "We met frankly.", SOON)
    assert readout.revisions == (
        Revision(1, "We met.", US_MEMBER.id, NOW),
        Revision(2, "We met frankly.", US_LEAD.id, SOON),
    )


def test_a_stale_save_is_refused_with_the_newer_text_and_changes_nothing() -> None:
    readout = drafted("first", "second by Alice")
    error = refused(readouts.save, readout, US, US_LEAD, 1, "Bob's edit of first", SOON)
    assert error.code is DialogueCode.STALE_REVISION
    assert error.message == "revision 2 was saved since revision 1; merge your text into it"
    assert error.detail == {"number": 2, "text": "second by Alice"}
    assert len(readout.revisions) == 2


def test_a_base_ahead_of_the_readout_is_stale_too() -> None:
    error = refused(readouts.save, EMPTY, US, US_LEAD, 3, "text", NOW)
    assert (error.code, error.detail) == (DialogueCode.STALE_REVISION, {"number": 0, "text": ""})


def test_another_side_cannot_save_or_publish_this_sides_readout() -> None:
    assert refused(readouts.save, EMPTY, US, RU_LEAD, 0, "x", NOW).code is (
        DialogueCode.NOT_YOUR_SIDE
    )
    assert refused(readouts.publish, drafted("x"), US, RU_LEAD, 1).code is (
        DialogueCode.NOT_YOUR_SIDE
    )


def test_a_removed_member_cannot_save() -> None:
    assert refused(readouts.save, EMPTY, US, REMOVED, 0, "x", NOW).code is (
        DialogueCode.MEMBER_REMOVED
    )


def test_a_readout_of_1_mb_is_refused() -> None:
    error = refused(readouts.save, EMPTY, US, US_MEMBER, 0, "a" * 1_000_000, NOW)
    assert (error.code, error.message) == (
        DialogueCode.TOO_LONG,
        "a readout is at most 100 KB of UTF-8",
    )
    # Counted in bytes: 60,000 Cyrillic letters are 120,000 bytes.
    assert refused(readouts.save, EMPTY, US, US_MEMBER, 0, "ж" * 60_000, NOW).code is (
        DialogueCode.TOO_LONG
    )
    assert readouts.save(EMPTY, US, US_MEMBER, 0, "a" * 100_000, NOW).latest is not None


def test_control_characters_are_refused_but_line_breaks_and_tabs_kept() -> None:
    error = refused(readouts.save, EMPTY, US, US_MEMBER, 0, "a\x00b", NOW)
    assert (error.code, error.message) == (
        DialogueCode.BAD_TEXT,
        "a control character (U+0000) is not allowed in a readout",
    )
    assert readouts.clean_readout("# Title\n\n\t- point") == "# Title\n\n\t- point"


def test_only_the_lead_publishes() -> None:
    error = refused(readouts.publish, drafted("x"), US, US_MEMBER, 1)
    assert (error.code, error.message) == (
        DialogueCode.NOT_LEAD,
        "only the lead of United States may do this",
    )


def test_publishing_the_latest_revision() -> None:
    readout = readouts.publish(drafted("one", "two"), US, US_LEAD, 2)
    assert [r.published for r in readout.revisions] == [False, True]
    assert readouts.published(readout) == readout.revisions[1]
    assert readouts.published(drafted("one")) is None


def test_publishing_an_older_revision_is_stale() -> None:
    error = refused(readouts.publish, drafted("one", "two"), US, US_LEAD, 1)
    assert (error.code, error.detail) == (DialogueCode.STALE_REVISION, {"number": 2, "text": "two"})
    assert refused(readouts.publish, drafted("one"), US, US_LEAD, 5).code is (
        DialogueCode.UNKNOWN_REVISION
    )
    assert refused(readouts.publish, EMPTY, US, US_LEAD, 1).code is DialogueCode.UNKNOWN_REVISION


def test_a_published_revision_never_changes_a_correction_is_a_new_one() -> None:
    said = readouts.publish(drafted("We agreed."), US, US_LEAD, 1)
    error = refused(readouts.publish, said, US, US_LEAD, 1)
    assert (error.code, error.message) == (
        DialogueCode.ALREADY_PUBLISHED,
        "revision 1 is published; save a correction and publish that",
    )
    corrected = readouts.save(said, US, US_LEAD, 1, "We agreed to meet.", SOON)
    assert corrected.revisions[0] == said.revisions[0]  # untouched
    assert readouts.published(corrected) == said.revisions[0]  # the draft is not public yet
    corrected = readouts.publish(corrected, US, US_LEAD, 2)
    assert [r.text for r in readouts.history(corrected)] == ["We agreed.", "We agreed to meet."]
    assert readouts.published(corrected) == corrected.revisions[1]
