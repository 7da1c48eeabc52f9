"""Interpretation over signaling: who may be an interpreter, the room's languages,
listeners' choices, direction, hand-over and booth chat, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from frankly.protocol.messages import BOOTH_CHAT_TO
from frankly.rooms.interpretation import BOOTH_SIZE
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(grace=0.3, max_errors=100)


async def refused(client: Raw, message: dict[str, Any], code: str) -> dict[str, Any]:
    await client.send(message)
    error = await client.expect("error")
    assert (error["code"], error["ref"]) == (code, message["type"]), error
    return error


async def invited(url: str, host: Raw, name: str, **invite: Any) -> Raw:
    await host.send({"type": "invite", **invite})
    token = (await host.expect("invite"))["token"]
    return await Raw.join(url, name=name, invite=token)


async def until(client: Raw, kind: str, holds: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first message of type `kind` for which `holds` (earlier ones are skipped)."""
    while not holds(message := await client.expect(kind)):
        pass
    return message


async def make_interpreter(host: Raw, pid: str, pair: list[str]) -> dict[str, Any]:
    await host.send({"type": "interpreter", "id": pid, "pair": pair})
    return await host.expect("interpretation")


async def test_a_host_makes_an_interpreter_and_the_room_of_two_moves_to_the_sfu(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url)
    ivan = await Raw.join(live_server.ws_url, name="Ivan")
    assert ada.welcome["mode"] == "p2p"
    assert ada.welcome["interpretation"] == {"languages": [], "booths": [], "relay": {}}
    assert ada.welcome["listening"] == "floor"
    await ada.send({"type": "interpreter", "id": ivan.id, "pair": ["en", "ru"]})
    assert await ivan.expect("mode") == {"type": "mode", "mode": "sfu"}
    told = await ivan.expect("interpretation")
    assert told["languages"] == ["en", "ru"]
    assert told["booths"] == [
        {"pair": ["en", "ru"], "members": [ivan.id], "live": ivan.id, "into": "ru"}
    ]
    late = await Raw.join(live_server.ws_url, name="Late")
    assert late.welcome["interpretation"]["languages"] == ["en", "ru"]
    # The role taken back: no languages, and the room stays on the SFU.
    await ada.send({"type": "interpreter", "id": ivan.id, "pair": None})
    assert (await late.expect("interpretation"))["languages"] == []


async def test_refusals_of_the_interpreter_role(live_server: LiveServer) -> None:
    url = live_server.ws_url
    ada = await Raw.join(url)
    grace = await Raw.join(url, name="Grace")
    guest = await invited(url, ada, "Guest", role="guest")
    assignment = {"type": "interpreter", "id": grace.id, "pair": ["en", "ru"]}
    await refused(grace, assignment, "not-host")
    error = await refused(ada, {**assignment, "id": guest.id}, "guest-interpreter")
    assert "guest" in error["message"]
    await refused(ada, {**assignment, "id": "p-nobody"}, "unknown-peer")
    # An invite that would make a guest an interpreter is not made.
    await refused(
        ada, {"type": "invite", "role": "guest", "interpret": ["en", "ru"]}, "guest-interpreter"
    )
    await refused(grace, {"type": "invite", "interpret": ["en", "ru"]}, "not-host")
    await refused(
        ada, {"type": "interpreter", "id": grace.id, "pair": ["en", "en"]}, "invalid-message"
    )


async def test_an_invite_that_carries_the_role_makes_an_interpreter_on_joining(
    live_server: LiveServer,
) -> None:
    url = live_server.ws_url
    ada = await Raw.join(url)
    await ada.send({"type": "invite", "interpret": ["en", "ru"]})
    reply = await ada.expect("invite")
    assert reply["interpret"] == ["en", "ru"]
    ivan = await Raw.join(url, name="Ivan", invite=reply["token"])
    assert ivan.welcome["mode"] == "sfu"  # at two, because of the interpreter
    (booth,) = ivan.welcome["interpretation"]["booths"]
    assert booth["members"] == [ivan.id] and booth["live"] == ivan.id
    assert await ada.expect("mode") == {"type": "mode", "mode": "sfu"}
    assert (await ada.expect("interpretation"))["languages"] == ["en", "ru"]


async def test_listeners_choose_a_channel_and_an_unknown_one_is_refused(
    live_server: LiveServer,
) -> None:
    url = live_server.ws_url
    ada = await Raw.join(url)
    boris = await Raw.join(url, name="Boris")
    error = await refused(boris, {"type": "listen", "channel": "ru"}, "unknown-language")
    assert "'ru'" in error["message"] and "none" in error["message"]
    ivan = await Raw.join(url, name="Ivan")
    await make_interpreter(ada, ivan.id, ["en", "ru"])
    await boris.send({"type": "listen", "channel": "ru"})
    assert await boris.expect("listening") == {"type": "listening", "channel": "ru"}
    await refused(boris, {"type": "listen", "channel": "fr"}, "unknown-language")
    await refused(boris, {"type": "listen", "channel": "Russian"}, "invalid-message")
    # The language goes with its last interpreter: Boris is back on the floor, and told.
    await ivan.send({"type": "leave"})
    assert (await boris.expect("interpretation"))["languages"] == []
    assert await boris.expect("listening") == {"type": "listening", "channel": "floor"}


