"""Every sender's keys as one participant holds them: docs/security.md, *Sending keys*.

`KeyRing` finds a frame's key by its KID (ratcheting a known generation
forward when the frame is ahead of it) and keeps, beside each key, the
`ReplayWindow` that plays each media frame once. `SendKey` is what we seal
with. frankly/web/e2ee/keyring.js is the browser's twin: one ring lives in its
frame worker for media and one on the page for chat.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from frankly.client.e2ee.sframe import (
    FrameKey,
    chat_base,
    decode_header,
    frame_key,
    kid_for,
    passphrase_base,
    ratchet,
    seal,
    sender_of,
    unseal,
)

KEEP_GENERATIONS = 4
"""Generations kept per sender, for frames still in flight."""
MAX_RATCHET = 16
"""A frame further ahead of the newest generation we hold is not worth ratcheting toward."""
REPLAY_WINDOW = 4096
"""Media frames of one sender key that may arrive out of order.

A sender's counter runs across all its tracks (audio, each simulcast layer,
a screen), some 200 frames a second, and each track has its own jitter
buffer: 4096 is some twenty seconds of lateness, far more than any buffer
holds. A frame older than that is refused.
"""

Use = Literal["media", "chat"]


class ReplayWindow:
    """The counters of one sender key seen lately, so that each frame plays once.

    ``top`` is the highest counter accepted; bit *i* of ``seen`` stands for
    ``top - i``. Only a frame that authenticated is recorded, so a forged
    counter cannot push the window past the sender's real frames.
    """

    __slots__ = ("seen", "top")

    def __init__(self) -> None:
        self.top = -1
        self.seen = 0

    def fresh(self, ctr: int) -> bool:
        """Whether a frame of ``ctr`` was never accepted and is not too old to judge."""
        if ctr > self.top:
            return True
        back = self.top - ctr
        return back < REPLAY_WINDOW and not self.seen >> back & 1

    def accept(self, ctr: int) -> bool:
        """Record ``ctr``; False (and nothing recorded) if it is not `fresh`."""
        if not self.fresh(ctr):
            return False
        if ctr > self.top:
            shift = ctr - self.top
            self.seen = (self.seen << shift | 1) & ((1 << REPLAY_WINDOW) - 1)
            self.top = ctr
        else:
            self.seen |= 1 << (self.top - ctr)
        return True


@dataclass(slots=True)
class _Generation:
    base: bytes
    told: bool
    """Told by its sender; else derived here (a ratchet, or the passphrase)."""
    keys: dict[Use, FrameKey] = field(default_factory=dict)
    """Frame keys by use, derived when first needed."""
    window: ReplayWindow = field(default_factory=ReplayWindow)
    """The media frames of this key played so far."""


class Opened(NamedTuple):
    """What became of one sealed frame."""

    sender: str | None
    """The participant its KID names; None when it has no whole header."""
    frame: bytes | None
    """The opened frame; None when refused."""
    replayed: bool = False
    """Refused because a frame of that counter was played already (or is too old)."""


class KeyRing:
    """Every sender's keys as one participant holds them, found by KID.

    It keeps the newest `KEEP_GENERATIONS` of each sender. A frame of a newer
    generation is tried with the newest one ratcheted forward, and that key is
    kept if it opens the frame. In a passphrase room (``room_secret``) any
    sender's generation 0 derives from the secret, and is kept after the sender
    leaves: forgetting it would buy nothing (anyone may derive it again) and
    would lose its replay window.
    """

    def __init__(self, room_secret: bytes | None = None) -> None:
        self.room_secret = room_secret
        self._senders: dict[str, dict[int, _Generation]] = {}

    def add(self, participant_id: str, gen: int, base: bytes) -> None:
        """A key its sender told us (or our own)."""
        self._put(participant_id, gen, _Generation(base, told=True))

    def forget(self, participant_id: str) -> None:
        if self.room_secret is None:
            self._senders.pop(participant_id, None)

    def holds(self, participant_id: str) -> bool:
        """Whether we hold any key of this sender."""
        return bool(self._senders.get(participant_id))

    def generations(self, participant_id: str) -> list[int]:
        """The generations held for a sender, oldest first."""
        return sorted(self._senders.get(participant_id, {}))

    def copy(self) -> KeyRing:
        """A snapshot: what this ring opens now, unaffected by what it learns later.

        Its replay windows start empty: it opens again what this one played.
        """
        twin = KeyRing(self.room_secret)
        for sender, gens in self._senders.items():
            twin._senders[sender] = {
                g: _Generation(e.base, e.told, dict(e.keys)) for g, e in gens.items()
            }
        return twin

    def unseal(self, data: bytes, clear: int, use: Use = "media") -> Opened:
        """A sealed frame opened with the key its KID names, if we hold (or can derive) it.

        A media frame also has to be new to that key's `ReplayWindow`; chat has
        its own rule (`frankly.client.e2ee.keys.E2ee.open_chat_now`).
        """
        header = decode_header(data, clear)
        if header is None:
            return Opened(None, None)
        kid, ctr, _ = header
        sender, gen = sender_of(kid)
        entry = self._senders.get(sender, {}).get(gen)
        guess = self._reach(sender, gen) if entry is None else None
        held = entry or guess
        if held is None:
            return Opened(sender, None)
        if use == "media" and not held.window.fresh(ctr):
            return Opened(sender, None, replayed=True)
        opened = unseal(self._frame_key(held, kid, use), data, clear)
        if opened is None:
            return Opened(sender, None)
        if guess is not None:
            self._put(sender, gen, guess)
        if use == "media" and not held.window.accept(ctr):
            return Opened(sender, None, replayed=True)
        return Opened(sender, opened)

    def _reach(self, sender: str, gen: int) -> _Generation | None:
        """A generation we were not told: from the passphrase, or by ratchet."""
        if self.room_secret is not None:
            if gen != 0:
                return None
            derived = _Generation(passphrase_base(self.room_secret, sender), told=False)
            self._put(sender, 0, derived)  # the only key it can be: keep it either way
            return derived
        below = [g for g in self._senders.get(sender, {}) if g < gen]
        if not below or gen - max(below) > MAX_RATCHET:
            return None
        base = self._senders[sender][max(below)].base
        for _ in range(gen - max(below)):
            base = ratchet(base)
        return _Generation(base, told=False)

    def _put(self, sender: str, gen: int, entry: _Generation) -> None:
        gens = self._senders.setdefault(sender, {})
        had = gens.get(gen)
        if had is not None and had.told and not entry.told:
            return  # what the sender said beats our guess
        if had is not None and had.base == entry.base:
            had.told = had.told or entry.told
            return  # the same key: its replay window goes on
        gens[gen] = entry
        for old in sorted(gens)[:-KEEP_GENERATIONS]:
            del gens[old]

    @staticmethod
    def _frame_key(entry: _Generation, kid: int, use: Use) -> FrameKey:
        fk = entry.keys.get(use)
        if fk is None:
            base = chat_base(entry.base) if use == "chat" else entry.base
            fk = entry.keys[use] = frame_key(base, kid)
        return fk


class SendKey:
    """What we seal with: one generation of our key and its frame counter."""

    def __init__(self, participant_id: str, gen: int, base: bytes) -> None:
        self.gen = gen
        self.base = base
        self.kid = kid_for(participant_id, gen)
        self.media = frame_key(base, self.kid)
        self.chat = frame_key(chat_base(base), self.kid)
        self.ctr = 0
        """The next media frame's CTR: from 0, across all our tracks and connections."""

    def seal_frame(self, data: bytes, clear: int) -> bytes:
        ctr, self.ctr = self.ctr, self.ctr + 1
        return seal(self.media, ctr, data, clear)

    def seal_chat(self, text: str) -> bytes:
        # A random 64-bit CTR: chat has no counter shared across clients and reloads.
        return seal(self.chat, secrets.randbits(64), text.encode())
