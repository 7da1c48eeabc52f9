"""The signaling server through a real socket: joins, relays, resumes."""

from __future__ import annotations

import pytest

from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(grace=0.5)


async def test_second_joiner_sees_the_first_and_the_first_hears_of_it(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, name="Ada", video=False)
    assert ada.welcome["participants"] == [] and ada.welcome["resumed"] is False
    assert ada.welcome["mode"] == "p2p" and ada.welcome["max_participants"] == 100
    grace = await Raw.join(live_server.ws_url, name="Grace")
    assert grace.welcome["participants"] == [
        {
            "id": ada.id,
            "name": "Ada",
            "audio": True,
            "video": False,
            "connected": True,
            "role": "host",
            "hand": None,
            "screen": False,
            "screen_stream": None,
            "side": None,
            "language": None,
        }
    ]
    assert grace.welcome["you"]["role"] == "participant"
    joined = await ada.expect("joined")
    assert joined["participant"]["id"] == grace.id


async def test_signal_is_relayed_with_from(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    offer = {"type": "offer", "sdp": "v=0\r\n"}
    await ada.send({"type": "signal", "to": grace.id, "description": offer})
    assert await grace.expect("signal") == {"type": "signal", "from": ada.id, "description": offer}
    await grace.send({"type": "signal", "to": ada.id, "candidate": None})
    assert await ada.expect("signal") == {"type": "signal", "from": grace.id, "candidate": None}


async def test_update_chat_and_history(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await grace.send({"type": "update", "audio": False})
    updated = await ada.expect("updated")
    assert updated["participant"]["audio"] is False and updated["participant"]["video"] is True
    await ada.send({"type": "chat", "text": "hello there"})
    for who in (ada, grace):
        chat = await who.expect("chat")
        assert (chat["from"], chat["name"], chat["text"]) == (ada.id, "Ada", "hello there")
    await grace.send({"type": "leave"})
    late = await Raw.join(live_server.ws_url, name="Late")
    assert [c["text"] for c in late.welcome["chat"]] == ["hello there"]


async def test_sealed_chat_and_key_exchange_pass_through_unread(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    payload = {"kind": "commit", "commit": "q83vEjRWeJA="}
    await ada.send({"type": "e2ee", "to": grace.id, "payload": payload})
    assert await grace.expect("e2ee") == {"type": "e2ee", "from": ada.id, "payload": payload}
    await grace.send({"type": "chat", "sealed": "c2VhbGVk"})
    for who in (ada, grace):
        chat = await who.expect("chat")
        assert chat["sealed"] == "c2VhbGVk" and "text" not in chat
    late = await Raw.join(live_server.ws_url, name="Late")
    assert [c["sealed"] for c in late.welcome["chat"]] == ["c2VhbGVk"]


async def test_leave_tells_the_other_and_closes_normally(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await grace.send({"type": "leave"})
    assert await grace.closed() == 1000
    assert await ada.expect("left") == {"type": "left", "id": grace.id, "reason": "left"}


async def test_resume_keeps_the_participant(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    live_server.drop(grace.id)
    assert await grace.closed() == 1012
    away = await ada.expect("updated")
    assert away["participant"] == {**grace.welcome["you"], "connected": False}
    # A signal sent while Grace is away waits for her.
    await ada.send({"type": "signal", "to": grace.id, "candidate": None})
    back = await Raw.join(live_server.ws_url, name="Grace", resume=grace.welcome["resume"])
    assert back.welcome["resumed"] is True and back.id == grace.id
    assert (await ada.expect("updated"))["participant"]["connected"] is True
    assert (await back.expect("signal"))["from"] == ada.id


async def test_participant_away_past_grace_has_left(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await grace.close()
    assert await ada.expect("left") == {"type": "left", "id": grace.id, "reason": "disconnected"}
    again = await Raw.join(live_server.ws_url, name="Grace", resume=grace.welcome["resume"])
    assert again.welcome["resumed"] is False and again.id != grace.id


async def test_resume_on_a_new_socket_replaces_a_stale_one(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    twin = await Raw.join(live_server.ws_url, resume=ada.welcome["resume"])
    assert twin.id == ada.id and twin.welcome["resumed"] is True
    assert await ada.closed() == 4000


async def test_rooms_are_separate(live_server: LiveServer) -> None:
    await Raw.join(live_server.ws_url, room="one")
    await Raw.join(live_server.ws_url, room="one", name="Grace")
    other = await Raw.join(live_server.ws_url, room="two", name="Eve")
    assert other.welcome["participants"] == []
