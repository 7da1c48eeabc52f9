"""Active-speaker detection: an observer of the audio levels publishers send.

Leaf module, no I/O. The router hands it each audio packet's level (the
RFC 6464 header extension: 0 is full scale, 127 silence); a timer calls
`tick`, which announces the loudest publisher when it changes and lets
every level decay, so that silence wins even when no packet arrives.
"""

from __future__ import annotations

from collections.abc import Callable

SMOOTHING = 0.1  # of a packet's loudness that moves the smoothed level
DECAY = 0.7  # what a level keeps each tick
THRESHOLD = 40.0  # loudness (0 silent .. 127 loud) a speaker must pass


class SpeakerObserver:
    def __init__(self, on_speaker: Callable[[str], None]) -> None:
        self.on_speaker = on_speaker
        self.levels: dict[str, float] = {}  # publisher id -> smoothed loudness
        self.speaker = ""  # the last one announced

    def heard(self, pid: str, level: int) -> None:
        """One audio packet of `pid` carried this level (-dBov, 0..127)."""
        smoothed = self.levels.get(pid, 0.0)
        self.levels[pid] = smoothed + (127 - (level & 0x7F) - smoothed) * SMOOTHING

    def tick(self) -> None:
        """Announce the loudest publisher when it changes; let levels decay."""
        if self.levels:
            pid = max(self.levels, key=self.levels.__getitem__)
            if self.levels[pid] > THRESHOLD and pid != self.speaker:
                self.speaker = pid
                self.on_speaker(pid)
        for pid in self.levels:
            self.levels[pid] *= DECAY

    def forget(self, pid: str) -> None:
        """A publisher stopped publishing (or left)."""
        self.levels.pop(pid, None)

    def left(self, pid: str) -> None:
        """A participant left: it is no longer the last speaker announced."""
        self.forget(pid)
        if self.speaker == pid:
            self.speaker = ""
