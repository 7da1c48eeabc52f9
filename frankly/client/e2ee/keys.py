"""Keys for end-to-end encryption: docs/security.md, *Sending keys* and *Key exchange*.

`E2ee` is one participant's encryption for one meeting session. It owns an
`Identity` (an ECDH P-256 key pair, new at every fresh join) and the sending
key, runs the per-pair exchange over `e2ee` messages (commit, then identity,
then wrapped sending keys), holds everyone's keys in a `KeyRing`, and seals
and opens frames and chat. Its sender policy:

- **join**: ratchet our key one step (the newcomer must not read what came
  before it), and tell the newcomer once our pair with it is ready;
- **leave**: draw a fresh random key, tell everyone who remains, and send
  with it one second later, once they have it;
- **passphrase**: every key derives from the room's passphrase; nothing is
  exchanged, nothing ratchets or rotates.

Nothing here does I/O: messages go out through the ``send`` callback, and
state changes come back through ``on_state`` and ``on_keys``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from frankly.client.e2ee.sframe import (
    BASE_BYTES,
    MAX_GENERATION,
    FrameKey,
    Kind,
    chat_base,
    clear_length,
    frame_key,
    hkdf,
    kid_for,
    passphrase_base,
    peek_kid,
    ratchet,
    received_in_clear,
    seal,
    sender_of,
    sent_in_clear,
    unseal,
)

log = logging.getLogger("frankly.client")

ROTATE_AFTER = 1.0
"""Seconds the others get to receive a rotated key before we send with it."""
KEEP_GENERATIONS = 4
"""Generations kept per sender, for frames still in flight."""
MAX_RATCHET = 16
"""A frame further ahead of the newest generation we hold is not worth ratcheting toward."""

PairState = Literal["pending", "ready", "failed", "passphrase"]
"""Where a pair of participants stands.

``pending``: keys are on their way; ``ready``: each holds the other's keys;
``failed``: their identity did not match their commitment, and no keys flow;
``passphrase``: both derive keys from the room's passphrase.
"""

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


# --- encoding -------------------------------------------------------------------


def b64(data: bytes) -> str:
    """Standard base64 with padding, as the wire carries bytes."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Bytes from standard base64; `ValueError` for anything else."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None


# --- identities and pairs ----------------------------------------------------------


def commitment(public: bytes) -> bytes:
    """SHA-256("Frankly commit" | pub): what a peer commits to before revealing its key."""
    return hashlib.sha256(b"Frankly commit" + public).digest()


class Identity:
    """An ECDH P-256 key pair: who we are for one meeting session."""

    def __init__(self) -> None:
        self._private = ec.generate_private_key(ec.SECP256R1())
        self.public = self._private.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        """The raw uncompressed public key (65 bytes)."""
        self.commit = b64(commitment(self.public))

    def pair_key(self, my_id: str, their_id: str, their_public: bytes) -> bytes:
        """The 32-byte key we share with ``their_id``; `ValueError` for a bad public key."""
        theirs = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), their_public)
        shared = self._private.exchange(ec.ECDH(), theirs)  # the x-coordinate
        low, high = sorted((my_id, their_id))
        return hkdf(shared, f"Frankly pair {low} {high}", 32)


def wrap_key(pair: bytes, from_id: str, to_id: str, gen: int, base: bytes) -> dict[str, Any]:
    """A ``key`` payload: one sending key, sealed for one peer with our pair key."""
    iv = secrets.token_bytes(12)
    body = json.dumps({"gen": gen, "key": b64(base)}).encode()
    data = AESGCM(pair).encrypt(iv, body, f"{from_id} {to_id}".encode())
    return {"kind": "key", "iv": b64(iv), "data": b64(data)}


def unwrap_key(
    pair: bytes, from_id: str, to_id: str, payload: dict[str, Any]
) -> tuple[int, bytes] | None:
    """The generation and base key of a ``key`` payload; None if it does not open or parse."""
    try:
        iv = unb64(str(payload["iv"]))
        data = unb64(str(payload["data"]))
        body = AESGCM(pair).decrypt(iv, data, f"{from_id} {to_id}".encode())
        told = json.loads(body)
        gen, base = told["gen"], unb64(str(told["key"]))
    except (KeyError, TypeError, ValueError, InvalidTag):
        return None
    if not isinstance(gen, int) or not 0 <= gen <= MAX_GENERATION or len(base) != BASE_BYTES:
        return None
    return gen, base


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


# --- everyone's keys -------------------------------------------------------------------


