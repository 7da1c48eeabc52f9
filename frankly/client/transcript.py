"""A meeting's transcript as a participant keeps it: final caption lines, as text or WebVTT.

The server never sees caption text (lines are sealed end to end), so the
transcript is kept where lines are opened: by each participant's client,
from the final lines it received while the host kept the transcript
(`Captions.transcript`). In a dialogue's meeting the server's captioner
also hands it the final lines, kept with the meeting (docs/dialogues.md).
The formatting is frankly/transcript.py's, the one the server uses too.
"""

from __future__ import annotations

from frankly.transcript import TranscriptLine, as_text, as_webvtt

__all__ = ["TranscriptLine", "as_text", "as_webvtt"]
