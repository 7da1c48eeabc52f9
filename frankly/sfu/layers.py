"""Choosing a simulcast layer for one subscriber. Leaf module, no I/O.

Inputs: the layers a publisher sends (ordered low to high, with their
measured bitrates), the tile size the subscriber's client asked for, and
the subscriber's estimated bandwidth. Moves one step at a time, so a
noisy estimate does not swing the picture between extremes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerInfo:
    rid: str
    height: int  # the real picture height (a keyframe says it), else a guess
    bitrate: float  # bits a second, measured; 0 when idle


def choose(layers: list[LayerInfo], current: int, wanted_height: int, budget: float) -> int:
    """Index into `layers` (low to high) to forward next; -1 for none.

    `budget` is what this track may use, bits a second, already net of any
    margin: the caller splits `link_budget` between its tracks, and no
    further headroom is taken here, so that holding at what is sent holds.
    """
    live = [i for i, layer in enumerate(layers) if layer.bitrate > 0]
    if not live:
        return -1
    # The smallest layer that fills the tile, else the largest there is.
    goal = next((i for i in live if layers[i].height >= wanted_height), live[-1])
    while goal > live[0] and layers[goal].bitrate > budget:
        goal = max(i for i in live if i < goal)
    if current not in live:
        return goal
    if goal > current:  # up one step at a time
        return min(i for i in live if i > current)
    return goal


# Loss a subscriber reports above which its link counts as congested.
CONGESTED_LOSS = 0.10
# After congestion, how long the SFU waits before it tries a higher layer again.
HOLD_SECONDS = 10.0


def link_budget(
    remb: float, loss: float, sending: float, now: float, congested_at: float
) -> tuple[float, float]:
    """(bits a second the SFU may plan to send, new `congested_at`).

    A receiver's REMB never says much more than what it already gets, so it
    works as a ceiling when the link is congested, not as a measure of
    headroom. Congested (loss, or REMB below what is sent): plan for what
    the link carried. Recently congested: hold. Otherwise the sky, and
    `choose` climbs one layer at a time.
    """
    if loss > CONGESTED_LOSS or (remb > 0 and remb < 0.8 * sending):
        carried = min(remb, sending) if remb > 0 else sending
        return carried * (1 - loss), now
    if now - congested_at < HOLD_SECONDS:
        return sending, congested_at
    return float("inf"), congested_at
