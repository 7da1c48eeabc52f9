"""The caption engine: speakers' audio in, caption lines out, one decode at a time.

It runs inside the worker process (worker.py) and never touches a clock of
its own: the worker passes `now` in. Each speaker's PCM is resampled to
16 kHz, scored by the VAD window by window and cut into segments. While a
segment is open it is re-decoded whole every `partial_every` seconds of new
speech (a partial line); when it closes, it is queued for its final line,
and for a speaker who is translated, a translation into English after it.

Recognition is the one slow step, so `step` does at most one decode and
chooses it: final lines first (oldest first), then early finals, then
translations, then the partial that has waited longest. A segment whose
speaker has paused for `early_final` windows is decoded then, before the
pause is long enough to close it: if it does close without more speech, that
text is its final line at once, so the decode overlaps the rest of the pause
instead of following it; if speech goes on, the early text is forgotten.
When the engine falls behind (audio reaches it late, or finals pile up) it
stops partials and early finals and flags every line `finals_only` until it
has caught up for a while; the finals queue itself is bounded, the oldest
segment dropped with a notice, and a segment never outgrows
`SegmentRules.max_windows`, so nothing here grows without bound.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from frankly.captions.lines import ENGLISH, CaptionLine, Event, Notice, NoticeKind
from frankly.captions.resample import RATE, Downsampler, Samples, to_mono
from frankly.captions.segmenter import WINDOW, Change, Segmenter, SegmentRules


class Recognizer(Protocol):
    """Speech to text; the engine's only slow call."""

    def prepare(self, language: str, translate: bool) -> None:
        """Load what decoding `language` (and translating it) will need."""

    def decode(self, audio: Samples, language: str, translate: bool) -> str:
        """The words in 16 kHz `audio`, in `language`, or in English if `translate`."""


class Vad(Protocol):
    def push(self, samples: Samples) -> tuple[Samples, Samples]:
        """Speech probabilities per whole window, and those windows' samples."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    partial_every: float = 1.0  # seconds of new speech between partial decodes
    preroll: float = 0.3  # seconds before the VAD's start that the decode also reads
    max_pending: int = 8  # final decodes (and translations) waiting at most; oldest dropped
    behind_lag: float = 1.5  # audio this late (seconds), or 2 finals waiting: finals only
    recover_after: float = 5.0  # seconds caught up before partial lines come back
    rules: SegmentRules = field(default_factory=SegmentRules)
    # Windows of pause after which the open segment is decoded for its final
    # line ahead of time (0: never); below rules.min_silence to be of use.
    early_final: int = 6


@dataclass(slots=True)
class _Job:
    speaker: str
    segment: int
    audio: Samples
    language: str
    translate: bool
    start: float
    end: float
    final: bool
    shown: bool = False  # a partial line of this segment is on screen


def _job_of(speaker: _Speaker, *, final: bool) -> _Job:
    """A decode of `speaker`'s open segment as it stands: its final line, or a partial."""
    audio = speaker.open_audio()
    return _Job(
        speaker.name,
        speaker.segment,
        audio,
        speaker.language,
        False,
        max(0, speaker.opened_at) / RATE,
        (speaker.opened_at + len(audio)) / RATE,
        final=final,
        shown=final and speaker.partials_sent,
    )


class _Speaker:
    """One speaker's stream: resampler, VAD state, segmenter and open segment."""

    def __init__(
        self,
        name: str,
        language: str,
        translate: bool,
        rate: int,
        channels: int,
        vad: Vad,
        settings: EngineSettings,
    ) -> None:
        self.name, self.language, self.channels = name, language, channels
        self.translate = translate and language != ENGLISH
        self.resampler = Downsampler(rate)
        self.vad = vad
        self.segmenter = Segmenter(settings.rules)
        self.preroll = np.zeros(round(settings.preroll * RATE), np.float32)
        self.chunks: list[Samples] = []
        self.position = 0  # 16 kHz samples of this stream so far
        self.opened_at = 0  # position where the open segment's audio starts
        self.segment = 0
        self.decoded_length = 0  # the open segment's length at its last partial
        self.partials_sent = False
        # The open segment's text decoded early in a pause (early_final), and
        # the segment it belongs to; forgotten when speech goes on.
        self.early: tuple[int, str] | None = None

    def open_audio(self) -> Samples:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)


