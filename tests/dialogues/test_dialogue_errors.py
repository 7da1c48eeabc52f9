"""The error codes and state words: each documented, each exercised by a test."""

from pathlib import Path

from frankly.dialogues.errors import DialogueCode, DialogueError
from frankly.dialogues.words import DATE_KINDS, PROPOSAL_STATES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "dialogues.md").read_text(encoding="utf-8")
TESTS = "".join(
    p.read_text(encoding="utf-8")
    for p in Path(__file__).parent.glob("test_*.py")
    if p.name != Path(__file__).name
)


def test_every_code_is_in_the_docs_table() -> None:
    missing = [c.value for c in DialogueCode if f"| `{c.value}` |" not in DOC]
    assert missing == []


def test_every_code_is_asserted_by_some_test() -> None:
    untested = [c.name for c in DialogueCode if f"DialogueCode.{c.name}" not in TESTS]
    assert untested == []


def test_every_state_word_is_in_the_docs() -> None:
    assert [w for w in (*DATE_KINDS, *PROPOSAL_STATES) if f"`{w}`" not in DOC] == []
    assert PROPOSAL_STATES == ("open", "accepted", "declined", "withdrawn")
    assert DATE_KINDS == ("tba", "asap", "by", "scheduled")


def test_an_error_carries_its_code_message_and_detail() -> None:
    error = DialogueError(DialogueCode.STALE_REVISION, "stale", {"number": 2})
    assert (error.code, error.message, str(error), error.detail) == (
        DialogueCode.STALE_REVISION,
        "stale",
        "stale",
        {"number": 2},
    )
    assert repr(error) == "DialogueError('stale-revision', 'stale')"
    assert DialogueError(DialogueCode.BAD_TEXT, "x").detail == {}
