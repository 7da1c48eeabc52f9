"""Recorded speech for the captions bench and tests, and a room that plays it.

English: the LibriVox clips (read speech, with transcripts) that Debian's
`pocketsphinx-testdata` ships. Russian: sentences spoken by Festival's
`festvox-ru` voice, made on the spot (espeak-ng's Russian is too poor for any
model to read), each with a reference English translation to score Whisper's
against. `play` feeds a Captioner the way a room would: every speaker's
stream runs all the time in 20 ms frames of 48 kHz PCM (silence while
another speaks), paced by the clock, and it notes when each line arrived.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from frankly.captions.captioner import Captioner
from frankly.captions.lines import CaptionLine, Event
from frankly.captions.wer import word_error_rate

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
FRAME = 960  # 20 ms at 48 kHz
RATE = 48_000
Pcm = npt.NDArray[np.int16]

# (Russian, a reference English translation); short, plain sentences of a meeting.
RUSSIAN = [
    ("Я не согласен с этим предложением.", "I do not agree with this proposal."),
    ("Пожалуйста, откройте окно.", "Please open the window."),
    ("Сегодня хорошая погода.", "The weather is good today."),
    ("Я люблю читать книги.", "I love reading books."),
    ("Спасибо за ваше внимание.", "Thank you for your attention."),
    ("Мы должны подписать договор завтра.", "We must sign the contract tomorrow."),
]


class SpeechMissing(Exception):
    """Recorded speech (a Debian package) is not installed."""


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    language: str
    text: str  # what is said
    english: str  # its English (the text itself for an English clip)
    pcm: Pcm  # 48 kHz mono


def librivox(count: int | None = None) -> list[Clip]:
    """The LibriVox clips, in their listed order."""
    listing = LIBRIVOX / "transcription"
    if not listing.is_file():
        raise SpeechMissing(
            "no LibriVox clips: ./scripts/system-deps speech (pocketsphinx-testdata)"
        )
    clips = []
    for line in listing.read_text().splitlines()[:count]:
        found = re.fullmatch(r"<s>\s*(.*?)\s*</s>\s*\((\S+)\)", line.strip())
        if found:
            text, name = found.groups()
            clips.append(Clip(name, "en", text, text, to_48k(read_wav(LIBRIVOX / f"{name}.wav"))))
    return clips


def russian(folder: Path, count: int | None = None) -> list[Clip]:
    """The Russian sentences, spoken by Festival into `folder`."""
    if shutil.which("text2wave") is None:
        raise SpeechMissing("no Festival: ./scripts/system-deps speech (festival, festvox-ru)")
    clips = []
    for index, (text, english) in enumerate(RUSSIAN[:count]):
        source, spoken = folder / f"ru-{index}.txt", folder / f"ru-{index}.wav"
        source.write_text(text + "\n", encoding="utf-8")
        done = subprocess.run(
            ["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(source), "-o", str(spoken)],
            capture_output=True,
            text=True,
        )
        if done.returncode or not spoken.is_file() or spoken.stat().st_size < 1000:
            raise SpeechMissing(
                f"Festival made no Russian speech ({done.stderr.strip()[-200:]}): "
                "./scripts/system-deps speech (festvox-ru)"
            )
        clips.append(Clip(f"ru-{index}", "ru", text, english, to_48k(read_wav(spoken))))
    return clips


def read_wav(path: Path) -> tuple[Pcm, int]:
    with wave.open(str(path)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: want 16-bit mono")
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return pcm, wav.getframerate()


def to_48k(recorded: tuple[Pcm, int]) -> Pcm:
    """Linear interpolation up to 48 kHz: what the room's Opus decoder would hand over."""
    pcm, rate = recorded
    if rate == RATE:
        return pcm
    times = np.arange(round(len(pcm) * RATE / rate)) * (rate / RATE)
    upsampled: Pcm = np.interp(times, np.arange(len(pcm)), pcm).astype("<i2")
    return upsampled


