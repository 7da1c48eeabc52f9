"""A dialogue meeting's kept transcript over signaling: the captioner hands in final lines,
the server stores them with the meeting, and the members read them through the API.

The captioner here is a test's client, but it comes in through the captioner's
own door: the supervisor launches a stand-in process with the invite the server
signed for its captioner, and the test says hello with that invite, so the role
it holds is the one the server gave. Nobody else may hand in a line, and none
is stored while the host does not keep the transcript or in a room that holds
no dialogue meeting.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from frankly.api import transcripts
from frankly.captioner.supervisor import INVITE_ENV
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.api.entering import enter, entered
from tests.api.talks import Talks, error, found
from tests.server.conftest import Site
from tests.server.test_captions import captions_state
from tests.server.wsclient import Raw

_pings = itertools.count(1)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[BackgroundServer]:
    server = BackgroundServer(ServerConfig(data_dir=tmp_path, grace=0.3, max_errors=100)).start()
    yield server
    server.stop()


@pytest.fixture
async def invites(live_server: BackgroundServer) -> asyncio.Queue[str]:
    """Captions "installed"; each captioner the server launches is a process that only
    waits, and the invite the server gave it comes here, for the test to use."""
    handed: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def launch(url: str, room: str, env: dict[str, str]) -> asyncio.subprocess.Process:
        loop.call_soon_threadsafe(handed.put_nowait, env[INVITE_ENV])
        wait = "import time; time.sleep(600)"
        return await asyncio.create_subprocess_exec(sys.executable, "-c", wait)

    def install() -> None:
        live_server.hub.captions_missing = lambda: None
        live_server.hub.captions._launch = launch

    live_server.call(install)
    return handed


async def a_meeting(site: Site, live_server: BackgroundServer) -> tuple[Talks, str, Raw, Raw]:
    """Ann (host, United States) and Boris (host, Russia) in their meeting's room."""
    talks = await found(site)  # type: ignore[arg-type]
    meeting = await talks.meeting()
    room: str = (await talks.read(talks.ann))["meetings"][0]["room"]
    ann = await _enter(live_server, talks, talks.ann, meeting, room)
    boris = await _enter(live_server, talks, talks.boris, meeting, room)
    await ann.expect("joined")
    return talks, meeting, ann, boris


async def _enter(
    server: BackgroundServer, talks: Talks, client: httpx.AsyncClient, meeting: str, room: str
) -> Raw:
    token = entered(await enter(talks, client, meeting))["invite"]
    return await Raw.join(server.ws_url, room, "whoever", invite=token)


async def captioner_in(
    server: BackgroundServer, host: Raw, invites: asyncio.Queue[str], keep: bool = True
) -> tuple[Raw, dict[str, Any]]:
    """A host turns captions on; the captioner comes in with the server's invite."""
    await host.send({"type": "captions", "on": True, "transcript": keep})
    token = await asyncio.wait_for(invites.get(), 20)
    room = host.welcome["room"]
    captioner = await Raw.join(server.ws_url, room, "anything", invite=token)
    assert captioner.welcome["you"]["role"] == "captioner"
    return captioner, await captions_state(host, "on")


def line(speaker: str, n: int, text: str, **more: Any) -> dict[str, Any]:
    return {
        "type": "transcript-line",
        "speaker": speaker,
        "line": n,
        "text": text,
        "language": "en",
        "english": text,
        "start": 1.0 + 4 * n,
        "end": 3.0 + 4 * n,
        **more,
    }


async def handed(captioner: Raw, *messages: dict[str, Any]) -> None:
    """Send them, then ping: the server answers a link's messages in order, and stores
    a line before it reads the next, so the pong says every line before it is in."""
    for message in messages:
        await captioner.send(message)
    n = next(_pings)
    await captioner.send({"type": "ping", "n": n})
    while (answer := await captioner.expect_any())["type"] != "pong":
        assert answer["type"] != "error", answer
    assert answer["n"] == n


async def transcript(talks: Talks, meeting: str, kind: str = "txt") -> httpx.Response:
    return await talks.ann.get(f"{talks.path}/meetings/{meeting}/transcript?format={kind}")


