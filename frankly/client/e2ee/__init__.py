"""End-to-end encryption for the SDK, to docs/security.md's wire format.

- `sframe`: the frame format (RFC 9605 with a clear prefix) and the key schedule;
- `keys`: identities, the per-pair key exchange, everyone's keys, the sender policy;
- `media`: the hooks that seal and open the frames aiortc sends and receives.
"""

from frankly.client.e2ee.keys import E2ee, FrameStats, KeyRing, PairState, SafetyCode

__all__ = ["E2ee", "FrameStats", "KeyRing", "PairState", "SafetyCode"]
