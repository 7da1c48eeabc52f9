"""`frankly bench captions --room`: caption latency through a real room, as a listener sees it.

`frankly bench captions` times the speech engine alone, fed PCM in this
process. Here everything a meeting adds is in the path: a `frankly serve`
of its own (its captioner process with the model it is configured with,
tiny.en by default), an end-to-end encrypted room, and three SDK
participants in this process: a host who turns captions on and reads them,
and two speakers whose microphones play LibriVox clips in turn (Opus,
SRTP, the SFU, the captioner's decryption and decoding, and the sealed
caption messages back through the server).

Each speaker's microphone notes when the clip's first frame left it, so
speech start and end are times on this process's clock, as are the
arrivals of the caption lines at the listener. Per turn: speech start →
first line of any kind (a partial, or the final if no partial came), and
speech end → the turn's last final line, as the engine bench counts them
(frankly/bench/speech.py's `score`). The report gives median / p90 / max
and the share of turns within the issue's targets (2 s, 1.5 s). The
speakers, the listener, the server and its captioner all share this
machine's cores, unlike a real meeting, whose clients run elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from frankly.bench.machine import describe
from frankly.bench.speech import FRAME, RATE, Clip, Pcm, librivox, speech_span
from frankly.captions.wer import word_error_rate
from frankly.captions.worker import WorkerSettings
from frankly.client import CaptionLine, CaptionsChanged, Client

ROOM = "bench-captions"
PARTIAL_TARGET = 2.0  # seconds from speech start to a line on screen (the "about 2 s")
FINAL_TARGET = 1.5  # seconds from the pause to the final line (the "about 1.5 s")
GAP = 1.5  # seconds of silence between turns, as in the engine bench
SETTLE = 30.0  # seconds at most to wait, after the last turn, for the last final lines
START_WITHIN = 60.0  # the server answering
CAPTIONS_WITHIN = 120.0  # the captioner in the room with keys (its model loads first)


class ClipTrack(MediaStreamTrack):
    """A live microphone: silence, then a clip once `play` is called; it notes when
    the clip's first frame went out (`began`, on time.monotonic's clock)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._pcm: Pcm = np.zeros(0, dtype="<i2")
        self._at = 0
        self._n = 0
        self._start = 0.0
        self.began: float | None = None
        self.played = asyncio.Event()  # set when the clip's last frame went out

    def play(self, pcm: Pcm) -> None:
        self._pcm, self._at, self.began = pcm, 0, None
        self.played.clear()

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._n == 0:
            self._start = time.monotonic()
        delay = self._start + self._n * FRAME / RATE - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        samples = np.zeros(FRAME, dtype="<i2")
        if self._at < len(self._pcm):
            if self._at == 0:
                self.began = time.monotonic()
            chunk = self._pcm[self._at : self._at + FRAME]
            samples[: len(chunk)] = chunk
            self._at += FRAME
            if self._at >= len(self._pcm):
                self.played.set()
        frame = AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate, frame.pts = RATE, self._n * FRAME
        frame.time_base = fractions.Fraction(1, RATE)
        self._n += 1
        return frame


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # participant id
    name: str
    clip: Clip
    speech: tuple[float, float]  # monotonic times of its speech's start and end, as sent


@dataclass(frozen=True, slots=True)
class Seen:
    """A caption line as the listener got it."""

    at: float  # monotonic
    speaker: str
    line: int
    final: bool
    text: str
    behind: bool  # the captioner said it fell behind: final lines only for now


@dataclass(frozen=True, slots=True)
class TurnResult:
    name: str
    clip: str
    first_line: float | None  # seconds from speech start to the first line shown
    final: float | None  # seconds from speech end to the turn's last final line
    partials: int
    finals: int
    wer: float | None  # of the final lines against what was said
    behind: bool  # some of its lines came while recognition was behind (finals only)
    said: str
    heard: str  # the final lines, joined