async def test_the_captioners_final_lines_are_kept_with_the_meeting_for_its_members(
    live_server: BackgroundServer, site: Site, invites: asyncio.Queue[str]
) -> None:
    talks, meeting, ann, boris = await a_meeting(site, live_server)
    assert error(await transcript(talks, meeting), 404, "no-transcript")
    captioner, on = await captioner_in(live_server, ann, invites)
    assert (on["transcript"], on["stored"]) == (True, True)  # everyone is told where it goes
    russian = line(boris.id, 0, "Мы согласны.", language="ru", english=None, start=6.0, end=7.5)
    await handed(
        captioner,
        line(ann.id, 0, "We begin with the agenda."),
        russian,
        {**russian, "english": "We agree."},  # its translation follows: the same line again
    )
    text = await transcript(talks, meeting)
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    topic, began, blank, *lines = text.text.splitlines()
    assert (topic, blank) == ("Strategic stability", "")
    assert began.startswith("Transcript from ") and began.endswith(" UTC")
    assert lines == [
        "[00:00:00] Ann (United States): We begin with the agenda.",
        "[00:00:05] Boris (Russia): Мы согласны.",
        "    (English) We agree.",
    ]
    vtt = await talks.boris.get(f"{talks.path}/meetings/{meeting}/transcript?format=vtt")
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n")
    assert "<v Boris (Russia)>Мы согласны.\n<v Boris (Russia)>(We agree.)\n" in vtt.text
    # The dialogue's page learns there is one: how many lines.
    assert (await talks.read(talks.ann))["meetings"][0]["transcript"] == 2


async def test_only_the_captioner_hands_in_lines_and_only_while_the_transcript_is_kept(
    live_server: BackgroundServer, site: Site, invites: asyncio.Queue[str]
) -> None:
    talks, meeting, ann, boris = await a_meeting(site, live_server)
    captioner, _ = await captioner_in(live_server, ann, invites, keep=False)
    # A host is no captioner: whatever it claims, the role is the server's.
    await ann.send(line(boris.id, 0, "Boris said nothing of the kind."))
    refused = await ann.expect("error")
    assert (refused["code"], refused["ref"]) == ("not-allowed", "transcript-line")
    assert "only the server's captioner" in refused["message"]
    # Captions on without keeping the transcript: nothing goes to the meeting.
    await captioner.send(line(ann.id, 0, "Off the record."))
    refused = await captioner.expect("error")
    assert refused["code"] == "not-allowed" and "not kept" in refused["message"]
    # Keeping on: stored; keeping off again: stored no more.
    await ann.send({"type": "captions", "on": True, "transcript": True})
    assert (await captions_state(ann, "on"))["stored"] is True
    await handed(captioner, line(ann.id, 1, "On the record."))
    await ann.send({"type": "captions", "on": True, "transcript": False})
    assert (await captions_state(ann, "on"))["stored"] is False
    await captioner.send(line(ann.id, 2, "Off the record again."))
    assert (await captioner.expect("error"))["code"] == "not-allowed"
    text = (await transcript(talks, meeting)).text
    assert "On the record." in text and "Off the record" not in text
    # A line must be someone's in the room.
    await ann.send({"type": "captions", "on": True, "transcript": True})
    await captions_state(ann, "on")
    await captioner.send(line("p-nobody", 3, "Who said this?"))
    assert (await captioner.expect("error"))["code"] == "unknown-peer"


async def test_a_room_that_holds_no_dialogue_meeting_stores_nothing(
    live_server: BackgroundServer, invites: asyncio.Queue[str]
) -> None:
    ada = await Raw.join(live_server.ws_url, "plain", "Ada")
    captioner, on = await captioner_in(live_server, ada, invites)
    assert (on["transcript"], on["stored"]) == (True, False)  # clients keep theirs, as before
    await captioner.send(line(ada.id, 0, "Nowhere to go."))
    refused = await captioner.expect("error")
    assert (refused["code"], refused["ref"]) == ("not-allowed", "transcript-line")


async def test_a_full_transcript_keeps_no_more_and_the_room_is_told(
    live_server: BackgroundServer,
    site: Site,
    invites: asyncio.Queue[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transcripts, "MAX_LINES", 2)  # the server runs in this process
    talks, meeting, ann, _ = await a_meeting(site, live_server)
    captioner, _ = await captioner_in(live_server, ann, invites)
    await handed(captioner, line(ann.id, 0, "One."), line(ann.id, 1, "Two."))
    await captioner.send(line(ann.id, 2, "Three."))
    full = await captions_state(ann, "on")
    assert full["stored"] is False and full["transcript"] is True
    assert "reached its limit (2 lines" in full["message"]
    assert (await talks.read(talks.ann))["meetings"][0]["transcript"] == 2
    assert "Three." not in (await transcript(talks, meeting)).text
