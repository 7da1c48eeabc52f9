"""The engine's choices, driven by hand: a fake VAD (loud is speech) and a fake
recognizer whose decodes take as long as the test says, on a clock the test moves."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from frankly.captions.engine import Engine, EngineSettings
from frankly.captions.lines import CaptionLine, Event, Notice, NoticeKind
from frankly.captions.resample import Samples
from frankly.captions.segmenter import WINDOW

FRAME = 960  # 20 ms at 48 kHz


class LoudIsSpeech:
    """A VAD: a window is speech when it is loud."""

    def __init__(self) -> None:
        self._pending = np.zeros(0, np.float32)

    def push(self, samples: Samples) -> tuple[Samples, Samples]:
        joined = np.concatenate((self._pending, samples))
        count = len(joined) // WINDOW
        whole, self._pending = joined[: count * WINDOW], joined[count * WINDOW :]
        loud = np.abs(whole.reshape(count, WINDOW)).mean(axis=1) > 0.05
        return loud.astype(np.float32), whole


@dataclass
class Recognizer:
    """Says how many seconds it heard; each decode moves the clock by `cost`."""

    clock: Clock
    cost: float = 0.1
    prepared: list[tuple[str, bool]] = field(default_factory=list)
    decodes: list[tuple[float, str, bool]] = field(default_factory=list)

    def prepare(self, language: str, translate: bool) -> None:
        self.prepared.append((language, translate))

    def decode(self, audio: Samples, language: str, translate: bool) -> str:
        self.clock.now += self.cost
        self.decodes.append((len(audio) / 16_000, language, translate))
        return f"{'english of ' if translate else ''}{len(audio) / 16_000:.1f}s of {language}"


@dataclass
class Clock:
    now: float = 0.0


class Room:
    """Speakers' frames fed in real time; the engine stepped whenever it has work."""

    def __init__(self, cost: float = 0.1, **settings: object) -> None:
        self.clock = Clock()
        self.recognizer = Recognizer(self.clock, cost)
        self.engine = Engine(self.recognizer, LoudIsSpeech, EngineSettings(**settings))  # type: ignore[arg-type]
        self.events: list[Event] = []
        self.sent = 0.0  # the stream time fed so far

    def play(self, speech: dict[str, float], seconds: float) -> None:
        """Feed `seconds` of audio, loud for the speakers in `speech`, as a worker would.

        Frames reach the engine when the worker is free: a decode that takes
        longer than the audio it covers makes the frames after it late.
        """
        loud = np.full(FRAME, 8000, "<i2").tobytes()
        quiet = np.zeros(FRAME, "<i2").tobytes()
        end = self.sent + seconds
        while self.sent < end - 1e-9:
            self.sent += FRAME / 48_000
            self.clock.now = max(self.clock.now, self.sent)
            for name in self.engine.speakers:
                pcm = loud if speech.get(name) else quiet
                self.events += self.engine.feed(name, pcm, self.sent, self.clock.now)
            if self.clock.now <= self.sent and self.engine.has_work:
                self.events += self.engine.step(self.clock.now)

    def drain(self) -> None:
        while self.engine.has_work:
            self.events += self.engine.step(self.clock.now)

    def lines(self, **match: object) -> list[CaptionLine]:
        return [
            e
            for e in self.events
            if isinstance(e, CaptionLine) and all(getattr(e, k) == v for k, v in match.items())
        ]

    def notices(self) -> list[NoticeKind]:
        return [e.kind for e in self.events if isinstance(e, Notice)]


def test_partial_lines_every_second_of_speech_then_a_final_after_the_pause() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 3.2)
    room.play({}, 1.0)
    room.drain()
    partials = room.lines(final=False)
    heard = [float(line.text.split("s")[0]) for line in partials]  # seconds each decode read
    assert len(heard) == 3 and heard[0] >= 1.0
    assert all(0.9 <= later - earlier <= 1.1 for earlier, later in itertools.pairwise(heard))
    (final,) = room.lines(final=True)
    assert final.speaker == "alice" and final.segment == 1 and final.language == "en"
    assert final.text.endswith("s of en") and not final.translated and not final.finals_only
    assert final.start == 0.0 and 3.2 < final.end < 3.9  # pre-roll (none here) + speech + pause


