"""Helpers for SDK tests: clients that always leave, frames that must arrive."""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Callable
from typing import Any

from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame, VideoFrame

import frankly.client as fc

FRAME_TIMEOUT = 15.0


class Clients:
    """Makes SDK participants for one test and makes sure each one leaves."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[fc.Client] = []

    def client(self, name: str, room: str = "sdk-test", **options: Any) -> fc.Client:
        client = fc.Client(f"{self.url}/{room}", name=name, **options)
        self.made.append(client)
        return client

    async def join(self, name: str, room: str = "sdk-test", **options: Any) -> fc.Client:
        client = self.client(name, room, **options)
        await client.join()
        return client

    async def av(self, name: str, room: str = "sdk-test", **options: Any) -> fc.Client:
        """A participant sending a tone and moving bars."""
        return await self.join(name, room, audio=fc.ToneTrack(), video=fc.PatternTrack(), **options)


async def track_from(
    client: fc.Client, peer_id: str, kind: str, within: float = FRAME_TIMEOUT
) -> MediaStreamTrack:
    """The live `kind` track `client` receives from `peer_id` (waiting for it if need be)."""
    for track in client.tracks(peer_id):
        if track.kind == kind and track.readyState != "ended":
            return track
    # No await between the look and wait_for: the track cannot slip in between.
    event = await client.wait_for(
        fc.TrackReceived,
        lambda e: e.participant.id == peer_id and e.kind == kind,
        timeout=within,
    )
    return event.track


async def frame_where(
    track: MediaStreamTrack,
    predicate: Callable[[Any], bool] = lambda frame: True,
    within: float = FRAME_TIMEOUT,
) -> Any:
    """Read `track` until a frame satisfies `predicate`; fail after `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            frame = await track.recv()
            if predicate(frame):
                return frame


async def muted_then_back(
    viewer: fc.Client,
    muter: fc.Client,
    tracks: tuple[MediaStreamTrack, MediaStreamTrack],
    back: tuple[Callable[[Any], bool], Callable[[Any], bool]],
) -> None:
    """`muter` turns camera and microphone off, then on again: `viewer` is told, gets
    black and silence on its (video, audio) `tracks`, then frames that pass `back`."""
    video, audio = tracks
    updated = viewer.wait_for(
        fc.ParticipantUpdated,
        lambda e: e.participant.id == muter.id and not e.participant.video,
        timeout=10,
    )
    await muter.update(video=False, audio=False)
    assert (await updated).participant.audio is False
    await frame_where(video, lambda f: luma_mean(f) < 30)
    await frame_where(audio, lambda f: peak(f) < 50)

    await muter.update(video=True, audio=True)
    await frame_where(video, back[0])
    await frame_where(audio, back[1])


def luma_mean(frame: VideoFrame) -> float:
    """Mean of the visible Y samples: about 120 for the bars, 16 for black."""
    plane = frame.planes[0]
    data = bytes(plane)
    rows = [
        data[y * plane.line_size : y * plane.line_size + frame.width]
        for y in range(0, frame.height, 8)
    ]
    return sum(sum(row) for row in rows) / sum(len(row) for row in rows)


def peak(frame: AudioFrame) -> int:
    """The largest absolute sample of a decoded (s16) audio frame."""
    samples = array("h", bytes(frame.planes[0]))
    return max((abs(s) for s in samples), default=0)
