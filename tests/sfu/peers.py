"""aiortc peers that publish to and subscribe from the SFU, for tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from frankly.sfu.router import Router
from frankly.sfu.transport import MediaServer


class Subscriber:
    """Answers the SFU's offers and counts decoded frames per publisher."""

    def __init__(self, router: Router, pid: str) -> None:
        self.router, self.pid = router, pid
        self.pc = RTCPeerConnection()
        self.frames: dict[tuple[str, str], int] = {}
        self.changed = asyncio.Event()
        self.pc.on("track", self._on_track)
        self._tasks: list[asyncio.Task[None]] = []
        self._lock = asyncio.Lock()

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.append(asyncio.ensure_future(self._pump(track)))

    async def _pump(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(Exception):
            while True:
                await track.recv()
                # A recycled m-line carries another publisher: look up each time.
                key = (self._stream_of(track), track.kind)
                self.frames[key] = self.frames.get(key, 0) + 1
                self.changed.set()

    def _stream_of(self, track: MediaStreamTrack) -> str:
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                desc = self.pc.remoteDescription.sdp
                return msid_for_mid(desc, transceiver.mid)
        return "?"

    async def offer(self, sdp: str) -> None:
        async with self._lock:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            self.router.subscriber_answer(self.pid, self.pc.localDescription.sdp)

    async def wait_frames(self, stream: str, kind: str, count: int = 3) -> None:
        async with asyncio.timeout(20):
            while self.frames.get((stream, kind), 0) < count:
                self.changed.clear()
                await self.changed.wait()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()


def msid_for_mid(sdp: str, mid: str | None) -> str:
    """The msid stream id (the publisher's participant id) of an m-line."""
    current = None
    for line in sdp.splitlines():
        if line.startswith("a=mid:"):
            current = line[6:]
        elif line.startswith("a=msid:") and current == mid:
            return line[7:].split()[0]
    return "?"


async def publish(
    router: Router, pid: str, audio: bool = True, video: bool = True
) -> RTCPeerConnection:
    pc = RTCPeerConnection()
    if audio:
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
    if video:
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = router.publish(pid, pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    return pc


class Bench:
    """A media server and one router, with subscribers wired to its offers."""

    def __init__(self) -> None:
        self.media = MediaServer("127.0.0.1")
        self.subscribers: dict[str, Subscriber] = {}
        self.router = Router(self.media, self._send_offer)
        self._tasks: set[asyncio.Task[None]] = set()
        self.subscribers_closing = False

    def _send_offer(self, pid: str, sdp: str) -> None:
        subscriber = self.subscribers.get(pid)
        if subscriber is not None and not self.subscribers_closing:
            task = asyncio.ensure_future(subscriber.offer(sdp))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def subscribe(self, pid: str) -> Subscriber:
        self.subscribers[pid] = Subscriber(self.router, pid)
        self.router.subscribe_all(pid)
        return self.subscribers[pid]


@contextlib.asynccontextmanager
async def bench() -> AsyncIterator[Bench]:
    b = Bench()
    await b.media.start()
    b.router.start()
    pcs: list[Any] = []
    try:
        yield b
    finally:
        b.subscribers_closing = True
        b.router.stop()
        for task in list(b._tasks):
            task.cancel()
        for s in b.subscribers.values():
            await s.close()
        for pc in pcs:
            await pc.close()
        b.media.stop()
