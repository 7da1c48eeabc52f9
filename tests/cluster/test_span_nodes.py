"""One room on two nodes: the room's node borrows a worker of the other (docs/scaling.md,
*A room on several nodes*), and the lender's death restarts the room on what is left.

Two `frankly serve` nodes and a real Redis, each node with one SFU worker and
the cluster secret, `--spread-at 0` so that the room's participants alternate
between node A's worker and the one node B lends. Everyone joins through A
(the room's node, where their signaling stays); the media of some of them goes
to B's worker, and each publisher's packets cross between the two workers over
their sealed UDP relays. "Media" means each decodes a video frame of each other.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiortc import MediaStreamTrack, RTCPeerConnection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import frankly.client as fc
from frankly.cluster import link_seal
from frankly.cluster.borrow import link_url
from frankly.cluster.lend import CLOSE_REFUSED
from tests.api.served import Served
from tests.client.helpers import frame_where
from tests.cluster.nodes import RedisServer, cluster_of, holder, registry
from tests.cluster.test_nodes import av, node_of
from tests.cluster.test_workers import new_video
from tests.waiting import until

# From the lender's kill -9 to everyone decoding everyone again: the link's close is
# seen at once, then `sfu-reset`, new SFU connections, ICE, DTLS and a keyframe.
BACK_WITHIN = 20.0
IDLE = 0.03  # CPU seconds a second: a node at rest, well within placement's tie (0.05)
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def spanning(tmp_path: Path, redis_server: RedisServer) -> Iterator[list[Served]]:
    secret = tmp_path / "cluster.secret"
    secret.write_text(secrets.token_hex(32) + "\n")
    options = ["--workers", "1", "--spread-at", "0", "--cluster-secret-file", str(secret)]
    with cluster_of(tmp_path, redis_server.url, 2, *options) as nodes:
        yield nodes


async def forged_borrower_is_refused(lender: Served) -> None:
    """A link whose proof is not of the cluster secret is closed before it can open a part."""
    async with connect(link_url(lender.url)) as ws:
        hello = json.loads(await ws.recv())
        proof = link_seal.proof(b"a guess at the secret, 32 bytes.", "borrow", hello["challenge"])
        await ws.send(json.dumps({"node": "mallory", "challenge": "c", "proof": proof}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_REFUSED


def sfu_video(client: fc.Client) -> list[MediaStreamTrack]:
    """The live video tracks `client` receives from the SFU (not those of peer to peer)."""
    sfu = client._calls.sfu
    pc: RTCPeerConnection | None = sfu.subscribe_pc if sfu is not None else None
    receivers = pc.getReceivers() if pc is not None else []
    return [r.track for r in receivers if r.track.kind == "video" and r.track.readyState == "live"]


def media_port(client: fc.Client) -> int | None:
    """The UDP port of the SFU worker `client` sends its media to (ICE's nominated pair)."""
    sfu = client._calls.sfu
    pc: RTCPeerConnection | None = sfu.publish_pc if sfu is not None else None
    if pc is None or not pc.getTransceivers():
        return None
    ice = pc.getTransceivers()[0].sender.transport.transport
    pairs = list(ice._connection._nominated.values())
    return int(pairs[0].remote_candidate.port) if pairs else None


async def test_a_room_spans_two_nodes_and_survives_the_lenders_death(
    spanning: list[Served], redis_server: RedisServer
) -> None:
    a, b = spanning
    clients: list[fc.Client] = []
    try:
        await forged_borrower_is_refused(b)
        # Placement compares A's worker with B's measured load: at rest, both idle, they
        # tie and the room's participants alternate; just after B's start they would not.
        r = redis_server.client()
        await until(lambda: float(registry(r)[b.url]["cpu"]) < IDLE, 60, "node B at rest")
        for name in ("Ada", "Bob", "Cyd", "Dee"):
            clients.append(await av(a.url, "wide", name))
        assert {node_of(c) for c in clients} == {a.url}  # the signaling stays on A
        assert holder(redis_server.client(), "wide") == a.url
        # Peer-to-peer tracks of the first two end as the room goes to the SFU: its own.
        await until(lambda: all(len(sfu_video(c)) == 3 for c in clients), 30, "the SFU's tracks")
        for client in clients:  # so video crossed both ways between the nodes
            for track in sfu_video(client):
                await frame_where(track)
        # Each node's one worker has the media port of its HTTP port's number.
        await until(lambda: all(media_port(c) for c in clients), 10, "every SFU pair nominated")
        ports = {c.me.name: media_port(c) for c in clients}
        assert set(ports.values()) == {a.port, b.port}, ports
        assert "linked to borrow workers here" in b.log.read_text()
        assert "refused a link: the other node's borrow proof is wrong" in b.log.read_text()

        before = {c.id: {t for o in clients for t in c.tracks(o.id)} for c in clients}
        killed_at = time.monotonic()
        b.kill()  # the lender: the room's node sees its link close, and restarts the room
        for me in clients:
            for other in clients:
                if other is not me:
                    await new_video(me, other, before[me.id])
        took = time.monotonic() - killed_at
        print(f"all four decode each other on node A alone {took:.1f} s after the lender's kill -9")
        assert took < BACK_WITHIN
        await until(lambda: {media_port(c) for c in clients} == {a.port}, 10, "all on A's port")
        assert [c.me.role for c in clients] == ["host", "participant", "participant", "participant"]
    finally:
        await asyncio.gather(*(c.leave() for c in clients))
