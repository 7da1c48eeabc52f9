"""48 kHz PCM from the room to the 16 kHz mono that Whisper and Silero read.

aiortc's Opus decoder hands frames of signed 16-bit samples at 48 kHz,
interleaved when stereo. `Downsampler` low-pass filters and keeps every
third sample, carrying the filter's history and the decimation phase from one
frame to the next, so a stream cut into 20 ms frames comes out the same as if
it had been resampled whole.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RATE = 16_000  # what the models read
Samples = npt.NDArray[np.float32]


def to_mono(pcm: bytes, channels: int) -> Samples:
    """Signed 16-bit little-endian samples as floats in [-1, 1), channels averaged."""
    samples: Samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / np.float32(32768)
    if channels == 1:
        return samples
    frames = samples[: len(samples) - len(samples) % channels].reshape(-1, channels)
    mono: Samples = frames.mean(axis=1, dtype=np.float32)
    return mono


def lowpass(factor: int, taps: int = 63) -> Samples:
    """A windowed-sinc filter passing what survives decimation by `factor`.

    Cut a little below the new Nyquist frequency (0.9 of it) so that speech up
    to about 7 kHz passes and nothing folds back into the band.
    """
    cutoff = 0.9 / factor  # as a fraction of the input's Nyquist frequency
    n = np.arange(taps) - (taps - 1) / 2
    kernel = cutoff * np.sinc(cutoff * n) * np.blackman(taps)
    normalised: Samples = (kernel / kernel.sum()).astype(np.float32)
    return normalised


class Downsampler:
    """One stream's resampler from `rate` (a multiple of 16 kHz) to 16 kHz."""

    __slots__ = ("_factor", "_history", "_phase", "_taps")

    def __init__(self, rate: int) -> None:
        if rate % RATE or rate <= 0:
            raise ValueError(f"sample rate {rate}: give a multiple of {RATE} (48000 from Opus)")
        self._factor = rate // RATE
        self._taps = lowpass(self._factor) if self._factor > 1 else np.ones(1, np.float32)
        self._history = np.zeros(len(self._taps) - 1, np.float32)
        self._phase = 0

    def process(self, samples: Samples) -> Samples:
        if self._factor == 1:
            return samples
        joined = np.concatenate((self._history, samples))
        filtered = np.convolve(joined, self._taps, mode="valid")  # one output per input
        kept = filtered[self._phase :: self._factor]
        self._phase = (self._phase - len(filtered)) % self._factor
        self._history = joined[len(joined) - len(self._history) :]
        return kept.astype(np.float32, copy=False)
