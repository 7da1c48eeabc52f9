"""The captions worker as the room side sees it: feed PCM, receive lines.

`Captioner` is what a captioning participant holds (it runs the SDK's room
connection and its end-to-end encryption; this package knows nothing of
rooms). It starts the worker process with the spawn method, hands it each
speaker's decoded PCM through a bounded queue and reads caption lines and
notices back through a pipe. Nothing here waits on recognition: `feed`
drops a frame rather than block when the worker is behind (and says so,
once per episode), `poll` returns at once, and `events` is an async iterator
woken by the pipe and by the worker's exit.

A worker that dies is started again, its speakers added again, and the room
told (RESTARTED); one that died `max_restarts` times within
`restart_window` seconds is left dead (GAVE_UP), and one that found a model
missing or corrupt is not restarted (UNAVAILABLE says which package).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from frankly.captions.lines import Event, Notice, NoticeKind
from frankly.captions.worker import (
    ADD,
    AUDIO,
    EXIT_UNAVAILABLE,
    PREPARE,
    REMOVE,
    STOP,
    WorkerSettings,
    run,
)

_SPAWN = multiprocessing.get_context("spawn")  # no fork of a server's threads and locks


def cache_in(data_dir: Path) -> Path:
    """Where a server keeps the joined models: under its data directory."""
    return data_dir / "captions"


@dataclass(frozen=True, slots=True)
class CaptionSettings:
    worker: WorkerSettings
    # Frames waiting for the worker at most: 40 s of one speaker, 13 s of three
    # (about 4 MB), more than the slowest decode takes on a busy machine.
    queue_frames: int = 2000
    max_restarts: int = 3
    restart_window: float = 60.0


@dataclass(slots=True)
class _Speaker:
    language: str
    translate: bool
    rate: int
    channels: int
    dropping: bool = False  # frames are being dropped; told once per episode
    fed: float = 0.0  # seconds of audio handed over (the worker's stream time)


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    control: Queue[tuple[Any, ...]]  # speakers coming and going: few, never dropped
    audio: Queue[tuple[Any, ...]]  # frames: bounded, dropped when full
    outbox: Connection
    started: float = field(default_factory=time.monotonic)


class Captioner:
    """One caption worker process and the speakers it listens to."""

    def __init__(self, settings: CaptionSettings) -> None:
        self._settings = settings
        self._speakers: dict[str, _Speaker] = {}
        self._prepared: set[tuple[str, bool]] = set()  # (language, translate) asked for
        self._worker: _Worker | None = None
        self._deaths: deque[float] = deque()
        self._pending: list[Event] = []
        self.running = False  # False after close, GAVE_UP or UNAVAILABLE

    @property
    def pid(self) -> int | None:
        return self._worker.process.pid if self._worker else None

    def start(self) -> None:
        self.running = True
        self._worker = self._spawn()

    def prepare(self, language: str, translate: bool = True) -> None:
        """Someone in the room speaks `language`: load its model now, in the
        background, so that their first words need not wait for it. Returns at
        once; the worker goes on captioning the others while it loads."""
        if (language, translate) not in self._prepared:
            self._prepared.add((language, translate))
            self._send((PREPARE, language, translate))

    def add_speaker(
        self,
        speaker: str,
        language: str,
        translate: bool = True,
        rate: int = 48_000,
        channels: int = 1,
    ) -> None:
        """Caption `speaker`, who speaks `language` (ISO 639-1: en, ru, ...).

        A rate or channel count the engine cannot read is a ValueError here; a
        language Whisper does not read comes back as UNAVAILABLE for `speaker`.
        """
        if rate <= 0 or rate % 16_000 or channels not in (1, 2):
            raise ValueError(f"{rate} Hz, {channels} channels: give 16, 32 or 48 kHz, 1 or 2")
        self._speakers[speaker] = _Speaker(language, translate, rate, channels)
        self._send((ADD, speaker, language, translate, rate, channels))

    def remove_speaker(self, speaker: str) -> None:
        if self._speakers.pop(speaker, None) is not None:
            self._send((REMOVE, speaker))

    def feed(self, speaker: str, pcm: bytes) -> bool:
        """Hand over a frame of `speaker`'s s16 PCM; False if it was dropped (never blocks).

        From aiortc: `frame.to_ndarray().tobytes()` of each decoded frame, the
        speaker added with channels=2 (its Opus decoder gives 48 kHz stereo).
        """
        state = self._speakers.get(speaker)
        if state is None or self._worker is None:
            return False
        try:
            self._worker.audio.put_nowait((AUDIO, speaker, pcm, time.monotonic()))
        except queue.Full:
            if not state.dropping:
                state.dropping = True
                self._pending.append(
                    Notice(
                        NoticeKind.AUDIO_DROPPED,
                        "the caption worker is behind: some speech was not captioned",
                        speaker,
                    )
                )
            return False
        state.dropping = False
        state.fed += len(pcm) / (2 * state.channels * state.rate)
        return True

    def fed(self, speaker: str) -> float:
        """Seconds of `speaker`'s audio handed over: the clock of their lines' start and end."""
        state = self._speakers.get(speaker)
        return state.fed if state else 0.0

    def poll(self) -> list[Event]:
        """What the worker has sent, and notices of our own; returns at once."""
        events, self._pending = self._pending, []
        worker = self._worker
        if worker is None:
            return events
        try:
            while worker.outbox.poll():
                events += worker.outbox.recv()
        except (EOFError, OSError):
            pass  # the worker is gone; its exit code says why
        if not worker.process.is_alive():
            events += self._died(worker)
        return events

    def wait(self, timeout: float) -> list[Event]:
        """Like `poll`, but waits up to `timeout` s for something (for benches and tests)."""
        from multiprocessing.connection import wait

        if self._worker is not None and not self._pending:
            wait([self._worker.outbox, self._worker.process.sentinel], timeout)
        return self.poll()

    async def events(self) -> AsyncIterator[Event]:
        """Every event, as it comes, without blocking the event loop."""
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        while self.running or self._pending:
            worker = self._worker
            watched = [worker.outbox.fileno(), worker.process.sentinel] if worker else []
            for fd in watched:
                loop.add_reader(fd, woken.set)
            try:
                if not self._pending:
                    await woken.wait()
            finally:
                for fd in watched:
                    loop.remove_reader(fd)
            woken.clear()
            for event in self.poll():
                yield event

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker: asked first, then terminated."""
        self.running = False
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.control.put_nowait((STOP,))
        worker.process.join(timeout)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        _release(worker)

    # The worker's life

    def _spawn(self) -> _Worker:
        control: Queue[tuple[Any, ...]] = _SPAWN.Queue()
        audio: Queue[tuple[Any, ...]] = _SPAWN.Queue(self._settings.queue_frames)
        receiver, sender = _SPAWN.Pipe(duplex=False)
        process = _SPAWN.Process(
            target=run,
            args=(self._settings.worker, control, audio, sender),
            name="frankly-captions",
            daemon=True,
        )
        process.start()
        sender.close()  # the child holds its own end: EOF here when it dies
        worker = _Worker(process, control, audio, receiver)
        for language, translate in self._prepared:
            control.put_nowait((PREPARE, language, translate))
        for name, speaker in self._speakers.items():
            control.put_nowait(
                (ADD, name, speaker.language, speaker.translate, speaker.rate, speaker.channels)
            )
        return worker

    def _died(self, worker: _Worker) -> list[Event]:
        code = worker.process.exitcode
        _release(worker)
        self._worker = None
        if code == EXIT_UNAVAILABLE or not self.running:
            self.running = False
            return []
        now = time.monotonic()
        self._deaths.append(now)
        while self._deaths and now - self._deaths[0] > self._settings.restart_window:
            self._deaths.popleft()
        if len(self._deaths) > self._settings.max_restarts:
            self.running = False
            return [
                Notice(
                    NoticeKind.GAVE_UP,
                    f"the caption worker stopped {len(self._deaths)} times in "
                    f"{self._settings.restart_window:.0f} s (exit code {code}): "
                    "captions are off",
                )
            ]
        self._worker = self._spawn()
        return [
            Notice(
                NoticeKind.RESTARTED,
                f"the caption worker stopped (exit code {code}) and was restarted; "
                "what was being said then was not captioned",
            )
        ]

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._worker is not None:
            self._worker.control.put_nowait(message)  # unbounded: never Full


def _release(worker: _Worker) -> None:
    for pipe in (worker.control, worker.audio):
        pipe.cancel_join_thread()  # what is still queued for a dead worker is dropped
        pipe.close()
    worker.outbox.close()