def speech_span(pcm: Pcm) -> tuple[float, float]:
    """Seconds from the clip's start to where its speech starts and ends.

    Speech is any 20 ms frame louder than a tenth of the clip's loudest;
    LibriVox clips are cut with a little room around the words.
    """
    frames = pcm[: len(pcm) // FRAME * FRAME].astype(np.float32).reshape(-1, FRAME)
    loudness = np.sqrt((frames**2).mean(axis=1))
    loud = np.flatnonzero(loudness > loudness.max() / 10)
    return loud[0] * FRAME / RATE, (loud[-1] + 1) * FRAME / RATE


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str
    clip: Clip
    start: float  # seconds into the playback where the clip starts
    speech: tuple[float, float]  # seconds into the playback where its speech is
    stream: float  # the speaker's stream time (CaptionLine.start) when the playback began


@dataclass(frozen=True, slots=True)
class Heard:
    at: float  # seconds into the playback
    event: Event


def play(
    captioner: Captioner,
    turns: list[tuple[str, Clip]],
    speakers: list[str],
    gap: float = 1.5,
    settle: float = 30.0,
) -> tuple[list[Turn], list[Heard]]:
    """Play `turns` (speaker, clip) one after another, `gap` s apart, in real time.

    Then silence goes on (a room's streams do) until every turn has its final
    line, and its translation if it is not English, or for `settle` s at most.
    """
    streams = {speaker: [np.zeros(round(0.5 * RATE), "<i2")] for speaker in speakers}
    placed, at = [], 0.5
    for speaker, clip in turns:
        begin, end = speech_span(clip.pcm)
        placed.append(Turn(speaker, clip, at, (at + begin, at + end), captioner.fed(speaker)))
        length = len(clip.pcm) + round(gap * RATE)
        for name, parts in streams.items():
            parts.append(np.zeros(length, "<i2"))
            if name == speaker:
                parts[-1][: len(clip.pcm)] = clip.pcm
        at += length / RATE
    audio = {name: np.concatenate(parts) for name, parts in streams.items()}
    heard: list[Heard] = []
    started = time.monotonic()
    silence = np.zeros(FRAME, "<i2")
    offset = 0
    while offset < len(audio[speakers[0]]) or not _settled(placed, heard):
        if offset >= len(audio[speakers[0]]) + settle * RATE:
            break
        for name, pcm in audio.items():
            frame = pcm[offset : offset + FRAME]
            captioner.feed(name, (frame if len(frame) == FRAME else silence).tobytes())
        offset += FRAME
        heard += [Heard(time.monotonic() - started, e) for e in captioner.poll()]
        pause = started + offset / RATE - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    return placed, heard


def _settled(turns: list[Turn], heard: list[Heard]) -> bool:
    return all(
        scored.final is not None and (scored.turn.clip.language == "en" or scored.translated)
        for scored in score(turns, heard)
    )


@dataclass(frozen=True, slots=True)
class Scored:
    turn: Turn
    text: str  # the final lines that fell in the turn, joined
    translation: str  # their translations into English, joined
    wer: float | None  # of `text` against what was said; None if no final line came
    first_partial: float | None  # seconds from speech start to the first line shown
    final: float | None  # seconds from speech end to the (last) final line
    translated: float | None  # seconds from speech end to the (last) translation
    finals_only: bool


def score(turns: list[Turn], heard: list[Heard]) -> list[Scored]:
    """What was captioned of each turn, and how soon."""
    return [_score(turn, heard) for turn in turns]


def _score(turn: Turn, heard: list[Heard]) -> Scored:
    start = turn.stream + turn.start  # the clip on the speaker's stream clock
    end = start + len(turn.clip.pcm) / RATE
    ours = [
        h
        for h in heard
        if isinstance(h.event, CaptionLine)
        and h.event.speaker == turn.speaker
        and start - 0.5 <= h.event.start <= end
    ]
    lines = [(h.at, h.event) for h in ours if isinstance(h.event, CaptionLine)]
    finals = [(at, line) for at, line in lines if line.final and not line.translated]
    translations = [(at, line) for at, line in lines if line.translated]
    partials = [at for at, line in lines if not line.final]
    text = " ".join(line.text for _, line in finals)
    speech_start, speech_end = turn.speech
    return Scored(
        turn,
        text,
        " ".join(line.text for _, line in translations),
        word_error_rate(turn.clip.text, text) if finals else None,
        min(partials + [at for at, _ in finals]) - speech_start if lines else None,
        finals[-1][0] - speech_end if finals else None,
        translations[-1][0] - speech_end if translations else None,
        any(line.finals_only for _, line in lines),
    )
