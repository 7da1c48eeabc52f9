"""Records looked up by id, checked to belong where the caller says they do.

The service reads a record by the id in a request and hands it here with
the dialogue (or meeting) of the request: a missing record and a record of
another dialogue get the same unknown-… refusal, so that ids cannot be used
to probe what other dialogues hold.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from frankly.dialogues.errors import DialogueCode, DialogueError


class _InDialogue(Protocol):
    @property
    def dialogue(self) -> str: ...


class _InMeeting(Protocol):
    @property
    def meeting(self) -> str: ...


D = TypeVar("D", bound=_InDialogue)
M = TypeVar("M", bound=_InMeeting)

_WHAT = {
    DialogueCode.UNKNOWN_MEETING: "meeting",
    DialogueCode.UNKNOWN_SIDE: "side",
    DialogueCode.UNKNOWN_MEMBER: "member",
    DialogueCode.UNKNOWN_PROPOSAL: "proposal",
    DialogueCode.UNKNOWN_POINT: "point",
}


def in_dialogue(found: D | None, dialogue: str, code: DialogueCode) -> D:
    """`found` if it is a record of `dialogue` (a meeting, side or member), else `code`."""
    if found is None or found.dialogue != dialogue:
        raise DialogueError(code, f"no such {_WHAT.get(code, 'record')} in this dialogue")
    return found


def in_meeting(found: M | None, meeting: str, code: DialogueCode) -> M:
    """`found` if it belongs to `meeting` (a proposal or point), else `code`."""
    if found is None or found.meeting != meeting:
        raise DialogueError(code, f"no such {_WHAT.get(code, 'record')} in this meeting")
    return found
