"""SfuLink: SDK participants on the SFU publish to it and receive everyone through it.

Every participant sends video of its own size and a tone of its own volume, so
that a track mapped to the wrong participant shows.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

import frankly.client as fc
from frankly.client.sfu import Slot, parse_slots
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where, luma_mean, muted_then_back, peak, track_from
from tests.conftest import LiveServer

ROOM = "sdk-test"
SIZES = [(320, 240), (160, 120), (240, 180), (128, 96)]
VOLUMES = [0.1, 0.3, 0.6, 0.9]


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=4)


class Sender:
    """What one test participant sends: bars of a given size, a tone of a given volume."""

    def __init__(self, n: int) -> None:
        self.width, self.height = SIZES[n]
        self.volume = VOLUMES[n]

    def options(self) -> dict[str, Any]:
        return {
            "audio": fc.ToneTrack(volume=self.volume),
            "video": fc.PatternTrack(self.width, self.height),
        }

    def is_video(self, frame: VideoFrame) -> bool:
        return (frame.width, frame.height) == (self.width, self.height) and luma_mean(frame) > 60

    def is_audio(self, frame: AudioFrame) -> bool:
        expected = 0.7 * 32767 * self.volume  # Opus gives back about 70 % of the peak
        return abs(peak(frame) - expected) < 0.3 * expected


async def av(clients: Clients, name: str, n: int) -> tuple[fc.Client, Sender]:
    sender = Sender(n)
    return await clients.join(name, ROOM, **sender.options()), sender


async def receives(
    me: fc.Client, other: fc.Client, sender: Sender
) -> tuple[MediaStreamTrack, MediaStreamTrack]:
    """`me` gets `other`'s video and audio, and they are `other`'s."""
    video = await track_from(me, other.id, "video")
    audio = await track_from(me, other.id, "audio")
    await frame_where(video, sender.is_video)
    await frame_where(audio, sender.is_audio)
    return video, audio


async def room_of_three(clients: Clients) -> list[tuple[fc.Client, Sender]]:
    """Ada and Grace, with what each sends, in a room that Eve's coming moved to the SFU."""
    people = [await av(clients, name, n) for n, name in enumerate(["Ada", "Grace", "Eve"])]
    return people[:2]


def forwarded(live_server: LiveServer) -> int:
    return live_server.call(lambda: live_server.hub.routers[ROOM].forwarded)


async def test_three_participants_receive_each_others_audio_and_video(
    clients: Clients, live_server: LiveServer
) -> None:
    people = [await av(clients, name, n) for n, name in enumerate(["Ada", "Grace", "Eve"])]
    assert [c.mode for c, _ in people] == ["sfu", "sfu", "sfu"]

    await asyncio.gather(
        *(
            receives(me, other, sender)
            for me, _ in people
            for other, sender in people
            if other is not me
        )
    )
    assert forwarded(live_server) > 0
    for me, _ in people:
        assert me.sfu_state == "connected"
        assert me.tracks(me.id) == []
        for other, _ in people:
            if other is not me:
                assert me.connection_state(other.id) == "connected"
                assert sorted(t.kind for t in me.tracks(other.id)) == ["audio", "video"]


async def test_a_call_that_gains_a_third_participant_carries_on_through_the_sfu(
    clients: Clients, live_server: LiveServer
) -> None:
    ada, ada_sends = await av(clients, "Ada", 0)
    grace, grace_sends = await av(clients, "Grace", 1)
    assert ada.mode == "p2p"
    p2p_video, _ = await receives(ada, grace, grace_sends)
    await receives(grace, ada, ada_sends)
    assert ada.connection_state(grace.id) == "connected"
    assert ada.sfu_state is None

    moved = ada.wait_for(fc.ModeChanged, timeout=10)
    joined = ada.wait_for(fc.ParticipantJoined, timeout=10)
    # The next tracks the first two receive from each other come through the SFU.
    ada_gets = ada.wait_for(
        fc.TrackReceived, lambda e: e.participant.id == grace.id and e.kind == "video", timeout=15
    )
    grace_gets = grace.wait_for(
        fc.TrackReceived, lambda e: e.participant.id == ada.id and e.kind == "video", timeout=15
    )

    eve, eve_sends = await av(clients, "Eve", 2)

    assert (await moved).mode == "sfu"
    assert (await joined).participant.id == eve.id
    assert eve.mode == "sfu" and len(eve.participants) == 2
    sfu_video_at_ada = (await ada_gets).track
    sfu_video_at_grace = (await grace_gets).track
    assert sfu_video_at_ada is not p2p_video
    await frame_where(sfu_video_at_ada, grace_sends.is_video)
    await frame_where(sfu_video_at_grace, ada_sends.is_video)
    before = forwarded(live_server)
    assert before > 0
    # The peer-to-peer call ended once the SFU's connections were up...
    with pytest.raises(MediaStreamError):
        await frame_where(p2p_video, lambda f: False, within=10)
    assert sfu_video_at_ada in ada.tracks(grace.id)
    assert p2p_video not in ada.tracks(grace.id)
    # ... and the media keeps flowing, through the SFU.
    for _ in range(10):
        await frame_where(sfu_video_at_ada, grace_sends.is_video)
        await frame_where(sfu_video_at_grace, ada_sends.is_video)
    assert forwarded(live_server) > before
    await asyncio.gather(
        receives(ada, grace, grace_sends),
        receives(ada, eve, eve_sends),
        receives(eve, ada, ada_sends),
        receives(eve, grace, grace_sends),
    )
    # Chat and events go on as before.
    heard = eve.wait_for(fc.ChatMessage, timeout=10)
    await ada.send_chat("welcome, Eve")
    assert (await heard).name == "Ada"


