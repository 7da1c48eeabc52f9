"""`frankly bench captions`: how well and how fast live captions read speech.

For each model and CPU thread count: the word error rate of the final lines
on recorded speech (LibriVox clips in English; Festival's Russian, with the
English translation scored against a reference translation), the latency
from the end of speech to its final line and from the start of speech to the
first line shown, and the real-time factor of one decode (its time over the
audio's length, on whole clips, outside the stream). The streams run through
the real Captioner, worker process and all, in real time, with speakers
taking turns as in a meeting (docs/captions.md).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from frankly.bench.machine import describe
from frankly.bench.speech import RATE, Clip, Scored, librivox, play, russian, score
from frankly.captions.captioner import Captioner, CaptionSettings
from frankly.captions.lines import ENGLISH, Notice, NoticeKind
from frankly.captions.resample import Downsampler
from frankly.captions.wer import edit_distance, words
from frankly.captions.worker import WorkerSettings

# The notices that say recognition fell behind, counted in each run.
_LOAD = (
    NoticeKind.FINALS_ONLY,
    NoticeKind.CAUGHT_UP,
    NoticeKind.AUDIO_DROPPED,
    NoticeKind.SEGMENT_DROPPED,
)


@dataclass(frozen=True, slots=True)
class Result:
    model: str  # what read this speech: tiny.en or base for English, base for the rest
    threads: int
    language: str
    clips: int
    wer: float | None  # errors over reference words, all clips together
    translation_wer: float | None  # against the reference translations (a rough measure)
    first_partial: list[float]  # seconds, one per clip that got a line
    final: list[float]
    translated: list[float]
    rtf: float  # wall-clock seconds of decoding per second of audio
    cpu: float  # CPU seconds of decoding per second of audio
    finals_only: bool
    missing: int  # clips that got no final line
    notices: str  # how many of each load notice the run gave
    heard: list[tuple[str, str, str]]  # per clip: what was said, the final text, its English


def run(
    models: tuple[str, ...] = ("tiny.en", "base"),
    threads: tuple[int, ...] = (1, 2),
    clips: int | None = None,
    with_russian: bool = True,
) -> list[Result]:
    english = librivox(clips)
    results = []
    with tempfile.TemporaryDirectory(prefix="frankly-bench-captions-") as folder:
        cache = Path(folder)
        spoken = russian(cache, clips) if with_russian else []
        print(f"frankly bench captions on {describe()}; load average {_load()}", flush=True)
        for model in models:
            for count in threads:
                results += _one(model, count, english, spoken if model == "base" else [], cache)
                print(f"  {model}, {count} thread(s) done; load average {_load()}", flush=True)
    print(_table(results))
    for r in results:
        print(f"\n{r.model}, {r.threads} thread(s), {r.language}: said → final line [→ English]")
        for said, text, translation in r.heard:
            print(f"  {said} → {text or '(none)'}" + (f" → {translation}" if translation else ""))
    return results


def _one(
    model: str, threads: int, english: list[Clip], spoken: list[Clip], cache: Path
) -> list[Result]:
    rtf = _rtf(model, threads, english, spoken, cache)
    preload = (ENGLISH, "ru") if spoken else (ENGLISH,)
    captioner = Captioner(CaptionSettings(WorkerSettings(cache, threads, model, preload=preload)))
    captioner.start()
    try:
        _ready(captioner)
        speakers = ["alice", "bob"] + (["boris"] if spoken else [])
        for name in speakers:
            captioner.add_speaker(name, "ru" if name == "boris" else ENGLISH)
        turns = [("alice" if i % 2 == 0 else "bob", clip) for i, clip in enumerate(english)]
        turns += [("boris", clip) for clip in spoken]
        placed, heard = play(captioner, turns, speakers)
    finally:
        captioner.close()
    scored = score(placed, heard)
    kinds = [h.event.kind for h in heard if isinstance(h.event, Notice)]
    counted = ", ".join(f"{kinds.count(k)} {k}" for k in _LOAD if k in kinds) or "none"
    return [
        _result(
            model,
            threads,
            language,
            [s for s in scored if s.turn.clip.language == language],
            rtf[language],
            NoticeKind.FINALS_ONLY in kinds,
            counted,
        )
        for language in ([ENGLISH, "ru"] if spoken else [ENGLISH])
    ]


def _ready(captioner: Captioner) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for event in captioner.wait(1.0):
            kind = getattr(event, "kind", None)
            if kind is NoticeKind.READY:
                return
            if kind is NoticeKind.UNAVAILABLE:
                raise SystemExit(f"frankly bench captions: {getattr(event, 'text', '')}")
    raise SystemExit("frankly bench captions: the caption worker did not start in 120 s")


def _rtf(
    model: str, threads: int, english: list[Clip], spoken: list[Clip], cache: Path
) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds per second of audio, whole clips decoded one by one here.

    The CPU figure (all of this process's threads) hardly depends on what else
    the machine runs; the wall figure does.
    """
    from frankly.captions.whisper import Whisper

    whisper = Whisper(cache, threads, model)
    factors = {}
    for language, clips in ((ENGLISH, english), ("ru", spoken)):
        if not clips:
            continue
        whisper.prepare(language, translate=language != ENGLISH)
        wall = cpu = length = 0.0
        for clip in clips:
            audio = Downsampler(RATE).process(clip.pcm.astype(np.float32) / np.float32(32768))
            began, used = time.perf_counter(), time.process_time()
            whisper.decode(audio, language, False)
            wall += time.perf_counter() - began
            cpu += time.process_time() - used
            length += len(audio) / 16_000
        factors[language] = (wall / length, cpu / length)
    return factors


