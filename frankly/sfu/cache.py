"""A ring of recent packets per published stream, for answering NACKs.

Leaf module. A packet is stored once, by sequence number modulo the ring
size; a lookup checks the stored sequence number so a slot reused by a newer
packet is never mistaken for the one asked for.
"""

from __future__ import annotations


class PacketCache:
    __slots__ = ("_packets", "_seqs", "_size")

    def __init__(self, size: int) -> None:
        self._size = size
        self._seqs = [-1] * size
        self._packets: list[bytes] = [b""] * size

    def put(self, seq: int, packet: bytes) -> None:
        slot = seq % self._size
        self._seqs[slot] = seq
        self._packets[slot] = packet

    def get(self, seq: int) -> bytes | None:
        slot = seq % self._size
        return self._packets[slot] if self._seqs[slot] == seq else None

    def clear(self) -> None:
        self._seqs = [-1] * self._size
        self._packets = [b""] * self._size