@dataclass(slots=True)
class _Generation:
    base: bytes
    told: bool
    """Told by its sender; else derived here (a ratchet, or the passphrase)."""
    keys: dict[str, FrameKey] = field(default_factory=dict)
    """Frame keys by use (``media``, ``chat``), derived when first needed."""


class KeyRing:
    """Every sender's keys as one participant holds them, found by KID.

    It keeps the newest `KEEP_GENERATIONS` of each sender. A frame of a newer
    generation is tried with the newest one ratcheted forward, and that key is
    kept if it opens the frame. In a passphrase room (``room_secret``) any
    sender's generation 0 derives from the secret.
    """

    def __init__(self, room_secret: bytes | None = None) -> None:
        self.room_secret = room_secret
        self._senders: dict[str, dict[int, _Generation]] = {}

    def add(self, participant_id: str, gen: int, base: bytes) -> None:
        """A key its sender told us (or our own)."""
        self._put(participant_id, gen, _Generation(base, told=True))

    def forget(self, participant_id: str) -> None:
        self._senders.pop(participant_id, None)

    def holds(self, participant_id: str) -> bool:
        """Whether we hold any key of this sender."""
        return bool(self._senders.get(participant_id))

    def generations(self, participant_id: str) -> list[int]:
        """The generations held for a sender, oldest first."""
        return sorted(self._senders.get(participant_id, {}))

    def copy(self) -> KeyRing:
        """A snapshot: what this ring opens now, unaffected by what it learns later."""
        twin = KeyRing(self.room_secret)
        for sender, gens in self._senders.items():
            twin._senders[sender] = {
                g: _Generation(e.base, e.told, dict(e.keys)) for g, e in gens.items()
            }
        return twin

    def unseal(
        self, data: bytes, clear: int, use: str = "media"
    ) -> tuple[str | None, bytes | None]:
        """``(sender, frame)`` for a sealed frame; the frame is None if no key we hold opens it.

        The sender is read from the KID (None when there is no whole header).
        """
        kid = peek_kid(data, clear)
        if kid is None:
            return None, None
        sender, gen = sender_of(kid)
        held = self._senders.get(sender, {}).get(gen)
        if held is not None:
            return sender, unseal(self._frame_key(held, kid, use), data, clear)
        guess = self._reach(sender, gen)
        if guess is None:
            return sender, None
        opened = unseal(self._frame_key(guess, kid, use), data, clear)
        if opened is not None:
            self._put(sender, gen, guess)
        return sender, opened

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
            return
        gens[gen] = entry
        for old in sorted(gens)[:-KEEP_GENERATIONS]:
            del gens[old]

    @staticmethod
    def _frame_key(entry: _Generation, kid: int, use: str) -> FrameKey:
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


# --- one participant's session ----------------------------------------------------------


@dataclass(slots=True)
class FrameStats:
    """Frames of one sender: ours sealed, or theirs opened and refused, and the time spent."""

    encrypted: int = 0
    decrypted: int = 0
    failed: int = 0
    encrypt_seconds: float = 0.0
    decrypt_seconds: float = 0.0


@dataclass(slots=True)
class _Pair:
    state: PairState = "pending"
    sent_commit: bool = False
    sent_identity: bool = False
    their_commit: str | None = None
    their_public: bytes | None = None
    key: bytes | None = None


SendPayload = Callable[[str, dict[str, Any]], None]


def _ignore(*_: object) -> None:
    pass


