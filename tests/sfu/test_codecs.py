"""Codec inspection on packets made by aiortc's real VP8 and H.264 encoders."""

from __future__ import annotations

import fractions

import av
import pytest
from aiortc.codecs import h264 as aiortc_h264
from aiortc.codecs import vpx

from frankly.client.e2ee import sframe
from frankly.sfu import codecs


def frames(count: int) -> list[av.VideoFrame]:
    out = []
    for i in range(count):
        frame = av.VideoFrame(320, 240, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([i * 7 % 256]) * plane.buffer_size)
        frame.pts, frame.time_base = i * 3000, fractions.Fraction(1, 90000)
        out.append(frame)
    return out


def test_vp8_keyframe_then_delta_frames() -> None:
    encoder = vpx.Vp8Encoder()
    seen = []
    for i, frame in enumerate(frames(3)):
        payloads, _ = encoder.encode(frame, force_keyframe=(i == 0))
        info = [codecs.vp8(p, 0, len(p)) for p in payloads]
        seen.append(info)
        assert info[0].start and all(not f.start for f in info[1:])
        assert all(f.picture_id == info[0].picture_id for f in info)
    assert seen[0][0].keyframe and not any(f.keyframe for f in seen[0][1:])
    assert not any(f.keyframe for f in seen[1] + seen[2])
    assert seen[1][0].picture_id == (seen[0][0].picture_id + 1) & 0x7FFF


def test_h264_keyframe_through_stap_a_or_fu_a() -> None:
    encoder = aiortc_h264.H264Encoder()
    first, _ = encoder.encode(frames(1)[0], force_keyframe=True)
    assert codecs.h264(first[0], 0, len(first[0])).keyframe
    later, _ = encoder.encode(frames(2)[1])
    assert not any(codecs.h264(p, 0, len(p)).keyframe for p in later)


def test_vp8_descriptor_fields() -> None:
    # X=1 S=1 PID=0 | I L T | M + 15-bit picture id | TL0PICIDX | TID=2 Y=1 | P=0
    data = bytes([0x90, 0xE0, 0x81, 0x23, 0x05, 0xA0, 0x00])
    assert codecs.vp8(data, 0, len(data)) == codecs.Frame(True, True, 0x123, 5, 2, True)


def test_vp9_keyframe() -> None:
    # I=1 P=0 L=1 F=0 B=1 E=1 | 7-bit picture id | TID=0 U=0 SID=0 D=0 | TL0PICIDX
    data = bytes([0xAC, 0x05, 0x00, 0x09])
    assert codecs.vp9(data, 0, len(data)) == codecs.Frame(True, True, 5, 9, 0, True)


@pytest.mark.parametrize(
    ("reader", "data", "error"),
    [
        (codecs.vp8, b"", "VP8 payload is empty"),
        (codecs.vp8, bytes([0x90]), "VP8 descriptor runs past the end"),
        (codecs.vp8, bytes([0x90, 0x80, 0x80]), "VP8 descriptor runs past the end"),
        (codecs.vp9, bytes([0x80]), "VP9 descriptor runs past the end"),
        (codecs.h264, bytes([28]), "H.264 FU-A header runs past the end"),
        (codecs.h264, bytes([24, 0, 9, 5]), "H.264 STAP-A unit runs past the end"),
    ],
)
def test_truncated_descriptors(reader: object, data: bytes, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        reader(data, 0, len(data))  # type: ignore[operator]


def vp8_keyframe(width: int, height: int, *, scale: int = 0) -> bytes:
    """A keyframe's first bytes as RFC 6386 section 9.1 lays them out."""
    first_partition = 1000
    tag = 0 | 0 << 1 | 1 << 4 | first_partition << 5  # key frame, version 0, shown
    return (
        tag.to_bytes(3, "little")
        + b"\x9d\x01\x2a"
        + (width | scale << 14).to_bytes(2, "little")
        + (height | scale << 14).to_bytes(2, "little")
        + bytes(40)  # the (encrypted) rest
    )


# Descriptors: bare (S bit), and with a 15-bit picture id, TL0PICIDX and TID.
BARE, FULL = b"\x10", b"\x90\xe0\x81\x23\x07\x40"


@pytest.mark.parametrize("descriptor", [BARE, FULL])
def test_vp8_keyframe_size_from_the_frame_header(descriptor: bytes) -> None:
    packet = b"\xff" * 12 + descriptor + vp8_keyframe(640, 360, scale=2)
    assert codecs.vp8_keyframe_size(packet, 12, len(packet)) == (640, 360)


def test_vp8_keyframe_size_survives_e2ee() -> None:
    # What a browser sends: the 10 clear bytes, then the SFrame header and ciphertext.
    fk = sframe.frame_key(bytes(32), 1)
    frame = vp8_keyframe(1280, 720)
    sealed = sframe.seal(fk, 7, frame, sframe.clear_length("video", frame))
    packet = BARE + sealed
    assert codecs.vp8_keyframe_size(packet, 0, len(packet)) == (1280, 720)


def test_vp8_keyframe_size_of_a_real_encoder_keyframe() -> None:
    encoder = vpx.Vp8Encoder()
    payloads, _ = encoder.encode(frames(1)[0], force_keyframe=True)
    assert codecs.vp8_keyframe_size(payloads[0], 0, len(payloads[0])) == (320, 240)
    assert all(codecs.vp8_keyframe_size(p, 0, len(p)) is None for p in payloads[1:])


def test_vp8_keyframe_size_is_none_for_interframes_and_continuations() -> None:
    inter = bytearray(vp8_keyframe(640, 360))
    inter[0] |= 0x01  # P: an interframe
    assert codecs.vp8_keyframe_size(BARE + inter, 0, len(inter) + 1) is None
    cont = b"\x00" + vp8_keyframe(640, 360)  # S clear: not a frame's first packet
    assert codecs.vp8_keyframe_size(cont, 0, len(cont)) is None
    bad = BARE + b"\x10\x00\x00" + b"\x00\x00\x00" + bytes(8)  # a keyframe, wrong start code
    assert codecs.vp8_keyframe_size(bad, 0, len(bad)) == (0, 0)
    short = BARE + vp8_keyframe(640, 360)[:8]
    assert codecs.vp8_keyframe_size(short, 0, len(short)) == (0, 0)
    with pytest.raises(ValueError):
        codecs.vp8_keyframe_size(b"\x90", 0, 1)
