"""Which SFU worker takes a new room: the least loaded by what it measured, not by rooms.

A leaf (nothing of Frankly imported), so the rule is tested as a pure
function. Each worker reports every second the packets it forwarded per
second and the CPU seconds it used per second (`Load`). Both are turned into
a fraction of one core: CPU as measured, packets at PACKETS_PER_CORE (what
one core forwards, docs/benchmarks.md). A worker's load is the larger of
the two, since either can be what fills it. Loads that differ by less than
TIE are the same load (an idle worker's CPU wobbles by a percent or two), and
then the worker with fewer rooms wins, then the lower index: so rooms spread
over idle workers too, before any of them has measured anything.

A room's participants follow the same loads (`place_participant`): a room
stays on one worker until that worker is busy, then spreads over several,
whose parts relay each publisher's packets to each other (frankly/sfu/relay.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Forwarded packets one core sustains (docs/benchmarks.md, about 110,000).
PACKETS_PER_CORE = 110_000.0
# Loads closer than this (a fraction of a core) are a tie.
TIE = 0.05


@dataclass(frozen=True, slots=True)
class Load:
    """What one worker last reported, and what the hub knows of it."""

    packets_per_second: float = 0.0
    cpu: float = 0.0  # CPU seconds per second: 1.0 is a whole core
    rooms: int = 0
    ready: bool = True  # False: starting or restarting, its port not open yet

    @property
    def core_share(self) -> float:
        return max(self.cpu, self.packets_per_second / PACKETS_PER_CORE)


def place_participant(loads: Sequence[Load], here: Sequence[int | None], spread_at: float) -> int:
    """The worker a room's new participant goes to: `here[i]` is how many of the room's
    participants worker i has, None where the room has no part there.

    The room stays together while it can: on the part with the most of its
    participants among those whose worker is below `spread_at` (a fraction of
    a core). When none is, the room spreads to the least loaded worker
    (ties: the one with fewest of its participants), which may be its own
    worker still, if every other is as busy. `spread_at` 0 spreads every room
    evenly over the workers, from its first participant on.
    """
    if len(here) != len(loads):
        raise ValueError("one count a worker")
    candidates = [i for i, load in enumerate(loads) if load.ready] or list(range(len(loads)))
    room_for_more = [
        i for i in candidates if here[i] is not None and loads[i].core_share < spread_at
    ]
    if room_for_more:
        return max(room_for_more, key=lambda i: (here[i] or 0, -i))
    lightest = min(loads[i].core_share for i in candidates)
    tied = [i for i in candidates if loads[i].core_share - lightest < TIE]
    return min(tied, key=lambda i: (here[i] or 0, i))


def least_loaded(loads: Sequence[Load]) -> int:
    """The index of the worker a new room goes to. Ready workers first; if none
    is ready (the only one restarts), the room waits on the least loaded anyway."""
    if not loads:
        raise ValueError("no worker to place a room on")
    candidates = [i for i, load in enumerate(loads) if load.ready] or list(range(len(loads)))
    lightest = min(loads[i].core_share for i in candidates)
    tied = [i for i in candidates if loads[i].core_share - lightest < TIE]
    return min(tied, key=lambda i: (loads[i].rooms, i))
