"""The caption worker process: the engine's loop, fed through a bounded queue.

`run` is the process's target (started with the spawn method by
captioner.py, so it shares no locks or threads with the server). It checks
and loads the models, says READY, then loops: take every control message
and every audio frame waiting, run the engine's one most urgent decode, send
what came out. Control messages (speakers coming and going) have a queue of
their own, so a full audio queue never loses one. A model that
is missing or corrupt is reported as UNAVAILABLE and the process exits with
EXIT_UNAVAILABLE, which the parent does not restart.
"""

from __future__ import annotations

import os
import queue
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from frankly.captions.engine import Engine, EngineSettings
from frankly.captions.lines import ENGLISH, Event, Notice, NoticeKind
from frankly.captions.models import SILERO_VAD, ModelError, model_folder

EXIT_UNAVAILABLE = 3
_IDLE_WAIT = 0.05  # seconds to block for audio when there is nothing to decode


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    cache: Path  # where split models are joined
    threads: int = 2  # CPU threads for Whisper (Silero takes one)
    english_model: str = "tiny.en"  # or "base"
    # Languages whose models load before READY, so that the first speaker
    # of one does not stall everyone's captions while a model loads.
    preload: tuple[str, ...] = (ENGLISH,)
    engine: EngineSettings = field(default_factory=EngineSettings)


# Messages to the worker, as tuples (cheap to pickle at 50 a second a speaker):
ADD = "add"  # (ADD, speaker, language, translate, rate, channels)
REMOVE = "remove"  # (REMOVE, speaker)
AUDIO = "audio"  # (AUDIO, speaker, pcm bytes, monotonic time it was handed over)
STOP = "stop"  # (STOP,)


def run(
    settings: WorkerSettings,
    control: Queue[tuple[Any, ...]],
    audio: Queue[tuple[Any, ...]],
    outbox: Connection,
) -> None:
    """The worker process's main function."""
    try:
        engine = _engine(settings)
    except ModelError as exc:
        outbox.send([Notice(NoticeKind.UNAVAILABLE, str(exc))])
        raise SystemExit(EXIT_UNAVAILABLE) from None
    outbox.send([Notice(NoticeKind.READY, "captions are ready")])
    parent = os.getppid()
    while os.getppid() == parent:  # a parent killed outright leaves no one to caption for
        messages = _take(control, block=False) + _take(audio, block=not engine.has_work)
        events: list[Event] = []
        for message in messages:
            if message[0] == STOP:
                return
            events += _handle(engine, message)
        events += engine.step(time.monotonic())
        if events:
            outbox.send(events)


def _engine(settings: WorkerSettings) -> Engine:
    from frankly.captions.vad import Silero, VadStream
    from frankly.captions.whisper import Whisper, offline

    offline()
    silero = Silero(model_folder(SILERO_VAD, settings.cache))
    recognizer = Whisper(settings.cache, settings.threads, settings.english_model)
    for language in settings.preload:
        recognizer.prepare(language, translate=language != ENGLISH)
    return Engine(recognizer, lambda: VadStream(silero), settings.engine)


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


def _handle(engine: Engine, message: tuple[Any, ...]) -> list[Event]:
    kind = message[0]
    if kind == AUDIO:
        _, speaker, pcm, sent_at = message
        return engine.feed(speaker, pcm, sent_at, time.monotonic())
    if kind == ADD:
        _, speaker, language, translate, rate, channels = message
        try:
            engine.add_speaker(speaker, language, translate, rate, channels)
        except (ModelError, ValueError) as exc:  # this language alone; the others still work
            return [Notice(NoticeKind.UNAVAILABLE, str(exc), speaker)]
        return []
    if kind == REMOVE:
        return engine.remove_speaker(message[1])
    raise ValueError(f"caption worker: unknown message {kind!r}")
