"""What the caption engine hands back: caption lines and notices.

A leaf with no imports: these records cross the pipe from the worker process
(they are pickled), and the captioner participant turns them into sealed room
messages. Each notice word is defined once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ENGLISH = "en"  # the one language Whisper translates into


@dataclass(frozen=True, slots=True)
class CaptionLine:
    """One line of captions for one speaker's speech segment.

    A segment (speech between two pauses) first gets partial lines, each a
    fresh decode of the whole open segment that replaces the one before, then
    one final line. For a speaker whose language is not English and who is
    translated, the final line in their language is followed by a final line
    with `translated` set: Whisper's English translation of the same segment.
    `start` and `end` are seconds of that speaker's audio since it was added.
    `finals_only` says recognition is behind and partial lines are skipped.
    """

    speaker: str
    segment: int
    text: str
    language: str
    final: bool
    translated: bool
    start: float
    end: float
    finals_only: bool


class NoticeKind(StrEnum):
    READY = "ready"  # the worker has its models and takes audio
    FINALS_ONLY = "finals-only"  # behind real time: partial lines stop
    CAUGHT_UP = "caught-up"  # back in time: partial lines again
    AUDIO_DROPPED = "audio-dropped"  # the worker's queue was full: audio lost
    SEGMENT_DROPPED = "segment-dropped"  # too many segments waited: the oldest lost
    RESTARTED = "restarted"  # the worker died and a new one runs
    GAVE_UP = "gave-up"  # the worker died too often: captions are off
    UNAVAILABLE = "unavailable"  # a model is missing or corrupt: captions are off


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the room should be told about the captions themselves."""

    kind: NoticeKind
    text: str
    speaker: str | None = None


Event = CaptionLine | Notice
