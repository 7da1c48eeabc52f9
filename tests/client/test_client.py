"""Client: room events (joined, updated, chat, left), refusals, and the room model fed by hand."""

from __future__ import annotations

import json
from typing import Any

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
             "resume": ada._session.resume}  # fmt: skip
    async with connect(clients.url.replace("http", "ws") + "/ws") as other:
        await other.send(json.dumps(hello))
        welcome = json.loads(await other.recv())
        assert welcome["resumed"] is True and welcome["you"]["id"] == ada.id
        seen = [event async for event in events]
    assert [type(e) for e in seen] == [fc.Closed]
    error = seen[0].error  # type: ignore[attr-defined]
    assert error is not None and error.code == "replaced" and error.close_code == 4000
    assert ada.closed


def test_client_arguments_for_guarded_rooms() -> None:
    call = fc.Client("http://h:1/board?invite=tok", name="bot", password="pw", device="d")
    fresh = call._session.hello(None, proof="p")
    assert (fresh["invite"], fresh["password"], fresh["device"], fresh["proof"]) == (
        "tok", "pw", "d", "p"
    )  # fmt: skip
    assert not {"invite", "password", "device", "proof"} & set(call._session.hello("resume-token"))
    assert "invite" not in fc.Client("http://h:1/board", name="bot")._session.hello(None)
    with pytest.raises(ValueError):
        fc.Client("http://h:1/board", name="bot", device="x" * 65)
    with pytest.raises(ValueError):
        fc.Client("http://h:1/board", name="bot", password="")


# --- the room model, fed by hand: a welcome and the live messages agree -------------


ADA, BOB = "p-00000000a1", "p-00000000b2"


class FakeSfu:
    """Stands in for the SFU connections: the streams it carries, by stream id."""

    def __init__(self, streams: list[str]) -> None:
        self.streams = {sid: [object()] for sid in streams}
        self.state = "connected"

    def tracks(self, stream_id: str) -> list[Any]:
        return self.streams.get(stream_id, [])

    def forget(self, stream_id: str) -> None:
        self.streams.pop(stream_id, None)

    def resend_pending_offer(self) -> None:
        pass

    def message(self, message: dict[str, Any]) -> None:
        pass

    async def close(self) -> None:
        pass


def wire(pid: str, name: str, *, screen: bool = False) -> dict[str, Any]:
    return {"id": pid, "name": name, "audio": True, "video": True, "connected": True,
            "role": "participant", "hand": None, "screen": screen}  # fmt: skip


def welcome(participants: list[dict[str, Any]], *, resumed: bool) -> dict[str, Any]:
    return {"type": "welcome", "you": wire(ADA, "Ada"), "room": "r", "mode": "sfu",
            "resumed": resumed, "resume": "token", "participants": participants,
            "chat": [], "ice_servers": [], "ping_interval": 10}  # fmt: skip


async def in_sfu_room_with_a_screen_sharer() -> fc.Client:
    """Ada, joined to an SFU room where Bob shares his camera and his screen."""
    ada = fc.Client("http://127.0.0.1:9/r", name="Ada")
    bob = wire(BOB, "Bob", screen=True)
    ada._apply_welcome(welcome([bob], resumed=False), first=True)
    real, ada._calls.sfu = ada._calls.sfu, FakeSfu([BOB, BOB + ":screen"])  # type: ignore[assignment]
    assert real is not None
    await real.close()
    assert len(ada.tracks(BOB)) == 2
    return ada


async def test_a_screen_sharer_who_leaves_takes_the_screen_along() -> None:
    ada = await in_sfu_room_with_a_screen_sharer()
    with ada.events() as events:
        ada._dispatch({"type": "left", "id": BOB, "reason": "left"})
        assert [type(e) for e in events.pending()] == [fc.ParticipantLeft]
    assert ada.tracks(BOB) == []
    await ada.leave()


async def test_a_screen_sharer_who_left_while_we_were_away_takes_the_screen_along() -> None:
    ada = await in_sfu_room_with_a_screen_sharer()
    with ada.events() as events:
        ada._apply_welcome(welcome([], resumed=True), first=False)
        left = [e for e in events.pending() if isinstance(e, fc.ParticipantLeft)]
    assert [(e.participant.id, e.reason) for e in left] == [(BOB, "disconnected")]
    assert ada.tracks(BOB) == []  # the screen share's stream too
    await ada.leave()