def _result(
    model: str,
    threads: int,
    language: str,
    scored: list[Scored],
    rtf: tuple[float, float],
    behind: bool,
    notices: str,
) -> Result:
    got = [s for s in scored if s.wer is not None]
    return Result(
        model if language == ENGLISH else "base",
        threads,
        language,
        len(scored),
        _pooled([(s.turn.clip.text, s.text) for s in got]),
        _pooled([(s.turn.clip.english, s.translation) for s in got if s.translation])
        if language != ENGLISH
        else None,
        [s.first_partial for s in scored if s.first_partial is not None],
        [s.final for s in scored if s.final is not None],
        [s.translated for s in scored if s.translated is not None],
        rtf[0],
        rtf[1],
        behind,
        len(scored) - len(got),
        notices,
        [(s.turn.clip.text, s.text, s.translation) for s in scored],
    )


def _pooled(pairs: list[tuple[str, str]]) -> float | None:
    """Word errors over reference words, summed over clips (long clips weigh more)."""
    said = sum(len(words(reference)) for reference, _ in pairs)
    if not said:
        return None
    return sum(edit_distance(words(r), words(h)) for r, h in pairs) / said


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _seconds(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} / {max(values):.2f}"


def _table(results: list[Result]) -> str:
    head = (
        "| model | threads | speech | clips | WER | speech end → final (median / max s) "
        "| speech start → first line | → translation | translation WER | RTF "
        "| CPU s per s | load notices |"
    )
    rows = [head, "|" + " --- |" * 12]
    for r in results:
        percent = "-" if r.wer is None else f"{100 * r.wer:.1f} %"
        translated = "-" if r.translation_wer is None else f"{100 * r.translation_wer:.1f} %"
        missing = f" ({r.missing} without a final)" if r.missing else ""
        rows.append(
            f"| {r.model} | {r.threads} | {r.language} | {r.clips}{missing} | {percent} | "
            f"{_seconds(r.final)} | {_seconds(r.first_partial)} | {_seconds(r.translated)} | "
            f"{translated} | {r.rtf:.2f} | {r.cpu:.2f} | {r.notices} |"
        )
    return "\n".join(rows)