@dataclass(frozen=True, slots=True)
class RoomResult:
    machine: str
    model: str
    threads: int
    load: tuple[str, str]  # the load average before and after
    turns: list[TurnResult]

    @property
    def first_lines(self) -> list[float]:
        return [t.first_line for t in self.turns if t.first_line is not None]

    @property
    def finals(self) -> list[float]:
        return [t.final for t in self.turns if t.final is not None]


def run(clips: int | None = None, rounds: int = 1) -> RoomResult:
    """Play `clips` LibriVox clips (all by default), `rounds` times through, by two
    speakers in turn (so with an odd count each clip comes from both); print the report."""
    english = librivox(clips) * rounds
    load = _load()
    print(f"frankly bench captions --room on {describe()}; load average {load}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="frankly-bench-room-") as folder,
        _served(Path(folder)) as url,
    ):
        turns, seen = asyncio.run(_meeting(url, english))
    scored = [_score(t, turns, seen) for t in turns]
    # The server's captioner runs with the worker's defaults (frankly/captioner/program.py).
    defaults = WorkerSettings(Path(folder))
    result = RoomResult(
        describe(), defaults.english_model, defaults.threads, (load, _load()), scored
    )
    print(report(result))
    return result


# --- the server and the meeting -----------------------------------------------


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """A `frankly serve` of our own on a free loopback port; its URL."""
    port = _free_port()
    command = [sys.executable, "-m", "frankly", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(folder / "data"), "--log-level", "warning"]
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, folder / "serve.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"frankly serve exited: {log.read_text()[-2000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=1) as reply,
        ):
            if reply.status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"frankly serve did not answer in {START_WITHIN:.0f} s")


async def _meeting(url: str, clips: list[Clip]) -> tuple[list[Turn], list[Seen]]:
    """The room: captions on, then the clips in turn by Alice and Bob, read by the host."""
    microphones = {"Alice": ClipTrack(), "Bob": ClipTrack()}
    async with _joined(url, microphones) as (host, speakers):
        await _captions_on(host, speakers)
        seen: list[Seen] = []
        reader = asyncio.create_task(_read(host, seen))
        try:
            turns = await _take_turns(speakers, microphones, clips)
            await _settle(turns, seen)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    return turns, seen


@contextlib.asynccontextmanager
async def _joined(
    url: str, microphones: dict[str, ClipTrack]
) -> AsyncIterator[tuple[Client, dict[str, Client]]]:
    host = Client(f"{url}/{ROOM}", name="Host")
    speakers = {
        name: Client(f"{url}/{ROOM}", name=name, audio=track, language="en")
        for name, track in microphones.items()
    }
    await host.join()  # first in: the host
    for speaker in speakers.values():
        await speaker.join()
    try:
        yield host, speakers
    finally:
        for client in (*speakers.values(), host):
            with contextlib.suppress(Exception):
                await client.leave()


async def _captions_on(host: Client, speakers: dict[str, Client]) -> None:
    """Captions on, and the captioner holding keys with both speakers (so it hears them)."""
    on = host.wait_for(CaptionsChanged, lambda e: e.captions.state == "on", timeout=CAPTIONS_WITHIN)
    await host.set_captions(True)
    captioner = (await on).captions.captioner
    assert captioner is not None
    deadline = time.monotonic() + CAPTIONS_WITHIN
    while not all(s.encryption(captioner) == "ready" for s in speakers.values()):
        if time.monotonic() > deadline:
            raise SystemExit("frankly bench captions --room: the captioner got no keys")
        await asyncio.sleep(0.05)


async def _read(host: Client, seen: list[Seen]) -> None:
    async for event in host.events():
        if isinstance(event, CaptionLine):
            seen.append(
                Seen(
                    time.monotonic(),
                    event.speaker.id,
                    event.line,
                    event.final,
                    event.text,
                    event.finals_only,
                )
            )


