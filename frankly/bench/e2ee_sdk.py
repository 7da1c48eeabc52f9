"""What end-to-end encryption costs the SDK per frame (`frankly bench e2ee` runs `run_sdk`).

It times the SDK's own path: `E2ee.encrypt` and `E2ee.decrypt` (SFrame with
AES-128-GCM through the ``cryptography`` package, the check that a frame is
its track's sender's, the replay window and the per-sender counters), and for
video also the sending hook's re-packetization (strip the VP8 payload
descriptors, seal, cut into payloads again). Beside it, the time aiortc takes
to encode one 640x480 frame in VP8, which every sent frame costs anyway.

Every frame opened is a distinct one, as on the wire: the replay window
refuses a frame opened twice.
"""

from __future__ import annotations

import fractions
import time
from collections.abc import Callable

from aiortc.codecs.vpx import Vp8Encoder
from av import VideoFrame

from frankly.client.e2ee import E2ee
from frankly.client.e2ee.media import seal_payloads
from frankly.client.e2ee.sframe import Kind

SENDER = "p-00000000a1"
RECEIVER = "p-00000000b2"


def _pair() -> tuple[E2ee, E2ee]:
    """A sender and a receiver holding its key, as after a key exchange."""
    sender = E2ee(lambda to, payload: None)
    receiver = E2ee(lambda to, payload: None)
    sender.start(SENDER)
    receiver.start(RECEIVER)
    assert sender.sending is not None
    receiver.ring.add(SENDER, sender.sending.gen, sender.sending.base)
    return sender, receiver


def _per_call(fn: Callable[[], object], count: int) -> float:
    """Seconds per call of ``fn``, over ``count`` calls."""
    started = time.perf_counter()
    for _ in range(count):
        fn()
    return (time.perf_counter() - started) / count


def _open_seconds(receiver: E2ee, kind: Kind, sealed: list[bytes], plain: bytes) -> float:
    """Seconds per `E2ee.decrypt` of each of ``sealed`` once (all must open to ``plain``)."""
    started = time.perf_counter()
    opened = [receiver.decrypt(kind, frame, SENDER) for frame in sealed]
    elapsed = time.perf_counter() - started
    assert all(frame == plain for frame in opened), "a frame did not open"
    return elapsed / len(sealed)


def _sealed(sender: E2ee, kind: Kind, frame: bytes, count: int) -> list[bytes]:
    """``count`` frames sealed in a row (each its own counter)."""
    out = [sender.encrypt(kind, frame) for _ in range(count)]
    return [s for s in out if s is not None]


def _picture(n: int, width: int = 640, height: int = 480) -> VideoFrame:
    """Moving bars with some texture: a frame an encoder has real work on."""
    frame = VideoFrame(width, height, "yuv420p")
    luma, u, v = frame.planes
    row = bytes((40 + ((x + 4 * n) // 32 % 2) * 160 + (x * 7 + n) % 23) % 256 for x in range(width))
    rows = [row[y % 17 :] + row[: y % 17] for y in range(height)]
    luma.update(b"".join(r.ljust(luma.line_size, b"\0") for r in rows))
    u.update(bytes([128 + n % 40]) * u.buffer_size)
    v.update(bytes([128 - n % 40]) * v.buffer_size)
    frame.pts = n * 3000
    frame.time_base = fractions.Fraction(1, 90000)
    return frame


def _vp8_encode_seconds(frames: int) -> tuple[float, list[bytes]]:
    """aiortc's seconds per 640x480 VP8 frame (after a first keyframe), and a frame's payloads."""
    encoder = Vp8Encoder()
    pictures = [_picture(n) for n in range(frames + 1)]
    payloads, _ = encoder.encode(pictures[0])
    started = time.perf_counter()
    for picture in pictures[1:]:
        payloads, _ = encoder.encode(picture)
    return (time.perf_counter() - started) / frames, payloads


def run_sdk(frames: int = 5000, encodes: int = 60) -> dict[str, float]:
    """Print and return microseconds per frame: sealing, opening, and VP8 encoding.

    ``frames`` frames of each size are sealed and opened; ``encodes``
    640x480 pictures are encoded.
    """
    sender, receiver = _pair()
    video = bytes([0x31, 0x02, 0x00]) + bytes(range(256)) * 4 + bytes(1197 - 1024)
    audio = bytes([0x78]) + bytes(range(99))
    assert len(video) == 1200 and len(audio) == 100
    sealed_video = _sealed(sender, "video", video, frames)
    sealed_audio = _sealed(sender, "audio", audio, frames)

    encode, payloads = _vp8_encode_seconds(encodes)
    result = {
        "video_encrypt_us": 1e6 * _per_call(lambda: sender.encrypt("video", video), frames),
        "video_decrypt_us": 1e6 * _open_seconds(receiver, "video", sealed_video, video),
        "audio_encrypt_us": 1e6 * _per_call(lambda: sender.encrypt("audio", audio), frames),
        "audio_decrypt_us": 1e6 * _open_seconds(receiver, "audio", sealed_audio, audio),
        "vp8_hook_us": 1e6
        * _per_call(lambda: seal_payloads(sender, "video/vp8", payloads), frames),
        "vp8_encode_us": 1e6 * encode,
        "vp8_frame_bytes": float(sum(len(p) for p in payloads)),
    }
    both = result["video_encrypt_us"] + result["video_decrypt_us"]
    result["video_vs_encode"] = both / result["vp8_encode_us"]
    print(
        f"  1200-byte video frame: seal {result['video_encrypt_us']:6.1f} µs, "
        f"open {result['video_decrypt_us']:6.1f} µs"
    )
    print(
        f"   100-byte audio frame: seal {result['audio_encrypt_us']:6.1f} µs, "
        f"open {result['audio_decrypt_us']:6.1f} µs"
    )
    print(
        f"  sending hook on a {result['vp8_frame_bytes']:.0f}-byte VP8 frame "
        f"(strip, seal, re-packetize): {result['vp8_hook_us']:6.1f} µs"
    )
    print(
        f"  aiortc VP8 encode of a 640x480 frame: {result['vp8_encode_us']:8.0f} µs; "
        f"seal + open of a 1200-byte frame is {100 * result['video_vs_encode']:.2f} % of it"
    )
    return result
