"""End-to-end encryption of the frames aiortc sends and receives.

aiortc has no encoded-frame transform, so `protect` hooks two points of each
RTCPeerConnection's senders and receivers:

- **Sending**: ``RTCRtpSender._next_encoded_frame`` returns one encoded frame
  as RTP payloads. For Opus each payload is a frame, sealed as it is. For VP8
  each payload starts with a VP8 payload descriptor: the hook strips them,
  seals the whole frame, and cuts the result into payloads again behind the
  first payload's descriptor (the same picture id).
- **Receiving**: ``RTCRtpReceiver`` hands each reassembled frame (VP8
  descriptors already stripped) to its decoder thread through a queue. The
  hook opens the frame on its way into that queue; a frame that does not
  open is dropped, and is counted by the `FrameCrypto`.

Each receiver opens only the frames of the participant its track is shown
as: the peer of a peer-to-peer connection, or on the SFU's subscribe
connection the publisher its m-line's ``a=msid`` stream names (the SDK's
`SfuLink` names tracks by the same line). A server that moves one
participant's frames onto another's track gets them dropped.

Encrypted rooms send VP8 and Opus only (docs/security.md), so `protect`
narrows the codecs of every transceiver made here; a frame of any other codec
is never sent, nor played.

Both hooks use aiortc internals (tested with aiortc 1.16); if a later aiortc
renames them, `protect` raises rather than let a frame go out in the clear.
"""

from __future__ import annotations

import logging
import queue
import time
import weakref
from typing import Any, Protocol

from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.codecs.vpx import PACKET_MAX, VpxPayloadDescriptor

from frankly.client.e2ee.sframe import Kind, is_keyframe

log = logging.getLogger("frankly.client")

# The codecs an encrypted room sends: VP8 (with its retransmissions) and Opus.
_CODECS: dict[str, set[str]] = {
    "video": {"video/vp8", "video/rtx"},
    "audio": {"audio/opus"},
}
_KINDS: dict[str, Kind] = {"video/vp8": "video", "audio/opus": "audio"}
KEYFRAME_REQUEST_INTERVAL = 0.5
"""Seconds between two keyframe requests of one receiver, after frames it could not open."""

_hooked: weakref.WeakSet[Any] = weakref.WeakSet()
# The one participant a peer-to-peer connection receives from, and each receiver's opener.
_peers: weakref.WeakKeyDictionary[RTCPeerConnection, str] = weakref.WeakKeyDictionary()
_openers: weakref.WeakKeyDictionary[Any, _Opener] = weakref.WeakKeyDictionary()


class FrameCrypto(Protocol):
    """What seals and opens encoded frames (`frankly.client.e2ee.keys.E2ee`)."""

    def encrypt(self, kind: Kind, frame: bytes) -> bytes | None:
        """The frame sealed; None to drop it."""

    def decrypt(self, kind: Kind, frame: bytes, sender: str | None) -> bytes | None:
        """The frame opened, if ``sender`` sealed it; None to drop it."""


def protect(pc: RTCPeerConnection, crypto: FrameCrypto, peer_id: str | None = None) -> None:
    """Encrypt all that ``pc`` sends, decrypt all it receives from whom it should.

    ``peer_id``, given once (at the first call) and kept: the participant at
    the other end of a peer-to-peer connection, from whom all it receives
    comes. Without one, each receiver takes the frames of the participant
    its m-line's ``a=msid`` stream names, as on the SFU (docs/protocol.md).

    Call it after adding tracks or transceivers, and after every
    ``setRemoteDescription`` (which may add transceivers, or give an m-line to
    another publisher), before anything else is awaited. Calling it again is
    harmless.
    """
    if peer_id is not None:
        _peers[pc] = peer_id
    peer = _peers.get(pc)
    remote = pc.remoteDescription
    owners = stream_owners(remote.sdp) if peer is None and remote is not None else {}
    for transceiver in pc.getTransceivers():
        if transceiver.mid is None:
            # Made here and not negotiated yet. (A transceiver that a remote offer
            # made is left as negotiated: receive-only, it plays what it can open.)
            prefer_encryptable_codecs(transceiver)
        protect_sender(transceiver.sender, crypto)
        protect_receiver(transceiver.receiver, crypto)
        _openers[transceiver.receiver].sender = peer or owners.get(transceiver.mid or "")


def stream_owners(sdp: str) -> dict[str, str | None]:
    """Who publishes on each m-line (by mid) of an SFU offer, by its ``a=msid`` stream.

    The stream is the participant's id, or that id and a suffix after a colon
    (``:screen``); an inactive m-line, or one without a stream, has nobody.
    """
    owners: dict[str, str | None] = {}
    mid: str | None = None
    owner: str | None = None
    active = True
    for raw in [*sdp.splitlines(), "m="]:
        line = raw.strip()
        if line.startswith("m="):
            if mid is not None:
                owners[mid] = owner if active else None
            mid, owner, active = None, None, True
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:") :]
        elif line.startswith("a=msid:"):
            stream = line[len("a=msid:") :].split(" ", 1)[0]
            owner = stream.split(":", 1)[0] or None
        elif line in ("a=inactive", "a=recvonly"):
            active = False
    return owners


def prefer_encryptable_codecs(transceiver: Any) -> None:
    """Offer and accept VP8 (and RTX) for video, Opus for audio."""
    allowed = _CODECS.get(transceiver.kind, set())
    codecs = RTCRtpSender.getCapabilities(transceiver.kind).codecs
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType.lower() in allowed])