async def _take_turns(
    speakers: dict[str, Client], microphones: dict[str, ClipTrack], clips: list[Clip]
) -> list[Turn]:
    names = list(speakers)
    turns = []
    for index, clip in enumerate(clips):
        name = names[index % len(names)]
        microphone = microphones[name]
        microphone.play(clip.pcm)
        await microphone.played.wait()
        assert microphone.began is not None
        begin, end = speech_span(clip.pcm)
        speech = (microphone.began + begin, microphone.began + end)
        turns.append(Turn(speakers[name].id, name, clip, speech))
        await asyncio.sleep(GAP)
    return turns


async def _settle(turns: list[Turn], seen: list[Seen]) -> None:
    """Until every turn has a final line after its speech ended, or SETTLE s."""
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline:
        if all(_score(t, turns, seen).final is not None for t in turns):
            # A pause may cut a turn's speech in two: a moment for a last final line.
            await asyncio.sleep(1.0)
            return
        await asyncio.sleep(0.1)


# --- scoring and the report -----------------------------------------------------


def _score(turn: Turn, turns: list[Turn], seen: list[Seen]) -> TurnResult:
    """The lines of `turn`: its speaker's, from its speech start until that speaker's next turn."""
    start, end = turn.speech
    later = [t.speech[0] for t in turns if t.speaker == turn.speaker and t.speech[0] > start]
    until = min(later, default=math.inf)
    ours = [s for s in seen if s.speaker == turn.speaker and start - 0.5 <= s.at < until]
    finals: dict[int, Seen] = {}
    for s in ours:
        if s.final:
            finals[s.line] = s
    after = [s.at for s in finals.values() if s.at >= end]
    text = " ".join(finals[k].text for k in sorted(finals))
    return TurnResult(
        turn.name,
        turn.clip.name,
        min(s.at for s in ours) - start if ours else None,
        max(after) - end if after else None,
        sum(not s.final for s in ours),
        len(finals),
        word_error_rate(turn.clip.text, text) if finals else None,
        any(s.behind for s in ours),
        turn.clip.text,
        text,
    )


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _spread(values: list[float], target: float, count: int) -> str:
    """median / p90 / max s | the share of all `count` turns within target."""
    if not values:
        return f"- | 0 of {count}"
    within = sum(v <= target for v in values)
    figures = f"{statistics.median(values):.2f} / {_p90(values):.2f} / {max(values):.2f}"
    return f"{figures} | {within} of {count} ({100 * within / count:.0f} %)"


def report(result: RoomResult) -> str:
    n = len(result.turns)
    behind = sum(t.behind for t in result.turns)
    lines = [
        f"{result.model}, {result.threads} threads, {n} turns by 2 speakers; "
        f"load average {result.load[0]} before, {result.load[1]} after; "
        f"recognition behind (final lines only) in {behind} of {n} turns",
        "| latency | median / p90 / max (s) | within target |",
        "| --- | --- | --- |",
        f"| speech start → first line (target {PARTIAL_TARGET:g} s) | "
        f"{_spread(result.first_lines, PARTIAL_TARGET, n)} |",
        f"| speech end → final line (target {FINAL_TARGET:g} s) | "
        f"{_spread(result.finals, FINAL_TARGET, n)} |",
        "",
        "| turn | speaker | clip | first line (s) | final (s) | partials | finals | WER | behind |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for index, t in enumerate(result.turns, 1):
        first = "-" if t.first_line is None else f"{t.first_line:.2f}"
        final = "-" if t.final is None else f"{t.final:.2f}"
        wer = "-" if t.wer is None else f"{100 * t.wer:.1f} %"
        lines.append(
            f"| {index} | {t.name} | {t.clip} | {first} | {final} | {t.partials} | "
            f"{t.finals} | {wer} | {'finals only' if t.behind else '-'} |"
        )
    lines.append("\nsaid → final lines")
    lines += [f"  {t.said} → {t.heard or '(none)'}" for t in result.turns]
    return "\n".join(lines)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
