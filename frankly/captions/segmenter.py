"""Where speech starts and ends, from Silero's speech probabilities.

Pure and clock-free: it is fed one probability per 32 ms window of one
speaker's 16 kHz audio and says when a segment opens, when it closes and
whether it was long enough to be speech. Thresholds follow Silero's own
(start above 0.5, end below 0.35): the gap between them keeps a segment from
flickering on a breath. A pause of `min_silence` windows closes a segment;
that pause is most of the delay between speech ending and the final line, so
it is short (half a second), and a segment is cut at `max_windows` so that
one decode stays bounded even when someone never pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

WINDOW = 512  # samples at 16 kHz: Silero's window, 32 ms


class Change(Enum):
    NONE = 0
    OPENED = 1  # speech started in this window
    CLOSED = 2  # the open segment ended here and holds speech
    DISCARDED = 3  # the open segment ended but was too short to be speech


@dataclass(frozen=True, slots=True)
class SegmentRules:
    start_above: float = 0.5
    end_below: float = 0.35
    min_silence: int = 16  # windows: 0.51 s of pause closes a segment
    min_speech: int = 8  # windows: shorter is a click or a cough
    max_windows: int = 625  # 20 s: Whisper reads 30 s at most; a decode stays bounded


class Segmenter:
    """One speaker's segments, window by window."""

    __slots__ = ("_length", "_quiet", "_rules", "_speech", "is_open")

    def __init__(self, rules: SegmentRules | None = None) -> None:
        self._rules = rules or SegmentRules()
        self.is_open = False
        self._length = self._speech = self._quiet = 0

    @property
    def quiet(self) -> int:
        """Windows of pause so far at the end of the open segment (0: speech just now)."""
        return self._quiet if self.is_open else 0

    @property
    def holds_speech(self) -> bool:
        """The open segment would close as speech, not be discarded as a click."""
        return self.is_open and self._speech >= self._rules.min_speech

    def push(self, probability: float) -> Change:
        """Take the next window's probability; say what changed."""
        rules = self._rules
        if not self.is_open:
            if probability < rules.start_above:
                return Change.NONE
            self.is_open = True
            self._length = self._speech = 1
            self._quiet = 0
            return Change.OPENED
        self._length += 1
        if probability >= rules.start_above:
            self._speech += 1
        self._quiet = self._quiet + 1 if probability < rules.end_below else 0
        if self._quiet >= rules.min_silence or self._length >= rules.max_windows:
            self.is_open = False
            return Change.CLOSED if self._speech >= rules.min_speech else Change.DISCARDED
        return Change.NONE
