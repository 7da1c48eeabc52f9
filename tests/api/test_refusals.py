"""Every refusal of the API: its status and stable code, and that it changed nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
from sqlalchemy import update

from frankly.api.routes import Store
from frankly.storage.schema import members
from tests.api.conftest import Server
from tests.api.talks import MOSCOW, NEW_YORK, Talks, error, found


async def proposed(talks: Talks) -> tuple[str, str]:
    meeting = await talks.meeting()
    response = await talks.ann.post(
        f"{talks.path}/meetings/{meeting}/proposals", json={"at": "2027-03-15T15:00:00Z"}
    )
    assert response.status_code == 201, response.text
    proposal: str = response.json()["id"]
    return meeting, proposal


async def test_another_sides_draft_is_refused(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    theirs = f"{talks.path}/meetings/{meeting}/readouts/{talks.ru}/draft"
    error(await talks.ann.put(theirs, json={"base": 0, "text": "planted"}), 403, "not-your-side")
    assert (await talks.boris.get(theirs)).json()["revisions"] == []


async def test_a_non_lead_cannot_publish(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    carl = server.client()
    token = await talks.link(talks.ann, talks.us)
    await carl.post("/api/join", json={"token": token, "name": "Carl"})
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}"
    assert (await carl.put(f"{draft}/draft", json={"base": 0, "text": "mine"})).status_code == 201
    error(await carl.post(f"{draft}/publish", json={"number": 1}), 403, "not-lead")
    assert (await talks.read(talks.boris))["meetings"][0]["readouts"] == []
    # Nor can a member make links, nor a lead another side's.
    error(await carl.post(f"{talks.path}/sides/{talks.us}/links", json={}), 403, "not-lead")
    error(
        await talks.boris.post(f"{talks.path}/sides/{talks.us}/links", json={}),
        403,
        "not-your-side",
    )


async def test_an_outsider_learns_nothing(server: Server) -> None:
    talks = await found(server)
    other = await found(server)  # Ann's and Boris's twins in another dialogue
    missing = f"{talks.path[:-4]}0000"
    # Their browser holds no cookie for this dialogue: the same answer whether it exists.
    for path in (talks.path, missing):
        error(await other.ann.get(path), 401, "unauthenticated")
    # Their secret sent for this one (as the SDK sends it): unknown, exists or not.
    secret = other.ann.cookies[f"frankly_member_{other.dialogue}"]
    bearer = server.client(authorization=f"Bearer {secret}")
    for path in (talks.path, missing):
        error(await bearer.get(path), 404, "unknown-dialogue")
    error(await bearer.post(f"{talks.path}/meetings", json={"topic": "x"}), 404, "unknown-dialogue")
    error(await server.client().get(talks.path), 401, "unauthenticated")
    error(
        await server.client(authorization="Bearer nonsense").get(talks.path), 401, "unauthenticated"
    )


async def test_a_forged_or_expired_link(server: Server) -> None:
    talks = await found(server)
    token = await talks.link(talks.ann, talks.us)
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, b"k" * 32, algorithm="HS256")
    mallory = server.client()
    error(
        await mallory.post("/api/join", json={"token": forged, "name": "M"}), 403, "invalid-invite"
    )
    retargeted = jwt.encode({**claims, "lead": True}, b"k" * 32, algorithm="HS256")
    error(
        await mallory.post("/api/join", json={"token": retargeted, "name": "M"}),
        403,
        "invalid-invite",
    )
    server.clock.advance(timedelta(days=8))  # links last a week unless told
    error(
        await mallory.post("/api/join", json={"token": token, "name": "M"}), 403, "expired-invite"
    )
    assert {m["name"] for m in (await talks.read(talks.ann))["members"]} == {"Ann", "Boris"}


async def test_a_lead_link_works_once(server: Server) -> None:
    talks = await found(server)
    error(
        await talks.ann.post(f"{talks.path}/sides/{talks.ru}/links", json={"lead": True}),
        403,
        "not-lead",
    )


async def test_a_proposal_in_the_past(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    path = f"{talks.path}/meetings/{meeting}/proposals"
    error(
        await talks.ann.post(path, json={"at": "2027-02-28T15:00:00Z"}), 400, "proposal-in-the-past"
    )
    error(await talks.ann.post(path, json={"at": "2027-04-01T15:00:00"}), 400, "bad-date")
    assert (await talks.read(talks.ann))["meetings"][0]["proposals"] == []


async def test_accepting_a_withdrawn_proposal(server: Server) -> None:
    talks = await found(server)
    meeting, proposal = await proposed(talks)
    base = f"{talks.path}/meetings/{meeting}/proposals/{proposal}"
    error(await talks.ann.post(f"{base}/accept"), 403, "own-proposal")
    error(await talks.boris.post(f"{base}/withdraw"), 403, "not-your-side")
    assert (await talks.ann.post(f"{base}/withdraw")).json()["state"] == "withdrawn"
    error(await talks.boris.post(f"{base}/accept"), 409, "proposal-not-open")
    [shown] = (await talks.read(talks.boris))["meetings"]
    assert shown["date"]["kind"] == "asap"
    assert [p["state"] for p in shown["proposals"]] == ["withdrawn"]
    error(
        await talks.boris.get(f"{talks.path}/meetings/{meeting}/calendar.ics"), 409, "not-scheduled"
    )
    error(
        await talks.boris.post(f"{talks.path}/meetings/{meeting}/proposals/pr-0/accept"),
        404,
        "unknown-proposal",
    )


async def test_a_meeting_of_another_dialogue_is_unknown(server: Server) -> None:
    talks = await found(server)
    other = await found(server)
    theirs = await other.meeting()
    path = f"{talks.path}/meetings/{theirs}/proposals"
    error(await talks.ann.post(path, json={"at": "2027-03-15T15:00:00Z"}), 404, "unknown-meeting")


async def test_a_readout_of_a_megabyte(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/draft"
    error(await talks.ann.put(draft, json={"base": 0, "text": "x" * 1_000_000}), 413, "too-large")
    # Under the request limit but over the readout's: the rule's own code.
    error(await talks.ann.put(draft, json={"base": 0, "text": "x" * 150_000}), 413, "too-long")
    assert (await talks.ann.get(draft)).json()["revisions"] == []


async def test_bad_input_when_founding(server: Server) -> None:
    ann = server.client()

    async def create(**changes: Any) -> Any:
        body = {
            "title": "Talks",
            "sides": [{"name": "A", "zone": NEW_YORK}, {"name": "B", "zone": MOSCOW}],
            "name": "Ann",
            **changes,
        }
        return await ann.post("/api/dialogues", json=body)

    bad_zone = [{"name": "A", "zone": "Mars/Olympus_Mons"}, {"name": "B", "zone": MOSCOW}]
    error(await create(sides=bad_zone), 400, "bad-time-zone")
    error(await create(title="\x01\x02"), 400, "bad-text")
    error(await create(sides=[{"name": "A", "zone": MOSCOW}]), 400, "bad-sides")
    error(await create(side=5), 404, "unknown-side")
    error(await create(title=7), 400, "invalid-request")
    error(
        await ann.post(
            "/api/dialogues", content=b"{", headers={"content-type": "application/json"}
        ),
        400,
        "invalid-request",
    )
    assert "set-cookie" not in (await create(title="")).headers


async def test_a_change_from_another_site_is_refused(server: Server) -> None:
    talks = await found(server)
    evil = {"origin": "https://evil.example"}
    response = await talks.ann.post(f"{talks.path}/meetings", json={"topic": "x"}, headers=evil)
    error(response, 403, "foreign-origin")
    assert (await talks.read(talks.ann))["meetings"] == []
    own = {"origin": "http://127.0.0.1:8080"}
    assert (
        await talks.ann.post(f"{talks.path}/meetings", json={"topic": "x"}, headers=own)
    ).status_code == 201
    # Reading is not a change: an Origin does not matter, the cookie's SameSite does.
    assert (await talks.ann.get(talks.path, headers=evil)).status_code == 200


async def test_the_edge_and_headers_still_apply(server: Server) -> None:
    client = server.client()
    response = await client.get("/api/openapi.json", headers={"host": "rebound.example"})
    assert response.status_code == 400
    response = await client.get("/api/dialogues/d-0")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    error(response, 401, "unauthenticated")
    error(await client.get("/api/nowhere"), 404, "invalid-request")


async def test_a_removed_members_cookie(server: Server) -> None:
    talks = await found(server)
    store: Store = server.app.state.store
    assert store.service is not None
    with store.service.db.transaction() as tx:  # as removal marks them (test_members.py)
        tx.execute(
            update(members).where(members.c.name == "Boris").values(removed=server.clock.now)
        )
    error(await talks.boris.get(talks.path), 403, "member-removed")
    error(
        await talks.boris.post(f"{talks.path}/meetings", json={"topic": "x"}), 403, "member-removed"
    )
    assert [m["name"] for m in (await talks.read(talks.ann))["members"]] == ["Ann"]


async def test_odd_ids_and_numbers(server: Server) -> None:
    talks = await found(server)
    error(
        await talks.ann.post(
            f"{talks.path}/meetings/mt-%00/proposals", json={"at": "2027-03-15T15:00:00Z"}
        ),
        404,
        "unknown-meeting",
    )
    error(
        await talks.ann.post(f"{talks.path}/sides/{talks.us}/links", json={"hours": 1e308}),
        400,
        "invalid-request",
    )
    error(
        await talks.ann.post(f"{talks.path}/sides/{talks.us}/links", json={"hours": 0.001}),
        400,
        "invalid-request",
    )


async def test_declining_and_a_bad_viewer_zone(server: Server) -> None:
    talks = await found(server)
    meeting, proposal = await proposed(talks)
    base = f"{talks.path}/meetings/{meeting}/proposals/{proposal}"
    error(await talks.ann.post(f"{base}/decline"), 403, "own-proposal")
    declined = await talks.boris.post(f"{base}/decline")
    assert declined.json()["state"] == "declined"
    assert declined.json()["decided_by"] == (await talks.read(talks.boris))["you"]["id"]
    error(await talks.ann.post(f"{base}/withdraw"), 409, "proposal-not-open")
    error(await talks.ann.get(talks.path, params={"zone": "Nowhere/At_All"}), 400, "bad-time-zone")
