"""The SDK half of `frankly bench e2ee` at a tiny scale, so that it cannot rot.

Figures are not checked (the machine may be busy): only that every frame
sealed opened once, and that each figure was reported.
"""

from __future__ import annotations

from frankly.bench.e2ee_sdk import run_sdk


def test_the_sdk_benchmark_seals_and_opens_every_frame() -> None:
    result = run_sdk(frames=20, encodes=2)
    for key in ("video_encrypt_us", "video_decrypt_us", "audio_encrypt_us", "audio_decrypt_us"):
        assert result[key] > 0, key
    assert result["vp8_encode_us"] > 0 and result["vp8_frame_bytes"] > 0
