"""A dialogue meeting's transcript, kept by the real captioner end to end.

Ann founds a dialogue, Boris leads its other side; both enter their meeting's
room through the API's entry, in an end-to-end encrypted room. Ann turns
captions on and keeps the transcript: everyone is told it is kept with the
meeting. Boris's microphone plays a recorded LibriVox clip; the server's own
captioner (the real process, Whisper tiny.en) captions it, and the
transcript the API then gives the dialogue's members holds his words, named
with his side, as text and as WebVTT.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import frankly.client as fc
from frankly.bench.speech import Clip
from frankly.captions.wer import word_error_rate
from frankly.client import CaptionsChanged, Client
from frankly.server.config import ServerConfig
from tests.captioner.test_room_captions import ClipTrack, _captioned, _until, clip
from tests.captions.test_captioner import ENGLISH_WER
from tests.conftest import LiveServer
from tests.waiting import until_answered

pytestmark = pytest.mark.timeout(240)
SIDES = [("United States", "America/New_York"), ("Russia", "Europe/Moscow")]
__all__ = ["clip"]  # the recorded clip, a fixture of test_room_captions


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)  # with a data directory, the server keeps dialogues


async def test_the_captioners_words_are_kept_with_the_meeting(
    live_server: LiveServer, clip: Clip
) -> None:
    async with fc.Dialogues(live_server.url, timeout=10) as api:
        ann = await api.found("Talks", SIDES, "Ann")
        assert ann.view is not None
        ru = ann.view["sides"][1]["id"]
        boris = await api.join((await ann.link(ru, lead=True))["token"], "Boris")
        meeting = (await ann.create_meeting("Strategic stability"))["id"]
        entry_ann, entry_boris = await ann.entry(meeting), await boris.entry(meeting)
        microphone = ClipTrack()
        host = Client(entry_ann.url, name="Ann", invite=entry_ann.invite)
        speaker = Client(
            entry_boris.url,
            name="Boris",
            invite=entry_boris.invite,
            audio=microphone,
            language="en",
        )
        await host.join()
        await speaker.join()
        try:
            on = host.wait_for(CaptionsChanged, lambda e: e.captions.state == "on", timeout=90)
            await host.set_captions(True, transcript=True)
            captions = (await on).captions
            assert captions.transcript and captions.stored  # kept with this meeting, all told
            assert captions.captioner is not None
            await _until(lambda: speaker.encryption(captions.captioner or "") == "ready")
            heard = await _captioned(host, speaker.id, microphone, clip, "Boris")
            assert word_error_rate(clip.text, heard) <= ENGLISH_WER, heard

            async def kept() -> bool:
                try:
                    text = await boris.transcript(meeting)
                except fc.ApiRefusal:
                    return False  # no line stored yet
                return word_error_rate(clip.text, _words(text)) <= ENGLISH_WER

            await until_answered(kept, 20, "the captioned words in the meeting's transcript")
            text = await ann.transcript(meeting)
            assert text.startswith("Strategic stability\nTranscript from ")
            assert "] Boris (Russia): " in text
            vtt = await boris.transcript(meeting, "vtt")
            assert vtt.startswith("WEBVTT\n\n") and "<v Boris (Russia)>" in vtt
        finally:
            await speaker.leave()
            await host.leave()


def _words(text: str) -> str:
    """What was said, from the transcript's lines (`[time] Name (Side): words`)."""
    return " ".join(row.split("): ", 1)[1] for row in text.splitlines() if row.startswith("["))
