"""Live captions end to end through the SDK, in an end-to-end encrypted room.

A participant's microphone plays a recorded LibriVox clip; the server's own
captioner (the real process, with Whisper tiny.en) joins, holds keys like
anyone, and another participant reads caption lines opened with the
captioner's key, attributed to the speaker, with the clip's words. Turned
off, the captioner leaves and the SFU holds no subscription for it. A
Russian speaker (Festival's voice) gets the line and its English.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from frankly.bench.captions_room import ClipTrack
from frankly.bench.speech import RATE, Clip, SpeechMissing, librivox, russian
from frankly.captions.wer import word_error_rate
from frankly.client import (
    CaptionLine,
    CaptionsChanged,
    Client,
    FranklyError,
    ParticipantLeft,
    PatternTrack,
)
from frankly.protocol.words import CAPTIONER_NAME
from tests.captions.test_captioner import ENGLISH_WER, RUSSIAN_WER
from tests.conftest import LiveServer
from tests.waiting import until

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def clip() -> Clip:
    try:
        return next(c for c in librivox() if c.name.endswith("0870"))
    except SpeechMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture
async def room(live_server: LiveServer) -> AsyncIterator[tuple[Client, Client, ClipTrack]]:
    """A host who reads, and a speaker with a recorded voice, in an encrypted room."""
    microphone = ClipTrack()
    # The host's camera is on: the captioner must get none of it.
    host = Client(live_server.url + "/talks", name="Host", video=PatternTrack(160, 120, fps=5))
    speaker = Client(live_server.url + "/talks", name="Alice", audio=microphone, language="en")
    await host.join()
    await speaker.join()
    yield host, speaker, microphone
    await speaker.leave()
    await host.leave()


async def test_a_speaker_is_captioned_on_another_screen_and_the_captioner_leaves_when_off(
    live_server: LiveServer, room: tuple[Client, Client, ClipTrack], clip: Clip
) -> None:
    host, speaker, microphone = room
    assert not host.passphrase_mode
    changed = host.wait_for(CaptionsChanged, lambda e: e.captions.state == "on", timeout=90)
    started = await host.set_captions(True, transcript=True)
    assert (started.state, started.transcript) == ("starting", True)
    captioner = (await changed).captions.captioner
    assert captioner is not None
    them = host.participants[captioner]
    assert (them.role, them.name) == ("captioner", CAPTIONER_NAME)
    # It holds keys like anyone: a pair with each of us, then it can hear.
    await _until(lambda: host.encryption(captioner) == "ready")
    await _until(lambda: speaker.encryption(captioner) == "ready")

    text = await _captioned(host, speaker.id, microphone, clip)
    assert word_error_rate(clip.text, text) <= ENGLISH_WER, text
    # Everyone was told the transcript is kept; the host's client kept it.
    assert speaker.captions.transcript
    assert host.transcript().startswith("[00:00:") and "Alice: " in host.transcript()
    assert host.transcript("vtt").startswith("WEBVTT\n\n") and "<v Alice>" in host.transcript("vtt")

    def kinds_sent_to(pid: str) -> list[str]:
        router = live_server.hub.routers["talks"]
        return [s.track.kind for s in router.subscribers[pid].slots if not isinstance(s, str)]

    assert live_server.call(lambda: kinds_sent_to(captioner)) == ["audio"]  # never video
    assert "video" in live_server.call(lambda: kinds_sent_to(speaker.id))

    left = host.wait_for(ParticipantLeft, lambda e: e.participant.id == captioner, timeout=20)
    assert (await host.set_captions(False)).state == "off"
    await left
    assert captioner not in host.participants

    def forwarded_to() -> set[str]:
        router = live_server.hub.routers["talks"]
        return set(router.subscribers) | set(router.publishers)

    assert captioner not in live_server.call(forwarded_to)  # nothing reaches it any more
    # And its process has exited, not just left the room.
    await _until(lambda: live_server.call(live_server.hub.captions.running) == 0)


async def _captioned(
    host: Client, speaker: str, microphone: ClipTrack, clip: Clip, name: str = "Alice"
) -> str:
    """The final lines the host reads of `speaker` (called `name`) while the clip plays,
    joined."""
    finals: dict[int, str] = {}
    events = host.events()
    microphone.play(clip.pcm)
    # Whisper on two shared cores can fall well behind the clip: a minute and a half of slack.
    deadline = time.monotonic() + len(clip.pcm) / RATE + 90
    async with asyncio.timeout(deadline - time.monotonic()):
        async for event in events:
            if not isinstance(event, CaptionLine) or not event.final:
                continue
            assert event.speaker.id == speaker and event.speaker.name == name
            assert event.language == "en" and event.english == event.text
            finals[event.line] = event.text
            joined = " ".join(finals[k] for k in sorted(finals))
            if word_error_rate(clip.text, joined) <= ENGLISH_WER:
                return joined
    return " ".join(finals[k] for k in sorted(finals))


async def _until(holds: Callable[[], bool]) -> None:
    """Until `holds`, for state with no event to wait on (keys, the server's rooms)."""
    await until(holds, 20, "the captioner's keys, or its process gone")


async def test_a_passphrase_room_cannot_be_captioned(live_server: LiveServer) -> None:
    host = Client(live_server.url + "/secret", name="Host", passphrase="correct horse")
    await host.join()
    try:
        with pytest.raises(FranklyError) as refused:
            await host.set_captions(True)
        assert refused.value.code == "captions-unavailable"
        assert host.captions.state == "off"
    finally:
        await host.leave()


@pytest.fixture(scope="module")
def spoken_russian(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    try:
        return russian(tmp_path_factory.mktemp("russian"), count=1)[0]
    except SpeechMissing as exc:
        pytest.fail(str(exc))


async def test_a_russian_speaker_is_captioned_with_the_english_beside(
    live_server: LiveServer, spoken_russian: Clip
) -> None:
    microphone = ClipTrack()
    host = Client(live_server.url + "/talks", name="Host")
    boris = Client(live_server.url + "/talks", name="Boris", audio=microphone, language="ru")
    await host.join()
    await boris.join()
    try:
        on = host.wait_for(CaptionsChanged, lambda e: e.captions.state == "on", timeout=90)
        await host.set_captions(True)
        captioner = (await on).captions.captioner
        assert captioner is not None
        await _until(lambda: boris.encryption(captioner) == "ready")
        translated = host.wait_for(
            CaptionLine, lambda e: e.final and e.english is not None, timeout=120
        )
        microphone.play(spoken_russian.pcm)
        line = await translated
        assert (line.speaker.id, line.language) == (boris.id, "ru")
        assert word_error_rate(spoken_russian.text, line.text) <= RUSSIAN_WER, line.text
        assert "agree" in line.english.lower(), line.english
    finally:
        await boris.leave()
        await host.leave()
    # With everyone gone the captioner goes too, its process ending by itself.
    await _until(lambda: live_server.call(live_server.hub.captions.running) == 0)
