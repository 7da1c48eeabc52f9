"""Hosts and what only they may do; hands, reactions, screen share (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

import pytest

from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config() -> ServerConfig:
    # Every refused host action counts as an error; let one socket try them all.
    return ServerConfig(grace=0.3, max_errors=100)


HOST_ACTIONS: list[dict[str, Any]] = [
    {"type": "settings", "lobby": True},
    {"type": "settings", "locked": True},
    {"type": "settings", "password": "s3cret"},
    {"type": "settings", "password": None},
    {"type": "admit", "id": "k-0000000000"},
    {"type": "deny", "id": "k-0000000000"},
    *(
        {"type": "moderate", "action": action, "id": "HOST"}
        for action in (
            "mute",
            "ask-unmute",
            "stop-video",
            "stop-screen",
            "remove",
            "make-host",
            "lower-hand",
        )
    ),
    {"type": "end"},
    {"type": "invite", "role": "host"},
    {"type": "invite"},
    {"type": "revoke", "id": "i-0000000000000000"},
]


async def test_a_non_host_gets_not_host_for_every_host_action(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    assert ada.welcome["you"]["role"] == "host" and grace.welcome["you"]["role"] == "participant"
    for action in HOST_ACTIONS:
        if action.get("id") == "HOST":
            action = {**action, "id": ada.id}
        await grace.send(action)
        error = await grace.expect("error")
        assert (error["code"], error["ref"]) == ("not-host", action["type"]), action
    # Nothing changed, and Grace is still in.
    late = await Raw.join(live_server.ws_url, name="Late")
    assert late.welcome["settings"] == {"lobby": False, "locked": False, "password": False}
    assert late.welcome["participants"][0] == ada.welcome["you"]
    assert "knocks" not in late.welcome
    await grace.send({"type": "ping", "n": 1})
    assert await grace.expect("pong") == {"type": "pong", "n": 1}


async def test_host_welcome_lists_settings_and_knocks(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    assert ada.welcome["settings"] == {"lobby": False, "locked": False, "password": False}
    assert ada.welcome["knocks"] == []


async def test_mute_stop_video_and_screen_set_the_record(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await grace.send({"type": "update", "screen": True, "screen_stream": "scr-1"})
    shared = (await ada.expect("updated"))["participant"]
    assert (shared["screen"], shared["screen_stream"]) == (True, "scr-1")
    for action, field in (("mute", "audio"), ("stop-video", "video"), ("stop-screen", "screen")):
        await ada.send({"type": "moderate", "action": action, "id": grace.id})
        assert await grace.expect("moderated") == {
            "type": "moderated",
            "action": action,
            "by": ada.id,
        }
        for who in (grace, ada):
            assert (await who.expect("updated"))["participant"][field] is False
    late = await Raw.join(live_server.ws_url, name="Late")
    record = late.welcome["participants"][1]
    assert (record["audio"], record["video"], record["screen"]) == (False, False, False)
    assert record["screen_stream"] is None


async def test_ask_unmute_only_asks(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace", audio=False)
    await ada.send({"type": "moderate", "action": "ask-unmute", "id": grace.id})
    assert (await grace.expect("moderated"))["action"] == "ask-unmute"
    late = await Raw.join(live_server.ws_url, name="Late")
    assert late.welcome["participants"][1]["audio"] is False


async def test_make_host_and_hand_over_when_the_last_host_leaves(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    eve = await Raw.join(live_server.ws_url, name="Eve")
    await ada.send({"type": "moderate", "action": "make-host", "id": eve.id})
    assert (await eve.expect("moderated"))["action"] == "make-host"
    assert (await grace.expect("updated"))["participant"] == {**eve.welcome["you"], "role": "host"}
    # Two hosts: Ada leaving hands nothing over.
    await ada.send({"type": "leave"})
    assert (await grace.expect("left"))["id"] == ada.id
    # The last host leaving does: to the earliest-joined who remains, Grace.
    await eve.send({"type": "leave"})
    assert (await grace.expect("left"))["id"] == eve.id
    promoted = (await grace.expect("updated"))["participant"]
    assert (promoted["id"], promoted["role"]) == (grace.id, "host")
    await grace.send({"type": "settings", "lobby": True})
    assert (await grace.expect("settings"))["settings"]["lobby"] is True


async def test_hand_over_also_when_the_hosts_grace_expires(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await ada.close()  # gone past the 0.3 s grace
    assert (await grace.expect("left")) == {"type": "left", "id": ada.id, "reason": "disconnected"}
    assert (await grace.expect("updated"))["participant"]["role"] == "host"


async def test_remove_tells_the_others_and_a_host_cannot_remove_itself(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    mallory = await Raw.join(live_server.ws_url, name="Mallory")
    await ada.send({"type": "moderate", "action": "remove", "id": ada.id})
    assert (await ada.expect("error"))["code"] == "invalid-message"
    await ada.send({"type": "moderate", "action": "remove", "id": "p-0000000000"})
    assert (await ada.expect("error"))["code"] == "unknown-peer"
    await ada.send({"type": "moderate", "action": "remove", "id": mallory.id})
    assert (await mallory.refused("removed", 4403))["message"] == (
        "a host removed you from the meeting"
    )
    for who in (ada, grace):
        assert await who.expect("left") == {"type": "left", "id": mallory.id, "reason": "removed"}
    assert live_server.participant_ids("r") == [ada.id, grace.id]


async def test_end_closes_everyone_with_4410_and_forgets_the_room(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    eve = await Raw.join(live_server.ws_url, name="Eve")
    await ada.send({"type": "settings", "lobby": True})
    knocker = await Raw.hello(live_server.ws_url, name="Knocker")
    await knocker.expect("lobby")
    await ada.send({"type": "end"})
    for who in (ada, grace, eve, knocker):
        assert await who.expect("meeting-ended") == {"type": "meeting-ended", "by": ada.id}
        assert await who.closed() == 4410
    assert live_server.participant_ids("r") == []
    fresh = await Raw.join(live_server.ws_url, name="Fresh", resume=grace.welcome["resume"])
    assert fresh.welcome["resumed"] is False and fresh.welcome["you"]["role"] == "host"
    assert fresh.welcome["settings"]["lobby"] is False and fresh.welcome["knocks"] == []


async def test_hands_go_up_in_order(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    eve = await Raw.join(live_server.ws_url, name="Eve")

    async def hand(who: Raw, up: bool) -> int | None:
        await who.send({"type": "hand", "up": up})
        for other in (ada, grace, eve):  # everyone, the one who raised it too
            record = (await other.expect("updated"))["participant"]
            assert record["id"] == who.id
        hand: int | None = record["hand"]
        return hand

    eve_hand = await hand(eve, True)
    grace_hand = await hand(grace, True)
    assert eve_hand is not None and grace_hand is not None and eve_hand < grace_hand
    assert await hand(eve, True) == eve_hand  # raising again keeps the place
    await ada.send({"type": "moderate", "action": "lower-hand", "id": eve.id})
    assert (await eve.expect("moderated"))["action"] == "lower-hand"
    for who in (ada, grace, eve):
        assert (await who.expect("updated"))["participant"]["hand"] is None
    again = await hand(eve, True)
    assert again is not None and again > grace_hand
    assert await hand(grace, False) is None
    late = await Raw.join(live_server.ws_url, name="Late")
    hands = {p["name"]: p["hand"] for p in late.welcome["participants"]}
    assert hands == {"Ada": None, "Grace": None, "Eve": again}


async def test_reactions_are_relayed_limited_and_checked(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await grace.send({"type": "react", "emoji": "🎉"})
    for who in (ada, grace):
        assert await who.expect("reaction") == {"type": "reaction", "from": grace.id, "emoji": "🎉"}
    await grace.send({"type": "react", "emoji": "💩"})
    error = await grace.expect("error")
    assert error["code"] == "invalid-message" and "emoji" in error["message"]
    for _ in range(3):  # one token left this second, then dropped
        await grace.send({"type": "react", "emoji": "👍"})
    error = await grace.expect("error")
    assert (error["code"], error["ref"]) == ("rate-limited", "react")
    await grace.send({"type": "ping", "n": 3})
    assert await grace.expect("pong") == {"type": "pong", "n": 3}


async def test_screen_share_is_announced_and_guests_are_refused(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    token = (await invite(ada, "guest"))["token"]
    gus = await Raw.join(live_server.ws_url, name="Gus", invite=token)
    assert gus.welcome["you"]["role"] == "guest"
    await gus.send({"type": "update", "screen": True})
    error = await gus.expect("error")
    assert (error["code"], error["ref"]) == ("not-allowed", "update")
    await gus.send({"type": "update", "audio": False, "screen": False})
    assert (await ada.expect("updated"))["participant"]["audio"] is False
    await ada.send({"type": "update", "screen": True, "screen_stream": "scr-a"})
    record = (await gus.expect("updated"))["participant"]
    assert (record["screen"], record["screen_stream"]) == (True, "scr-a")
    await ada.send({"type": "update", "screen": False})
    record = (await gus.expect("updated"))["participant"]
    assert (record["screen"], record["screen_stream"]) == (False, None)


async def invite(host: Raw, role: str) -> dict[str, Any]:
    await host.send({"type": "invite", "role": role, "ttl": 600})
    answer = await host.expect("invite")
    assert answer["role"] == role and set(answer) == {"type", "token", "id", "role", "exp"}
    return answer
