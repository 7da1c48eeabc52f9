"""A room moves to the SFU at its third participant; media then flows through it.

Real server, real sockets, aiortc peers speaking the 'sfu' messages directly.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError

from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw
from tests.sfu.peers import msid_for_mid


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=4)


class SfuPeer:
    """A participant that publishes a video track and counts what it receives."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.publish = RTCPeerConnection()
        self.subscribe = RTCPeerConnection()
        self.frames: dict[str, int] = {}
        self.got = asyncio.Event()
        self.subscribe.on("track", self._on_track)
        self._tasks: list[asyncio.Task[Any]] = []

    def _on_track(self, track: Any) -> None:
        self._tasks.append(asyncio.ensure_future(self._count(track)))

    async def _count(self, track: Any) -> None:
        # Only the end of the track ends the count: any other error is a bug,
        # and must fail the test with its own traceback, not as a timeout.
        try:
            while True:
                await track.recv()
                sdp = self.subscribe.remoteDescription.sdp
                for t in self.subscribe.getTransceivers():
                    if t.receiver.track is track:
                        stream = msid_for_mid(sdp, t.mid)
                        self.frames[stream] = self.frames.get(stream, 0) + 1
                self.got.set()
        except MediaStreamError:
            return
        finally:
            self.got.set()  # wakes `sees`, which raises what went wrong

    async def start_publishing(self) -> None:
        self.publish.addTransceiver(VideoStreamTrack(), direction="sendonly")
        await self.publish.setLocalDescription(await self.publish.createOffer())
        offer = {"type": "offer", "sdp": self.publish.localDescription.sdp}
        await self.raw.send({"type": "sfu", "pc": "publish", "description": offer})

    async def serve(self) -> None:
        """Handle the server's sfu messages until cancelled."""
        while True:
            msg = await self.raw.expect("sfu")
            desc = RTCSessionDescription(**msg["description"])
            if msg["pc"] == "publish":
                await self.publish.setRemoteDescription(desc)
                continue
            await self.subscribe.setRemoteDescription(desc)
            await self.subscribe.setLocalDescription(await self.subscribe.createAnswer())
            answer = {"type": "answer", "sdp": self.subscribe.localDescription.sdp}
            await self.raw.send({"type": "sfu", "pc": "subscribe", "description": answer})

    async def sees(self, ids: list[str]) -> None:
        async with asyncio.timeout(20):
            while not all(self.frames.get(i, 0) >= 3 for i in ids):
                self._raise_failed_count()
                self.got.clear()
                await self.got.wait()
        self._raise_failed_count()

    def _raise_failed_count(self) -> None:
        """A count that failed: its error now, rather than the timeout it would become."""
        for task in self._tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError("counting frames failed") from task.exception()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.publish.close()
        await self.subscribe.close()


async def test_third_participant_moves_the_room_and_everyone_sees_everyone(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, name="Ada")
    grace = await Raw.join(live_server.ws_url, name="Grace")
    assert ada.welcome["mode"] == "p2p"
    eve = await Raw.join(live_server.ws_url, name="Eve")
    assert eve.welcome["mode"] == "sfu"
    for raw in (ada, grace):
        assert await raw.expect("mode") == {"type": "mode", "mode": "sfu"}
    peers = [SfuPeer(raw) for raw in (ada, grace, eve)]
    servers = [asyncio.ensure_future(p.serve()) for p in peers]
    try:
        for peer in peers:
            await peer.start_publishing()
        for peer in peers:
            others = [p.raw.id for p in peers if p is not peer]
            await peer.sees(others)
            assert peer.raw.id not in peer.frames
    finally:
        for task in servers:
            task.cancel()
        for peer in peers:
            await peer.close()


async def test_sfu_messages_in_a_p2p_room_are_refused(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    offer = {"type": "offer", "sdp": "v=0\r\n"}
    await ada.send({"type": "sfu", "pc": "publish", "description": offer})
    error = await ada.expect("error")
    assert error["code"] == "wrong-mode"


async def test_sfu_restart_is_answered_with_a_subscribe_offer_of_new_credentials(
    live_server: LiveServer,
) -> None:
    from frankly.sfu import sdp

    ada, grace, _ = [await Raw.join(live_server.ws_url, name=n) for n in ("A", "G", "E")]
    publisher, watcher = SfuPeer(ada), SfuPeer(grace)
    try:
        await publisher.start_publishing()
        first = (await grace.expect("sfu"))["description"]
        await watcher.subscribe.setRemoteDescription(RTCSessionDescription(**first))
        await watcher.subscribe.setLocalDescription(await watcher.subscribe.createAnswer())
        answer = {"type": "answer", "sdp": watcher.subscribe.localDescription.sdp}
        await grace.send({"type": "sfu", "pc": "subscribe", "description": answer})
        await grace.send({"type": "sfu-restart"})
        again = (await grace.expect("sfu"))["description"]
        assert again["type"] == "offer"
        old, new = (sdp.parse(d["sdp"]).credentials() for d in (first, again))
        assert new[0] != old[0] and new[1] != old[1]  # ufrag and pwd
        assert new[2] == old[2]  # the same DTLS certificate: the association goes on
    finally:
        await publisher.close()
        await watcher.close()


async def test_sfu_restart_in_a_p2p_room_is_refused(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    await ada.send({"type": "sfu-restart"})
    assert (await ada.expect("error"))["code"] == "wrong-mode"


async def test_bad_sdp_is_refused_and_the_room_carries_on(live_server: LiveServer) -> None:
    rooms = [await Raw.join(live_server.ws_url, name=n) for n in ("A", "B", "C")]
    bad = {"type": "offer", "sdp": "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"}
    await rooms[2].send({"type": "sfu", "pc": "publish", "description": bad})
    error = await rooms[2].expect("error")
    assert error["code"] == "bad-sdp"
    assert error["message"] == "sfu publish: SDP has no ICE credentials"
    await rooms[2].send({"type": "sfu", "pc": "subscribe", "description": bad})
    error = await rooms[2].expect("error")
    assert (error["code"], error["message"]) == (
        "invalid-message",
        "sfu: publish takes an offer and subscribe an answer",
    )
    await rooms[0].send({"type": "chat", "text": "fine"})
    assert (await rooms[1].expect("chat"))["text"] == "fine"
