"""48 kHz frames from the room down to the 16 kHz the models read."""

from __future__ import annotations

import numpy as np
import pytest

from frankly.captions.resample import Downsampler, to_mono


def tone(hz: float, seconds: float, rate: int = 48_000) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def level(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples[200:-200] ** 2)))


def test_a_stream_in_20_ms_frames_comes_out_as_if_resampled_whole() -> None:
    signal = tone(440, 1.0)
    whole = Downsampler(48_000).process(signal)
    framed = Downsampler(48_000)
    pieces = [framed.process(signal[i : i + 960]) for i in range(0, len(signal), 960)]
    assert len(whole) == 16_000
    np.testing.assert_allclose(np.concatenate(pieces), whole, atol=1e-6)


def test_odd_frame_lengths_keep_the_phase() -> None:
    signal = tone(440, 0.5)
    whole = Downsampler(48_000).process(signal)
    framed = Downsampler(48_000)
    pieces = [framed.process(signal[i : i + 7]) for i in range(0, len(signal), 7)]
    np.testing.assert_allclose(np.concatenate(pieces), whole, atol=1e-6)


def test_speech_band_passes_and_what_would_fold_back_does_not() -> None:
    assert level(Downsampler(48_000).process(tone(1_000, 1.0))) == pytest.approx(
        0.5 / 2**0.5, rel=0.02
    )
    # 12 kHz would fold onto 4 kHz at 16 kHz: it must be at least 40 dB down.
    assert level(Downsampler(48_000).process(tone(12_000, 1.0))) < 0.5 / 2**0.5 / 100


def test_16_khz_passes_through() -> None:
    signal = tone(440, 0.1, rate=16_000)
    assert Downsampler(16_000).process(signal) is signal


def test_a_rate_that_is_not_a_multiple_of_16_khz_is_refused() -> None:
    with pytest.raises(ValueError, match=r"sample rate 44100: give a multiple of 16000"):
        Downsampler(44_100)


def test_s16_stereo_is_averaged_to_mono() -> None:
    pcm = np.array([16384, -16384, 8192, 8192], dtype="<i2").tobytes()
    np.testing.assert_allclose(to_mono(pcm, 2), [0.0, 0.25])
    np.testing.assert_allclose(to_mono(pcm, 1), [0.5, -0.5, 0.25, 0.25])
