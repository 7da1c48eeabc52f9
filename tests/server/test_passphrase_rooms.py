"""A room whose hosts hold a passphrase asks a newcomer without one for it before
letting them in (docs/protocol.md, `passphrase-required`): inside, they would see
and hear nothing. The server learns only that there is a passphrase."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.server.wsclient import Raw


async def test_a_hello_without_a_passphrase_is_refused_where_the_host_holds_one(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, room="held", name="Ada", passphrase=True)
    assert ada.welcome["you"]["role"] == "host"
    grace = await Raw.hello(live_server.ws_url, room="held", name="Grace")
    error = await grace.refused("passphrase-required", 4401)
    assert error["ref"] == "hello" and "passphrase" in error["message"]
    assert live_server.participant_ids("held") == [ada.welcome["you"]["id"]]
    # Holding one, she comes in (what it is, the server never learns).
    grace = await Raw.join(live_server.ws_url, room="held", name="Grace", passphrase=True)
    assert grace.welcome["you"]["role"] == "participant"


async def test_only_a_host_marks_the_room(live_server: LiveServer) -> None:
    await Raw.join(live_server.ws_url, room="plain", name="Ada")
    await Raw.join(live_server.ws_url, room="plain", name="Eve", passphrase=True)
    # Eve is no host: her passphrase does not keep anyone out.
    grace = await Raw.join(live_server.ws_url, room="plain", name="Grace")
    assert grace.welcome["you"]["role"] == "participant"


async def test_an_invite_lets_in_but_does_not_stand_for_the_passphrase(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, room="held", name="Ada", passphrase=True)
    await ada.send({"type": "invite", "role": "participant", "ttl": 600})
    token = (await ada.expect("invite"))["token"]
    grace = await Raw.hello(live_server.ws_url, room="held", name="Grace", invite=token)
    await grace.refused("passphrase-required", 4401)
    grace = await Raw.join(
        live_server.ws_url, room="held", name="Grace", invite=token, passphrase=True
    )
    assert grace.welcome["you"]["role"] == "participant"


async def test_passphrase_is_a_boolean(live_server: LiveServer) -> None:
    ada = await Raw.hello(live_server.ws_url, room="held", name="Ada", passphrase="hunter2")
    error = await ada.expect("error")
    assert error["code"] == "invalid-message" and "passphrase" in error["message"]
