"""What the SFU may read of a payload: the codec's descriptor, never the frame.

Leaf module. Frame payloads are end-to-end encrypted, so only the VP8 and VP9
payload descriptors, the H.264 NAL unit header and the Opus TOC byte are
read, to find keyframes, frame starts and temporal layers; and a VP8
keyframe's picture size, which E2EE leaves in the clear (docs/security.md).
"""

from __future__ import annotations

from typing import NamedTuple


class Frame(NamedTuple):
    keyframe: bool  # this packet starts a keyframe
    start: bool  # this packet starts a frame
    picture_id: int  # -1 when absent
    tl0picidx: int  # -1 when absent
    tid: int  # temporal layer, 0 when absent
    sync: bool  # a temporal switching point (layer sync)


NO_FRAME = Frame(False, False, -1, -1, 0, False)


def vp8(payload: bytes | memoryview, start: int, end: int) -> Frame:
    """Read the VP8 payload descriptor (RFC 7741 section 4.2)."""
    if end - start < 1:
        raise ValueError("VP8 payload is empty")
    first = payload[start]
    pos = start + 1
    picture_id = tl0 = -1
    tid, sync = 0, False
    if first & 0x80:  # X: extension byte follows
        if pos >= end:
            raise ValueError("VP8 descriptor runs past the end")
        ext = payload[pos]
        pos += 1
        if ext & 0x80:  # I: picture id
            if pos >= end:
                raise ValueError("VP8 descriptor runs past the end")
            if payload[pos] & 0x80:  # M: 15-bit picture id
                if pos + 1 >= end:
                    raise ValueError("VP8 descriptor runs past the end")
                picture_id = (payload[pos] & 0x7F) << 8 | payload[pos + 1]
                pos += 2
            else:
                picture_id = payload[pos]
                pos += 1
        if ext & 0x40:  # L: TL0PICIDX
            if pos >= end:
                raise ValueError("VP8 descriptor runs past the end")
            tl0 = payload[pos]
            pos += 1
        if ext & 0x30:  # T or K: TID/Y/KEYIDX byte
            if pos >= end:
                raise ValueError("VP8 descriptor runs past the end")
            tid, sync = payload[pos] >> 6, bool(payload[pos] & 0x20)
            pos += 1
    frame_start = bool(first & 0x10) and (first & 0x07) == 0
    # The first byte of the VP8 payload header: P bit clear means a keyframe.
    keyframe = frame_start and pos < end and not payload[pos] & 0x01
    return Frame(keyframe, frame_start, picture_id, tl0, tid, sync or keyframe)


# A VP8 keyframe's start code, after its 3-byte frame tag (RFC 6386 section 9.1).
_VP8_START_CODE = b"\x9d\x01\x2a"


def vp8_keyframe_size(payload: bytes | memoryview, start: int, end: int) -> tuple[int, int] | None:
    """(width, height) of the VP8 keyframe this packet starts, else None.

    After the payload descriptor (RFC 7741 section 4.2) comes the frame: a
    keyframe's 3-byte tag, the start code 9d 01 2a, then width and height
    as 16-bit little-endian words whose low 14 bits are the size and top 2 a
    scaling hint (RFC 6386 section 9.1). E2EE leaves exactly these 10 bytes
    in the clear. A keyframe whose start code is wrong says (0, 0).
    """
    if end - start < 1:
        raise ValueError("VP8 payload is empty")
    first = payload[start]
    if not first & 0x10 or first & 0x07:  # not the start of a frame's first partition
        return None
    pos = start + 1
    if first & 0x80:  # X: the extension byte says which optional bytes follow
        if pos >= end:
            raise ValueError("VP8 descriptor runs past the end")
        ext = payload[pos]
        pos += 1
        if ext & 0x80:  # I: picture id, one byte or (M) two
            if pos >= end:
                raise ValueError("VP8 descriptor runs past the end")
            pos += 2 if payload[pos] & 0x80 else 1
        pos += bool(ext & 0x40) + bool(ext & 0x30)  # L: TL0PICIDX; T or K: TID/KEYIDX
    if pos >= end or payload[pos] & 0x01:  # P bit set: an interframe
        return None
    if end - pos < 10 or bytes(payload[pos + 3 : pos + 6]) != _VP8_START_CODE:
        return (0, 0)
    width = (payload[pos + 6] | payload[pos + 7] << 8) & 0x3FFF
    height = (payload[pos + 8] | payload[pos + 9] << 8) & 0x3FFF
    return (width, height)


def vp9(payload: bytes | memoryview, start: int, end: int) -> Frame:
    """Read the VP9 payload descriptor (RFC 9628 section 4.2), flexible or not."""
    if end - start < 1:
        raise ValueError("VP9 payload is empty")
    first = payload[start]
    pos = start + 1
    picture_id = tl0 = -1
    tid, sync, sid = 0, False, 0
    if first & 0x80:  # I
        if pos >= end:
            raise ValueError("VP9 descriptor runs past the end")
        if payload[pos] & 0x80:
            if pos + 1 >= end:
                raise ValueError("VP9 descriptor runs past the end")
            picture_id = (payload[pos] & 0x7F) << 8 | payload[pos + 1]
            pos += 2
        else:
            picture_id = payload[pos]
            pos += 1
    if first & 0x20:  # L: layer indices
        if pos >= end:
            raise ValueError("VP9 descriptor runs past the end")
        tid, sync, sid = payload[pos] >> 5, bool(payload[pos] & 0x10), (payload[pos] >> 1) & 7
        if not first & 0x10 and pos + 1 < end:  # non-flexible mode carries TL0PICIDX
            tl0 = payload[pos + 1]
    inter = bool(first & 0x40)  # P: inter-picture predicted
    begin = bool(first & 0x08)  # B: start of a frame
    keyframe = begin and not inter and sid == 0
    return Frame(keyframe, begin and sid == 0, picture_id, tl0, tid, sync or keyframe)


# H.264 NAL unit types (RFC 6184).
_IDR, _SPS, _STAP_A, _FU_A = 5, 7, 24, 28


def h264(payload: bytes | memoryview, start: int, end: int) -> Frame:
    """Find IDR and SPS NAL units, through STAP-A aggregates and FU-A fragments."""
    if end - start < 1:
        raise ValueError("H.264 payload is empty")
    kind = payload[start] & 0x1F
    if kind == _FU_A:
        if end - start < 2:
            raise ValueError("H.264 FU-A header runs past the end")
        fu = payload[start + 1]
        first = bool(fu & 0x80)
        return Frame(first and (fu & 0x1F) in (_IDR, _SPS), first, -1, -1, 0, False)
    if kind == _STAP_A:
        pos, key = start + 1, False
        while pos + 2 < end:
            size = payload[pos] << 8 | payload[pos + 1]
            if pos + 2 + size > end:
                raise ValueError("H.264 STAP-A unit runs past the end")
            key = key or (payload[pos + 2] & 0x1F) in (_IDR, _SPS)
            pos += 2 + size
        return Frame(key, True, -1, -1, 0, key)
    key = kind in (_IDR, _SPS)
    return Frame(key, True, -1, -1, 0, key)


def opus_toc(payload: bytes | memoryview, start: int, end: int) -> int:
    """The Opus TOC byte (RFC 6716 section 3.1): config, stereo flag, frame count."""
    if end - start < 1:
        raise ValueError("Opus payload is empty")
    return int(payload[start])
