"""The roster: a welcome reconciled with whom we knew, as adds, updates and removals."""

from __future__ import annotations

from frankly.client import Participant
from frankly.client.roster import Added, Removed, Updated, reconcile

ADA = Participant("p-ada", "Ada", audio=True, video=True, connected=True)
GRACE = Participant("p-grace", "Grace", audio=True, video=True, connected=True)
EVE = Participant("p-eve", "Eve", audio=True, video=True, connected=True)


def test_a_first_welcome_adds_everyone_as_there_before_us() -> None:
    assert reconcile({}, [ADA, GRACE], fresh=True) == [
        Added(ADA, late=False),
        Added(GRACE, late=False),
    ]


def test_a_resume_removes_who_went_adds_who_came_and_updates_who_changed() -> None:
    known = {ADA.id: ADA, GRACE.id: GRACE}
    muted = Participant("p-ada", "Ada", audio=False, video=True, connected=True)
    assert reconcile(known, [muted, EVE], fresh=False) == [
        Removed(GRACE, "disconnected", rejoined=False),
        Updated(muted),
        Added(EVE, late=True),
    ]


def test_a_resume_with_nothing_changed_changes_nothing() -> None:
    assert reconcile({ADA.id: ADA}, [ADA], fresh=False) == []


def test_a_fresh_rejoin_removes_everyone_then_adds_everyone() -> None:
    known = {ADA.id: ADA, GRACE.id: GRACE}
    assert reconcile(known, [GRACE, EVE], fresh=True) == [
        Removed(ADA, "disconnected", rejoined=True),
        Removed(GRACE, "disconnected", rejoined=True),
        Added(GRACE, late=False),
        Added(EVE, late=False),
    ]
