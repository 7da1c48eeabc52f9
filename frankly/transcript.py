"""A meeting's transcript as people read it: final caption lines, as text or WebVTT.

A leaf, importing nothing of Frankly, so that there is one formatter in
Python: the SDK writes the transcript a participant's client kept
(client/transcript.py re-exports it), and the dialogues' API the one the
server kept with a dialogue meeting (api/transcripts.py). Each line is
`[start] Name: text`, with the English translation after it for other
languages; WebVTT cues carry the speaker as a voice span (`<v Name>`), so
players show who spoke. Times are seconds from the transcript's start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    speaker: str  # the speaker's display name
    start: float  # seconds since captions started
    end: float
    text: str
    language: str
    english: str | None


def as_text(lines: Iterable[TranscriptLine]) -> str:
    out = []
    for line in sorted(lines, key=lambda ln: ln.start):
        out.append(f"[{_clock(line.start, vtt=False)}] {line.speaker}: {line.text}")
        if line.english and line.english != line.text:
            out.append(f"    (English) {line.english}")
    return "".join(f"{row}\n" for row in out)


def as_webvtt(lines: Iterable[TranscriptLine]) -> str:
    cues = ["WEBVTT", ""]
    for line in sorted(lines, key=lambda ln: ln.start):
        end = max(line.end, line.start + 0.5)
        cues.append(f"{_clock(line.start, vtt=True)} --> {_clock(end, vtt=True)}")
        cues.append(f"<v {_escape(line.speaker)}>{_escape(line.text)}")
        if line.english and line.english != line.text:
            cues.append(f"<v {_escape(line.speaker)}>({_escape(line.english)})")
        cues.append("")
    return "\n".join(cues)


def _clock(seconds: float, *, vtt: bool) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    whole = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{whole}.{millis:03d}" if vtt else whole


def _escape(text: str) -> str:
    """What WebVTT cue text may not hold as is; a line break would end the cue."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())
