"""The core of dialogues end to end over HTTP: founding, joining, agreeing a date,
readouts drafted apart and published to both, the calendar file."""

from __future__ import annotations

import asyncio

from icalendar import Calendar

from tests.api.conftest import Server
from tests.api.talks import MOSCOW, NEW_YORK, Talks, error, found


async def agree_date(talks: Talks) -> tuple[str, str]:
    """Ann proposes two times; Boris accepts the second. (meeting id, accepted time)"""
    meeting = await talks.meeting()
    base = f"{talks.path}/meetings/{meeting}/proposals"
    times = ["2027-03-15T15:00:00Z", "2027-03-16T15:00:00Z"]
    ids = []
    for at in times:
        response = await talks.ann.post(base, json={"at": at})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    accepted = await talks.boris.post(f"{base}/{ids[1]}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["kind"] == "scheduled"
    return meeting, times[1]


async def check_talks(server: Server) -> None:
    talks = await found(server)
    meeting, _ = await agree_date(talks)
    for client, zone, first in (
        (talks.ann, NEW_YORK, "11:00 in New York"),
        (talks.boris, MOSCOW, "18:00 in Moscow"),
    ):
        seen = await talks.read(client, zone=zone)
        [shown] = seen["meetings"]
        assert shown["id"] == meeting
        assert shown["date"]["kind"] == "scheduled"
        assert shown["date"]["at"].startswith("2027-03-16T15:00:00")
        assert first in shown["date"]["shown"]
        assert [p["state"] for p in shown["proposals"]] == ["declined", "accepted"]
        assert {m["name"] for m in seen["members"]} == {"Ann", "Boris"}
    assert (await talks.read(talks.boris))["you"]["lead"] is True

    # Each side drafts; the other side can neither read the draft nor see it.
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/draft"
    saved = await talks.ann.put(draft, json={"base": 0, "text": "We talked *frankly*."})
    assert saved.status_code == 201, saved.text
    error(await talks.boris.get(draft), 403, "not-your-side")
    assert (await talks.read(talks.boris))["meetings"][0]["readouts"] == []
    mine = await talks.ann.get(draft)
    assert [r["text"] for r in mine.json()["revisions"]] == ["We talked *frankly*."]

    # Publishing shows it to both.
    published = await talks.ann.post(
        f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/publish", json={"number": 1}
    )
    assert published.status_code == 200, published.text
    for client in (talks.ann, talks.boris):
        [readout] = (await talks.read(client))["meetings"][0]["readouts"]
        assert readout["side"] == talks.us
        assert readout["revision"]["html"] == "<p>We talked <em>frankly</em>.</p>\n"


async def test_two_leads_agree_a_date_and_publish(server: Server) -> None:
    await check_talks(server)


async def test_the_same_on_postgresql(pg_server: Server) -> None:
    await check_talks(pg_server)


async def test_a_stale_save_gets_the_newer_text(server: Server) -> None:
    talks = await found(server)
    meeting = await talks.meeting()
    carl = server.client()
    token = await talks.link(talks.ann, talks.us)
    assert (await carl.post("/api/join", json={"token": token, "name": "Carl"})).status_code == 201
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/draft"
    assert (await talks.ann.put(draft, json={"base": 0, "text": "Ann's line"})).status_code == 201
    refused = error(
        await carl.put(draft, json={"base": 0, "text": "Carl's line"}), 409, "stale-revision"
    )
    assert refused["detail"] == {"number": 1, "text": "Ann's line"}
    merged = await carl.put(draft, json={"base": 1, "text": "Ann's line\nCarl's line"})
    assert merged.json()["number"] == 2
    texts = [r["text"] for r in (await talks.ann.get(draft)).json()["revisions"]]
    assert texts == ["Ann's line", "Ann's line\nCarl's line"]


async def test_the_calendar_file(server: Server) -> None:
    talks = await found(server)
    meeting, _ = await agree_date(talks)
    response = await talks.boris.get(f"{talks.path}/meetings/{meeting}/calendar.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.text).walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "2027-03-16T15:00:00+00:00"
    assert str(event["URL"]).startswith("http://127.0.0.1:8080/dlg-")


async def test_the_credential_cookie(server: Server) -> None:
    ann = server.client()
    response = await ann.post(
        "/api/dialogues",
        json={
            "title": "T",
            "sides": [{"name": "A", "zone": NEW_YORK}, {"name": "B", "zone": MOSCOW}],
            "name": "Ann",
        },
    )
    cookie = response.headers["set-cookie"]
    dialogue = response.json()["id"]
    assert cookie.startswith(f"frankly_member_{dialogue}=")
    for part in ("HttpOnly", "SameSite=strict", "Path=/api/"):
        assert part.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http here; over TLS it is Secure
    assert "x-frankly-secret" not in response.headers


async def test_the_sdk_gets_a_bearer_secret(server: Server) -> None:
    talks = await found(server)
    token = await talks.link(talks.ann, talks.ru)
    bot = server.client(**{"x-frankly-credential": "bearer"})
    joined = await bot.post("/api/join", json={"token": token, "name": "Bot"})
    assert "set-cookie" not in joined.headers
    secret = joined.headers["x-frankly-secret"]
    bare = server.client(authorization=f"Bearer {secret}")
    assert (await talks.read(bare))["you"]["name"] == "Bot"


async def test_openapi_lists_the_routes(server: Server) -> None:
    response = await server.client().get("/api/openapi.json")
    paths = response.json()["paths"]
    for route in (
        "/dialogues",
        "/dialogues/{dialogue}",
        "/join",
        "/dialogues/{dialogue}/meetings/{meeting}/proposals/{proposal}/accept",
        "/dialogues/{dialogue}/meetings/{meeting}/readouts/{side}/draft",
    ):
        assert route in paths
    assert response.json()["servers"] == [{"url": "/api"}]


async def test_two_saves_at_once_on_postgresql(pg_server: Server) -> None:
    """Both read revision 0; one insert wins, the other's becomes stale-revision."""
    talks = await found(pg_server)
    meeting = await talks.meeting()
    carl = pg_server.client()
    token = await talks.link(talks.ann, talks.us)
    await carl.post("/api/join", json={"token": token, "name": "Carl"})
    draft = f"{talks.path}/meetings/{meeting}/readouts/{talks.us}/draft"
    answers = await asyncio.gather(
        talks.ann.put(draft, json={"base": 0, "text": "Ann's"}),
        carl.put(draft, json={"base": 0, "text": "Carl's"}),
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    won = next(a for a in answers if a.status_code == 201).json()["text"]
    lost = next(a for a in answers if a.status_code == 409)
    assert error(lost, 409, "stale-revision")["detail"] == {"number": 1, "text": won}
