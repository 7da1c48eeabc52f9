"""The SDK's dialogue calls against a real server on a loopback port: found, join with a
bearer secret, meetings, drafts (a stale save raises with the newer text), publishing,
readouts, refusals as typed errors; and the guide's readout bot, run as written."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

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
