"""Who is in a dialogue, over HTTP: removing and leaving, handing the lead on, adding a
device and revoking it, a side's links listed and revoked. Each refusal changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from frankly.api.routes import Store
from frankly.storage import schema
from tests.api.conftest import Server
from tests.api.people import counts, joined, you
from tests.api.talks import error, found


async def check_removal(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    meeting = await talks.meeting()
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/draft"
    assert (await carl.put(draft, json={"base": 0, "text": "Carl's line"})).status_code == 201
    removed = await talks.ann.delete(f"{talks.path}/members/{carl_id}")
    assert removed.status_code == 204, removed.text
    # Carl's old cookie is recognised and refused, for reading and for changing.
    error(await carl.get(talks.path), 403, "member-removed")
    error(await carl.put(draft, json={"base": 1, "text": "more"}), 403, "member-removed")
    error(await carl.post(f"{draft[: -len('/draft')]}/publish", json={"number": 1}), 403,
          "member-removed")  # fmt: skip
    seen = await talks.read(talks.boris)
    assert sorted(m["name"] for m in seen["members"]) == ["Ann", "Boris"]
    assert seen["former"] == [{"id": carl_id, "name": "Carl", "side": talks.us}]
    assert carl_id not in seen["meetings"][0]["attendees"]
    # What Carl wrote stays, under his name.
    [kept] = (await talks.ann.get(draft)).json()["revisions"]
    assert (kept["author"], kept["text"]) == (carl_id, "Carl's line")


async def test_a_lead_removes_a_member_whose_cookie_then_fails(server: Server) -> None:
    await check_removal(server)


async def test_removal_on_postgresql(pg_server: Server) -> None:
    await check_removal(pg_server)


async def test_who_may_remove_whom(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    dan, _ = await joined(talks, talks.us, "Dan")
    other = await found(server)
    ann_id, boris_id = await you(talks, talks.ann), await you(talks, talks.boris)
    before = counts(talks)
    members = f"{talks.path}/members"
    error(await talks.boris.delete(f"{members}/{carl_id}"), 403, "not-your-side")
    error(await dan.delete(f"{members}/{carl_id}"), 403, "not-lead")
    error(await talks.ann.delete(f"{members}/{ann_id}"), 403, "cannot-remove-lead")
    error(await talks.ann.delete(f"{members}/{boris_id}"), 403, "not-your-side")
    error(await talks.ann.delete(f"{members}/mb-0000000000000000"), 404, "unknown-member")
    error(await talks.ann.delete(f"{members}/mb-%00"), 404, "unknown-member")
    theirs = await you(other, other.boris)
    error(await talks.ann.delete(f"{members}/{theirs}"), 404, "unknown-member")
    error(await other.ann.delete(f"{members}/{carl_id}"), 401, "unauthenticated")
    assert counts(talks) == before
    assert (await talks.ann.delete(f"{members}/{carl_id}")).status_code == 204
    error(await talks.ann.delete(f"{members}/{carl_id}"), 403, "member-removed")
    error(await carl.delete(f"{members}/{carl_id}"), 403, "member-removed")


async def test_a_member_leaves_and_a_lead_hands_on_first(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    bot, bot_id = await joined(talks, talks.ru, "Bot", **{"x-frankly-credential": "bearer"})
    left = await carl.delete(f"{talks.path}/members/{carl_id}")
    assert left.status_code == 204
    assert "max-age=0" in left.headers["set-cookie"].lower()  # the browser drops its cookie
    error(await carl.get(talks.path), 401, "unauthenticated")
    # A bot keeps its secret; it is refused as a removed member's.
    assert (await bot.delete(f"{talks.path}/members/{bot_id}")).status_code == 204
    error(await bot.get(talks.path), 403, "member-removed")
    boris_id = await you(talks, talks.boris)
    error(await talks.boris.delete(f"{talks.path}/members/{boris_id}"), 403, "cannot-remove-lead")
    assert sorted(m["name"] for m in (await talks.read(talks.ann))["members"]) == ["Ann", "Boris"]


async def test_handing_the_lead_on(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    dan, dan_id = await joined(talks, talks.us, "Dan")
    ann_id, boris_id = await you(talks, talks.ann), await you(talks, talks.boris)
    lead = f"{talks.path}/sides/{talks.us}/lead"
    before = counts(talks)
    error(await talks.boris.post(lead, json={"member": carl_id}), 403, "not-your-side")
    error(await dan.post(lead, json={"member": dan_id}), 403, "not-lead")
    error(await talks.ann.post(lead, json={"member": boris_id}), 403, "not-your-side")
    error(await talks.ann.post(lead, json={"member": "mb-0"}), 404, "unknown-member")
    error(await talks.ann.post(lead, json={}), 400, "invalid-request")
    assert counts(talks) == before
    handed = await talks.ann.post(lead, json={"member": carl_id})
    assert handed.status_code == 200, handed.text
    body = handed.json()
    assert body["you"] == body["you"] | {"id": ann_id, "lead": False, "convener": True}
    us = next(s for s in body["sides"] if s["id"] == talks.us)
    assert us["lead"] == carl_id
    assert (await talks.read(carl))["you"]["lead"] is True
    # The new lead acts as one, the old one no longer does; the old one may now leave.
    error(await talks.ann.delete(f"{talks.path}/members/{dan_id}"), 403, "not-lead")
    assert (await carl.delete(f"{talks.path}/members/{dan_id}")).status_code == 204
    error(await carl.post(lead, json={"member": dan_id}), 403, "member-removed")
    assert (await talks.ann.delete(f"{talks.path}/members/{ann_id}")).status_code == 204
    assert sorted(m["name"] for m in (await talks.read(carl))["members"]) == ["Boris", "Carl"]


async def check_devices(server: Server) -> None:
    talks = await found(server)
    made = await talks.ann.post(f"{talks.path}/devices", json={})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert made.json()["expires"].startswith("2027-03-01T09:10:00")
    server.clock.advance(timedelta(minutes=9))
    phone = server.client()
    claimed = await phone.post("/api/devices", json={"token": token, "device": "Phone"})
    assert claimed.status_code == 201, claimed.text
    ann_id = await you(talks, talks.ann)
    assert claimed.json()["you"]["id"] == ann_id
    assert f"frankly_member_{talks.dialogue}=" in claimed.headers["set-cookie"]
    assert (await talks.read(phone))["you"]["name"] == "Ann"
    # The database keeps only the token's hash.
    store: Store = server.app.state.store
    assert store.service is not None
    with store.service.db.read() as tx:
        kept = tx.execute(select(schema.device_links.c.secret_hash)).scalars().all()
    assert token not in kept and len(kept) == 1
    # Once only.
    again = server.client()
    error(await again.post("/api/devices", json={"token": token}), 403, "invalid-invite")
    error(await again.get(talks.path), 401, "unauthenticated")

    listed = (await talks.ann.get(f"{talks.path}/devices")).json()
    assert [(d["device"], d["current"]) for d in listed] == [(None, True), ("Phone", False)]
    on_phone = (await phone.get(f"{talks.path}/devices")).json()
    assert [d["current"] for d in on_phone] == [False, True]
    assert (await talks.ann.delete(f"{talks.path}/devices/{listed[1]['id']}")).status_code == 204
    error(await phone.get(talks.path), 401, "unauthenticated")
    assert [d["device"] for d in (await talks.ann.get(f"{talks.path}/devices")).json()] == [None]


async def test_adding_a_device_and_revoking_it(server: Server) -> None:
    await check_devices(server)


async def test_devices_on_postgresql(pg_server: Server) -> None:
    await check_devices(pg_server)


async def test_a_device_link_that_expired_was_forged_or_is_a_removed_members(
    server: Server,
) -> None:
    talks = await found(server)
    late = (await talks.ann.post(f"{talks.path}/devices")).json()["token"]
    server.clock.advance(timedelta(minutes=10, seconds=1))
    before = counts(talks)
    phone = server.client()
    error(await phone.post("/api/devices", json={"token": late}), 403, "expired-invite")
    error(await phone.post("/api/devices", json={"token": "x" * 43}), 403, "invalid-invite")
    error(await phone.post("/api/devices", json={"token": "x", "device": "\x07"}), 400, "bad-text")
    error(await phone.post("/api/devices", json={}), 400, "invalid-request")
    carl, carl_id = await joined(talks, talks.us, "Carl")
    token = (await carl.post(f"{talks.path}/devices")).json()["token"]
    assert (await talks.ann.delete(f"{talks.path}/members/{carl_id}")).status_code == 204
    before = counts(talks)
    error(await phone.post("/api/devices", json={"token": token}), 403, "member-removed")
    assert counts(talks) == before
    # Devices are one's own: another member's cannot be listed or revoked.
    ann_devices = (await talks.ann.get(f"{talks.path}/devices")).json()
    path = f"{talks.path}/devices/{ann_devices[0]['id']}"
    error(await talks.boris.delete(path), 404, "unknown-device")
    error(await talks.ann.delete(f"{talks.path}/devices/cr-0"), 404, "unknown-device")
    assert [d["id"] for d in (await talks.boris.get(f"{talks.path}/devices")).json()] != [
        ann_devices[0]["id"]
    ]
    assert counts(talks) == before


async def test_a_sides_links_listed_and_revoked(server: Server) -> None:
    talks = await found(server)
    carl, _ = await joined(talks, talks.us, "Carl")
    server.clock.advance(timedelta(minutes=1))  # newest first: after Carl's link
    made = await talks.ann.post(f"{talks.path}/sides/{talks.us}/links", json={"hours": 1})
    link = made.json()
    us_links = f"{talks.path}/sides/{talks.us}/links"
    listed = (await talks.ann.get(us_links)).json()
    assert listed[0] == listed[0] | {"invite": link["invite"], "lead": False, "revoked": None}
    assert len(listed) == 2  # Carl's and this one
    # The convener sees Russia's, the lead's link among them; Russia's lead sees them too.
    ru_links = (await talks.ann.get(f"{talks.path}/sides/{talks.ru}/links")).json()
    assert [k["lead"] for k in ru_links] == [True]
    assert (await talks.boris.get(f"{talks.path}/sides/{talks.ru}/links")).json() == ru_links
    error(await talks.boris.get(us_links), 403, "not-your-side")
    error(await carl.get(us_links), 403, "not-lead")

    before = counts(talks)
    error(await carl.delete(f"{us_links}/{link['invite']}"), 403, "not-lead")
    error(await talks.boris.delete(f"{us_links}/{link['invite']}"), 403, "not-your-side")
    error(await talks.ann.delete(f"{us_links}/in-0000000000000000"), 404, "unknown-invite")
    ru_invite = ru_links[0]["invite"]
    error(await talks.ann.delete(f"{us_links}/{ru_invite}"), 404, "unknown-invite")
    assert counts(talks) == before

    assert (await talks.ann.delete(f"{us_links}/{link['invite']}")).status_code == 204
    [revoked] = [k for k in (await talks.ann.get(us_links)).json() if k["revoked"]]
    assert revoked["invite"] == link["invite"]
    assert revoked["revoked"].startswith("2027-03-01T09:01:00")
    mallory = server.client()
    error(
        await mallory.post("/api/join", json={"token": link["token"], "name": "M"}),
        403,
        "invalid-invite",
    )
    assert (await talks.ann.delete(f"{us_links}/{link['invite']}")).status_code == 204
    assert sorted(m["name"] for m in (await talks.read(talks.ann))["members"]) == [
        "Ann",
        "Boris",
        "Carl",
    ]


async def test_two_claims_of_one_device_link_at_once_on_postgresql(pg_server: Server) -> None:
    talks = await found(pg_server)
    token = (await talks.ann.post(f"{talks.path}/devices")).json()["token"]
    phones = [pg_server.client(), pg_server.client()]
    answers = await asyncio.gather(*(p.post("/api/devices", json={"token": token}) for p in phones))
    assert sorted(a.status_code for a in answers) == [201, 403]
    error(next(a for a in answers if a.status_code == 403), 403, "invalid-invite")
    assert len((await talks.ann.get(f"{talks.path}/devices")).json()) == 2


async def test_openapi_describes_the_new_routes_from_their_models(server: Server) -> None:
    document = (await server.client().get("/api/openapi.json")).json()
    paths = document["paths"]
    for route, method in (
        ("/dialogues/{dialogue}/members/{member}", "delete"),
        ("/dialogues/{dialogue}/sides/{side}/lead", "post"),
        ("/dialogues/{dialogue}/devices", "post"),
        ("/dialogues/{dialogue}/devices", "get"),
        ("/dialogues/{dialogue}/devices/{device}", "delete"),
        ("/devices", "post"),
        ("/dialogues/{dialogue}/sides/{side}/links", "get"),
        ("/dialogues/{dialogue}/sides/{side}/links/{invite}", "delete"),
        ("/dialogues/{dialogue}/meetings/{meeting}/follow-ups", "post"),
        ("/dialogues/{dialogue}/meetings/{meeting}/representatives", "post"),
        ("/dialogues/{dialogue}/meetings/{meeting}/representatives/{member}", "delete"),
        ("/dialogues/{dialogue}/meetings/{meeting}/points", "post"),
        ("/dialogues/{dialogue}/meetings/{meeting}/points/{point}/confirm", "post"),
    ):
        assert method in paths[route], route
    schemas = document["components"]["schemas"]
    assert {"minutes", "representatives", "attendees", "points"} <= set(
        schemas["MeetingOut"]["properties"]
    )
    assert {"confirmations", "waiting_for", "agreed"} <= set(schemas["PointOut"]["properties"])
    assert schemas["MeetingIn"]["properties"]["minutes"]["maximum"] == 600
