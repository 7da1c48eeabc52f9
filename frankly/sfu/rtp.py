"""RTP and RTCP on bytes: demultiplexing, header reads, sequence arithmetic.

Leaf module for the forwarding hot path (router, down-track, packet cache,
transport all read packets through it): no objects per packet, only struct
reads at fixed offsets. Writing a forwarded header is the down-track's.
"""

from __future__ import annotations

import struct

_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")


def is_rtp_or_rtcp(data: bytes) -> bool:
    """RFC 7983: first byte 128..191 (version 2)."""
    return len(data) >= 12 and 128 <= data[0] <= 191


def is_rtcp(data: bytes) -> bool:
    """RFC 5761: RTCP packet types 192..223 sit where RTP has marker+PT."""
    return 192 <= data[1] <= 223


def payload_type(data: bytes) -> int:
    return data[1] & 0x7F


def marker(data: bytes) -> bool:
    return bool(data[1] & 0x80)


def seq(data: bytes) -> int:
    value: int = _U16.unpack_from(data, 2)[0]
    return value


def timestamp(data: bytes) -> int:
    value: int = _U32.unpack_from(data, 4)[0]
    return value


def ssrc(data: bytes) -> int:
    value: int = _U32.unpack_from(data, 8)[0]
    return value


def payload_offset(data: bytes) -> int:
    """Where the payload starts: after CSRCs and the header extension.

    Raises ValueError when the header claims more than the packet holds, so
    that a malformed datagram is dropped before anything reads past its end.
    """
    if len(data) < 12 or data[0] >> 6 != 2:
        raise ValueError("not an RTP packet (version is not 2)")
    offset = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:
        if offset + 4 > len(data):
            raise ValueError("RTP header extension runs past the end")
        offset += 4 + 4 * _U16.unpack_from(data, offset + 2)[0]
    end = len(data) - (data[-1] if data[0] & 0x20 else 0)
    if offset > end:
        raise ValueError("RTP header runs past the end of the packet")
    return offset


def payload_end(data: bytes) -> int:
    """Where the payload ends: before any padding."""
    return len(data) - (data[-1] if data[0] & 0x20 else 0)


def extension(data: bytes, ext_id: int) -> bytes | None:
    """The value of header extension element `ext_id` (RFC 8285), if present."""
    if not data[0] & 0x10:
        return None
    start = 12 + 4 * (data[0] & 0x0F)
    profile, words = struct.unpack_from("!HH", data, start)
    pos, end = start + 4, min(start + 4 + 4 * words, len(data))
    if profile == 0xBEDE:  # one-byte elements
        while pos < end:
            head = data[pos]
            if head == 0:  # padding
                pos += 1
                continue
            eid, size = head >> 4, (head & 0x0F) + 1
            if eid == 15:
                return None
            if eid == ext_id:
                return bytes(data[pos + 1 : pos + 1 + size])
            pos += 1 + size
    elif profile & 0xFFF0 == 0x1000:  # two-byte elements
        while pos + 1 < end:
            eid = data[pos]
            if eid == 0:
                pos += 1
                continue
            size = data[pos + 1]
            if eid == ext_id:
                return bytes(data[pos + 2 : pos + 2 + size])
            pos += 2 + size
    return None


def seq_diff(a: int, b: int) -> int:
    """a - b in 16-bit sequence space, in -32768..32767."""
    return ((a - b + 0x8000) & 0xFFFF) - 0x8000
