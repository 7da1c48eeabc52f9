"""What the receiving hook lets through to aiortc's decoder thread."""

from __future__ import annotations

import queue

import av
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from frankly.client.e2ee.media import protect_receiver
from frankly.client.e2ee.sframe import Kind

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)


class Opens:
    """Opens every frame as it came (the frames here are all in the clear)."""

    def encrypt(self, kind: Kind, frame: bytes) -> bytes | None:
        return frame

    def decrypt(self, kind: Kind, frame: bytes, sender: str | None) -> bytes | None:
        return frame


def decoder_queue(receiver: RTCRtpReceiver) -> queue.Queue[tuple[object, JitterFrame]]:
    found = receiver._RTCRtpReceiver__decoder_queue  # type: ignore[attr-defined]
    assert isinstance(found, queue.Queue)
    return found


async def test_an_empty_frame_never_reaches_the_decoder() -> None:
    # An empty packet is the end of the stream to FFmpeg: every later frame would fail.
    decoder = av.CodecContext.create("vp8", "r")
    decoder.decode(av.Packet(b""))
    with pytest.raises(av.error.EOFError):
        decoder.decode(av.Packet(b"\x00" * 10))

    pc = RTCPeerConnection()  # in a running loop, as aiortc wants
    receiver = pc.addTransceiver("video").receiver
    protect_receiver(receiver, Opens())
    waiting = decoder_queue(receiver)
    waiting.put((VP8, JitterFrame(b"", 1)))  # what padding-only packets reassemble into
    assert waiting.empty()
    waiting.put((VP8, JitterFrame(b"\x10\x02", 2)))  # no longer than its clear prefix
    _, frame = waiting.get_nowait()
    assert frame.data == b"\x10\x02"
    await pc.close()
