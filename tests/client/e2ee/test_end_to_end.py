"""End-to-end encryption between SDK participants on the real server: peer to peer, SFU."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamError
from websockets.asyncio.client import ClientConnection, connect

import frankly.client as fc
from frankly.client.e2ee.keys import b64, commitment
from frankly.client.e2ee.sframe import Kind, clear_length, peek_kid, sender_of
from frankly.server.config import ServerConfig
from tests.client.helpers import (
    FRAME_TIMEOUT,
    Clients,
    frame_where,
    luma_mean,
    peak,
    track_from,
)
from tests.conftest import LiveServer

ROOM = "e2ee-test"


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=4)


def bars(frame: Any) -> bool:
    return luma_mean(frame) > 60


def tone(frame: Any) -> bool:
    return peak(frame) > 2000


async def av(clients: Clients, name: str, **options: Any) -> fc.Client:
    return await clients.av(name, ROOM, **options)


async def frame_from(
    me: fc.Client, other_id: str, kind: str, predicate: Any, within: float = FRAME_TIMEOUT
) -> Any:
    """A frame of ``other_id``'s ``kind`` track that satisfies ``predicate``.

    A peer-to-peer track ends when a third participant moves the room to the
    SFU; the same media then comes on a new track.
    """
    async with asyncio.timeout(within):
        while True:
            track = await track_from(me, other_id, kind)
            try:
                return await frame_where(track, predicate, within=within)
            except MediaStreamError:
                continue  # that track ended: track_from waits for its successor


async def sees_and_hears(me: fc.Client, other: fc.Client) -> None:
    await frame_from(me, other.id, "video", bars)
    await frame_from(me, other.id, "audio", tone)


async def encryption_ready(me: fc.Client, other_id: str) -> None:
    if me.encryption(other_id) != "ready":
        await me.wait_for(
            fc.EncryptionChanged,
            lambda e: e.participant.id == other_id and e.state == "ready",
            timeout=10,
        )


async def test_a_call_of_two_is_encrypted_end_to_end(clients: Clients) -> None:
    ada = await av(clients, "Ada")
    grace = await av(clients, "Grace")
    assert ada.mode == "p2p"
    await asyncio.gather(sees_and_hears(ada, grace), sees_and_hears(grace, ada))

    assert ada.encryption(grace.id) == grace.encryption(ada.id) == "ready"
    code = ada.safety_code(grace.id)
    assert code is not None and code == grace.safety_code(ada.id)
    for me, other in ((ada, grace), (grace, ada)):
        stats = me.encryption_stats()
        assert stats[me.id].encrypted > 0
        assert stats[other.id].decrypted > 0


async def test_an_sfu_room_of_three_is_encrypted_end_to_end(
    clients: Clients, live_server: LiveServer
) -> None:
    people = [await av(clients, name) for name in ("Ada", "Grace", "Eve")]
    assert [p.mode for p in people] == ["sfu"] * 3
    await asyncio.gather(
        *(sees_and_hears(me, other) for me in people for other in people if me is not other)
    )
    for me in people:
        stats = me.encryption_stats()
        assert stats[me.id].encrypted > 0
        for other in people:
            if other is not me:
                assert me.encryption(other.id) == "ready"
                assert stats[other.id].decrypted > 0


async def test_a_wrong_passphrase_decodes_nothing(clients: Clients) -> None:
    ada = await av(clients, "Ada", passphrase="correct horse battery staple")
    grace = await clients.join("Grace", ROOM, passphrase="correct horse battery staple")
    eve = await clients.join("Eve", ROOM, passphrase="correct horse battery stapler")
    assert ada.passphrase_mode and eve.mode == "sfu"
    await sees_and_hears(grace, ada)
    assert grace.encryption(ada.id) == "passphrase" and grace.safety_code(ada.id) is None

    for kind in ("video", "audio"):
        with pytest.raises(TimeoutError):
            await frame_from(eve, ada.id, kind, lambda frame: True, within=3)
    stats = eve.encryption_stats()[ada.id]
    assert stats.decrypted == 0 and stats.failed > 20


async def test_the_passphrase_can_come_in_the_link(clients: Clients) -> None:
    ada = await clients.av("Ada", f"{ROOM}#passphrase=open%20sesame")
    grace = await clients.join("Grace", ROOM, passphrase="open sesame")
    assert ada.room == ROOM and ada.passphrase_mode
    await sees_and_hears(grace, ada)


async def test_after_a_leave_what_follows_is_closed_to_the_leaver(clients: Clients) -> None:
    ada = await av(clients, "Ada")
    grace = await clients.join("Grace", ROOM)
    eve = await clients.join("Eve", ROOM)
    await encryption_ready(eve, ada.id)
    await frame_from(eve, ada.id, "video", bars)
    eves_keys = eve.e2ee.ring.copy()  # all that Eve holds as she goes

    assert ada.e2ee.sending is not None
    before = ada.e2ee.sending.gen

    def generation(frame: bytes) -> int:
        kid = peek_kid(frame, clear_length("video", frame))
        assert kid is not None
        return sender_of(kid)[1]

    # Every video frame Ada seals with the key she moves to a second after
    # the leave, as it goes out.
    later: list[bytes] = []
    enough = asyncio.Event()
    seal = ada.e2ee.encrypt

    def tapped(kind: Kind, frame: bytes) -> bytes | None:
        out = seal(kind, frame)
        if kind == "video" and out is not None and generation(out) == before + 1:
            later.append(out)
            if len(later) >= 3:
                enough.set()
        return out

    ada.e2ee.encrypt = tapped  # type: ignore[method-assign]
    left = ada.wait_for(fc.ParticipantLeft, timeout=10)
    await eve.leave()
    await left
    await asyncio.wait_for(enough.wait(), timeout=10)
    assert ada.e2ee.sending.gen == before + 1

    def opens(ring: Any, frame: bytes) -> bool:
        return ring.unseal(frame, clear_length("video", frame)).frame is not None

    assert not any(opens(eves_keys, frame) for frame in later)
    # (A copy: Grace's own ring has played these frames, and would refuse them again.)
    assert all(opens(grace.e2ee.ring.copy(), frame) for frame in later)
    # And Grace goes on seeing Ada.
    await frame_from(grace, ada.id, "video", bars)


async def test_chat_is_sealed_and_history_is_closed_to_a_late_joiner(
    clients: Clients, live_server: LiveServer
) -> None:
    ada = await clients.join("Ada", ROOM)
    grace = await clients.join("Grace", ROOM)
    await encryption_ready(grace, ada.id)
    for_grace = grace.wait_for(fc.ChatMessage, lambda m: m.sender_id == ada.id, timeout=10)
    await ada.send_chat("meet at noon")
    said = await for_grace
    assert (said.text, said.encryption, said.name) == ("meet at noon", "encrypted", "Ada")
    kept = live_server.call(lambda: list(live_server.hub.rooms.rooms[ROOM].chat))
    assert "sealed" in kept[-1] and "text" not in kept[-1]
    assert "noon" not in json.dumps(kept)

    # Eve comes late: she sees that something was said, not what.
    eve = await clients.join("Eve", ROOM)
    assert [(m.name, m.text, m.encryption) for m in eve.chat_history] == [("Ada", "", "unreadable")]
    # What Eve says at once, before her keys can have reached anyone, waits for them.
    for_ada = ada.wait_for(fc.ChatMessage, lambda m: m.sender_id == eve.id, timeout=10)
    await eve.send_chat("hi all")
    assert (await for_ada).text == "hi all"
    # And what is said after she came is for her too.
    for_eve = eve.wait_for(fc.ChatMessage, lambda m: m.sender_id == grace.id, timeout=10)
    await grace.send_chat("welcome Eve")
    assert (await for_eve).encryption == "encrypted"


async def raw_participant(live_server: LiveServer, name: str) -> tuple[ClientConnection, str]:
    ws = await connect(live_server.ws_url)
    await ws.send(json.dumps({"type": "hello", "version": 1, "room": ROOM, "name": name}))
    welcome = json.loads(await ws.recv())
    return ws, str(welcome["you"]["id"])


async def test_plain_text_chat_is_marked_unencrypted(
    clients: Clients, live_server: LiveServer
) -> None:
    ada = await clients.join("Ada", ROOM)
    ws, tool = await raw_participant(live_server, "a tool")
    async with ws:
        heard = ada.wait_for(fc.ChatMessage, lambda m: m.sender_id == tool, timeout=10)
        await ws.send(json.dumps({"type": "chat", "text": "build passed"}))
        message = await heard
    assert (message.text, message.encryption) == ("build passed", "unencrypted")


async def test_an_identity_that_does_not_match_its_commitment_fails_the_pair(
    clients: Clients, live_server: LiveServer
) -> None:
    """A server swapping keys must commit first: a swapped key is caught, and gets no keys."""
    ada = await clients.av("Ada", ROOM)
    ws, mallory = await raw_participant(live_server, "Mallory")
    committed = b"\x04" + bytes(range(64))
    swapped = b"\x04" + bytes(range(1, 65))
    async with ws:
        failed = ada.wait_for(
            fc.EncryptionChanged, lambda e: e.participant.id == mallory, timeout=10
        )
        commit = {"kind": "commit", "commit": b64(commitment(committed))}
        identity = {"kind": "identity", "key": b64(swapped)}
        for payload in (commit, identity):
            await ws.send(json.dumps({"type": "e2ee", "to": ada.id, "payload": payload}))
        assert (await failed).state == "failed"
        assert ada.encryption(mallory) == "failed"
        assert ada.safety_code(mallory) is None
        got: list[dict[str, Any]] = []
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(2):
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "e2ee":
                        got.append(message["payload"])
        # Ada committed, then revealed her key; she never sent hers sealed for the swapped one.
        assert [p["kind"] for p in got] == ["commit", "identity"]


async def test_keys_flow_across_a_resumed_socket(clients: Clients, live_server: LiveServer) -> None:
    ada = await av(clients, "Ada")
    grace = await clients.join("Grace", ROOM)
    await encryption_ready(grace, ada.id)
    identity = ada.e2ee.safety_code(grace.id)

    reconnected = ada.wait_for(fc.Reconnected, timeout=15)
    live_server.drop(ada.id)
    eve = await clients.join("Eve", ROOM)  # comes while Ada's socket is away
    assert (await reconnected).resumed is True
    assert ada.safety_code(grace.id) == identity  # the same keys
    await encryption_ready(ada, eve.id)
    await encryption_ready(eve, ada.id)
    await frame_from(eve, ada.id, "video", bars)
    await frame_from(grace, ada.id, "video", bars)


@pytest.mark.parametrize("server_config", [ServerConfig(max_participants=4, grace=0.0)])
async def test_a_fresh_rejoin_is_a_new_identity(clients: Clients, live_server: LiveServer) -> None:
    ada = await av(clients, "Ada")
    grace = await clients.join("Grace", ROOM)
    await encryption_ready(grace, ada.id)
    old_id, old_code = ada.id, grace.safety_code(ada.id)

    reconnected = ada.wait_for(fc.Reconnected, timeout=15)
    live_server.drop(old_id)
    assert (await reconnected).resumed is False
    assert ada.id != old_id and grace.encryption(old_id) is None
    await encryption_ready(grace, ada.id)
    await encryption_ready(ada, grace.id)
    assert grace.safety_code(ada.id) not in (None, old_code)
    assert grace.safety_code(ada.id) == ada.safety_code(grace.id)
    await frame_from(grace, ada.id, "video", bars)
    said = grace.wait_for(fc.ChatMessage, lambda m: m.sender_id == ada.id, timeout=10)
    await ada.send_chat("back, as someone new")
    assert (await said).encryption == "encrypted"
