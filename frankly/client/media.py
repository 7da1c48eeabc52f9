"""Local media plumbing, and two synthetic tracks for bots and tests.

`LocalMedia` wraps one track you hand to the SDK. It reads the track once and
gives every peer connection its own tap on it (an aiortc track may only have
one reader), and it replaces frames with silence or black while you have
turned the microphone or camera off, so muting never renegotiates and keeps
the timing of the source.

`ToneTrack` (a sine tone) and `PatternTrack` (moving bars) are live synthetic
sources that need no devices and no files.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import math
import time
from array import array
from typing import Any, Literal

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame
from av.frame import Frame
from av.packet import Packet

log = logging.getLogger("frankly.client")

Kind = Literal["audio", "video"]


class LocalMedia:
    """One local track, read once, fanned out to any number of taps."""

    def __init__(self, source: MediaStreamTrack) -> None:
        if source.kind not in ("audio", "video"):
            raise ValueError(f"a track must be audio or video, not {source.kind!r}")
        self.source = source
        self.kind: Kind = "audio" if source.kind == "audio" else "video"
        self.enabled = True
        self._taps: set[_Tap] = set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._blank: dict[tuple[int, int], list[bytes]] = {}

    def tap(self) -> MediaStreamTrack:
        """A new track that yields the source's frames from now on."""
        tap = _Tap(self)
        if self._closed:
            tap.stop()
        else:
            self._taps.add(tap)
        return tap

    def _start(self) -> None:
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._pump())

    def _forget(self, tap: _Tap) -> None:
        self._taps.discard(tap)

    async def _pump(self) -> None:
        while True:
            frame: Frame | Packet[Any] | None
            try:
                frame = await self.source.recv()
            except MediaStreamError:
                frame = None
            if frame is not None and not self.enabled:
                frame = self._blanked(frame)
            for tap in list(self._taps):
                tap._push(frame)
            if frame is None:
                log.debug("local %s track ended", self.kind)
                return

    def _blanked(self, frame: Frame | Packet[Any]) -> Frame | Packet[Any]:
        if isinstance(frame, VideoFrame):
            black = VideoFrame(frame.width, frame.height, "yuv420p")
            key = (frame.width, frame.height)
            if key not in self._blank:
                self._blank[key] = [
                    bytes([16 if i == 0 else 128]) * plane.buffer_size
                    for i, plane in enumerate(black.planes)
                ]
            for plane, data in zip(black.planes, self._blank[key], strict=True):
                plane.update(data)
            black.pts = frame.pts
            black.time_base = frame.time_base
            return black
        if isinstance(frame, AudioFrame):
            silence = AudioFrame(
                format=frame.format.name, layout=frame.layout.name, samples=frame.samples
            )
            for audio_plane in silence.planes:
                audio_plane.update(bytes(audio_plane.buffer_size))
            silence.sample_rate = frame.sample_rate
            silence.pts = frame.pts
            silence.time_base = frame.time_base
            return silence
        return frame  # encoded packets pass as they are

    async def aclose(self) -> None:
        """Stop reading the source (which stays yours: it is not stopped) and end the taps."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for tap in list(self._taps):
            tap._push(None)
        self._taps.clear()


class _Tap(MediaStreamTrack):
    """What one RTCRtpSender reads: the latest frame of a LocalMedia."""

    def __init__(self, media: LocalMedia) -> None:
        super().__init__()
        self.kind = media.kind
        self._media = media
        self._frame: Frame | Packet[Any] | None = None
        self._fresh = asyncio.Event()

    def _push(self, frame: Frame | Packet[Any] | None) -> None:
        self._frame = frame
        self._fresh.set()

    async def recv(self) -> Frame | Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        self._media._start()
        await self._fresh.wait()
        self._fresh.clear()
        frame = self._frame
        if frame is None:
            self.stop()
            raise MediaStreamError
        return frame

    def stop(self) -> None:
        self._media._forget(self)
        super().stop()


class _Clock:
    """Paces a live source: the n-th frame is due n * period after the first."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.count = 0
        self.start = 0.0

    async def tick(self) -> int:
        if self.count == 0:
            self.start = time.monotonic()
        else:
            delay = self.start + self.count * self.period - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        n = self.count
        self.count += 1
        return n


class ToneTrack(MediaStreamTrack):
    """A live mono sine tone, 20 ms frames of signed 16-bit samples."""

    kind = "audio"

    def __init__(
        self, frequency: float = 440.0, *, sample_rate: int = 48000, volume: float = 0.3
    ) -> None:
        super().__init__()
        self.sample_rate = sample_rate
        self._samples = sample_rate // 50
        self._clock = _Clock(self._samples / sample_rate)
        # Whole periods of the tone fit in a one-second table, so it loops seamlessly.
        step = 2 * math.pi * frequency / sample_rate
        amplitude = int(32767 * max(0.0, min(volume, 1.0)))
        self._table = array(
            "h", (int(amplitude * math.sin(step * i)) for i in range(sample_rate))
        ).tobytes()

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        n = await self._clock.tick()
        frame = AudioFrame(format="s16", layout="mono", samples=self._samples)
        start = (n * self._samples) % self.sample_rate * 2
        frame.planes[0].update(self._table[start : start + self._samples * 2])
        frame.sample_rate = self.sample_rate
        frame.pts = n * self._samples
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        return frame


class PatternTrack(MediaStreamTrack):
    """Live video of moving grey bars on a colour that changes every second."""

    kind = "video"

    def __init__(self, width: int = 320, height: int = 240, *, fps: float = 15.0) -> None:
        super().__init__()
        if width % 2 or height % 2:
            raise ValueError("width and height must be even")
        self.width = width
        self.height = height
        self.fps = fps
        self._clock = _Clock(1 / fps)

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        n = await self._clock.tick()
        frame = VideoFrame(self.width, self.height, "yuv420p")
        luma, u, v = frame.planes
        shift = (n * 4) % 64
        row = bytes(40 + ((x + shift) // 32 % 2) * 160 for x in range(luma.line_size))
        luma.update(row * (luma.buffer_size // luma.line_size))
        hue = 2 * math.pi * (n / self.fps) / 6
        u.update(bytes([int(128 + 60 * math.cos(hue))]) * u.buffer_size)
        v.update(bytes([int(128 + 60 * math.sin(hue))]) * v.buffer_size)
        frame.pts = int(n * 90000 / self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        return frame


__all__ = ["LocalMedia", "PatternTrack", "ToneTrack"]
