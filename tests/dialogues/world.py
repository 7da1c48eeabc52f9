"""A small dialogue to test the rules on: two sides, their leads and members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from frankly.dialogues.errors import DialogueError
from frankly.dialogues.model import TBA, Meeting, Member, Side

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

US = Side("s-us", "d1", "United States", "America/New_York", lead="m-us-lead")
RU = Side("s-ru", "d1", "Russian Federation", "Europe/Moscow", lead="m-ru-lead")
SIDES = {US.id: US, RU.id: RU}

US_LEAD = Member("m-us-lead", "d1", US.id, "Alice")
US_MEMBER = Member("m-us-2", "d1", US.id, "Bob")
RU_LEAD = Member("m-ru-lead", "d1", RU.id, "Sergei")
RU_MEMBER = Member("m-ru-2", "d1", RU.id, "Yuri")
REMOVED = replace(US_MEMBER, id="m-us-gone", name="Carol", removed=True)
MEMBERS = (US_LEAD, US_MEMBER, RU_LEAD, RU_MEMBER, REMOVED)

# A member of another dialogue altogether.
STRANGER = Member("m-x", "d2", "s-x", "Mallory")

MEETING = Meeting("mt1", "d1", "Strategic stability", "", None, TBA, (US.id, RU.id))


def refused(call: Callable[..., object], *args: object) -> DialogueError:
    """The DialogueError that `call(*args)` raises (the test fails if it returns)."""
    with pytest.raises(DialogueError) as info:
        call(*args)
    return info.value
