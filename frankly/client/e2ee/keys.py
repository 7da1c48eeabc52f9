"""One participant's end-to-end encryption: docs/security.md, *Key exchange* and *Chat*.

`E2ee` is one participant's encryption for one meeting session. It owns an
`Identity` (an ECDH P-256 key pair, new at every fresh join) and the sending
key, runs the per-pair exchange over `e2ee` messages (commit, then identity,
then wrapped sending keys), holds everyone's keys in a `KeyRing`
(frankly.client.e2ee.keyring), and seals and opens frames and chat. Its sender
policy:

- **join**: ratchet our key one step (the newcomer must not read what came
  before it), and tell the newcomer once our pair with it is ready;
- **leave**: draw a fresh random key, tell everyone who remains, and send
  with it one second later, once they have it;
- **passphrase**: every key derives from the room's passphrase; nothing is
  exchanged, nothing ratchets or rotates.

Booth chat (interpreters of one booth, docs/security.md) is sealed for one
peer at a time with the pair's key, under its own associated data, so that
only that peer opens it: not the room, whose members all hold our sending key.

What it opens must come from whom the server says: a frame from the
participant its track belongs to, a chat message from its ``from``; and each
is opened once (a replay is refused).

frankly/web/e2ee/keys.js is the browser's twin, rule for rule (and for
frames, `encrypt` and `decrypt` are its worker.js). Nothing here
does I/O: messages go out through the ``send`` callback, and state changes
come back through ``on_state`` and ``on_keys``.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from frankly.client.e2ee.keyring import KeyRing, SendKey
from frankly.client.e2ee.safety import SafetyCode, safety_code
from frankly.client.e2ee.sframe import (
    BASE_BYTES,
    MAX_GENERATION,
    Kind,
    clear_length,
    decode_header,
    hkdf,
    passphrase_base,
    peek_kid,
    ratchet,
    received_in_clear,
    sender_of,
    sent_in_clear,
)

log = logging.getLogger("frankly.client")

ROTATE_AFTER = 1.0
"""Seconds the others get to receive a rotated key before we send with it."""
KEY_WAIT = 5.0
"""Seconds a chat message waits for its sender's first key (a newcomer's may be on its way)."""

PairState = Literal["pending", "ready", "failed", "passphrase"]
"""Where a pair of participants stands.