async def test_a_leaver_s_tracks_end_and_its_slots_serve_the_next_joiner(
    clients: Clients, live_server: LiveServer
) -> None:
    ada, _ = await av(clients, "Ada", 0)
    grace, grace_sends = await av(clients, "Grace", 1)
    eve, eve_sends = await av(clients, "Eve", 2)
    eve_video, eve_audio = await receives(ada, eve, eve_sends)
    grace_video, _ = await receives(ada, grace, grace_sends)
    for _ in range(15):  # meanwhile, Eve's frames queue up unread at Ada's
        await frame_where(grace_video, grace_sends.is_video)

    def slots() -> int:
        return live_server.call(
            lambda: len(live_server.hub.routers[ROOM].subscribers[ada.id].slots)
        )

    assert slots() == 4

    left = ada.wait_for(fc.ParticipantLeft, timeout=10)
    await eve.leave()
    gone = await left
    assert (gone.participant.id, gone.reason) == (eve.id, "left")
    assert ada.tracks(eve.id) == []
    for track in (eve_video, eve_audio):
        with pytest.raises(MediaStreamError):
            await frame_where(track, lambda f: False, within=10)

    mallory, mallory_sends = await av(clients, "Mallory", 3)
    # Eve's frames, unread when she left, do not come out as Mallory's.
    first = await frame_where(await track_from(ada, mallory.id, "video"))
    assert (first.width, first.height) == SIZES[3]
    await receives(ada, mallory, mallory_sends)
    await receives(mallory, ada, Sender(0))
    await receives(grace, mallory, mallory_sends)
    assert slots() == 4  # Mallory's tracks took Eve's m-lines
    assert ada.tracks(eve.id) == []
    # Grace's media is untouched by all this.
    await receives(ada, grace, grace_sends)


async def test_a_receive_only_participant_gets_everyone_through_the_sfu(
    clients: Clients,
) -> None:
    ada, ada_sends = await av(clients, "Ada", 0)
    grace, grace_sends = await av(clients, "Grace", 1)
    watcher = await clients.join("Watcher", ROOM)
    assert watcher.mode == "sfu"
    await receives(watcher, ada, ada_sends)
    await receives(watcher, grace, grace_sends)
    assert ada.tracks(watcher.id) == []


async def test_muting_on_the_sfu_sends_black_and_silence(clients: Clients) -> None:
    (ada, _), (grace, grace_sends) = await room_of_three(clients)
    tracks = await receives(ada, grace, grace_sends)
    await muted_then_back(ada, grace, tracks, (grace_sends.is_video, grace_sends.is_audio))


async def test_a_resumed_socket_keeps_the_sfu_connections(
    clients: Clients, live_server: LiveServer
) -> None:
    (ada, ada_sends), (grace, grace_sends) = await room_of_three(clients)
    video, _ = await receives(ada, grace, grace_sends)
    before = await frame_where(video, grace_sends.is_video)
    tracks = ada.tracks(grace.id)

    events = ada.events()
    live_server.drop(ada.id)
    assert (await ada.wait_for(fc.Reconnected, timeout=15)).resumed is True

    after = await frame_where(video, grace_sends.is_video)
    assert after.pts > before.pts
    await receives(grace, ada, ada_sends)
    assert ada.tracks(grace.id) == tracks
    assert ada.sfu_state == "connected"
    events.close()
    assert not [e for e in events.pending() if isinstance(e, fc.TrackReceived)]


@pytest.mark.parametrize("server_config", [ServerConfig(max_participants=4, grace=0.0)])
async def test_a_fresh_welcome_starts_the_sfu_connections_again(
    clients: Clients, live_server: LiveServer
) -> None:
    (ada, ada_sends), (grace, grace_sends) = await room_of_three(clients)
    old_video, _ = await receives(ada, grace, grace_sends)
    old_id = ada.id

    reconnected = ada.wait_for(fc.Reconnected, timeout=15)
    live_server.drop(old_id)
    assert (await reconnected).resumed is False
    assert ada.id != old_id and ada.mode == "sfu"

    with pytest.raises(MediaStreamError):
        await frame_where(old_video, lambda f: False, within=10)
    new_video, _ = await receives(ada, grace, grace_sends)
    assert new_video is not old_video
    await receives(grace, ada, ada_sends)
    assert grace.tracks(old_id) == []


def test_parse_slots_reads_the_publisher_of_each_m_line() -> None:
    sdp = "\r\n".join(
        [
            "v=0",
            "a=group:BUNDLE 0 1 2",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "a=mid:0",
            "a=sendonly",
            "a=msid:p-ada audio-0",
            "a=ssrc:1234 cname:p-ada",
            "a=ssrc:1234 msid:p-ada audio-0",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:1",
            "a=inactive",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:2",
            "a=sendonly",
            "a=msid:p-grace video-1",
            "a=ssrc:99 cname:p-grace",
            "",
        ]
    )
    assert parse_slots(sdp) == {
        "0": Slot("0", "audio", "p-ada", "audio-0", 1234),
        "1": Slot("1", "video", None, "", 0),
        "2": Slot("2", "video", "p-grace", "video-1", 99),
    }