def test_the_final_line_comes_soon_after_the_pause() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 2.0)
    before = len(room.events)
    pause = 0.0
    while not room.lines(final=True) and pause < 2.0:
        room.play({}, 0.1)
        pause += 0.1
    assert room.lines(final=True) and len(room.events) > before
    assert pause <= 0.7  # half a second of pause, then one decode: well within 1.5 s


def final_after_pause(early_final: int) -> tuple[float, CaptionLine]:
    """How long after the speech ended its final line came (decodes take 0.3 s), and the line."""
    room = Room(cost=0.3, early_final=early_final)
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 2.0)
    room.drain()  # the partials are done: only the final is left to decode
    ended = room.sent
    while not room.lines(final=True) and room.sent - ended < 2.0:
        room.play({}, 0.02)
    (final,) = room.lines(final=True)
    return room.clock.now - ended, final


def test_a_final_decoded_early_in_the_pause_is_shown_as_the_pause_ends() -> None:
    early, line = final_after_pause(early_final=6)
    late, whole = final_after_pause(early_final=0)
    # Without it the decode follows the half-second pause; with it, it ran inside the pause.
    assert 0.5 <= early < 0.6 and late >= early + 0.28
    # Decoded 6 windows (0.19 s) into the pause, not at its end (16 windows): 0.32 s less audio.
    heard, heard_whole = (float(final.text.split("s")[0]) for final in (line, whole))
    assert round(heard_whole - heard, 1) == 0.3


def test_speech_after_an_early_final_is_in_the_final_line() -> None:
    room = Room(cost=0.1)
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 2.0)
    room.play({}, 0.3)  # long enough for the early decode, too short to close the segment
    room.play({"alice": True}, 1.0)
    room.play({}, 1.0)
    room.drain()
    (final,) = room.lines(final=True)
    assert float(final.text.split("s")[0]) >= 3.3  # decoded again, with the words after the pause


def test_another_language_gets_its_line_then_the_english_translation() -> None:
    room = Room()
    room.engine.add_speaker("boris", "ru")
    assert room.recognizer.prepared == [("ru", True)]
    room.play({"boris": True}, 1.5)
    room.play({}, 1.0)
    room.drain()
    finals = room.lines(final=True)
    assert [(line.language, line.translated) for line in finals] == [("ru", False), ("en", True)]
    assert finals[1].text.startswith("english of ") and finals[1].segment == finals[0].segment
    assert not any(
        translate for _, _, translate in room.recognizer.decodes[:-1]
    )  # partials: original


def test_english_is_not_translated_and_translation_can_be_declined() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en", translate=True)
    room.engine.add_speaker("boris", "ru", translate=False)
    room.play({"alice": True, "boris": True}, 1.5)
    room.play({}, 1.0)
    room.drain()
    assert not room.lines(translated=True)
    assert {line.speaker for line in room.lines(final=True)} == {"alice", "boris"}


def test_two_speakers_in_turn_are_attributed_apart() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en")
    room.engine.add_speaker("bob", "en")
    room.play({"alice": True}, 2.0)
    room.play({}, 1.0)
    room.play({"bob": True}, 1.5)
    room.play({}, 1.0)
    room.drain()
    finals = room.lines(final=True)
    assert [(line.speaker, line.segment) for line in finals] == [("alice", 1), ("bob", 1)]
    assert finals[1].start > finals[0].end - 1.0  # bob's times are his own stream's


