"""Two SDK participants on the real server see and hear each other, peer to peer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

import frankly.client as fc
from tests.client.helpers import Clients, frame_where, luma_mean, peak, track_from


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
    await frame_where(video, is_bars)
    await frame_where(audio, is_tone)


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
