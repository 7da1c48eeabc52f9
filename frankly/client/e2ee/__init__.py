"""End-to-end encryption for the SDK, to docs/security.md's wire format.

Module for module the twin of frankly/web/e2ee:

- `sframe`: the frame format (RFC 9605 with a clear prefix) and the key schedule;
- `safety`: the safety code two participants compare;
- `keyring`: everyone's keys by KID, and a replay window per key;
- `keys`: identities, the per-pair key exchange, the sender policy, chat;
- `media`: the hooks that seal and open the frames aiortc sends and receives.
"""

from frankly.client.e2ee.keyring import KeyRing
from frankly.client.e2ee.keys import E2ee, FrameStats, PairState
from frankly.client.e2ee.safety import SafetyCode

__all__ = ["E2ee", "FrameStats", "KeyRing", "PairState", "SafetyCode"]
