"""A dialogue meeting's room admits whom the dialogue says (docs/protocol.md, *Dialogue rooms*).

The dialogue is set up over HTTP on the live server, as people would; its
members then say hello with the room invites the API gave them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import frankly.client as fc
from frankly.api.routes import Store
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.api.entering import appoint, enter, entered, member, member_id
from tests.api.talks import Talks, found
from tests.server.conftest import Site
from tests.server.wsclient import Raw


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[BackgroundServer]:
    # With a data directory, the server keeps dialogues.
    server = BackgroundServer(ServerConfig(data_dir=tmp_path, grace=0.3)).start()
    yield server
    server.stop()


async def talks_on(site: Site) -> tuple[Talks, str, str]:
    """Ann (United States) and Boris (Russia) lead; a meeting and its room."""
    talks = await found(site)  # type: ignore[arg-type]
    meeting = await talks.meeting()
    room: str = (await talks.read(talks.ann))["meetings"][0]["room"]
    return talks, meeting, room


async def invite(talks: Talks, client: httpx.AsyncClient, meeting: str) -> str:
    token: str = entered(await enter(talks, client, meeting))["invite"]
    return token


def store_of(server: BackgroundServer) -> Store:
    found_store: Store = server.app.state.store
    return found_store


def people(welcome: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    everyone = [welcome["you"], *welcome["participants"]]
    return {p["name"]: (p["role"], p["side"]) for p in everyone}


async def test_invite_holders_walk_in_with_their_role_and_side(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    carol = await member(talks, talks.boris, talks.ru, "Carol")
    # Carol comes first into the empty room, and is not made host for it.
    in_carol = await Raw.join(
        live_server.ws_url, room, "Whoever", invite=await invite(talks, carol, meeting)
    )
    assert people(in_carol.welcome) == {"Carol": ("participant", "Russia")}
    in_ann = await Raw.join(
        live_server.ws_url, room, "A", invite=await invite(talks, talks.ann, meeting)
    )
    assert people(in_ann.welcome) == {
        "Ann": ("host", "United States"),
        "Carol": ("participant", "Russia"),
    }
    joined = (await in_carol.expect("joined"))["participant"]
    assert (joined["name"], joined["role"], joined["side"]) == ("Ann", "host", "United States")


async def test_a_stranger_waits_in_the_lobby_until_a_lead_admits_them(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    # Nobody is in yet: the stranger does not open the room as its host, but waits.
    mallory = await Raw.hello(live_server.ws_url, room, "Mallory")
    assert (await mallory.expect("lobby"))["status"] == "waiting"
    boris = await Raw.join(
        live_server.ws_url, room, "B", invite=await invite(talks, talks.boris, meeting)
    )
    assert people(boris.welcome) == {"Boris": ("host", "Russia")}
    [knock] = boris.welcome["knocks"]
    assert knock["name"] == "Mallory"
    await boris.send({"type": "admit", "id": knock["id"]})
    mallory.welcome = await mallory.expect("welcome")
    assert people(mallory.welcome) == {
        "Mallory": ("participant", None),
        "Boris": ("host", "Russia"),
    }
    # A second stranger, with the room open, knocks too (the room has no lobby setting on).
    eve = await Raw.hello(live_server.ws_url, room, "Eve")
    assert (await eve.expect("lobby"))["status"] == "waiting"
    assert (await boris.expect("knock"))["knock"]["name"] == "Eve"


async def test_with_representatives_a_stranger_is_refused(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    dan = await member(talks, talks.boris, talks.ru, "Dan")
    boris_id, dan_id = await member_id(talks, talks.boris), await member_id(talks, dan)
    appoint(store_of(live_server), meeting, dan_id, by=boris_id)
    mallory = await Raw.hello(live_server.ws_url, room, "Mallory")
    refused = await mallory.refused("representatives-only", 4403)
    assert "only the appointed representatives" in refused["message"]
    # A room invite that is not the dialogue's (the operator's `frankly invite`) is no way in.
    hub = live_server.hub
    token, _, _ = hub.gate.invites.make(room, "host", 600, "Operator")
    operator = await Raw.hello(live_server.ws_url, room, "Op", invite=token)
    await operator.refused("representatives-only", 4403)
    # The representative walks in.
    in_dan = await Raw.join(live_server.ws_url, room, "D", invite=await invite(talks, dan, meeting))
    assert people(in_dan.welcome) == {"Dan": ("participant", "Russia")}


async def test_representatives_appointed_while_the_meeting_runs_count_at_once(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    boris = await Raw.join(
        live_server.ws_url, room, "B", invite=await invite(talks, talks.boris, meeting)
    )
    mallory = await Raw.hello(live_server.ws_url, room, "Mallory")
    assert (await mallory.expect("lobby"))["status"] == "waiting"  # before: she may wait
    assert (await boris.expect("knock"))["knock"]["name"] == "Mallory"
    dan = await member(talks, talks.boris, talks.ru, "Dan")
    boris_id, dan_id = await member_id(talks, talks.boris), await member_id(talks, dan)
    appoint(store_of(live_server), meeting, dan_id, by=boris_id)
    # The room is open all along; the next stranger is refused from now on.
    eve = await Raw.hello(live_server.ws_url, room, "Eve")
    await eve.refused("representatives-only", 4403)


async def test_a_client_cannot_claim_a_side(live_server: BackgroundServer, site: Site) -> None:
    talks, meeting, room = await talks_on(site)
    faker = await Raw.hello(live_server.ws_url, room, "Faker", side="United States")
    error = await faker.expect("error")
    assert error["code"] == "invalid-message" and "'side'" in error["message"]
    # Not in a room of no dialogue either: the side comes from a dialogue's invite only.
    plain = await Raw.hello(live_server.ws_url, "plain", "Faker", side="Russia")
    assert (await plain.expect("error"))["code"] == "invalid-message"
    plain_in = await Raw.join(live_server.ws_url, "plain-2", "Ada")
    assert people(plain_in.welcome) == {"Ada": ("host", None)}
    # Ann's own side is the one her invite names, whatever she calls herself.
    ann = await Raw.join(
        live_server.ws_url, room, "Ann", invite=await invite(talks, talks.ann, meeting)
    )
    assert people(ann.welcome) == {"Ann": ("host", "United States")}


async def test_the_sdk_shows_sides_and_gives_up_on_representatives_only(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    url = f"{live_server.url}/{room}"
    made: list[fc.Client] = []
    try:
        body = entered(await enter(talks, talks.ann, meeting))
        # The entry's own link, as a bot would take it: the invite is in its fragment.
        ann = fc.Client(live_server.url + body["url"], name="x", reconnect=False)
        made.append(ann)
        await ann.join()
        assert (ann.me.name, ann.me.role, ann.me.side) == ("Ann", "host", "United States")
        boris = fc.Client(url, name="x", invite=await invite(talks, talks.boris, meeting))
        made.append(boris)
        came = ann.wait_for(fc.ParticipantJoined, timeout=10)
        await boris.join()
        assert (await came).participant.side == "Russia"
        [seen] = boris.participants.values()
        assert (seen.name, seen.side) == ("Ann", "United States")

        dan = await member(talks, talks.boris, talks.ru, "Dan")
        follow_up = await talks.meeting("Europe")
        by = await member_id(talks, talks.boris)
        appoint(store_of(live_server), follow_up, await member_id(talks, dan), by=by)
        rooms = {m["id"]: m["room"] for m in (await talks.read(talks.ann))["meetings"]}
        stranger = fc.Client(f"{live_server.url}/{rooms[follow_up]}", name="Mallory")
        made.append(stranger)
        with pytest.raises(fc.FranklyError) as refused:
            await stranger.join()
        assert refused.value.code == "representatives-only"
        assert refused.value.close_code == 4403
        assert stranger.closed
    finally:
        for client in made:
            await client.leave()


@contextlib.asynccontextmanager
async def served(config: ServerConfig) -> AsyncIterator[tuple[BackgroundServer, Site]]:
    """A server of its own (a restart is a second one on the same data), and its site."""
    server = BackgroundServer(config).start()
    site = Site(server.url)
    try:
        yield server, site
    finally:
        for client in site.clients:
            await client.aclose()
        server.stop()


async def test_a_side_comes_back_after_a_restart(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path)
    async with served(config) as (first, site):
        talks, meeting, room = await talks_on(site)
        token = await invite(talks, talks.boris, meeting)
        boris = await Raw.join(first.ws_url, room, "B", invite=token)
        assert people(boris.welcome) == {"Boris": ("host", "Russia")}
    await boris.closed()
    async with served(config) as (second, _):
        back = await Raw.join(second.ws_url, room, "Boris", resume=boris.welcome["resume"])
        assert people(back.welcome) == {"Boris": ("host", "Russia")}


async def test_a_removed_member_is_put_out_and_their_invite_opens_nothing(
    live_server: BackgroundServer, site: Site
) -> None:
    talks, meeting, room = await talks_on(site)
    carol = await member(talks, talks.boris, talks.ru, "Carol")
    kept = await invite(talks, carol, meeting)  # a second link, copied while still a member
    in_carol = await Raw.join(
        live_server.ws_url, room, "C", invite=await invite(talks, carol, meeting)
    )
    in_boris = await Raw.join(
        live_server.ws_url, room, "B", invite=await invite(talks, talks.boris, meeting)
    )
    carol_id = await member_id(talks, carol)
    removed = await talks.boris.delete(f"{talks.path}/members/{carol_id}")
    assert removed.status_code == 204, removed.text
    refused = await in_carol.refused("removed", 4403)
    assert refused["message"] == "you are no longer a member of this dialogue"
    left = await in_boris.expect("left")
    assert (left["id"], left["reason"]) == (in_carol.id, "removed")
    # The invite she kept is still signed and unexpired, and opens nothing now.
    again = await Raw.hello(live_server.ws_url, room, "C", invite=kept)
    refused = await again.refused("invite-revoked", 4403)
    assert refused["message"] == "you are no longer a member of this dialogue"


async def test_after_a_restart_a_removed_member_is_still_put_out(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path)
    async with served(config) as (first, site):
        talks, meeting, room = await talks_on(site)
        carol = await member(talks, talks.boris, talks.ru, "Carol")
        carol_id = await member_id(talks, carol)
        in_boris = await Raw.join(
            first.ws_url, room, "B", invite=await invite(talks, talks.boris, meeting)
        )
        in_carol = await Raw.join(
            first.ws_url, room, "C", invite=await invite(talks, carol, meeting)
        )
        cookies = talks.boris.cookies
    await in_boris.closed()
    async with served(config) as (second, site):
        # Both come back with their resume tokens: the record knew who Carol is.
        boris = await Raw.join(second.ws_url, room, "B", resume=in_boris.welcome["resume"])
        carol_back = await Raw.join(second.ws_url, room, "C", resume=in_carol.welcome["resume"])
        lead = site.client()
        lead.cookies = cookies
        removed = await lead.delete(f"{talks.path}/members/{carol_id}")
        assert removed.status_code == 204, removed.text
        await carol_back.refused("removed", 4403)
        assert (await boris.expect("left"))["reason"] == "removed"