async def test_direction_relay_and_their_refusals(live_server: LiveServer) -> None:
    url = live_server.ws_url
    ada = await Raw.join(url)
    ivan = await Raw.join(url, name="Ivan")
    fred = await Raw.join(url, name="Fred")
    await refused(ivan, {"type": "interpret", "into": "en"}, "not-interpreter")
    await make_interpreter(ada, ivan.id, ["en", "ru"])
    await make_interpreter(ada, fred.id, ["fr", "en"])
    booths = (await until(ivan, "interpretation", lambda m: len(m["booths"]) == 2))["booths"]
    assert [(b["pair"], b["into"]) for b in booths] == [(["en", "ru"], "ru"), (["fr", "en"], "en")]
    await refused(ivan, {"type": "interpret", "into": "fr"}, "unknown-language")
    error = await refused(ivan, {"type": "interpret", "into": "en"}, "channel-busy")
    assert "fr-en" in error["message"]
    # Relay: Ivan interprets from Fred's English instead of the floor; never from his own channel.
    await ivan.send({"type": "listen", "channel": "en"})
    assert (await until(ivan, "interpretation", lambda m: bool(m["relay"])))["relay"] == {
        ivan.id: "en"
    }
    await refused(ivan, {"type": "listen", "channel": "ru"}, "not-allowed")
    # One message switches the direction.
    await fred.send({"type": "interpret", "into": "fr"})
    await ivan.send({"type": "interpret", "into": "en"})
    switched = await until(ada, "interpretation", lambda m: m["booths"][0]["into"] == "en")
    assert switched["booths"][1]["into"] == "fr"


async def test_hand_over_and_booth_chat_stay_in_the_booth(live_server: LiveServer) -> None:
    url = live_server.ws_url
    ada = await Raw.join(url)
    ivan = await Raw.join(url, name="Ivan")
    irina = await Raw.join(url, name="Irina")
    await refused(ivan, {"type": "handover"}, "not-interpreter")
    await make_interpreter(ada, ivan.id, ["en", "ru"])
    await refused(ivan, {"type": "handover"}, "booth-not-ready")  # nobody to hand over to
    told = await make_interpreter(ada, irina.id, ["ru", "en"])  # the same booth
    assert told["booths"][0]["members"] == [ivan.id, irina.id]
    # Irina publishes no channel track: the hand-over would leave the channel silent.
    error = await refused(ivan, {"type": "handover"}, "booth-not-ready")
    assert "Irina" in error["message"]
    await refused(ivan, {"type": "handover", "to": ada.id}, "booth-not-ready")
    third = await Raw.join(url, name="Third")
    await refused(ada, {"type": "interpreter", "id": third.id, "pair": ["en", "ru"]}, "not-allowed")
    # Booth chat reaches the partner only, as it was sealed for them.
    await ivan.send({"type": "booth-chat", "sealed": {irina.id: "c2VhbGVk"}})
    line = await irina.expect("booth-chat")
    assert (line["from"], line["name"], line["sealed"]) == (ivan.id, "Ivan", "c2VhbGVk")
    await refused(ivan, {"type": "booth-chat", "sealed": {ada.id: "c2VhbGVk"}}, "unknown-peer")
    await refused(ada, {"type": "booth-chat", "sealed": {ivan.id: "c2VhbGVk"}}, "not-interpreter")
    await ada.send({"type": "ping", "n": 7})
    while (message := await ada.expect_any())["type"] != "pong":
        assert message["type"] != "booth-chat"


def test_a_booth_message_goes_to_every_other_member() -> None:
    assert BOOTH_CHAT_TO == BOOTH_SIZE - 1


async def test_an_interpreter_is_one_again_after_a_restart(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path)
    first = BackgroundServer(config).start()
    try:
        ada = await Raw.join(first.ws_url, name="Ada")
        ivan = await Raw.join(first.ws_url, name="Ivan")
        await make_interpreter(ada, ivan.id, ["en", "ru"])
    finally:
        first.stop()
    await ivan.closed()
    second = BackgroundServer(config).start()
    try:
        back = await Raw.join(second.ws_url, name="Ivan", resume=ivan.welcome["resume"])
        assert back.welcome["mode"] == "sfu"
        (booth,) = back.welcome["interpretation"]["booths"]
        assert (booth["pair"], booth["members"]) == (["en", "ru"], [back.id])
        # Someone who was no interpreter comes back as none.
        ada_back = await Raw.join(second.ws_url, name="Ada", resume=ada.welcome["resume"])
        assert ada_back.welcome["interpretation"]["booths"][0]["members"] == [back.id]
    finally:
        second.stop()
