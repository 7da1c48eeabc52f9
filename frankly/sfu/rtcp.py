"""RTCP on bytes (RFC 3550, 4585, 5104, draft-alvestrand-rmcat-remb).

Leaf module. `walk` splits a compound packet; small readers pull out what
the router acts on; builders make the feedback the SFU sends.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

SR, RR, SDES, BYE, APP, RTPFB, PSFB = 200, 201, 202, 203, 204, 205, 206
FMT_NACK, FMT_TWCC = 1, 15  # RTPFB
FMT_PLI, FMT_FIR, FMT_AFB = 1, 4, 15  # PSFB; AFB carries REMB

_HEAD = struct.Struct("!BBH")
_FB = struct.Struct("!BBHII")


def walk(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """Yield (packet type, format/count, offset, length in bytes) per packet.

    Raises ValueError for a header that does not fit, so a malformed compound
    packet is dropped whole.
    """
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError("RTCP header runs past the end")
        first, kind, words = _HEAD.unpack_from(data, pos)
        if first >> 6 != 2:
            raise ValueError("RTCP version is not 2")
        size = 4 * (words + 1)
        if pos + size > len(data):
            raise ValueError(f"RTCP packet type {kind} runs past the end")
        yield kind, first & 0x1F, pos, size
        pos += size


def parts(data: bytes) -> list[tuple[int, int, int, int]]:
    """`walk`'s parts of a whole compound packet; none of a malformed one (dropped whole)."""
    try:
        return list(walk(data))
    except ValueError:
        return []


def media_ssrc(data: bytes, offset: int) -> int:
    """The media source a feedback message (RTPFB/PSFB) is about."""
    value: int = struct.unpack_from("!I", data, offset + 8)[0]
    return value


def sender_ssrc(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from("!I", data, offset + 4)[0]
    return value


def nack_seqs(data: bytes, offset: int, size: int) -> list[int]:
    """Sequence numbers a generic NACK asks for (PID + 16-bit BLP)."""
    out: list[int] = []
    for pos in range(offset + 12, offset + size - 3, 4):
        pid, blp = struct.unpack_from("!HH", data, pos)
        out.append(pid)
        out.extend((pid + i + 1) & 0xFFFF for i in range(16) if blp >> i & 1)
    return out


def fir_targets(data: bytes, offset: int, size: int) -> list[tuple[int, int]]:
    """(media SSRC, sequence number) per FCI entry of a FIR."""
    return [
        (struct.unpack_from("!I", data, pos)[0], data[pos + 4])
        for pos in range(offset + 12, offset + size - 7, 8)
    ]


def remb(data: bytes, offset: int, size: int) -> tuple[int, list[int]] | None:
    """(bitrate in bit/s, SSRCs) of a REMB, or None for another AFB message."""
    if size < 20 or data[offset + 12 : offset + 16] != b"REMB":
        return None
    count, exp_mant = data[offset + 16], struct.unpack_from("!I", data, offset + 16)[0]
    exponent, mantissa = (exp_mant >> 18) & 0x3F, exp_mant & 0x3FFFF
    ssrcs = [struct.unpack_from("!I", data, offset + 20 + 4 * i)[0] for i in range(count)]
    return mantissa << exponent, ssrcs


def report_blocks(data: bytes, offset: int, count: int, kind: int) -> list[tuple[int, int, int]]:
    """(SSRC, fraction lost /256, jitter) per report block of an SR or RR."""
    start = offset + (28 if kind == SR else 8)
    blocks = []
    for i in range(count):
        pos = start + 24 * i
        if pos + 24 > len(data):
            break
        source, lost_word, _, jitter = struct.unpack_from("!IIII", data, pos)
        blocks.append((source, lost_word >> 24, jitter))
    return blocks


# --- builders ----------------------------------------------------------------


def pli(sender: int, media: int) -> bytes:
    return _FB.pack(0x80 | FMT_PLI, PSFB, 2, sender, media)


def fir(sender: int, media: int, seqno: int) -> bytes:
    return _FB.pack(0x80 | FMT_FIR, PSFB, 4, sender, 0) + struct.pack("!IB3x", media, seqno & 0xFF)


def nack(sender: int, media: int, seqs: list[int]) -> bytes:
    """A generic NACK for `seqs`, packed into as few PID+BLP pairs as fit."""
    pairs: list[tuple[int, int]] = []
    for s in sorted(set(seqs), key=lambda v: (v - seqs[0]) & 0xFFFF):
        if pairs:
            pid, blp = pairs[-1]
            gap = (s - pid) & 0xFFFF
            if 1 <= gap <= 16:
                pairs[-1] = (pid, blp | 1 << (gap - 1))
                continue
        pairs.append((s, 0))
    body = b"".join(struct.pack("!HH", pid, blp) for pid, blp in pairs)
    return _FB.pack(0x80 | FMT_NACK, RTPFB, 2 + len(pairs), sender, media) + body


def remb_packet(sender: int, bitrate: int, ssrcs: list[int]) -> bytes:
    exponent = 0
    while bitrate >> exponent > 0x3FFFF:
        exponent += 1
    mantissa = bitrate >> exponent
    body = b"REMB" + struct.pack(
        "!BBH", len(ssrcs), exponent << 2 | mantissa >> 16, mantissa & 0xFFFF
    )
    body += b"".join(struct.pack("!I", s) for s in ssrcs)
    return _FB.pack(0x80 | FMT_AFB, PSFB, 2 + len(body) // 4, sender, 0) + body


def receiver_report(sender: int, blocks: list[tuple[int, int, int, int, int]]) -> bytes:
    """An RR; each block is (SSRC, fraction lost, cumulative lost, highest seq, jitter)."""
    body = b"".join(
        struct.pack("!IIIIII", s, (f & 0xFF) << 24 | (c & 0xFFFFFF), h, j, 0, 0)
        for s, f, c, h, j in blocks
    )
    return struct.pack("!BBHI", 0x80 | len(blocks), RR, 1 + len(body) // 4, sender) + body
