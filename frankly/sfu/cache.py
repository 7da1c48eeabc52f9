"""A ring of recent packets per published stream, and that stream's loss statistics.

Leaf module. A packet is stored once, by sequence number modulo the ring
size; a lookup checks the stored sequence number so a slot reused by a newer
packet is never mistaken for the one asked for. Storing a packet also counts
it, as Galène's packet cache does: what was received, the extended highest
sequence number, and from them what a receiver report says was lost.
"""

from __future__ import annotations

from frankly.sfu.rtp import seq_diff


class PacketCache:
    __slots__ = ("_packets", "_reported", "_seqs", "_size", "cycles", "highest", "lost", "received")

    def __init__(self, size: int) -> None:
        self._size = size
        self._seqs = [-1] * size
        self._packets: list[bytes] = [b""] * size
        self.highest = -1  # the newest sequence number stored; -1 before the first
        self.cycles = 0  # times the sequence number wrapped past 65535
        self.received = 0
        self.lost = 0  # cumulative, as the receiver reports so far said
        # (extended highest, received) at the last report; -1: no report yet.
        self._reported = (-1, 0)

    def put(self, seq: int, packet: bytes) -> int:
        """Store and count a packet; return how many sequence numbers it skipped.

        0 when it follows the newest one, is late, is a duplicate or is the
        first. A gap is not yet loss: a reordered packet may still fill it.
        """
        slot = seq % self._size
        self._seqs[slot] = seq
        self._packets[slot] = packet
        self.received += 1
        if self.highest < 0:
            self.highest = seq
            return 0
        ahead = seq_diff(seq, self.highest)
        if ahead < 0:
            return 0
        if seq < self.highest:
            self.cycles += 1
        self.highest = seq
        return ahead - 1 if ahead > 1 else 0

    def get(self, seq: int) -> bytes | None:
        slot = seq % self._size
        return self._packets[slot] if self._seqs[slot] == seq else None

    def clear(self) -> None:
        self._seqs = [-1] * self._size
        self._packets = [b""] * self._size

    def loss_report(self) -> tuple[int, int, int]:
        """(fraction lost /256, cumulative lost, extended highest seq) since the last call.

        What a receiver report block says (RFC 3550, 6.4.1). Publishers'
        loss-based rate control needs it; without it a browser's estimate
        does not grow. The first report has nothing to compare with.
        """
        highest = self.cycles << 16 | self.highest
        last_highest, last_received = self._reported
        if last_highest < 0:
            last_highest = highest - self.received
        expected = highest - last_highest
        lost = max(0, expected - (self.received - last_received))
        self.lost += lost
        self._reported = (highest, self.received)
        fraction = (lost * 256 // expected) if expected > 0 else 0
        return min(fraction, 255), self.lost, highest
