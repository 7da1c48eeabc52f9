"""Who is in the room: a welcome reconciled with whom we knew, as adds, updates and removals.

Pure: no I/O, no events. The client applies each change through the same
steps as the live ``joined``, ``updated`` and ``left`` messages (as the web
client's ``Session.onWelcome`` goes through add, update and remove), so that
a join, a resume and a fresh rejoin cannot drift apart from those messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frankly.client.events import Participant
from frankly.client.vocabulary import LeaveReason


@dataclass(frozen=True, slots=True)
class Added:
    participant: Participant
    late: bool
    """They came after us (keys then ratchet, so that they cannot read what came before)."""


@dataclass(frozen=True, slots=True)
class Updated:
    participant: Participant


@dataclass(frozen=True, slots=True)
class Removed:
    participant: Participant
    reason: LeaveReason
    rejoined: bool
    """We rejoined as someone new: nothing of the old pair with them is left to undo."""


Change = Added | Updated | Removed


def reconcile(
    known: Mapping[str, Participant], present: Sequence[Participant], *, fresh: bool
) -> list[Change]:
    """What turns ``known`` into ``present``: removals first, then each present one in order.

    ``fresh``: we are someone new (a first join, or a rejoin after the server
    forgot us), so everyone we knew is gone for us and everyone present is
    there from before us. Otherwise we resumed: those who went while we were
    away are removed, those who came meanwhile came after us.
    """
    staying = set() if fresh else {p.id for p in present}
    changes: list[Change] = [
        Removed(p, "disconnected", rejoined=fresh) for pid, p in known.items() if pid not in staying
    ]
    seen: set[str] = set()
    for p in present:
        if p.id in seen:
            continue
        seen.add(p.id)
        before = None if fresh else known.get(p.id)
        if before is None:
            changes.append(Added(p, late=not fresh))
        elif before != p:
            changes.append(Updated(p))
    return changes