``pending``: keys are on their way; ``ready``: each holds the other's keys;
``failed``: their identity did not match their commitment, and no keys flow;
``passphrase``: both derive keys from the room's passphrase.
"""

ChatText = str | None | Literal[False]
"""An opened chat message: its text; None when no key we hold opens it (sent
before we came, or by someone whose keys never reached us); False when it is
refused, never to be shown: sealed by someone other than its ``from``, or a
replay of a message already shown under another id."""


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


def booth_aad(from_id: str, to_id: str) -> bytes:
    """What a booth line is bound to: its sender and its one reader (never a ``key`` payload's)."""
    return f"Frankly booth {from_id} {to_id}".encode()


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


# --- one participant's session ----------------------------------------------------------


@dataclass(slots=True)
class FrameStats:
    """Frames of one participant: ours sealed, or those on their tracks opened and refused.

    ``failed``: did not open (no key of ours, tampered with, or sealed by someone
    other than the participant whose track it came on); ``replayed``: opened
    once already, or too old to tell.
    """

    encrypted: int = 0
    decrypted: int = 0
    failed: int = 0
    replayed: int = 0
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
        self._chat_seen: dict[tuple[int, int], int] = {}  # (KID, CTR) -> the chat id it came as
        self._key_waits: dict[str, asyncio.Event] = {}  # chat waiting for a sender's first key
        self._booth_sent = 0  # booth lines we sealed, numbered so a replay is refused
        self._booth_seen: dict[str, int] = {}  # sender -> the highest line number opened

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
        self._chat_seen = {}
        self._booth_sent, self._booth_seen = 0, {}
        self._wake_all()  # what waited for the old identity's keys opens now, or never
        if room_secret is not None:
            self._identity = None
            self._use(0, passphrase_base(room_secret, self_id))
        else:
            self._identity = Identity()
            self._use(0, secrets.token_bytes(BASE_BYTES))

    def close(self) -> None:
        self._wake_all()  # chat still waiting for a key is settled now
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
        self._wake(peer_id)  # no keys will come
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

    def open_chat(self, sender: str, chat_id: int, sealed: str) -> Awaitable[ChatText]:
        """A sealed chat message that the server relayed as ``chat_id`` from ``sender``.

        Opened at once, with the keys we hold now (a message relayed just
        before its sender's ``left`` still opens). But a newcomer may speak
        before its key reaches us: while the pair with ``sender`` is pending
        (or ready with no key of theirs yet) the message waits for their first
        key, up to `KEY_WAIT`. Either way as `open_chat_now`.
        """
        if self.awaiting_keys(sender):
            return self._open_chat_keyed(sender, chat_id, sealed)
        opened: asyncio.Future[ChatText] = asyncio.get_running_loop().create_future()
        opened.set_result(self.open_chat_now(sender, chat_id, sealed))
        return opened

    async def _open_chat_keyed(self, sender: str, chat_id: int, sealed: str) -> ChatText:
        if self.awaiting_keys(sender):  # (their key may have come meanwhile)
            waiting = self._key_waits.setdefault(sender, asyncio.Event())
            try:
                await asyncio.wait_for(waiting.wait(), KEY_WAIT)
            except TimeoutError:
                log.info("no key from %s came in %.0f s: its chat stays closed", sender, KEY_WAIT)
        return self.open_chat_now(sender, chat_id, sealed)

    def open_chat_now(self, sender: str, chat_id: int, sealed: str) -> ChatText:
        """A sealed chat message opened with the keys we hold now (see `ChatText`).

        Its KID, which the seal authenticates, must name ``sender``; and the
        same sealed message (KID and CTR) is shown once, under the first id it
        came as: that id again is the same message, another id a replay.
        """
        try:
            data = unb64(sealed)
        except ValueError:
            return None
        header = decode_header(data)
        if header is None:
            return None
        kid, ctr, _ = header
        if sender_of(kid)[0] != sender:
            log.warning("a chat message said to be from %s was sealed by someone else", sender)
            return False
        plain = self.ring.unseal(data, 0, "chat").frame
        if plain is None:
            return None
        if self._chat_seen.setdefault((kid, ctr), chat_id) != chat_id:
            log.warning("a chat message from %s came again as %s: a replay", sender, chat_id)
            return False
        try:
            return plain.decode()
        except UnicodeDecodeError:
            return None

    # --- booth chat ------------------------------------------------------------------

    def seal_for(self, peer_id: str, text: str) -> str | None:
        """A booth line for ``peer_id`` alone, sealed with our pair key; None before it is ready."""
        pair = self._pairs.get(peer_id)
        if pair is None or pair.key is None:
            return None
        self._booth_sent += 1
        iv = secrets.token_bytes(12)
        body = json.dumps({"n": self._booth_sent, "text": text}).encode()
        data = AESGCM(pair.key).encrypt(iv, body, booth_aad(self.self_id, peer_id))
        return b64(iv + data)

    def open_from(self, peer_id: str, sealed: str) -> str | None:
        """A booth line from ``peer_id`` to us, opened; None if it is not, or is a replay."""
        pair = self._pairs.get(peer_id)
        if pair is None or pair.key is None:
            return None
        try:
            raw = unb64(sealed)
            plain = AESGCM(pair.key).decrypt(raw[:12], raw[12:], booth_aad(peer_id, self.self_id))
            body = json.loads(plain)
        except (InvalidTag, ValueError):
            return None
        if not isinstance(body, dict):
            return None
        n, text = body.get("n"), body.get("text")
        if not isinstance(n, int) or not isinstance(text, str):
            return None
        if n <= self._booth_seen.get(peer_id, 0):
            log.warning("a booth line from %s came again: a replay", peer_id)
            return None
        self._booth_seen[peer_id] = n
        return text

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

    def decrypt(self, kind: Kind, frame: bytes, sender: str | None) -> bytes | None:
        """One received encoded frame, opened; None (drop it) when refused.

        ``sender`` is the participant the frame's track belongs to (the one its
        tile names; None while it belongs to nobody). The frame must be sealed
        with a key of theirs, and new to that key's replay window.
        """
        if received_in_clear(kind, frame):
            return frame
        started = time.perf_counter()
        clear = clear_length(kind, frame)
        kid = peek_kid(frame, clear)
        stats = self._stats(sender or "?")
        if sender is None or kid is None or sender_of(kid)[0] != sender:
            plain, replayed = None, False  # another's frame on this track: not theirs to show
        else:
            plain, replayed = self.ring.unseal(frame, clear)[1:]
        if plain is not None:
            stats.decrypted += 1
        elif replayed:
            stats.replayed += 1
        else:
            stats.failed += 1
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
        self._wake(peer_id)
        self._on_keys(peer_id)

    def _send_key(self, peer_id: str, pair: _Pair, gen: int, base: bytes) -> None:
        assert pair.key is not None
        self._send(peer_id, wrap_key(pair.key, self.self_id, peer_id, gen, base))

    def _fail(self, peer_id: str, pair: _Pair, why: str) -> None:
        log.warning("end-to-end encryption with %s failed: %s; no keys go to it", peer_id, why)
        pair.state = "failed"
        pair.key = None
        self.ring.forget(peer_id)
        self._wake(peer_id)  # no keys will come
        self._on_state(peer_id, "failed")

    def _wake(self, peer_id: str) -> None:
        """Chat waiting for ``peer_id``'s key is opened now (or never will be)."""
        waiting = self._key_waits.pop(peer_id, None)
        if waiting is not None:
            waiting.set()

    def _wake_all(self) -> None:
        for peer_id in list(self._key_waits):
            self._wake(peer_id)

    def _stats(self, participant_id: str) -> FrameStats:
        stats = self.stats.get(participant_id)
        if stats is None:
            stats = self.stats[participant_id] = FrameStats()
        return stats
