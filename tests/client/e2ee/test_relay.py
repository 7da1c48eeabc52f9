"""What a malicious server can try with what it relays, and what stops it in the SDK.

It holds no key, so it cannot forge; but it chooses who a sealed chat
message is said to be from, which track a frame comes on, and it can send
anything again. Each test first shows the genuine case opens, so that the
refusal it then checks can fail.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import frankly.client as fc
from frankly.client.e2ee import FrameStats, keys
from frankly.client.e2ee.keyring import REPLAY_WINDOW, KeyRing, ReplayWindow
from frankly.client.e2ee.keys import E2ee
from frankly.client.e2ee.media import stream_owners
from frankly.client.e2ee.sframe import clear_length, frame_key, kid_for, passphrase_base, seal
from tests.client.e2ee.test_end_to_end import ROOM, encryption_ready
from tests.client.e2ee.test_keys import IDS, Room, video
from tests.client.helpers import Clients
from tests.waiting import until

ADA, GRACE, EVE = IDS


def three() -> tuple[Room, E2ee, E2ee, E2ee]:
    room = Room()
    return room, room.join(ADA), room.join(GRACE), room.join(EVE)


# --- chat ---------------------------------------------------------------------------


async def test_a_chat_message_said_to_be_from_another_is_refused() -> None:
    _, ada, grace, eve = three()
    sealed = ada.seal_chat("the offer is 40")
    assert eve.open_chat_now(ADA, 7, sealed) == "the offer is 40"
    assert eve.open_chat_now(GRACE, 8, sealed) is False  # Ada's words under Grace's name
    assert grace.open_chat_now(GRACE, 7, sealed) is False


async def test_a_chat_message_relayed_again_under_a_new_id_is_refused() -> None:
    _, ada, _, eve = three()
    sealed = ada.seal_chat("yes")
    assert eve.open_chat_now(ADA, 7, sealed) == "yes"
    assert eve.open_chat_now(ADA, 7, sealed) == "yes"  # the same message (history again)
    assert eve.open_chat_now(ADA, 9, sealed) is False  # a replay
    # Each message is its own: the same words sealed again are a new message.
    assert eve.open_chat_now(ADA, 10, ada.seal_chat("yes")) == "yes"


async def test_chat_waits_for_its_senders_first_key() -> None:
    room = Room()
    ada = room.join(ADA)
    # Eve comes in; what she says at once outruns her key to Ada.
    eve = room.session(EVE)
    room.sessions[EVE] = eve
    ada.peer_added(EVE, late=True)
    eve.peer_added(ADA, late=False)
    sealed = eve.seal_chat("hi all")
    opening = asyncio.ensure_future(ada.open_chat(EVE, 1, sealed))
    await asyncio.sleep(0)
    assert not opening.done()
    started = time.monotonic()
    room.deliver()  # the exchange runs; her key reaches Ada
    assert await asyncio.wait_for(opening, 1) == "hi all"
    assert time.monotonic() - started < 1


async def test_a_line_relayed_just_before_its_senders_leave_still_opens() -> None:
    _, ada, _, eve = three()
    opening = ada.open_chat(EVE, 1, eve.seal_chat("bye"))
    ada.peer_removed(EVE)  # the server's `left` comes right behind it
    assert await opening == "bye"


@pytest.mark.parametrize("ends", ["timeout", "left", "failed", "fresh start", "close"])
async def test_the_wait_for_a_key_ends(ends: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "KEY_WAIT", 0.2 if ends == "timeout" else 30.0)
    room = Room()
    ada = room.join(ADA)
    ada.peer_added(EVE, late=True)  # Eve's messages never come through
    eve = E2ee(lambda to, payload: None)
    eve.start(EVE)
    opening = asyncio.ensure_future(ada.open_chat(EVE, 1, eve.seal_chat("lost")))
    await asyncio.sleep(0)
    assert not opening.done()
    if ends == "left":
        ada.peer_removed(EVE)
    elif ends == "failed":
        ada.handle(EVE, {"kind": "commit", "commit": "one"})
        ada.handle(EVE, {"kind": "commit", "commit": "another"})
    elif ends == "fresh start":
        ada.start(ADA)
    elif ends == "close":
        ada.close()
    assert await asyncio.wait_for(opening, 5) is None
    ada.close()


async def test_a_client_refuses_relabelled_and_replayed_chat(clients: Clients) -> None:
    """Through the SDK's own path: what the server relays goes to `Client`'s handler."""
    ada = await clients.join("Ada", ROOM)
    grace = await clients.join("Grace", ROOM)
    eve = await clients.join("Eve", ROOM)
    for me, other in ((grace, ada), (grace, eve), (ada, grace)):
        await encryption_ready(me, other.id)
    heard = grace.wait_for(fc.ChatMessage, lambda m: m.text == "meet at noon", timeout=10)
    await ada.send_chat("meet at noon")
    first = await heard
    assert first.sender_id == ada.id
    # The server makes up messages: Ada's next sealed line, under Eve's name and twice under hers.
    sealed = ada.e2ee.seal_chat("meet at noon")
    forged = [
        {"type": "chat", "id": 900, "from": eve.id, "name": "Eve", "sealed": sealed, "ts": 1.0},
        {"type": "chat", "id": 901, "from": ada.id, "name": "Ada", "sealed": sealed, "ts": 2.0},
        {"type": "chat", "id": 902, "from": ada.id, "name": "Ada", "sealed": sealed, "ts": 3.0},
    ]
    last = grace.wait_for(fc.ChatMessage, lambda m: m.id == 903, timeout=10)
    stream = grace.events()
    for message in forged:
        grace._dispatch(message)
    grace._dispatch(
        {
            "type": "chat",
            "id": 903,
            "from": ada.id,
            "name": "Ada",
            "sealed": ada.e2ee.seal_chat("and bring the draft"),
            "ts": 4.0,
        }
    )
    await last
    shown = [e for e in stream.pending() if isinstance(e, fc.ChatMessage)]
    # Under Eve's name: refused. As Ada's, the first time: shown; again (902): a replay.
    assert [(m.id, m.sender_id, m.text) for m in shown] == [
        (901, ada.id, "meet at noon"),
        (903, ada.id, "and bring the draft"),
    ]
    assert [m.id for m in grace.chat_history][-2:] == [901, 903]


# --- media ----------------------------------------------------------------------------


async def test_a_frame_offered_on_anothers_track_is_refused() -> None:
    _, ada, grace, eve = three()
    frame = ada.encrypt("video", video())
    assert frame is not None
    assert eve.decrypt("video", frame, GRACE) is None  # Ada's video in Grace's tile
    assert eve.decrypt("video", frame, None) is None  # a track that is nobody's
    assert eve.stats[GRACE].failed == 1
    assert eve.decrypt("video", frame, ADA) == video()  # where it belongs
    assert grace.decrypt("video", frame, ADA) == video()


async def test_a_replayed_frame_is_refused() -> None:
    _, ada, _, eve = three()
    frames = [ada.encrypt("video", video(n)) for n in range(4)]
    assert all(f is not None for f in frames)
    sealed = [f for f in frames if f is not None]
    # Out of order across tracks is fine...
    for n in (1, 0, 3, 2):
        assert eve.decrypt("video", sealed[n], ADA) == video(n)
    # ...each frame once.
    for n in range(4):
        assert eve.decrypt("video", sealed[n], ADA) is None
    assert eve.stats[ADA].replayed == 4 and eve.stats[ADA].decrypted == 4


def test_the_replay_window() -> None:
    window = ReplayWindow()
    assert window.accept(5) and not window.accept(5)
    assert window.accept(2) and window.accept(REPLAY_WINDOW + 4)
    assert not window.accept(2)  # seen
    assert window.accept(5 + 1)  # never seen, still inside
    assert not window.fresh(4)  # fallen out of the window: too old to judge
    assert window.fresh(REPLAY_WINDOW + 3) and not window.fresh(REPLAY_WINDOW + 4)


def test_a_forged_counter_does_not_move_the_window() -> None:
    ring = KeyRing()
    base = bytes(32)
    ring.add(ADA, 0, base)
    fk = frame_key(base, kid_for(ADA, 0))
    genuine = seal(fk, 10, b"\x78genuine", 1)
    forged = bytearray(seal(fk, 1 << 40, b"\x78forged", 1))
    forged[-1] ^= 1  # a counter far ahead, but it does not authenticate
    assert ring.unseal(bytes(forged), 1).frame is None
    assert ring.unseal(genuine, clear_length("audio", genuine)).frame == b"\x78genuine"


def test_passphrase_keys_and_their_windows_outlive_a_leave() -> None:
    ring = KeyRing(room_secret=bytes(32))
    fk = frame_key(passphrase_base(bytes(32), ADA), kid_for(ADA, 0))
    frame = seal(fk, 3, b"\x78hello", 1)
    assert ring.unseal(frame, 1).frame == b"\x78hello"
    ring.forget(ADA)  # the server says Ada left, then that she is back
    assert ring.unseal(frame, 1).replayed


def test_who_publishes_on_each_m_line_of_an_sfu_offer() -> None:
    sdp = "\r\n".join(
        [
            "v=0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "a=mid:0",
            f"a=msid:{ADA} t0",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:1",
            f"a=msid:{GRACE}:screen t1",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:2",
            "a=inactive",
            f"a=msid:{EVE} t2",
            "m=video 0 UDP/TLS/RTP/SAVPF 96",
            "a=mid:3",
        ]
    )
    assert stream_owners(sdp) == {"0": ADA, "1": GRACE, "2": None, "3": None}


async def test_an_sfu_that_swaps_two_publishers_gets_their_frames_dropped(
    clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Carol's SFU names Ada's tracks as Bob's and Bob's as Ada's: nothing plays."""
    ada = await clients.av("Ada", "swapped")
    bob = await clients.av("Bob", "swapped")
    real = fc.Client._dispatch

    def lying(self: fc.Client, message: dict[str, Any]) -> None:
        if self._me is not None and self._me.name == "Carol" and message.get("pc") == "subscribe":
            sdp = message["description"]["sdp"]
            sdp = sdp.replace(ada.id, "\0").replace(bob.id, ada.id).replace("\0", bob.id)
            message = {**message, "description": {**message["description"], "sdp": sdp}}
        real(self, message)

    monkeypatch.setattr(fc.Client, "_dispatch", lying)
    carol = await clients.join("Carol", "swapped")

    def both_fail() -> bool:
        stats = carol.encryption_stats()
        return all(pid in stats and stats[pid].failed > 20 for pid in (ada.id, bob.id))

    await until(both_fail, 20, "Carol fails to open both senders' frames")
    stats = carol.encryption_stats()
    assert stats[ada.id].decrypted == stats[bob.id].decrypted == 0
    # Without the lie, the same frames open: Ada's own SFU tells her the truth.
    await until(
        lambda: ada.encryption_stats().get(bob.id, FrameStats()).decrypted > 20,
        20,
        "Ada opens Bob's frames",
    )
