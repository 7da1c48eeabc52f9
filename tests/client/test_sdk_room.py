"""Room events through the SDK: joined, updated, chat, left, refusals."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect

import frankly.client as fc
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=2)  # a 1:1 room, so that a third is refused


async def test_joined_updated_chat_and_left_events(clients: Clients) -> None:
    ada = await clients.join("Ada")
    events = ada.events()
    grace = await clients.join("Grace")
    assert list(grace.participants) == [ada.id]
    assert grace.participants[ada.id].name == "Ada"

    joined = await events.__anext__()
    grace_there = fc.Participant(grace.id, "Grace", audio=False, video=False, connected=True)
    assert joined == fc.ParticipantJoined(grace_there)
    assert ada.participants[grace.id].name == "Grace"

    # chat comes back to the sender too, with the server's id and sender
    for_ada = ada.wait_for(fc.ChatMessage, timeout=10)
    for_grace = grace.wait_for(fc.ChatMessage, timeout=10)
    await grace.send_chat("  hello Ada  ")
    seen_by_ada, seen_by_grace = await for_ada, await for_grace
    assert seen_by_ada == seen_by_grace
    assert (seen_by_ada.sender_id, seen_by_ada.name) == (grace.id, "Grace")
    assert seen_by_ada.text.strip() == "hello Ada"
    assert ada.chat_history[-1] == seen_by_ada

    updated = ada.wait_for(fc.ParticipantUpdated, timeout=10)
    await grace.update(audio=True)
    assert (await updated).participant.audio is True
    assert ada.participants[grace.id].audio is True
    assert grace.me.audio is True

    closed = grace.wait_for(fc.Closed, timeout=10)
    left = ada.wait_for(fc.ParticipantLeft, timeout=10)
    await grace.leave()
    assert (await closed).error is None
    gone = await left
    assert (gone.participant.id, gone.reason) == (grace.id, "left")
    assert dict(ada.participants) == {}
    assert grace.closed and grace.error is None


async def test_a_late_joiner_gets_the_chat_history(clients: Clients) -> None:
    ada = await clients.join("Ada")
    echo = ada.wait_for(fc.ChatMessage, timeout=10)
    await ada.send_chat("first")
    await echo
    await ada.leave()  # the room empties and is forgotten
    ada = await clients.join("Ada")
    said_b = ada.wait_for(fc.ChatMessage, lambda m: m.text == "b", timeout=10)
    await ada.send_chat("a")
    await ada.send_chat("b")
    await said_b  # chat is delivered in order
    assert [(m.text, m.encryption) for m in ada.chat_history] == [
        ("a", "encrypted"),
        ("b", "encrypted"),
    ]
    grace = await clients.join("Grace")
    # End-to-end encrypted with Ada's key from before Grace came: listed, but closed to her.
    assert [(m.name, m.text, m.encryption) for m in grace.chat_history] == [
        ("Ada", "", "unreadable"),
        ("Ada", "", "unreadable"),
    ]


async def test_a_full_room_refuses_with_room_full(clients: Clients) -> None:
    ada = await clients.join("Ada")
    events = ada.events()
    await clients.join("Grace")
    await events.__anext__()  # Grace joined

    third = clients.client("Third")
    with pytest.raises(fc.FranklyError) as refused:
        await third.join()
    assert refused.value.code == "room-full"
    assert refused.value.close_code == 4409
    assert third.closed and third.error is refused.value
    with pytest.raises(fc.FranklyError):
        await third.send_chat("let me in")

    # Ada heard nothing of it.
    echo = ada.wait_for(fc.ChatMessage, timeout=10)
    await ada.send_chat("still two of us")
    await echo
    room_events = (fc.ParticipantJoined, fc.ParticipantLeft, fc.ParticipantUpdated)
    assert not [e for e in events.pending() if isinstance(e, room_events)]
    assert len(ada.participants) == 1


async def test_an_invalid_room_name_is_refused(live_server: object) -> None:
    url = f"{live_server.url}/no%20spaces%20here"  # type: ignore[attr-defined]
    with pytest.raises(fc.FranklyError) as refused:
        await fc.join(url, name="bot")
    assert refused.value.code == "invalid-room"
    assert refused.value.close_code == 4400


async def test_an_empty_name_is_refused(clients: Clients) -> None:
    with pytest.raises(fc.FranklyError) as refused:
        await clients.join("   ")
    assert refused.value.code == "invalid-message"


async def test_resuming_elsewhere_replaces_this_connection_for_good(clients: Clients) -> None:
    """Close 4000 (replaced) ends the client: it must not fight back by reconnecting."""
    ada = await clients.join("Ada")
    events = ada.events()
    hello = {"type": "hello", "version": 1, "room": ada.room, "name": "Ada",
             "resume": ada._resume}  # fmt: skip
    async with connect(clients.url.replace("http", "ws") + "/ws") as other:
        await other.send(json.dumps(hello))
        welcome = json.loads(await other.recv())
        assert welcome["resumed"] is True and welcome["you"]["id"] == ada.id
        seen = [event async for event in events]
    assert [type(e) for e in seen] == [fc.Closed]
    error = seen[0].error  # type: ignore[attr-defined]
    assert error is not None and error.code == "replaced" and error.close_code == 4000
    assert ada.closed
