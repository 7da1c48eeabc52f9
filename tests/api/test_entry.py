"""Entering a dialogue meeting's room: the room invite a member gets, and who is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from frankly.api.routes import Store
from frankly.server.invites import Invites
from tests.api.conftest import Server
from tests.api.entering import appoint, enter, entered, member, member_id, remove
from tests.api.talks import Talks, error, found


async def russian_member(talks: Talks, name: str = "Carol") -> httpx.AsyncClient:
    return await member(talks, talks.boris, talks.ru, name)


def invites_of(server: Server) -> Invites:
    found_invites: Invites = server.app.state.hub.gate.invites
    return found_invites


async def test_a_member_gets_a_room_invite_with_their_side(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    carol = await russian_member(talks)
    room = (await talks.read(talks.ann))["meetings"][0]["room"]
    for client, name, role, side in (
        (talks.ann, "Ann", "host", "United States"),  # the convener, and a lead
        (talks.boris, "Boris", "host", "Russia"),  # a lead
        (carol, "Carol", "participant", "Russia"),
    ):
        body = entered(await enter(talks, client, meeting))
        assert body["room"] == room
        assert body["url"] == f"/{room}#invite={body['invite']}"
        expires = datetime.fromisoformat(body["expires"])
        assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)
        grant = invites_of(server).check(body["invite"], room)
        assert (grant.name, grant.role, grant.side) == (name, role, side)
        assert grant.dialogue == talks.dialogue
    schema = (await talks.ann.get("/api/openapi.json")).json()
    assert "/dialogues/{dialogue}/meetings/{meeting}/entry" in schema["paths"]


async def test_a_removed_member_and_strangers_get_no_invite(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    carol = await russian_member(talks)
    store: Store = server.app.state.store
    remove(store, "Carol")
    error(await enter(talks, carol, meeting), 403, "member-removed")
    error(await enter(talks, server.client(), meeting), 401, "unauthenticated")
    other = await found(server)
    error(await enter(talks, other.ann, meeting), 401, "unauthenticated")  # no cookie for it
    error(await enter(talks, talks.ann, "mt-nothing"), 404, "unknown-meeting")
    theirs = await other.meeting()
    error(await enter(talks, talks.ann, theirs), 404, "unknown-meeting")


async def test_with_representatives_only_they_and_the_leads_enter(server: Server) -> None:
    talks = await found(server)
    await talks.meeting()
    follow_up = await talks.meeting("Strategic stability in Europe")
    carol = await russian_member(talks)
    dan = await russian_member(talks, "Dan")
    store: Store = server.app.state.store
    boris_id, dan_id = await member_id(talks, talks.boris), await member_id(talks, dan)
    appoint(store, follow_up, dan_id, by=boris_id)

    refused = error(await enter(talks, carol, follow_up), 403, "not-invited")
    assert refused["message"] == (
        "only the appointed representatives and the leads may attend this meeting: "
        "Ann (United States), Boris (Russia), Dan (Russia)"
    )
    ann_id = await member_id(talks, talks.ann)
    assert set(refused["detail"]["attendees"]) == {ann_id, boris_id, dan_id}
    room = entered(await enter(talks, dan, follow_up))["room"]
    grant = invites_of(server).check(entered(await enter(talks, dan, follow_up))["invite"], room)
    assert (grant.name, grant.role, grant.side) == ("Dan", "participant", "Russia")
    grant = invites_of(server).check(
        entered(await enter(talks, talks.boris, follow_up))["invite"], room
    )
    assert (grant.role, grant.side) == ("host", "Russia")
    # The first meeting, with nobody appointed, is every member's.
    first = (await talks.read(talks.ann))["meetings"][0]["id"]
    entered(await enter(talks, carol, first))
