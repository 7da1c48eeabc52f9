"""The caption worker process: the engine's loop, fed through a bounded queue.

`run` is the process's target (started with the spawn method by
captioner.py, so it shares no locks or threads with the server). It checks
and loads the models, says READY, then loops: take every control message
and every audio frame waiting, run the engine's one most urgent decode, send
what came out. Control messages (speakers coming and going) have a queue of
their own, so a full audio queue never loses one. A model not loaded
before READY loads in a thread when first asked for (PREPARE, as soon as the
room says someone speaks its language, or a speaker's ADD): meanwhile
everyone else is captioned, and that speaker's latest frames are held, to be
captioned once it has loaded. A model that
is missing or corrupt is reported as UNAVAILABLE and the process exits with
EXIT_UNAVAILABLE, which the parent does not restart.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, Protocol

from frankly.captions.engine import Engine, EngineSettings
from frankly.captions.lines import ENGLISH, Event, Notice, NoticeKind
from frankly.captions.models import SILERO_VAD, ModelError, model_folder

EXIT_UNAVAILABLE = 3
_IDLE_WAIT = 0.05  # seconds to block for audio when there is nothing to decode
# Frames of a speaker held while their language's model loads: their last 10 s
# (20 ms frames), what they were saying when it is ready.
HOLD_FRAMES = 500


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    cache: Path  # where split models are joined
    threads: int = 2  # CPU threads for Whisper (Silero takes one)
    english_model: str = "tiny.en"  # or "base"
    # Languages whose models load before READY; any other loads in the
    # background when first needed (PREPARE), and only then.
    preload: tuple[str, ...] = (ENGLISH,)
    engine: EngineSettings = field(default_factory=EngineSettings)


# Messages to the worker, as tuples (cheap to pickle at 50 a second a speaker):
ADD = "add"  # (ADD, speaker, language, translate, rate, channels)
REMOVE = "remove"  # (REMOVE, speaker)
AUDIO = "audio"  # (AUDIO, speaker, pcm bytes, monotonic time it was handed over)
PREPARE = "prepare"  # (PREPARE, language, translate): someone may speak it soon
STOP = "stop"  # (STOP,)


class Loader(Protocol):
    """Models loaded without waiting (the worker's Whisper)."""

    def ready(self, language: str, translate: bool) -> bool:
        """Whether `language` can be decoded now; if not, its model starts loading."""


def run(
    settings: WorkerSettings,
    control: Queue[tuple[Any, ...]],
    audio: Queue[tuple[Any, ...]],
    outbox: Connection,
) -> None:
    """The worker process's main function."""
    try:
        room = Room(*_engine(settings))
    except ModelError as exc:
        outbox.send([Notice(NoticeKind.UNAVAILABLE, str(exc))])
        raise SystemExit(EXIT_UNAVAILABLE) from None
    outbox.send([Notice(NoticeKind.READY, "captions are ready")])
    engine = room.engine
    parent = os.getppid()
    while os.getppid() == parent:  # a parent killed outright leaves no one to caption for
        messages = _take(control, block=False) + _take(audio, block=not engine.has_work)
        events: list[Event] = []
        for message in messages:
            if message[0] == STOP:
                return
            events += room.handle(message)
        events += room.admit()
        events += engine.step(time.monotonic())
        if events:
            outbox.send(events)


def _engine(settings: WorkerSettings) -> tuple[Engine, Loader]:
    from frankly.captions.vad import Silero, VadStream
    from frankly.captions.whisper import Whisper, offline

    offline()
    silero = Silero(model_folder(SILERO_VAD, settings.cache))
    recognizer = Whisper(settings.cache, settings.threads, settings.english_model)
    for language in settings.preload:
        recognizer.prepare(language, translate=language != ENGLISH)
    return Engine(recognizer, lambda: VadStream(silero), settings.engine), recognizer


def _take(inbox: Queue[tuple[Any, ...]], block: bool) -> list[tuple[Any, ...]]:
    """Every message waiting; if `block`, wait a little for the first."""
    messages = []
    try:
        if block:
            messages.append(inbox.get(timeout=_IDLE_WAIT))
        while True:
            messages.append(inbox.get_nowait())
    except queue.Empty:
        return messages


class Room:
    """The engine, and the speakers waiting for their language's model to load."""

    def __init__(self, engine: Engine, loader: Loader) -> None:
        self.engine = engine
        self.loader = loader
        # speaker -> their ADD, and their latest frames (the oldest go first)
        self.waiting: dict[str, tuple[tuple[Any, ...], deque[tuple[Any, ...]]]] = {}

    def handle(self, message: tuple[Any, ...]) -> list[Event]:
        kind = message[0]
        if kind == AUDIO:
            _, speaker, pcm, sent_at = message
            if speaker in self.waiting:
                self.waiting[speaker][1].append(message)
                return []
            return self.engine.feed(speaker, pcm, sent_at, time.monotonic())
        if kind == ADD:
            return self._add(message)
        if kind == REMOVE:
            if self.waiting.pop(message[1], None) is not None:
                return []
            return self.engine.remove_speaker(message[1])
        if kind == PREPARE:
            _, language, translate = message
            with contextlib.suppress(ModelError, ValueError):  # said to its speaker, if any
                self.loader.ready(language, translate and language != ENGLISH)
            return []
        raise ValueError(f"caption worker: unknown message {kind!r}")

    def admit(self) -> list[Event]:
        """Speakers whose model has loaded join the engine, their held frames after them."""
        events: list[Event] = []
        for speaker, (add, held) in list(self.waiting.items()):
            try:
                if not self._ready(add):
                    continue
            except (ModelError, ValueError) as exc:
                del self.waiting[speaker]
                events.append(Notice(NoticeKind.UNAVAILABLE, str(exc), speaker))
                continue
            del self.waiting[speaker]
            events += self._add(add)
            for _, _, pcm, sent_at in held:
                events += self.engine.feed(speaker, pcm, sent_at, time.monotonic())
        return events

    def _add(self, message: tuple[Any, ...]) -> list[Event]:
        _, speaker, language, translate, rate, channels = message
        self.waiting.pop(speaker, None)
        try:
            if not self._ready(message):  # not loaded: wait for it, captioning the others
                self.waiting[speaker] = (message, deque(maxlen=HOLD_FRAMES))
                return self.engine.remove_speaker(speaker)
            self.engine.add_speaker(speaker, language, translate, rate, channels)
        except (ModelError, ValueError) as exc:  # this language alone; the others still work
            return [Notice(NoticeKind.UNAVAILABLE, str(exc), speaker)]
        return []

    def _ready(self, add: tuple[Any, ...]) -> bool:
        _, _, language, translate, _, _ = add
        return self.loader.ready(language, translate and language != ENGLISH)