class E2ee:
    """One participant's end-to-end encryption, from `start` until the next `start`.

    ``send(peer_id, payload)`` sends an ``e2ee`` payload to one peer;
    ``on_state(peer_id, state)`` reports a pair's new `PairState`;
    ``on_keys(peer_id)`` reports a key of theirs newly received.
    """

    def __init__(
        self,
        send: SendPayload,
        *,
        on_state: Callable[[str, PairState], None] = _ignore,
        on_keys: Callable[[str], None] = _ignore,
        rotate_after: float = ROTATE_AFTER,
    ) -> None:
        self._send = send
        self._on_state = on_state
        self._on_keys = on_keys
        self.rotate_after = rotate_after
        self.self_id = ""
        self.ring = KeyRing()
        self.sending: SendKey | None = None
        self.stats: dict[str, FrameStats] = {}
        self._identity: Identity | None = None
        self._pairs: dict[str, _Pair] = {}
        self._gone: set[str] = set()
        self._next: tuple[int, bytes] | None = None  # a rotated key, not yet sent with
        self._timer: asyncio.TimerHandle | None = None

    # --- lifecycle ---------------------------------------------------------------

    def start(self, self_id: str, room_secret: bytes | None = None) -> None:
        """Begin as ``self_id``: a new identity and a first key (a fresh join is someone new).

        With ``room_secret`` (`sframe.room_secret`) the room is in passphrase mode.
        """
        self.close()
        self.self_id = self_id
        self.ring = KeyRing(room_secret)
        self.stats = {}
        self._pairs = {}
        self._gone = set()
        self._next = None
        if room_secret is not None:
            self._identity = None
            self._use(0, passphrase_base(room_secret, self_id))
        else:
            self._identity = Identity()
            self._use(0, secrets.token_bytes(BASE_BYTES))

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    @property
    def passphrase(self) -> bool:
        """Whether keys derive from a passphrase (and none are exchanged)."""
        return self.ring.room_secret is not None

    # --- who is here -----------------------------------------------------------------

    def peer_added(self, peer_id: str, *, late: bool) -> None:
        """``peer_id`` is in the room with us; ``late`` when they came after us."""
        self._gone.discard(peer_id)
        if self.passphrase:
            self._pairs.setdefault(peer_id, _Pair(state="passphrase"))
            return
        if late:
            # So that they cannot read what came before them.
            self._settle()
            assert self.sending is not None
            self._use((self.sending.gen + 1) & MAX_GENERATION, ratchet(self.sending.base))
        self._pair(peer_id)

    def peer_removed(self, peer_id: str) -> None:
        """``peer_id`` left: a fresh key for those who remain, used once they have it."""
        self._pairs.pop(peer_id, None)
        self._gone.add(peer_id)
        self.ring.forget(peer_id)
        if self.passphrase or self.sending is None:
            return
        newest = max(self.sending.gen, self._next[0] if self._next else 0)
        self._next = ((newest + 1) & MAX_GENERATION, secrets.token_bytes(BASE_BYTES))
        for peer, pair in self._pairs.items():
            if pair.state == "ready":
                self._send_key(peer, pair, *self._next)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.rotate_after, self._settle)

    # --- what peers send ------------------------------------------------------------------

    def handle(self, sender: str, payload: Any) -> None:
        """An ``e2ee`` payload from ``sender``. Unknown kinds are ignored."""
        if self.passphrase or self._identity is None or not isinstance(payload, dict):
            return
        if sender in self._gone or sender == self.self_id:
            return
        pair = self._pair(sender)
        kind = payload.get("kind")
        if kind == "commit" and isinstance(payload.get("commit"), str):
            self._commit_received(sender, pair, payload["commit"])
        elif kind == "identity" and isinstance(payload.get("key"), str):
            self._identity_received(sender, pair, payload["key"])
        elif kind == "key":
            self._key_received(sender, pair, payload)

    # --- what the application asks ---------------------------------------------------------

    def state(self, peer_id: str) -> PairState | None:
        """The pair with ``peer_id``; None for someone we do not know."""
        pair = self._pairs.get(peer_id)
        return pair.state if pair is not None else None

    def safety_code(self, peer_id: str) -> SafetyCode | None:
        """The code to compare with ``peer_id``; None until keys are exchanged, or by passphrase."""
        pair = self._pairs.get(peer_id)
        if pair is None or pair.state != "ready" or pair.their_public is None:
            return None
        assert self._identity is not None
        return safety_code(self.self_id, self._identity.public, peer_id, pair.their_public)

    def awaiting_keys(self, peer_id: str) -> bool:
        """Whether ``peer_id`` is here and its keys may still come (none held yet)."""
        pair = self._pairs.get(peer_id)
        waiting = pair is not None and pair.state in ("pending", "ready")
        return waiting and not self.ring.holds(peer_id)

    # --- chat ---------------------------------------------------------------------------

    def seal_chat(self, text: str) -> str:
        """A chat text sealed with our current key, for the ``sealed`` field."""
        if self.sending is None:
            raise RuntimeError("encryption has not started")
        return b64(self.sending.seal_chat(text))

    def open_chat(self, sender: str, sealed: str) -> str | None:
        """The text of a sealed chat message from ``sender``; None if no key we hold opens it."""
        try:
            data = unb64(sealed)
        except ValueError:
            return None
        kid = peek_kid(data)
        if kid is None or sender_of(kid)[0] != sender:
            return None  # sealed under someone else's name
        _, plain = self.ring.unseal(data, 0, "chat")
        if plain is None:
            return None
        try:
            return plain.decode()
        except UnicodeDecodeError:
            return None

    # --- media (frankly.client.e2ee.media.FrameCrypto) ----------------------------------

    def encrypt(self, kind: Kind, frame: bytes) -> bytes | None:
        """One encoded frame to send, sealed; None (drop it) before there is a key."""
        if sent_in_clear(kind, frame):
            return frame
        key = self.sending
        if key is None:
            return None
        started = time.perf_counter()
        sealed = key.seal_frame(frame, clear_length(kind, frame))
        stats = self._stats(self.self_id)
        stats.encrypted += 1
        stats.encrypt_seconds += time.perf_counter() - started
        return sealed

    def decrypt(self, kind: Kind, frame: bytes) -> bytes | None:
        """One received encoded frame, opened; None (drop it) if no key we hold opens it."""
        if received_in_clear(kind, frame):
            return frame
        started = time.perf_counter()
        sender, plain = self.ring.unseal(frame, clear_length(kind, frame))
        stats = self._stats(sender or "?")
        if plain is None:
            stats.failed += 1
        else:
            stats.decrypted += 1
        stats.decrypt_seconds += time.perf_counter() - started
        return plain

    # --- internals: our key ------------------------------------------------------------------

    def _use(self, gen: int, base: bytes) -> None:
        """Send with generation ``gen`` of key ``base`` from now on."""
        self.sending = SendKey(self.self_id, gen, base)
        self.ring.add(self.self_id, gen, base)  # our own chat comes back to us

    def _settle(self) -> None:
        """Start sending with the rotated key, if one waits."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._next is not None:
            self._use(*self._next)
            self._next = None

    # --- internals: pairs ----------------------------------------------------------------------

    def _pair(self, peer_id: str) -> _Pair:
        """The pair with ``peer_id``, begun (our commitment sent) if new."""
        pair = self._pairs.get(peer_id)
        if pair is None:
            assert self._identity is not None
            pair = self._pairs[peer_id] = _Pair(sent_commit=True)
            self._send(peer_id, {"kind": "commit", "commit": self._identity.commit})
        return pair

    def _commit_received(self, peer_id: str, pair: _Pair, commit: str) -> None:
        if pair.their_commit is not None and pair.their_commit != commit:
            # One identity per participant id: a second would let a server try again.
            self._fail(peer_id, pair, "committed twice")
            return
        pair.their_commit = commit
        # Reveal only once both are committed: neither side can then pick its key
        # after seeing the other's, so a swap cannot be made to show matching codes.
        if pair.sent_commit and not pair.sent_identity and pair.state == "pending":
            assert self._identity is not None
            pair.sent_identity = True
            self._send(peer_id, {"kind": "identity", "key": b64(self._identity.public)})

    def _identity_received(self, peer_id: str, pair: _Pair, key: str) -> None:
        if pair.state != "pending":
            return
        assert self._identity is not None
        try:
            public = unb64(key)
        except ValueError:
            public = b""
        if pair.their_commit is None or b64(commitment(public)) != pair.their_commit:
            self._fail(peer_id, pair, "its identity does not match its commitment")
            return
        try:
            pair.key = self._identity.pair_key(self.self_id, peer_id, public)
        except ValueError:
            self._fail(peer_id, pair, "its identity is not a P-256 public key")
            return
        pair.their_public = public
        pair.state = "ready"
        self._on_state(peer_id, "ready")
        assert self.sending is not None
        self._send_key(peer_id, pair, self.sending.gen, self.sending.base)
        if self._next is not None:
            self._send_key(peer_id, pair, *self._next)

    def _key_received(self, peer_id: str, pair: _Pair, payload: dict[str, Any]) -> None:
        if pair.key is None:
            log.warning("a key from %s before our pair was ready: ignored", peer_id)
            return
        told = unwrap_key(pair.key, peer_id, self.self_id, payload)
        if told is None:
            log.warning("a key from %s did not open", peer_id)
            return
        self.ring.add(peer_id, *told)
        self._on_keys(peer_id)

    def _send_key(self, peer_id: str, pair: _Pair, gen: int, base: bytes) -> None:
        assert pair.key is not None
        self._send(peer_id, wrap_key(pair.key, self.self_id, peer_id, gen, base))

    def _fail(self, peer_id: str, pair: _Pair, why: str) -> None:
        log.warning("end-to-end encryption with %s failed: %s; no keys go to it", peer_id, why)
        pair.state = "failed"
        pair.key = None
        self.ring.forget(peer_id)
        self._on_state(peer_id, "failed")

    def _stats(self, participant_id: str) -> FrameStats:
        stats = self.stats.get(participant_id)
        if stats is None:
            stats = self.stats[participant_id] = FrameStats()
        return stats
