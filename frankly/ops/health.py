"""/healthz and /readyz: whether the process answers, and whether it can hold meetings.

`healthz` is for a supervisor that restarts a process that stopped
answering: if this answers, the event loop runs. `readyz` is for a load
balancer or an orchestrator deciding whether to send people here: the SFU's
media port must be open, the event loop must not be lagging, and the
server must not be draining for a restart. Each reason it is not ready is
one short sentence in the 503's body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from frankly.ops.lag import LagMonitor

if TYPE_CHECKING:
    from frankly.server.hub import Hub

# Event loop lag, in seconds, at or over which the server says it is not
# ready (at each of the last wake-ups, lag.RECENT): a quarter of a second
# late on every message is heard in a call.
READY_LAG = 0.25


def not_ready(hub: Hub, lag: LagMonitor, max_lag: float = READY_LAG) -> list[str]:
    """Every reason the server should not be sent new meetings now; none: ready."""
    reasons = []
    if not hub.media_open():
        reasons.append("the SFU's media port is not open")
    if lag.sustained >= max_lag:
        reasons.append(f"the event loop runs {lag.sustained:.3f} s late (limit {max_lag:g} s)")
    reasons.extend(draining(hub))
    return reasons


def draining(hub: Hub) -> list[str]:
    """The seam for graceful restarts: a hub that drains (SIGTERM) says so."""
    return ["the server is draining for a restart"] if hub.draining else []


def readiness(hub: Hub, lag: LagMonitor, max_lag: float = READY_LAG) -> tuple[int, dict[str, Any]]:
    """The status and JSON body /readyz answers with."""
    reasons = not_ready(hub, lag, max_lag)
    # A node of a cluster says what it sees of it; Redis away leaves it ready.
    cluster = {"cluster": hub.cluster.view()} if hub.cluster is not None else {}
    if reasons:
        return 503, {"ok": False, "reasons": reasons, **cluster}
    return 200, {"ok": True, **cluster}
