"""PeerLink: two participants on the real server see and hear each other, peer to peer.

The last test's peer is a plain WebSocket client with its own aiortc connection
that strips the candidates out of its descriptions and sends each one as a
`candidate` signal instead, before the description itself (the SDK must keep
early candidates until it has a remote description), then the end marker, as
browsers trickle them. Like a browser, it encrypts end to end (with the SDK's
own E2ee).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame
from websockets.asyncio.client import ClientConnection, connect

import frankly.client as fc
from frankly.client.e2ee import E2ee
from frankly.client.e2ee.media import protect
from frankly.client.peer import parse_candidate
from tests.client.helpers import Clients, frame_where, luma_mean, muted_then_back, peak, track_from


async def join_pair(
    clients: Clients,
    first: dict[str, Any],
    second: dict[str, Any],
    *,
    second_polite: bool,
) -> tuple[fc.Client, fc.Client]:
    """Two participants, the second's id sorting above (polite) or below the first's.

    Ids are random, so join both until they come out in the wanted order (half the time).
    """
    for attempt in range(40):
        a = await clients.join(f"first-{attempt}", **first)
        b = await clients.join(f"second-{attempt}", **second)
        if (b.id > a.id) == second_polite:
            return a, b
        await b.leave()
        await a.leave()
    raise AssertionError("could not get the wanted id order in 40 tries")


def av() -> dict[str, Any]:
    return {"audio": fc.ToneTrack(), "video": fc.PatternTrack()}


def is_bars(frame: VideoFrame) -> bool:
    return frame.width == 320 and frame.height == 240 and luma_mean(frame) > 60


def is_tone(frame: AudioFrame) -> bool:
    return peak(frame) > 2000


async def test_two_participants_receive_each_others_audio_and_video(clients: Clients) -> None:
    ada = await clients.av("Ada")
    grace = await clients.av("Grace")

    async def receives(me: fc.Client, other: fc.Client) -> None:
        video = await track_from(me, other.id, "video")
        audio = await track_from(me, other.id, "audio")
        assert isinstance(await frame_where(video, is_bars), VideoFrame)
        assert isinstance(await frame_where(audio, is_tone), AudioFrame)

    await asyncio.gather(receives(ada, grace), receives(grace, ada))
    assert ada.connection_state(grace.id) == "connected"
    assert grace.connection_state(ada.id) == "connected"


@pytest.mark.parametrize(
    "receiver_polite", [True, False], ids=["polite-receiver", "impolite-receiver"]
)
async def test_receive_only_participant_gets_media(clients: Clients, receiver_polite: bool) -> None:
    """A participant with no tracks still receives, whichever side makes the offer."""
    sender, listener = await join_pair(clients, av(), {}, second_polite=receiver_polite)
    assert not listener.me.audio and not listener.me.video

    video = await track_from(listener, sender.id, "video")
    audio = await track_from(listener, sender.id, "audio")
    await frame_where(video, is_bars)
    await frame_where(audio, is_tone)
    # and nothing comes the other way: the sender's receivers carry no media
    assert sender.participants[listener.id].video is False


@pytest.mark.parametrize("muter_polite", [True, False], ids=["polite-muter", "impolite-muter"])
async def test_turning_camera_and_microphone_off_sends_black_and_silence(
    clients: Clients, muter_polite: bool
) -> None:
    viewer, muter = await join_pair(clients, av(), av(), second_polite=muter_polite)
    video = await track_from(viewer, muter.id, "video")
    audio = await track_from(viewer, muter.id, "audio")
    await frame_where(video, is_bars)
    await frame_where(audio, is_tone)
    await muted_then_back(viewer, muter, (video, audio), (is_bars, is_tone))


async def test_remote_tracks_end_when_the_participant_leaves(clients: Clients) -> None:
    ada = await clients.av("Ada")
    grace = await clients.av("Grace")
    video = await track_from(ada, grace.id, "video")
    await frame_where(video, is_bars)

    left = ada.wait_for(fc.ParticipantLeft, timeout=10)
    await grace.leave()
    assert (await left).reason == "left"
    with pytest.raises(MediaStreamError):
        await frame_where(video, lambda f: False, within=10)
    assert ada.tracks(grace.id) == []


def test_parse_candidate_as_browsers_send_it() -> None:
    candidate = parse_candidate(
        {
            "candidate": "candidate:842163049 1 udp 1677729535 192.0.2.7 50122 typ srflx "
            "raddr 10.0.0.2 rport 50122 generation 0 ufrag 1Xyz network-cost 999",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
            "usernameFragment": "1Xyz",
        }
    )
    assert candidate is not None
    assert (candidate.ip, candidate.port, candidate.type) == ("192.0.2.7", 50122, "srflx")
    assert (candidate.relatedAddress, candidate.relatedPort) == ("10.0.0.2", 50122)
    assert (candidate.sdpMid, candidate.sdpMLineIndex, candidate.priority) == ("0", 0, 1677729535)


def test_parse_candidate_end_markers() -> None:
    assert parse_candidate({"candidate": "", "sdpMid": "0"}) is None
    assert parse_candidate({}) is None


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
            ice = sdk._calls.links[peer.id].pc.getTransceivers()[0].receiver.transport.transport
            added = {(c.ip, c.port) for c in ice.getRemoteCandidates() if c.type == "host"}
            assert added == peer.trickled
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
            await peer.pc.close()
