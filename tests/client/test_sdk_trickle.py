"""An SDK participant with a peer that trickles ICE candidates, as browsers do.

The peer here is a plain WebSocket client with its own aiortc connection that
strips the candidates out of its descriptions and sends each one as a
`candidate` signal instead, before the description itself (the SDK must keep
early candidates until it has a remote description), then the end marker.
Like a browser, it encrypts end to end (with the SDK's own E2ee).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect

import frankly.client as fc
from frankly.client.e2ee import E2ee
from frankly.client.e2ee.media import protect
from tests.client.helpers import Clients, frame_where, luma_mean, track_from


def split_candidates(sdp: str) -> tuple[str, list[dict[str, Any]]]:
    """The SDP without candidate lines, and those candidates as RTCIceCandidateInit."""
    kept: list[str] = []
    candidates: list[dict[str, Any]] = []
    index, mid = -1, None
    for line in sdp.splitlines():
        if line.startswith("m="):
            index, mid = index + 1, None
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:") :]
        if line.startswith("a=candidate:"):
            candidates.append({"candidate": line[2:], "sdpMid": mid, "sdpMLineIndex": index})
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n", candidates


class TricklingPeer:
    def __init__(self, ws: ClientConnection, me: str) -> None:
        self.ws = ws
        self.id = me
        self.outbox: list[dict[str, Any]] = []
        self.e2ee = E2ee(lambda to, payload: self.outbox.append({"to": to, "payload": payload}))
        self.e2ee.start(me)
        self.pc = RTCPeerConnection()
        self.pc.addTrack(fc.PatternTrack())
        protect(self.pc, self.e2ee)
        self.tracks: asyncio.Queue[Any] = asyncio.Queue()
        self.trickled: set[tuple[str, int]] = set()
        self.pc.on("track", self.tracks.put_nowait)

    async def meet(self, sdk_id: str) -> None:
        """The SDK joined after us: start the key exchange with it."""
        self.e2ee.peer_added(sdk_id, late=True)
        await self.flush()

    async def flush(self) -> None:
        outbox, self.outbox = self.outbox, []
        for message in outbox:
            await self.ws.send(json.dumps({"type": "e2ee", **message}))

    async def send_description(self, to: str) -> None:
        sdp, candidates = split_candidates(self.pc.localDescription.sdp)
        assert candidates, "aiortc should have gathered candidates"
        for candidate in candidates:
            bits = candidate["candidate"].split()
            self.trickled.add((bits[4], int(bits[5])))
            await self.signal(to, candidate=candidate)
        await self.signal(to, description={"type": self.pc.localDescription.type, "sdp": sdp})
        await self.signal(to, candidate={"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0})
        await self.signal(to, candidate=None)

    async def signal(self, to: str, **body: Any) -> None:
        await self.ws.send(json.dumps({"type": "signal", "to": to, **body}))

    async def serve(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if message["type"] == "e2ee":
                self.e2ee.handle(message["from"], message["payload"])
                await self.flush()
            if message["type"] != "signal" or "description" not in message:
                continue
            description = message["description"]
            await self.pc.setRemoteDescription(RTCSessionDescription(**description))
            protect(self.pc, self.e2ee, message["from"])
            if description["type"] == "offer":
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.send_description(message["from"])


@pytest.mark.parametrize("sdk_polite", [True, False], ids=["sdk-answers", "sdk-offers"])
async def test_trickled_candidates_connect(
    clients: Clients, live_server: Any, sdk_polite: bool
) -> None:
    for attempt in range(40):
        ws = await connect(live_server.ws_url)
        hello = {"type": "hello", "version": 1, "room": "trickle", "name": "browser-ish"}
        await ws.send(json.dumps(hello))
        welcome = json.loads(await ws.recv())
        peer = TricklingPeer(ws, welcome["you"]["id"])
        sdk = await clients.join(f"sdk-{attempt}", room="trickle", video=fc.PatternTrack())
        if (sdk.id > peer.id) == sdk_polite:
            break
        await sdk.leave()
        await ws.send(json.dumps({"type": "leave"}))
        await ws.wait_closed()
        await peer.pc.close()
    else:
        raise AssertionError("could not get the wanted id order")
    async with ws:
        events = sdk.events()
        serving = asyncio.create_task(peer.serve())
        await peer.meet(sdk.id)
        try:
            if sdk_polite:  # the peer is impolite: it offers
                await peer.pc.setLocalDescription(await peer.pc.createOffer())
                await peer.send_description(sdk.id)

            from_peer = await track_from(sdk, peer.id, "video")
            await frame_where(from_peer, lambda f: luma_mean(f) > 60)
            to_peer = await asyncio.wait_for(peer.tracks.get(), 15)
            assert to_peer.kind == "video"
            await frame_where(to_peer, lambda f: luma_mean(f) > 60)
            assert not [e for e in events.pending() if isinstance(e, fc.ServerError)]
            # The connection would come up on peer-reflexive candidates alone, so
            # look inside: the SDK must have added every trickled candidate.
            ice = sdk._links[peer.id].pc.getTransceivers()[0].receiver.transport.transport
            added = {(c.ip, c.port) for c in ice.getRemoteCandidates() if c.type == "host"}
            assert added == peer.trickled
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
            await peer.pc.close()