def test_silence_and_clicks_give_no_lines() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en")
    room.play({}, 2.0)
    room.play({"alice": True}, 0.1)  # shorter than min_speech
    room.play({}, 1.0)
    room.drain()
    assert room.events == [] and room.recognizer.decodes == []


def test_when_decoding_cannot_keep_up_only_finals_are_made_and_flagged() -> None:
    room = Room(cost=2.5)  # each decode takes 2.5 s: far slower than speech comes
    room.engine.add_speaker("alice", "en")
    room.engine.add_speaker("bob", "en")
    for _ in range(6):
        room.play({"alice": True, "bob": True}, 1.5)
        room.play({}, 0.7)
    assert NoticeKind.FINALS_ONLY in room.notices()
    behind = next(i for i, e in enumerate(room.events) if isinstance(e, Notice))
    after = [e for e in room.events[behind:] if isinstance(e, CaptionLine)]
    assert after and all(line.final and line.finals_only for line in after)


def test_the_finals_queue_is_bounded_and_says_what_it_dropped() -> None:
    room = Room(cost=10.0, max_pending=3)
    room.engine.add_speaker("alice", "en")
    for _ in range(10):
        room.play({"alice": True}, 1.0)
        room.play({}, 0.7)
        assert len(room.engine._finals) <= 3
    assert NoticeKind.SEGMENT_DROPPED in room.notices()
    dropped = [
        e for e in room.events if isinstance(e, Notice) and e.kind is NoticeKind.SEGMENT_DROPPED
    ]
    assert dropped[0].speaker == "alice" and "was not captioned" in dropped[0].text


def test_partials_come_back_once_it_has_kept_up_for_a_while() -> None:
    room = Room(cost=3.0, recover_after=2.0)
    room.engine.add_speaker("alice", "en")
    for _ in range(3):
        room.play({"alice": True}, 1.5)
        room.play({}, 0.7)
    assert room.engine.finals_only
    room.recognizer.cost = 0.05
    room.play({}, 6.0)  # silence: the backlog clears, then 2 s in time
    assert room.notices()[-1] is NoticeKind.CAUGHT_UP and not room.engine.finals_only
    room.play({"alice": True}, 2.0)
    assert room.lines(final=False, finals_only=False)


def test_a_speaker_who_leaves_mid_sentence_gets_a_final_line() -> None:
    room = Room()
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 1.5)
    room.events += room.engine.remove_speaker("alice")
    room.drain()
    assert [line.final for line in room.lines()][-1] is True


def test_a_speaker_added_again_keeps_numbering_segments_upward() -> None:
    room = Room()
    room.engine.add_speaker("boris", "en")
    room.play({"boris": True}, 1.5)
    room.play({}, 1.0)
    room.engine.add_speaker("boris", "ru")  # they said they speak Russian after all
    room.play({"boris": True}, 1.5)
    room.play({}, 1.0)
    room.drain()
    finals = room.lines(final=True, translated=False)
    assert [(line.segment, line.language) for line in finals] == [(1, "en"), (2, "ru")]


def test_under_load_the_originals_come_before_the_translations() -> None:
    room = Room(cost=1.0)
    room.engine.add_speaker("boris", "ru")
    room.engine.add_speaker("olga", "ru")
    room.play({"boris": True, "olga": True}, 1.2)  # both segments close at once
    room.play({}, 1.0)
    room.drain()
    finals = [(line.speaker, line.translated) for line in room.lines(final=True)]
    assert finals == [("boris", False), ("olga", False), ("boris", True), ("olga", True)]


def test_a_segment_found_not_to_be_speech_takes_its_partial_back() -> None:
    room = Room(partial_every=0.2)
    room.engine.add_speaker("alice", "en")
    room.play({"alice": True}, 0.15)  # a partial is made, but too short to be speech
    room.play({}, 1.0)
    room.drain()
    *partials, last = room.lines()
    assert partials and not any(line.final for line in partials)
    assert last.final and last.text == "" and last.segment == partials[0].segment