class Engine:
    """Every speaker's captions, driven by `feed` and `step`."""

    def __init__(
        self, recognizer: Recognizer, vad: Callable[[], Vad], settings: EngineSettings | None = None
    ) -> None:
        self._recognizer = recognizer
        self._new_vad = vad
        self._settings = settings or EngineSettings()
        self._speakers: dict[str, _Speaker] = {}
        self._finals: deque[_Job] = deque()
        self._translations: deque[_Job] = deque()  # after the finals: the original comes first
        self._due: dict[str, float] = {}  # speaker -> when its partial became due
        self._early: dict[str, float] = {}  # speaker -> when its early final became due
        self.finals_only = False
        self._caught_up_since: float | None = None
        self._lag = 0.0

    # Speakers

    def add_speaker(
        self,
        name: str,
        language: str,
        translate: bool = True,
        rate: int = 48_000,
        channels: int = 1,
    ) -> None:
        """Start (or restart) `name`'s stream; a speaker's language is given, never guessed."""
        self._recognizer.prepare(language, translate and language != ENGLISH)
        speaker = _Speaker(
            name, language, translate, rate, channels, self._new_vad(), self._settings
        )
        before = self._speakers.get(name)
        if before is not None:  # a new language, say: segment numbers go on rising
            speaker.segment = before.segment
        self._speakers[name] = speaker
        self._due.pop(name, None)
        self._early.pop(name, None)

    def remove_speaker(self, name: str) -> list[Event]:
        """End `name`'s stream; what they were saying still gets its final line."""
        speaker = self._speakers.pop(name, None)
        self._due.pop(name, None)
        self._early.pop(name, None)
        if speaker is None or not speaker.segmenter.is_open:
            return []
        return self._close(speaker)

    @property
    def speakers(self) -> list[str]:
        return list(self._speakers)

    # Audio in

    def feed(self, name: str, pcm: bytes, sent_at: float, now: float) -> list[Event]:
        """Take a frame of `name`'s PCM that the room handed over at `sent_at`."""
        speaker = self._speakers.get(name)
        if speaker is None:
            return []
        self._lag = max(0.0, now - sent_at)
        samples = speaker.resampler.process(to_mono(pcm, speaker.channels))
        probabilities, windows = speaker.vad.push(samples)
        events: list[Event] = []
        for index, probability in enumerate(probabilities):
            window = windows[index * WINDOW : (index + 1) * WINDOW]
            events += self._window(speaker, float(probability), window, now)
        return events + self._update_mode(now)

    def _window(
        self, speaker: _Speaker, probability: float, window: Samples, now: float
    ) -> list[Event]:
        was_open = speaker.segmenter.is_open
        change = speaker.segmenter.push(probability)
        if change is Change.OPENED:
            speaker.chunks = [speaker.preroll.copy(), window]
            speaker.opened_at = speaker.position - len(speaker.preroll)
            speaker.segment += 1
            speaker.decoded_length = 0
            speaker.partials_sent = False
            speaker.early = None
        elif was_open:
            speaker.chunks.append(window)
        speaker.position += len(window)
        speaker.preroll = np.concatenate((speaker.preroll, window))[-len(speaker.preroll) :]
        if change is Change.CLOSED:
            return self._close(speaker)
        if change is Change.DISCARDED:
            self._due.pop(speaker.name, None)
            speaker.chunks = []
            return self._take_back(speaker)
        if speaker.segmenter.is_open:
            self._watch_pause(speaker, now)
        if speaker.segmenter.is_open and self._partial_is_due(speaker):
            self._due.setdefault(speaker.name, now)
        return []

    def _watch_pause(self, speaker: _Speaker, now: float) -> None:
        """Speech forgets an early final; a pause of `early_final` windows asks for one."""
        quiet = speaker.segmenter.quiet
        if quiet == 0:
            speaker.early = None
            self._early.pop(speaker.name, None)
        # Not while behind: an early decode may go to waste, and finals come first.
        elif (
            quiet == self._settings.early_final
            and speaker.segmenter.holds_speech
            and not self.finals_only
        ):
            self._early[speaker.name] = now

    def _take_back(self, speaker: _Speaker) -> list[Event]:
        """An empty final line for a discarded segment whose partial line is on screen."""
        if not speaker.partials_sent:
            return []
        start = max(0, speaker.opened_at) / RATE
        end = speaker.position / RATE
        return [
            CaptionLine(
                speaker.name,
                speaker.segment,
                "",
                speaker.language,
                True,
                False,
                round(start, 3),
                round(end, 3),
                self.finals_only,
            )
        ]

    def _partial_is_due(self, speaker: _Speaker) -> bool:
        length = sum(len(chunk) for chunk in speaker.chunks)
        return length - speaker.decoded_length >= self._settings.partial_every * RATE

    def _close(self, speaker: _Speaker) -> list[Event]:
        """Queue the closed segment's final decode (and its translation after it);
        a final decoded early in this pause is its line now."""
        self._due.pop(speaker.name, None)
        self._early.pop(speaker.name, None)
        job = _job_of(speaker, final=True)
        speaker.chunks = []
        early, speaker.early = speaker.early, None
        if early is not None and early[0] == job.segment:
            events = self._line(job, early[1])
        else:
            events = self._queue(self._finals, job, "captioned")
        if speaker.translate:
            events += self._queue(self._translations, replace(job, translate=True), "translated")
        return events

    def _queue(self, jobs: deque[_Job], job: _Job, what: str) -> list[Event]:
        events: list[Event] = []
        if len(jobs) >= self._settings.max_pending:
            lost = jobs.popleft()
            seconds = lost.end - lost.start
            text = f"recognition is behind: {seconds:.1f} s of speech was not {what}"
            events.append(Notice(NoticeKind.SEGMENT_DROPPED, text, lost.speaker))
        jobs.append(job)
        return events

    # Load

    def _update_mode(self, now: float) -> list[Event]:
        """Finals only while behind; partials again after `recover_after` s in time."""
        settings = self._settings
        behind = self._lag > settings.behind_lag or len(self._finals) > 2
        if behind:
            self._caught_up_since = None
            if not self.finals_only:
                self.finals_only = True
                self._due.clear()
                return [
                    Notice(NoticeKind.FINALS_ONLY, "recognition cannot keep up: final lines only")
                ]
            return []
        if not self.finals_only or self._finals or self._translations:
            return []
        if self._caught_up_since is None:
            self._caught_up_since = now
        if now - self._caught_up_since < settings.recover_after:
            return []
        self.finals_only = False
        self._caught_up_since = None
        return [Notice(NoticeKind.CAUGHT_UP, "recognition keeps up again: partial lines too")]

    # Recognition

    @property
    def has_work(self) -> bool:
        waiting = self._finals or self._translations or self._early
        return bool(waiting) or (bool(self._due) and not self.finals_only)

    def step(self, now: float) -> list[Event]:
        """Run the one decode that matters most now, if any; give its line."""
        if self._finals:
            job = self._finals.popleft()
        elif self._early:
            return self._early_final(min(self._early, key=self._early.__getitem__), now)
        elif self._translations:
            job = self._translations.popleft()
        elif self._due and not self.finals_only:
            job = self._partial_job(min(self._due, key=self._due.__getitem__))
        else:
            return self._update_mode(now)
        text = (
            self._recognizer.decode(job.audio, job.language, job.translate)
            if len(job.audio)
            else ""
        )
        return self._line(job, text) + self._update_mode(now)

    def _early_final(self, name: str, now: float) -> list[Event]:
        """Decode `name`'s open segment in its pause; kept, not shown, until it closes."""
        del self._early[name]
        speaker = self._speakers[name]
        if speaker.segmenter.is_open and not self.finals_only:
            audio = speaker.open_audio()
            text = self._recognizer.decode(audio, speaker.language, False) if len(audio) else ""
            speaker.early = (speaker.segment, text)
        return self._update_mode(now)

    def _partial_job(self, name: str) -> _Job:
        del self._due[name]
        speaker = self._speakers[name]
        job = _job_of(speaker, final=False)
        speaker.decoded_length = len(job.audio)
        return job

    def _line(self, job: _Job, text: str) -> list[Event]:
        if not job.final and text:
            speaker = self._speakers.get(job.speaker)
            if speaker is not None and speaker.segment == job.segment:
                speaker.partials_sent = True
        if not text and not (job.final and job.shown):
            return []  # nothing said, and no partial line on screen to take back
        language = ENGLISH if job.translate else job.language
        return [
            CaptionLine(
                job.speaker,
                job.segment,
                text,
                language,
                job.final,
                job.translate,
                round(job.start, 3),
                round(job.end, 3),
                self.finals_only,
            )
        ]
