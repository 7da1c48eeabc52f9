"""Interpretation with real aiortc clients through the SFU: a listener on the Russian
channel hears the interpreter and the floor, a floor listener never gets the
interpreter's packets; direction, hand-over and booth chat as a bot drives them.

Each voice is a tone of its own volume, so a frame tells whose it is.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

import frankly.client as fc
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where, peak
from tests.conftest import LiveServer
from tests.waiting import until

ROOM = "sdk-test"
FLOOR_VOLUME, IVAN_VOLUME, IRINA_VOLUME = 0.2, 0.9, 0.5


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=6)


def volume_of(volume: float) -> Any:
    expected = 0.7 * 32767 * volume  # Opus gives back about 70 % of the peak

    def is_it(frame: AudioFrame) -> bool:
        return abs(peak(frame) - expected) < 0.25 * expected

    return is_it


async def channel_track(client: fc.Client, interpreter: str) -> MediaStreamTrack:
    for track in client.tracks(interpreter):
        if getattr(track, "participant_id", "").endswith(":channel"):
            return track
    event = await client.wait_for(
        fc.TrackReceived,
        lambda e: e.participant.id == interpreter and e.interpretation,
        timeout=15,
    )
    return event.track


async def floor_track(client: fc.Client, speaker: str) -> MediaStreamTrack:
    for track in client.tracks(speaker):
        if track.kind == "audio" and getattr(track, "participant_id", "") == speaker:
            return track
    event = await client.wait_for(
        fc.TrackReceived,
        lambda e: e.participant.id == speaker and e.kind == "audio" and not e.interpretation,
        timeout=15,
    )
    return event.track


def packets(live_server: LiveServer, subscriber: str, interpreter: str) -> int:
    def count() -> int:
        return live_server.hub.routers[ROOM].channel_packets[subscriber, interpreter]

    return live_server.call(count)


async def room(clients: Clients) -> tuple[fc.Client, fc.Client, fc.Client, fc.Client]:
    """Ada speaks on the floor and hosts; Ivan interprets en-ru; Boris hears ru, Fred the floor."""
    ada = await clients.join("Ada", ROOM, audio=fc.ToneTrack(volume=FLOOR_VOLUME))
    ivan = await clients.join("Ivan", ROOM)
    boris = await clients.join("Boris", ROOM)
    fred = await clients.join("Fred", ROOM)
    told = ivan.wait_for(fc.InterpretationChanged, timeout=5)
    state = await ada.make_interpreter(ivan.id, ("en", "ru"))
    assert state.languages == ("en", "ru")
    assert (await told).interpretation.booth_of(ivan.id) is not None
    await ivan.interpret(fc.ToneTrack(330, volume=IVAN_VOLUME))
    await boris.listen("ru")
    assert boris.listening == "ru"
    return ada, ivan, boris, fred


async def test_a_ru_listener_hears_interpreter_and_floor_a_floor_listener_only_the_floor(
    clients: Clients, live_server: LiveServer
) -> None:
    ada, ivan, boris, fred = await room(clients)
    interpretation = await channel_track(boris, ivan.id)
    await frame_where(interpretation, volume_of(IVAN_VOLUME))
    await frame_where(await floor_track(boris, ada.id), volume_of(FLOOR_VOLUME))
    await frame_where(await floor_track(fred, ada.id), volume_of(FLOOR_VOLUME))
    # Fred hears the floor, and the SFU sent him not one packet of Ivan's channel.
    assert packets(live_server, boris.id, ivan.id) > 0
    assert packets(live_server, fred.id, ivan.id) == 0
    assert not [t for t in fred.tracks(ivan.id) if t.readyState == "live"]
    with pytest.raises(fc.FranklyError) as refused:
        await fred.listen("fr")
    assert refused.value.code == "unknown-language"


async def test_direction_hand_over_and_booth_chat(
    clients: Clients, live_server: LiveServer
) -> None:
    ada, ivan, boris, fred = await room(clients)
    irina = await clients.join("Irina", ROOM)
    told = irina.wait_for(fc.InterpretationChanged, timeout=5)
    await ada.make_interpreter(irina.id, ("en", "ru"))
    booth = (await told).interpretation.booth_of(irina.id)
    assert booth is not None and booth.members == (ivan.id, irina.id)
    await irina.interpret(fc.ToneTrack(550, volume=IRINA_VOLUME))
    await frame_where(await channel_track(boris, ivan.id), volume_of(IVAN_VOLUME))
    irinas = await channel_track(boris, irina.id)

    # The hand-over, once Irina's channel flows and every listener has it
    # negotiated (the server refuses it before, with booth-not-ready).
    def ready() -> bool:
        router = live_server.hub.routers[ROOM]
        return live_server.call(lambda: router.channel_ready(irina.id, time.monotonic()))

    await until(ready, 15, "Irina's channel ready to take over")
    state = await ivan.hand_over()
    booth = state.booth_of(ivan.id)
    assert booth is not None and booth.live == irina.id
    await frame_where(irinas, volume_of(IRINA_VOLUME))
    ivan_then = packets(live_server, boris.id, ivan.id)
    await frame_where(irinas, volume_of(IRINA_VOLUME))
    await frame_where(irinas, volume_of(IRINA_VOLUME))
    assert packets(live_server, boris.id, ivan.id) == ivan_then  # one live voice
    # Booth chat: Irina reads it; nobody else is sent anything.
    line = irina.wait_for(fc.BoothChatMessage, timeout=10)
    await ivan.send_booth_chat("your turn in five")
    got = await line
    assert (got.sender.id, got.text) == (ivan.id, "your turn in five")
    # One message turns the booth around: Boris's Russian channel falls silent of it.
    state = await irina.switch_direction("en")
    assert state.speaking_into("en") is not None
    before = packets(live_server, boris.id, irina.id)
    await fred.listen("en")
    await frame_where(await channel_track(fred, irina.id), volume_of(IRINA_VOLUME))
    assert packets(live_server, boris.id, irina.id) - before <= 5  # only what was on its way
    assert packets(live_server, fred.id, ivan.id) == 0


async def test_a_room_of_two_moves_to_the_sfu_for_its_interpreter(
    clients: Clients, live_server: LiveServer
) -> None:
    ada = await clients.join("Ada", ROOM, audio=fc.ToneTrack(volume=FLOOR_VOLUME))
    ivan = await clients.join("Ivan", ROOM)
    assert ada.mode == ivan.mode == "p2p"
    moved = ivan.wait_for(fc.ModeChanged, timeout=10)
    await ada.make_interpreter(ivan.id, ("en", "ru"))
    assert (await moved).mode == "sfu" and ada.mode == "sfu"
    await ivan.interpret(fc.ToneTrack(330, volume=IVAN_VOLUME))
    await ada.listen("ru")
    await frame_where(await channel_track(ada, ivan.id), volume_of(IVAN_VOLUME))
    await frame_where(await floor_track(ivan, ada.id), volume_of(FLOOR_VOLUME))
    assert packets(live_server, ada.id, ivan.id) > 0
