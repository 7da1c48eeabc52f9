"""The key exchange, the key ring and the sender policy, between in-memory sessions."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from frankly.client.e2ee.keyring import KEEP_GENERATIONS, KeyRing, SendKey
from frankly.client.e2ee.keys import E2ee, b64, commitment, unwrap_key, wrap_key
from frankly.client.e2ee.safety import SAFETY_EMOJI, safety_code
from frankly.client.e2ee.sframe import frame_key as derive
from frankly.client.e2ee.sframe import kid_for, passphrase_base, ratchet, room_secret, seal

SAFETY_JS = Path(__file__).parents[3] / "frankly" / "web" / "e2ee" / "safety.js"
IDS = ["p-00000000a1", "p-00000000b2", "p-00000000c3"]


class Room:
    """In-memory participants whose `e2ee` payloads reach each other in order, as relayed."""

    def __init__(self) -> None:
        self.sessions: dict[str, E2ee] = {}
        self.states: list[tuple[str, str, str]] = []
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.tap: dict[str, dict[str, Any]] = {}  # "from:kind" -> the payload delivered instead
        self.relay: deque[tuple[str, str, dict[str, Any]]] = deque()

    def deliver(self) -> None:
        while self.relay:
            frm, to, payload = self.relay.popleft()
            if to in self.sessions:
                self.sessions[to].handle(frm, payload)

    def session(self, pid: str, secret: bytes | None = None) -> E2ee:
        def send(to: str, payload: dict[str, Any]) -> None:
            payload = self.tap.get(f"{pid}:{payload['kind']}", payload)
            self.sent.append((pid, to, payload))
            self.relay.append((pid, to, payload))

        session = E2ee(send, on_state=lambda peer, state: self.states.append((pid, peer, state)))
        session.start(pid, secret)
        return session

    def join(self, pid: str, secret: bytes | None = None) -> E2ee:
        """``pid`` comes in: the others learn of it late, it of them from its welcome."""
        session = self.session(pid, secret)
        others = list(self.sessions)
        self.sessions[pid] = session
        for other in others:
            self.sessions[other].peer_added(pid, late=True)
            session.peer_added(other, late=False)
        self.deliver()
        return session

    def leave(self, pid: str) -> None:
        del self.sessions[pid]
        for session in self.sessions.values():
            session.peer_removed(pid)
        self.deliver()


def video(n: int = 0) -> bytes:
    return bytes([0x31, 0x02, 0x00]) + f"delta frame {n} ".encode() * 30


async def test_two_sessions_exchange_keys_and_open_each_others_frames() -> None:
    room = Room()
    ada = room.join(IDS[0])
    grace = room.join(IDS[1])
    assert ada.state(IDS[1]) == grace.state(IDS[0]) == "ready"
    kinds = [p["kind"] for _, _, p in room.sent]
    assert kinds.count("commit") == 2 and kinds.count("identity") == 2
    # Ada ratcheted once for Grace before telling her; Grace is at generation 0.
    assert ada.sending is not None and ada.sending.gen == 1
    assert grace.ring.generations(IDS[0]) == [1]
    assert ada.ring.generations(IDS[1]) == [0]

    sealed = ada.encrypt("video", video())
    assert sealed is not None and sealed[:3] == video()[:3] and b"delta" not in sealed
    assert grace.decrypt("video", sealed, IDS[0]) == video()
    audio = bytes([0x78]) + b"opus" * 20
    sealed_audio = grace.encrypt("audio", audio)
    assert sealed_audio is not None and ada.decrypt("audio", sealed_audio, IDS[1]) == audio
    assert grace.stats[IDS[0]].decrypted == 1 and ada.stats[IDS[1]].decrypted == 1

    code = ada.safety_code(IDS[1])
    assert code is not None and code == grace.safety_code(IDS[0])
    assert len(code.emoji) == len(code.names) == 6 and str(code) == " ".join(code.emoji)


async def test_chat_is_sealed_and_opened_and_names_its_sender() -> None:
    room = Room()
    ada = room.join(IDS[0])
    grace = room.join(IDS[1])
    sealed = ada.seal_chat("hello Grace ✓")
    assert "hello" not in sealed
    assert grace.open_chat_now(IDS[0], 1, sealed) == "hello Grace ✓"
    assert ada.open_chat_now(IDS[0], 1, sealed) == "hello Grace ✓"  # our own echo
    assert grace.open_chat_now(IDS[0], 2, "not base64!") is None
    # Chat keys are not media keys: a sealed chat is no frame.
    assert grace.decrypt("audio", b"\x78" + base64.b64decode(sealed), IDS[0]) is None


async def test_a_newcomer_cannot_open_what_came_before_it() -> None:
    room = Room()
    ada = room.join(IDS[0])
    grace = room.join(IDS[1])
    before = ada.encrypt("video", video(1))
    assert before is not None
    eve = room.join(IDS[2])
    after = ada.encrypt("video", video(2))
    assert after is not None
    assert eve.decrypt("video", before, IDS[0]) is None
    assert eve.decrypt("video", after, IDS[0]) == video(2)
    # Grace was told generation 1 only: she ratchets on her own to Ada's generation 2.
    assert grace.ring.generations(IDS[0]) == [1]
    assert grace.decrypt("video", after, IDS[0]) == video(2)
    assert grace.ring.generations(IDS[0]) == [1, 2]
    # A chat message from before Eve came is closed to her too.
    assert eve.open_chat_now(IDS[0], 1, before_chat(room, ada)) is None


def before_chat(room: Room, ada: E2ee) -> str:
    """A chat sealed with the generation Ada had before the last join."""
    assert ada.sending is not None
    old_gen = ada.sending.gen - 1
    old_base = ada.ring._senders[ada.self_id][old_gen].base
    return b64(SendKey(ada.self_id, old_gen, old_base).seal_chat("before"))


async def test_after_a_leave_the_leaver_cannot_open_what_follows() -> None:
    room = Room()
    ada = room.join(IDS[0])
    grace = room.join(IDS[1])
    eve = room.join(IDS[2])
    eves_keys = eve.ring.copy()
    ada.rotate_after = 0.05
    settled = asyncio.Event()
    settle = ada._settle

    def settle_and_tell() -> None:
        settle()
        settled.set()

    ada._settle = settle_and_tell  # type: ignore[method-assign]
    room.leave(IDS[2])
    assert ada.sending is not None
    old_gen = ada.sending.gen
    still_old = ada.encrypt("video", video(3))  # the others are still getting the new key
    await asyncio.wait_for(settled.wait(), timeout=5)
    assert ada.sending.gen == old_gen + 1
    later = ada.encrypt("video", video(4))
    assert later is not None and still_old is not None
    assert grace.decrypt("video", later, IDS[0]) == video(4)
    assert grace.decrypt("video", still_old, IDS[0]) == video(3)

    leaver = E2ee(lambda to, payload: None)
    leaver.ring = eves_keys
    assert leaver.decrypt("video", still_old, IDS[0]) == video(3)
    # A fresh key, not a ratchet of what it held:
    assert leaver.decrypt("video", later, IDS[0]) is None
    assert leaver.stats[IDS[0]].failed == 1
    ada.close()


async def test_a_forged_identity_fails_the_pair_and_no_keys_flow() -> None:
    room = Room()
    ada = room.join(IDS[0])
    # Grace's identity is swapped on its way to Ada for another key (the commitment is Grace's).
    other = E2ee(lambda to, payload: None)
    other.start(IDS[1])
    assert other._identity is not None
    room.tap[f"{IDS[1]}:identity"] = {"kind": "identity", "key": b64(other._identity.public)}
    grace = room.join(IDS[1])
    assert ada.state(IDS[1]) == "failed"
    assert (IDS[0], IDS[1], "failed") in room.states
    assert ada.safety_code(IDS[1]) is None
    assert not [p for frm, to, p in room.sent if frm == IDS[0] and p["kind"] == "key"]
    assert grace.state(IDS[0]) == "ready"  # Grace saw Ada's real key...
    assert not grace.ring.holds(IDS[0])  # ...but Ada sends her no key
    sealed = ada.encrypt("video", video())
    assert sealed is not None and grace.decrypt("video", sealed, IDS[0]) is None


async def test_a_second_commitment_fails_the_pair() -> None:
    room = Room()
    ada = room.join(IDS[0])
    room.join(IDS[1])
    ada.handle(IDS[1], {"kind": "commit", "commit": b64(commitment(b"another key"))})
    assert ada.state(IDS[1]) == "failed"
    assert not ada.ring.holds(IDS[1])


async def test_an_identity_before_any_commitment_fails_the_pair() -> None:
    sent: list[Any] = []
    ada = E2ee(lambda to, payload: sent.append(payload))
    ada.start(IDS[0])
    ada.peer_added(IDS[1], late=False)
    other = E2ee(lambda to, payload: None)
    other.start(IDS[1])
    assert other._identity is not None
    ada.handle(IDS[1], {"kind": "identity", "key": b64(other._identity.public)})
    assert ada.state(IDS[1]) == "failed"
    assert [p["kind"] for p in sent] == ["commit"]  # never revealed its own key


async def test_unknown_kinds_and_junk_are_ignored() -> None:
    room = Room()
    ada = room.join(IDS[0])
    room.join(IDS[1])
    for junk in ({"kind": "future"}, {"kind": "key", "iv": "x", "data": "y"}, [], None, {}):
        ada.handle(IDS[1], junk)
    assert ada.state(IDS[1]) == "ready"


def test_key_wrapping_is_bound_to_both_ids() -> None:
    pair = bytes(range(32))
    payload = wrap_key(pair, IDS[0], IDS[1], 7, b"k" * 32)
    assert unwrap_key(pair, IDS[0], IDS[1], payload) == (7, b"k" * 32)
    assert unwrap_key(pair, IDS[1], IDS[0], payload) is None
    assert unwrap_key(bytes(32), IDS[0], IDS[1], payload) is None
    assert unwrap_key(pair, IDS[0], IDS[1], {"kind": "key"}) is None


def test_the_key_ring_keeps_the_newest_generations() -> None:
    ring = KeyRing()
    base = bytes(32)
    for gen in range(6):
        ring.add(IDS[0], gen, base)
        base = ratchet(base)
    assert ring.generations(IDS[0]) == list(range(6 - KEEP_GENERATIONS, 6))
    # A frame far ahead of what we hold is not ratcheted toward.
    far = derive(base, kid_for(IDS[0], 40))
    assert ring.unseal(seal(far, 0, b"\x78hello", 1), 1) == (IDS[0], None, False)


def test_passphrase_sessions_need_no_messages() -> None:
    secret = room_secret("correct horse battery staple", "team-sync")
    wrong = room_secret("correct horse battery stapler", "team-sync")
    sent: list[Any] = []
    ada, grace, eve = (E2ee(lambda to, p: sent.append(p)) for _ in range(3))
    ada.start(IDS[0], secret)
    grace.start(IDS[1], secret)
    eve.start(IDS[2], wrong)
    for me, other in ((ada, IDS[1]), (grace, IDS[0]), (eve, IDS[0])):
        me.peer_added(other, late=True)  # no ratchet: generation 0 for good
    assert sent == [] and ada.state(IDS[1]) == "passphrase" and ada.safety_code(IDS[1]) is None
    assert ada.sending is not None and ada.sending.gen == 0
    assert ada.sending.base == passphrase_base(secret, IDS[0])
    sealed = ada.encrypt("video", video())
    assert sealed is not None
    assert grace.decrypt("video", sealed, IDS[0]) == video()
    assert eve.decrypt("video", sealed, IDS[0]) is None
    assert eve.stats[IDS[0]].failed == 1
    assert grace.open_chat_now(IDS[0], 1, ada.seal_chat("hi")) == "hi"


def test_safety_codes_read_36_bits_six_at_a_time() -> None:
    a, b = b"\x04" + bytes(64), b"\x04" + bytes([1]) * 64
    code = safety_code(IDS[0], a, IDS[1], b)
    assert code == safety_code(IDS[1], b, IDS[0], a)  # the same on both sides
    bits = int.from_bytes(hashlib.sha256(b"Frankly safety" + a + b).digest(), "big") >> (256 - 36)
    expected = [SAFETY_EMOJI[(bits >> (30 - 6 * i)) & 63][0] for i in range(6)]
    assert list(code.emoji) == expected


def test_the_emoji_list_is_the_web_clients() -> None:
    """The same 64 emoji, names and order as frankly/web/e2ee/safety.js."""
    assert SAFETY_JS.exists(), "frankly/web/e2ee/safety.js is where the list is defined"
    text = SAFETY_JS.read_text(encoding="utf-8")
    body = text[text.index("SAFETY_EMOJI") :]
    body = body[: body.index("]);")]
    web = re.findall(r"\[\s*'([^']+)'\s*,\s*'([^']+)'\s*\]", body)
    assert len(web) == 64
    assert tuple(web) == SAFETY_EMOJI
    assert len({e for e, _ in SAFETY_EMOJI}) == 64


@pytest.mark.parametrize("late", [True, False])
async def test_starting_again_is_a_new_identity(late: bool) -> None:
    """`start` again (a fresh join): a new identity and keys; the old pairs are gone."""
    room = Room()
    ada = room.join(IDS[0])
    room.join(IDS[1])
    first = ada._identity
    ada.start(IDS[0])
    assert ada._identity is not first and ada.state(IDS[1]) is None
    assert ada.sending is not None and ada.sending.gen == 0
    ada.peer_added(IDS[1], late=late)
    assert ada.state(IDS[1]) == "pending"


async def test_booth_lines_open_only_for_their_one_reader_once() -> None:
    room = Room()
    ivan, irina, ada = room.join(IDS[0]), room.join(IDS[1]), room.join(IDS[2])
    sealed = ivan.seal_for(IDS[1], "your turn")
    assert sealed is not None and "turn" not in sealed
    assert ada.open_from(IDS[0], sealed) is None  # the room holds Ivan's sending key, not this
    assert irina.open_from(IDS[2], sealed) is None  # bound to its sender: not Ada's to claim
    assert irina.open_from(IDS[0], sealed) == "your turn"
    assert irina.open_from(IDS[0], sealed) is None  # a replay
    # A booth line is no key payload, and a chat key does not open it.
    assert irina.open_chat_now(IDS[0], 1, sealed) in (None, False)
    assert ivan.seal_for("p-stranger00", "x") is None  # no pair: nothing to seal with
