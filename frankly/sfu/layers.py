"""Choosing a simulcast layer for one subscriber. Leaf module, no I/O.

Inputs: the layers a publisher sends (ordered low to high, with their
measured bitrates), the tile size the subscriber's client asked for, and
the subscriber's estimated bandwidth. Moves one step at a time, so a
noisy estimate does not swing the picture between extremes.
"""

from __future__ import annotations

from dataclasses import dataclass

# Keep this share of the estimate free for audio and the other subscriptions'
# growth; the estimate is for the whole transport, not for one track.
HEADROOM = 0.85


@dataclass(frozen=True)
class LayerInfo:
    rid: str
    height: int  # 0 when not known yet
    bitrate: float  # bits a second, measured; 0 when idle


def choose(layers: list[LayerInfo], current: int, wanted_height: int, budget: float) -> int:
    """Index into `layers` (low to high) to forward next; -1 for none."""
    live = [i for i, layer in enumerate(layers) if layer.bitrate > 0]
    if not live:
        return -1
    # The smallest layer that fills the tile, else the largest there is.
    goal = next((i for i in live if layers[i].height >= wanted_height), live[-1])
    while goal > live[0] and layers[goal].bitrate > budget * HEADROOM:
        goal = max(i for i in live if i < goal)
    if current not in live:
        return goal
    if goal > current:  # up one step at a time
        return min(i for i in live if i > current)
    return goal
