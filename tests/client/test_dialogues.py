"""The SDK's dialogue calls against a real server on a loopback port: found, join with a
bearer secret, meetings, drafts (a stale save raises with the newer text), publishing,
readouts, refusals as typed errors; and the guide's readout bot, run as written. The
room invite (entry) is checked against a stand-in of its endpoint, which this branch
lacks."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

import frankly.client as fc
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.client.test_sdk_docs import example

SIDES = [("United States", "America/New_York"), ("Russia", "Europe/Moscow")]


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


async def two_sides(api: fc.Dialogues) -> tuple[fc.Dialogue, fc.Dialogue, str, str]:
    """Ann founds and leads the United States; Boris joins Russia as its lead."""
    ann = await api.found("Talks", SIDES, "Ann")
    assert ann.view is not None
    us, ru = (s["id"] for s in ann.view["sides"])
    link = await ann.link(ru, lead=True)
    boris = await api.join(link["token"], "Boris")
    return ann, boris, us, ru


async def test_a_bot_drafts_publishes_and_reads(live_server: BackgroundServer) -> None:
    async with fc.Dialogues(live_server.url) as api:
        ann, boris, us, _ = await two_sides(api)
        assert boris.id == ann.id and boris.secret != ann.secret
        assert not api._http.cookies  # a bearer secret, never a cookie
        made = await ann.create_meeting("Strategic stability", kind="asap")
        assert [m["id"] for m in await boris.meetings()] == [made["id"]]

        first = await ann.save_draft(made["id"], us, 0, "We talked.")
        assert first["number"] == 1 and first["published"] is False
        with pytest.raises(fc.StaleRevision) as stale:
            await ann.save_draft(made["id"], us, 0, "A second thought.")
        assert (stale.value.status, stale.value.code) == (409, "stale-revision")
        assert (stale.value.number, stale.value.text) == (1, "We talked.")
        merged = await ann.save_draft(made["id"], us, stale.value.number, "We talked frankly.")
        draft = await ann.draft(made["id"], us)
        assert [r["text"] for r in draft["revisions"]] == ["We talked.", "We talked frankly."]

        # The other side sees no draft, and nothing until it is published.
        with pytest.raises(fc.ApiRefusal) as refused:
            await boris.draft(made["id"], us)
        assert (refused.value.status, refused.value.code) == (403, "not-your-side")
        assert await boris.readouts(made["id"]) == []
        with pytest.raises(fc.ApiRefusal) as refused:
            await boris.publish(made["id"], us, merged["number"])
        assert refused.value.code == "not-your-side"
        await ann.publish(made["id"], us, merged["number"])
        [readout] = await boris.readouts(made["id"])
        assert (readout["side"], readout["revision"]["text"]) == (us, "We talked frankly.")

        # A bot that kept its secret comes back with it; a wrong one is refused.
        again = api.dialogue(boris.id, boris.secret)
        assert (await again.read())["you"]["name"] == "Boris"
        with pytest.raises(fc.ApiRefusal) as refused:
            await api.dialogue(boris.id, "not-a-secret").read()
        assert (refused.value.status, refused.value.code) == (401, "unauthenticated")
        with pytest.raises(fc.ApiRefusal) as refused:
            await boris.readouts("mt-0000000000000000")
        assert refused.value.code == "unknown-meeting"


async def test_a_refusal_of_found_is_typed(live_server: BackgroundServer) -> None:
    async with fc.Dialogues(live_server.url) as api:
        with pytest.raises(fc.ApiRefusal) as refused:
            await api.found("Talks", [SIDES[0], ("Mars", "Mars/Olympus_Mons")], "Ann")
        assert (refused.value.status, refused.value.code) == (400, "bad-time-zone")
        with pytest.raises(fc.ApiRefusal) as refused:
            await api.join("forged", "Mallory")
        assert refused.value.code == "invalid-invite"


async def test_the_readout_bot_in_the_guide(live_server: BackgroundServer, tmp_path: Path) -> None:
    async with fc.Dialogues(live_server.url) as api:
        ann, _, us, _ = await two_sides(api)
        meeting = (await ann.create_meeting("Strategic stability"))["id"]
        await ann.save_draft(meeting, us, 0, "We agreed to meet again.")
        await ann.publish(meeting, us, 1)
        token = (await ann.link(us))["token"]
    bot_file = tmp_path / "readouts.py"
    bot_file.write_text(example("readouts.py"))
    bot = await asyncio.create_subprocess_exec(
        sys.executable, str(bot_file), live_server.url, token,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        "Strategic stability",
        "  United States: We agreed to meet again.",
    ]


async def test_entry_reads_the_room_invite_of_the_contract() -> None:
    """entry() against a stand-in for POST .../entry (another helper's endpoint): the
    call it makes, and the Entry it gives for fc.Client."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/mt-2/entry"):
            error = {"code": "not-invited", "message": "only Ann (United States) may attend"}
            return httpx.Response(403, json={"error": error})
        body = {
            "room": "dlg-abc",
            "invite": "eyJ.invite",
            "expires": "2027-03-16T15:10:00Z",
            "url": "/dlg-abc#invite=eyJ.invite",
        }
        return httpx.Response(201, json=body)

    transport = httpx.MockTransport(answer)
    async with fc.Dialogues("http://meet.example:8080", transport=transport) as api:
        talks = api.dialogue("d-1", "s3cret")
        entry = await talks.entry("mt-1")
        with pytest.raises(fc.ApiRefusal) as refused:
            await talks.entry("mt-2")
    assert (seen[0].method, seen[0].url.path) == ("POST", "/api/dialogues/d-1/meetings/mt-1/entry")
    assert seen[0].headers["authorization"] == "Bearer s3cret"
    assert entry == fc.Entry(
        room="dlg-abc",
        invite="eyJ.invite",
        expires=datetime(2027, 3, 16, 15, 10, tzinfo=UTC),
        url="http://meet.example:8080/dlg-abc#invite=eyJ.invite",
    )
    assert fc.split_url(entry.url) == ("ws://meet.example:8080/ws", "dlg-abc")
    assert (refused.value.status, refused.value.code) == (403, "not-invited")
    assert "Ann (United States)" in refused.value.message
