"""The lobby, the lock, bans and passwords (docs/protocol.md, *Who gets in*)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from frankly.protocol.errors import Code, ProtocolError
from frankly.protocol.messages import Hello
from frankly.server.access import Entry
from frankly.server.config import ServerConfig
from frankly.server.lobby import Lobby
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config() -> ServerConfig:
    # Tests tell people apart by X-Forwarded-For addresses where it matters.
    return ServerConfig(trust_proxy=True, grace=0.3, hello_timeout=0.3)


def at(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def host_with(live_server: LiveServer, **settings: object) -> Raw:
    ada = await Raw.join(live_server.ws_url, device="dev-ada", headers=at("198.51.100.1"))
    await ada.send({"type": "settings", **settings})
    shown = (await ada.expect("settings"))["settings"]
    # The password itself is never sent back: only whether there is one.
    expected = {k: (v is not None) if k == "password" else v for k, v in settings.items()}
    assert shown.items() >= expected.items()
    return ada


async def knock(
    live_server: LiveServer, name: str, *, locked: bool = False, **extra: object
) -> Raw:
    """Knock at room r; `locked`: the lobby message must say the room is locked."""
    client = await Raw.hello(live_server.ws_url, name=name, **extra)
    got = await client.expect("lobby")
    assert got == {"type": "lobby", "status": "waiting", "room": "r", "locked": locked}
    return client


async def test_knock_then_admit(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    grace = await knock(live_server, "Grace", device="dev-grace")
    knocked = (await ada.expect("knock"))["knock"]
    assert knocked["name"] == "Grace" and knocked["returning"] is False
    assert knocked["id"].startswith("k-")
    # While waiting: pings work, anything else is not-joined.
    await grace.send({"type": "ping", "n": 1})
    assert await grace.expect("pong") == {"type": "pong", "n": 1}
    await grace.send({"type": "chat", "text": "let me in"})
    error = await grace.expect("error")
    assert error["code"] == "not-joined" and "lobby" in error["message"]
    await ada.send({"type": "admit", "id": knocked["id"]})
    done = await ada.expect("knock-done")
    assert done == {"type": "knock-done", "id": knocked["id"], "outcome": "admitted"}
    assert (await ada.expect("joined"))["participant"]["name"] == "Grace"
    welcome = await grace.expect("welcome")
    assert welcome["you"]["role"] == "participant" and "knocks" not in welcome
    assert welcome["settings"]["lobby"] is True
    await ada.send({"type": "admit", "id": knocked["id"]})
    assert (await ada.expect("error"))["code"] == "unknown-knock"


async def test_knockers_outlive_the_hello_timeout(live_server: LiveServer) -> None:
    """They said hello; waiting for a host can take longer than saying it."""
    await host_with(live_server, lobby=True)
    grace = await knock(live_server, "Grace")
    await asyncio.sleep(0.6)  # twice the hello timeout
    await grace.send({"type": "ping", "n": 7})
    assert await grace.expect("pong") == {"type": "pong", "n": 7}


async def test_knock_then_deny_and_the_denied_must_knock_again(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    eve = await knock(live_server, "Eve", device="dev-eve")
    knocked = (await ada.expect("knock"))["knock"]
    await ada.send({"type": "deny", "id": knocked["id"]})
    assert (await eve.refused("denied", 4403))["ref"] == "hello"
    assert await ada.expect("knock-done") == {
        "type": "knock-done",
        "id": knocked["id"],
        "outcome": "denied",
    }
    # Even with the lobby off, the same device knocks, marked returning.
    await ada.send({"type": "settings", "lobby": False})
    await ada.expect("settings")
    back = await knock(live_server, "Eve again", device="dev-eve")
    again = (await ada.expect("knock"))["knock"]
    assert again["returning"] is True and again["id"] != knocked["id"]
    # Another device from the same (loopback) machine is someone else.
    await Raw.join(live_server.ws_url, name="Neighbour", device="dev-other")
    await ada.send({"type": "admit", "id": again["id"]})
    assert (await back.expect("welcome"))["you"]["name"] == "Eve again"


async def test_a_ban_holds_for_the_address_with_a_new_device(live_server: LiveServer) -> None:
    ada = await host_with(live_server, locked=True)
    eve = await knock(live_server, "Eve", locked=True, device="dev-1", headers=at("203.0.113.9"))
    await ada.send({"type": "deny", "id": (await ada.expect("knock"))["knock"]["id"]})
    await eve.refused("denied", 4403)
    await ada.send({"type": "settings", "locked": False})
    await knock(live_server, "Eve", device="dev-2", headers=at("203.0.113.9"))
    assert (await ada.expect("knock"))["knock"]["returning"] is True
    await Raw.join(live_server.ws_url, name="Grace", device="dev-2", headers=at("203.0.113.10"))


async def test_remove_then_the_removed_knocks_on_return(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=False)
    mallory = await Raw.join(live_server.ws_url, name="Mallory", device="dev-m")
    await ada.send({"type": "moderate", "action": "remove", "id": mallory.id})
    await mallory.refused("removed", 4403)
    assert (await ada.expect("left"))["reason"] == "removed"
    back = await knock(live_server, "Mallory", device="dev-m")
    knocked = (await ada.expect("knock"))["knock"]
    assert knocked["returning"] is True
    await ada.send({"type": "admit", "id": knocked["id"]})
    await back.expect("welcome")
    # Admitted is forgiven: next time the device walks in.
    await back.send({"type": "leave"})
    await Raw.join(live_server.ws_url, name="Mallory", device="dev-m")


async def test_lock_makes_everyone_knock_but_invite_holders(live_server: LiveServer) -> None:
    ada = await host_with(live_server, locked=True)
    await knock(live_server, "Grace", locked=True)  # told why they wait
    await ada.expect("knock")
    await ada.send({"type": "invite", "ttl": 600})
    token = (await ada.expect("invite"))["token"]
    bob = await Raw.join(live_server.ws_url, name="Bob", invite=token)
    assert bob.welcome["you"]["role"] == "participant"


async def test_a_knocker_who_leaves_is_taken_off_the_list(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    grace = await knock(live_server, "Grace")
    knocked = (await ada.expect("knock"))["knock"]
    await grace.close()
    assert (await ada.expect("knock-done"))["outcome"] == "left"
    await ada.send({"type": "deny", "id": knocked["id"]})
    assert (await ada.expect("error"))["code"] == "unknown-knock"


async def test_knockers_wait_for_a_host_when_the_room_empties(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    grace = await knock(live_server, "Grace")
    await ada.expect("knock")
    await ada.send({"type": "leave"})
    assert await ada.closed() == 1000
    bob = await Raw.join(live_server.ws_url, name="Bob")
    assert bob.welcome["you"]["role"] == "host"
    assert bob.welcome["settings"] == {"lobby": False, "locked": False, "password": False}
    [waiting] = bob.welcome["knocks"]
    assert waiting["name"] == "Grace"
    await bob.send({"type": "admit", "id": waiting["id"]})
    await grace.expect("welcome")


async def test_a_new_host_is_told_who_is_knocking(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    grace = await Raw.join(live_server.ws_url, name="Grace", invite=await token(ada))
    await knock(live_server, "Eve")
    knocked = (await ada.expect("knock"))["knock"]
    await ada.send({"type": "leave"})
    assert (await grace.expect("knock"))["knock"] == knocked


async def test_password_wrong_then_right(live_server: LiveServer) -> None:
    ada = await host_with(live_server, password="s3cret")
    nobody = await Raw.hello(live_server.ws_url, name="Grace")
    assert (await nobody.refused("password-required", 4401))["ref"] == "hello"
    wrong = await Raw.hello(live_server.ws_url, name="Grace", password="secret")
    assert (await wrong.refused("wrong-password", 4401))["message"] == "wrong password"
    grace = await Raw.join(live_server.ws_url, name="Grace", password="s3cret")
    assert grace.welcome["settings"]["password"] is True
    await ada.send({"type": "settings", "password": None})
    assert (await grace.expect("settings"))["settings"]["password"] is False
    await Raw.join(live_server.ws_url, name="Eve")


async def test_password_comes_before_the_lobby(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True, password="s3cret")
    await (await Raw.hello(live_server.ws_url, name="Grace")).refused("password-required", 4401)
    await knock(live_server, "Grace", password="s3cret")
    assert (await ada.expect("knock"))["knock"]["name"] == "Grace"


async def test_too_many_wrong_passwords_from_one_address(live_server: LiveServer) -> None:
    await host_with(live_server, password="s3cret")
    for _ in range(5):
        guess = await Raw.hello(live_server.ws_url, password="guess", headers=at("203.0.113.5"))
        await guess.refused("wrong-password", 4401)
    right = await Raw.hello(live_server.ws_url, password="s3cret", headers=at("203.0.113.5"))
    await right.refused("too-many-attempts", 4429)
    # Another address is not held back.
    await Raw.join(live_server.ws_url, password="s3cret", headers=at("203.0.113.6"))


async def token(host: Raw, role: str = "participant") -> str:
    await host.send({"type": "invite", "role": role, "ttl": 600})
    answer: str = (await host.expect("invite"))["token"]
    return answer


async def test_the_lobby_is_bounded_per_address_and_per_room(live_server: LiveServer) -> None:
    ada = await host_with(live_server, lobby=True)
    for n in range(3):  # lobby_per_address
        await knock(live_server, f"Eve {n}", headers=at("203.0.113.66"))
    one_more = await Raw.hello(live_server.ws_url, name="Eve 3", headers=at("203.0.113.66"))
    error = await one_more.refused("lobby-full", 4409)
    assert error["message"] == "3 knocks from this address wait at 'r' already"
    for n in range(3, 50):  # lobby_size, from addresses of their own
        await knock(live_server, f"K{n}", headers=at(f"203.0.113.{n}"))
    late = await Raw.hello(live_server.ws_url, name="Late", headers=at("192.0.2.1"))
    error = await late.refused("lobby-full", 4409)
    assert error["message"] == "50 people are waiting to join 'r' already; try again later"
    # What a host is told stays bounded with it.
    await ada.send({"type": "invite", "role": "host"})
    token = (await ada.expect("invite"))["token"]
    cohost = await Raw.join(live_server.ws_url, name="Co", invite=token, headers=at("192.0.2.2"))
    assert len(cohost.welcome["knocks"]) == 50


def test_the_lobby_is_bounded_on_the_whole_server() -> None:
    lobby = Lobby(size=10, total=3, per_address=10)
    hello = Hello(type="hello", version=1, room="a", name="A")
    entry = Entry(name="A", role="participant", invited=False)
    link: Any = object()
    knocks = [lobby.add(link, hello, entry, False, None) for _ in range(3)]
    with pytest.raises(ProtocolError) as info:
        lobby.add(link, hello.model_copy(update={"room": "b"}), entry, False, None)
    assert info.value.code is Code.LOBBY_FULL and info.value.close_code == 4409
    lobby.pop("a", knocks[0].id)
    lobby.add(link, hello.model_copy(update={"room": "b"}), entry, False, None)
    assert len(lobby.clear("a")) == 2
    lobby.add(link, hello, entry, False, None)
