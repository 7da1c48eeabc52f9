"""Live captions over signaling: who may turn them on, the state everyone sees, the
server-made captioner (with a stand-in process, no speech engine), its lines relayed
unkept, its crash and restart, and its leave when captions go off."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from frankly.protocol.words import CAPTIONER_NAME
from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw
from tests.waiting import until

FAKE = Path(__file__).with_name("fake_captioner.py")
ROOT = FAKE.parents[2]


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(grace=0.3, max_errors=100)


@pytest.fixture
def captioning(live_server: LiveServer) -> LiveServer:
    """The server with captions "installed", and the stand-in as its captioner."""

    async def launch(url: str, room: str, env: dict[str, str]) -> asyncio.subprocess.Process:
        env = {**env, "PYTHONPATH": str(ROOT)}
        return await asyncio.create_subprocess_exec(sys.executable, str(FAKE), url, room, env=env)

    def install() -> None:
        live_server.hub.captions_missing = lambda: None
        live_server.hub.captions._launch = launch

    live_server.call(install)
    return live_server


async def refused(client: Raw, message: dict[str, Any], code: str) -> dict[str, Any]:
    await client.send(message)
    error = await client.expect("error")
    assert (error["code"], error["ref"]) == (code, message["type"]), error
    return error


async def captions_state(client: Raw, state: str) -> dict[str, Any]:
    """The first `captions` message in `state` (the ones before it skipped)."""
    while (message := await client.expect("captions", wait=20))["state"] != state:
        pass
    return message


async def test_the_welcome_says_captions_are_off_and_languages_are_in_the_records(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, language="en")
    assert ada.welcome["captions"] == {
        "state": "off",
        "transcript": False,
        "captioner": None,
        "message": None,
        "stored": False,  # the transcript is kept with a dialogue meeting (no room of one here)
    }
    assert ada.welcome["you"]["language"] == "en"
    boris = await Raw.join(live_server.ws_url, name="Boris")
    assert (await ada.expect("joined"))["participant"]["language"] is None
    await boris.send({"type": "update", "language": "ru"})
    assert (await ada.expect("updated"))["participant"]["language"] == "ru"
    await refused(boris, {"type": "update", "language": "Russian"}, "invalid-message")


async def test_only_a_host_turns_captions_on(live_server: LiveServer) -> None:
    await Raw.join(live_server.ws_url)
    boris = await Raw.join(live_server.ws_url, name="Boris")
    error = await refused(boris, {"type": "captions", "on": True}, "not-host")
    assert "only a host" in error["message"]


async def test_without_the_captions_extra_the_host_is_told_what_to_install(
    live_server: LiveServer,
) -> None:
    def uninstalled() -> None:
        live_server.hub.captions_missing = lambda: "captions are not installed: pip install x"

    live_server.call(uninstalled)
    ada = await Raw.join(live_server.ws_url)
    error = await refused(ada, {"type": "captions", "on": True}, "captions-unavailable")
    assert error["message"] == "captions are not installed: pip install x"


async def test_only_the_captioner_sends_caption_lines(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    await refused(ada, {"type": "caption", "sealed": "AAAA"}, "not-allowed")


async def test_a_host_cannot_invite_a_captioner(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    await refused(ada, {"type": "invite", "role": "captioner"}, "invalid-message")


async def test_a_captioner_invite_is_refused_while_captions_are_off(
    live_server: LiveServer,
) -> None:
    await Raw.join(live_server.ws_url)
    token, _, _ = live_server.hub.gate.invites.make("r", "captioner", 60, name=CAPTIONER_NAME)
    stray = await Raw.hello(live_server.ws_url, name="x", invite=token)
    await stray.refused("not-allowed", 4403)


async def test_the_captioner_joins_relays_lines_restarts_and_leaves(
    captioning: LiveServer,
) -> None:
    ada = await Raw.join(captioning.ws_url)
    await ada.send({"type": "captions", "on": True, "transcript": False})
    assert (await ada.expect("captions"))["state"] == "starting"
    joined = (await ada.expect("joined", wait=20))["participant"]
    assert (joined["role"], joined["name"]) == ("captioner", CAPTIONER_NAME)
    on = await captions_state(ada, "on")
    assert on["captioner"] == joined["id"]
    line = await ada.expect("caption")
    assert (line["from"], line["sealed"]) == (joined["id"], "c2VhbGVk")
    # A newcomer sees captions on, and no caption history (none is kept).
    boris = await Raw.join(captioning.ws_url, name="Boris")
    assert boris.welcome["captions"]["state"] == "on"
    assert "caption" not in boris.welcome and boris.welcome["mode"] == "sfu"

    def kill() -> None:
        process = captioning.hub.captions.rooms["r"].process
        assert process is not None
        process.kill()

    captioning.call(kill)  # a crash: the room is told, the captioner comes back
    assert (await ada.expect("left"))["id"] == joined["id"]  # at once, not after a grace
    restarting = await captions_state(ada, "restarting")
    assert "starting again" in restarting["message"]
    again = await captions_state(ada, "on")
    assert again["captioner"] not in (None, joined["id"])

    await ada.send({"type": "captions", "on": False})
    assert (await ada.expect("captions"))["state"] == "off"
    assert (await ada.expect("left"))["id"] == again["captioner"]
    assert captioning.participant_ids("r") == [ada.id, boris.id]
    assert await _exits(captioning)


async def _exits(server: LiveServer) -> bool:
    """Whether no captioner process is left running (it goes once let go)."""
    await until(lambda: server.call(server.hub.captions.running) == 0, 5, "no captioner runs")
    return True


async def test_removing_the_captioner_turns_captions_off_and_it_cannot_be_made_host(
    captioning: LiveServer,
) -> None:
    ada = await Raw.join(captioning.ws_url)
    await ada.send({"type": "captions", "on": True})
    captioner = (await captions_state(ada, "on"))["captioner"]
    make_host = {"type": "moderate", "action": "make-host", "id": captioner}
    await refused(ada, make_host, "not-allowed")
    await ada.send({"type": "moderate", "action": "remove", "id": captioner})
    assert (await ada.expect("captions"))["state"] == "off"  # not restarted
    assert (await ada.expect("left"))["id"] == captioner
    # When everyone else leaves, the captioner does too, and the room is gone.
    await ada.send({"type": "captions", "on": True})
    await captions_state(ada, "on")
    await ada.send({"type": "leave"})
    await ada.closed()
    assert await _exits(captioning)
    assert captioning.participant_ids("r") == []


async def test_a_server_stopping_with_captions_on_kills_and_reaps_its_captioner(
    captioning: LiveServer,
) -> None:
    ada = await Raw.join(captioning.ws_url)
    await ada.send({"type": "captions", "on": True})
    await captions_state(ada, "on")
    captions = captioning.call(lambda: next(iter(captioning.hub.captions.rooms.values())))
    process, run = captions.process, captions.task
    assert process is not None and run is not None
    await asyncio.to_thread(captioning.stop)
    # Reaped and finished on the server's own loop, not left to the garbage collector.
    assert process.returncode is not None
    assert run.done()
