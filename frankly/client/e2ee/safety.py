"""The safety code two participants compare: docs/security.md, *Safety code*.

A leaf module: 36 bits of a hash over both public keys, read as six emoji
from a fixed list. frankly/web/e2ee/safety.js is its browser twin, with the
same list in the same order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# The 64 emoji of the safety code, in order. frankly/web/e2ee/safety.js has the
# same list; neither may ever change, or the two sides would show different codes.
SAFETY_EMOJI: tuple[tuple[str, str], ...] = (
    ("🐶", "dog"),
    ("🐱", "cat"),
    ("🦁", "lion"),
    ("🐴", "horse"),
    ("🦄", "unicorn"),
    ("🐷", "pig"),
    ("🐘", "elephant"),
    ("🐰", "rabbit"),
    ("🐼", "panda"),
    ("🐓", "rooster"),
    ("🐧", "penguin"),
    ("🐢", "turtle"),
    ("🐟", "fish"),
    ("🐙", "octopus"),
    ("🦋", "butterfly"),
    ("🌷", "tulip"),
    ("🌳", "tree"),
    ("🌵", "cactus"),
    ("🍄", "mushroom"),
    ("🌏", "globe"),
    ("🌙", "moon"),
    ("🔥", "fire"),
    ("🍌", "banana"),
    ("🍎", "apple"),
    ("🍓", "strawberry"),
    ("🌽", "corn"),
    ("🍕", "pizza"),
    ("🎂", "cake"),
    ("😀", "smiley"),
    ("🤖", "robot"),
    ("🎩", "top hat"),
    ("👓", "glasses"),
    ("🔧", "wrench"),
    ("🎅", "Santa"),
    ("👍", "thumbs up"),
    ("🌂", "umbrella"),
    ("⌛", "hourglass"),
    ("⏰", "alarm clock"),
    ("🎁", "gift"),
    ("💡", "light bulb"),
    ("📕", "book"),
    ("📎", "paperclip"),
    ("🔨", "hammer"),
    ("📞", "telephone"),
    ("🏁", "chequered flag"),
    ("🚂", "train"),
    ("🚲", "bicycle"),
    ("🚀", "rocket"),
    ("🏆", "trophy"),
    ("⚽", "football"),
    ("🎸", "guitar"),
    ("🎺", "trumpet"),
    ("🔔", "bell"),
    ("⚓", "anchor"),
    ("🎧", "headphones"),
    ("📁", "folder"),
    ("📌", "pushpin"),
    ("🐝", "bee"),
    ("🦀", "crab"),
    ("🦉", "owl"),
    ("🐸", "frog"),
    ("🍋", "lemon"),
    ("🍇", "grapes"),
    ("🥕", "carrot"),
)


@dataclass(frozen=True, slots=True)
class SafetyCode:
    """The six emoji two participants compare, aloud or side by side.

    They match on both sides when nobody swapped the keys on the way.
    """

    emoji: tuple[str, ...]
    names: tuple[str, ...]

    def __str__(self) -> str:
        return " ".join(self.emoji)


def safety_code(id_a: str, public_a: bytes, id_b: str, public_b: bytes) -> SafetyCode:
    """SHA-256("Frankly safety" | pub of the lower id | pub of the higher id), 36 bits of it."""
    low, high = (public_a, public_b) if id_a < id_b else (public_b, public_a)
    digest = hashlib.sha256(b"Frankly safety" + low + high).digest()
    bits = int.from_bytes(digest[:5], "big") >> 4  # 40 bits read, the first 36 kept
    picks = [SAFETY_EMOJI[(bits >> (6 * i)) & 63] for i in range(5, -1, -1)]
    return SafetyCode(tuple(e for e, _ in picks), tuple(n for _, n in picks))