# --- sending -------------------------------------------------------------------------


def protect_sender(sender: Any, crypto: FrameCrypto) -> None:
    """Seal every frame ``sender`` sends."""
    if sender in _hooked:
        return
    original = getattr(sender, "_next_encoded_frame", None)
    if original is None:
        raise RuntimeError("cannot encrypt what aiortc sends: RTCRtpSender changed")

    async def next_encoded_frame(codec: Any) -> Any:
        frame = await original(codec)
        if frame is None:
            return None
        payloads = seal_payloads(crypto, codec.mimeType.lower(), frame.payloads)
        if payloads is None:
            return None  # aiortc skips it: nothing goes out unsealed
        frame.payloads = payloads
        return frame

    sender._next_encoded_frame = next_encoded_frame
    _hooked.add(sender)


def seal_payloads(crypto: FrameCrypto, mime: str, payloads: list[bytes]) -> list[bytes] | None:
    """One encoded frame's RTP payloads, sealed; None to drop the frame."""
    kind = _KINDS.get(mime)
    if kind == "audio":
        sealed = [crypto.encrypt("audio", payload) for payload in payloads]
        return None if any(s is None for s in sealed) else [s for s in sealed if s is not None]
    if kind == "video":
        descriptor, frame = vp8_depacketize(payloads)
        sealed_frame = crypto.encrypt("video", frame)
        return None if sealed_frame is None else vp8_packetize(sealed_frame, descriptor)
    log.warning("not sending a %s frame: encrypted rooms send VP8 and Opus", mime)
    return None


def vp8_depacketize(payloads: list[bytes]) -> tuple[VpxPayloadDescriptor, bytes]:
    """The first payload's descriptor and the whole frame behind the descriptors."""
    first: VpxPayloadDescriptor | None = None
    parts: list[bytes] = []
    for payload in payloads:
        descriptor, data = VpxPayloadDescriptor.parse(payload)
        first = first or descriptor
        parts.append(data)
    if first is None:
        raise ValueError("a VP8 frame with no payload")
    return first, b"".join(parts)


def vp8_packetize(frame: bytes, descriptor: VpxPayloadDescriptor) -> list[bytes]:
    """``frame`` in payloads of at most `PACKET_MAX` bytes, each behind a copy of ``descriptor``.

    The first starts the partition (S=1), the others continue it; the picture id
    and the other fields stay as the encoder set them.
    """
    payloads: list[bytes] = []
    pos = 0
    start = 1
    while pos < len(frame) or not payloads:
        descriptor.partition_start = start
        head = bytes(descriptor)
        size = PACKET_MAX - len(head)
        payloads.append(head + frame[pos : pos + size])
        pos += size
        start = 0
    return payloads


# --- receiving -------------------------------------------------------------------------


class _Opener:
    """Opens the frames of one receiver, and asks for a keyframe when video must restart.

    After a video frame it could not open, the decoder has missed a frame:
    until the next keyframe, frames that do open are dropped too (the decoder
    could not use them), and a keyframe is asked for.
    """

    def __init__(self, crypto: FrameCrypto, keyframe: Any) -> None:
        self._crypto = crypto
        self.sender: str | None = None
        """The participant whose frames this receiver shows (see `protect`)."""
        # aiortc's decoder-error flag: set, a PLI goes out with the next packet.
        self._keyframe = keyframe
        self._broken = False
        self._asked = 0.0

    def open(self, mime: str, data: bytes) -> bytes | None:
        kind = _KINDS.get(mime)
        if kind is None:
            return None  # no other codec is ever sealed
        if not data:
            # Padding-only packets reassemble into empty frames. FFmpeg takes an
            # empty packet for the end of the stream, and refuses every frame after.
            return None
        plain = self._crypto.decrypt(kind, data, self.sender)
        if kind == "audio":
            return plain
        if plain is None:
            self._broken = True
            return None
        if self._broken and not is_keyframe(plain):
            self._ask_keyframe()
            return None
        self._broken = False
        return plain

    def _ask_keyframe(self) -> None:
        now = time.monotonic()
        if now - self._asked >= KEYFRAME_REQUEST_INTERVAL:
            self._asked = now
            self._keyframe.set()


def protect_receiver(receiver: Any, crypto: FrameCrypto) -> None:
    """Open every frame ``receiver`` decodes; drop those that do not open."""
    if receiver in _hooked:
        return
    decoder_queue = getattr(receiver, "_RTCRtpReceiver__decoder_queue", None)
    decoder_error = getattr(receiver, "_RTCRtpReceiver__decoder_error", None)
    if not isinstance(decoder_queue, queue.Queue) or decoder_error is None:
        raise RuntimeError("cannot decrypt what aiortc receives: RTCRtpReceiver changed")
    opener = _openers[receiver] = _Opener(crypto, decoder_error)
    put = decoder_queue.put

    def put_opened(item: Any, block: bool = True, timeout: float | None = None) -> None:
        # (codec, JitterFrame), or None to stop the decoder thread.
        if item is not None:
            codec, encoded = item
            opened = opener.open(codec.mimeType.lower(), encoded.data)
            if opened is None:
                return
            encoded.data = opened
        put(item, block, timeout)

    decoder_queue.put = put_opened  # type: ignore[method-assign]
    _hooked.add(receiver)
