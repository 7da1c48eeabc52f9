"""After a meeting, over HTTP: meetings between chosen sides for a planned length, a
follow-up made from a meeting, the representatives a lead appoints to it (and so who
may attend), and the points every side's lead confirms. Each refusal changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from icalendar import Calendar

from tests.api.conftest import Server
from tests.api.people import counts, joined, you
from tests.api.talks import MOSCOW, NEW_YORK, Talks, error, found


async def three_sides(server: Server) -> tuple[Talks, httpx.AsyncClient, str]:
    """Ann's and Boris's talks with a third side, China, whose lead Chen joined."""
    ann, boris, chen = server.client(), server.client(), server.client()
    sides = [("United States", NEW_YORK), ("Russia", MOSCOW), ("China", "Asia/Shanghai")]
    response = await ann.post(
        "/api/dialogues",
        json={"title": "Three", "sides": [{"name": n, "zone": z} for n, z in sides], "name": "Ann"},
    )
    body = response.json()
    us, ru, cn = (s["id"] for s in body["sides"])
    talks = Talks(server, ann, boris, body["id"], us, ru)
    for client, side, name in ((boris, ru, "Boris"), (chen, cn, "Chen")):
        token = await talks.link(ann, side, lead=True)
        assert (await client.post("/api/join", json={"token": token, "name": name})).is_success
    return talks, chen, cn


async def test_a_meeting_between_chosen_sides_for_its_planned_length(server: Server) -> None:
    talks, chen, cn = await three_sides(server)
    made = await talks.ann.post(
        f"{talks.path}/meetings",
        json={"topic": "Two of three", "minutes": 90, "sides": [talks.ru, talks.us]},
    )
    assert made.status_code == 201, made.text
    meeting = made.json()
    assert (meeting["minutes"], meeting["sides"]) == (90, [talks.us, talks.ru])  # shown order
    ann_id, boris_id = await you(talks, talks.ann), await you(talks, talks.boris)
    assert sorted(meeting["attendees"]) == sorted([ann_id, boris_id])
    proposals = f"{talks.path}/meetings/{meeting['id']}/proposals"
    at = {"at": "2027-03-15T15:00:00Z"}
    error(await chen.post(proposals, json=at), 403, "not-invited")
    draft = f"{talks.path}/meetings/{meeting['id']}/readouts/{cn}/draft"
    error(await chen.put(draft, json={"base": 0, "text": "We were not there"}), 403, "not-invited")
    # The calendar entry lasts as long as planned.
    proposal = (await talks.ann.post(proposals, json=at)).json()["id"]
    assert (await talks.boris.post(f"{proposals}/{proposal}/accept")).status_code == 200
    ics = await talks.boris.get(f"{talks.path}/meetings/{meeting['id']}/calendar.ics")
    [event] = Calendar.from_ical(ics.text).walk("VEVENT")
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
    # Every side, for an hour, unless told.
    plain = (await talks.ann.post(f"{talks.path}/meetings", json={"topic": "All"})).json()
    assert (plain["minutes"], plain["sides"]) == (60, [talks.us, talks.ru, cn])


async def test_bad_lengths_and_sides(server: Server) -> None:
    talks = await found(server)
    other = await found(server)
    before = counts(talks)
    path = f"{talks.path}/meetings"
    for minutes in (14, 601, "long"):
        error(await talks.ann.post(path, json={"topic": "x", "minutes": minutes}), 400,
              "invalid-request")  # fmt: skip
    error(await talks.ann.post(path, json={"topic": "x", "sides": [talks.us]}), 400, "bad-sides")
    twice = [talks.us, talks.us]
    error(await talks.ann.post(path, json={"topic": "x", "sides": twice}), 400, "bad-sides")
    foreign = [talks.us, other.ru]
    error(await talks.ann.post(path, json={"topic": "x", "sides": foreign}), 404, "unknown-side")
    assert counts(talks) == before


async def check_follow_up(server: Server) -> None:
    talks = await found(server)
    _, carl_id = await joined(talks, talks.us, "Carl")
    dan, dan_id = await joined(talks, talks.us, "Dan")
    ann_id, boris_id = await you(talks, talks.ann), await you(talks, talks.boris)
    first = await talks.meeting()
    made = await talks.boris.post(
        f"{talks.path}/meetings/{first}/follow-ups",
        json={"topic": "Strategic stability in Europe", "date": {"kind": "asap"}},
    )
    assert made.status_code == 201, made.text
    follow = made.json()
    assert (follow["follows"], follow["topic"], follow["date"]["kind"]) == (
        first,
        "Strategic stability in Europe",
        "asap",
    )
    assert (follow["sides"], follow["minutes"], follow["representatives"]) == (
        [talks.us, talks.ru],
        60,
        [],
    )
    assert sorted(follow["attendees"]) == sorted([ann_id, boris_id, carl_id, dan_id])
    assert follow["room"] != (await talks.read(talks.ann))["meetings"][0]["room"]

    # Ann appoints Carl: the room is then the representatives' and the leads'.
    reps = f"{talks.path}/meetings/{follow['id']}/representatives"
    appointed = await talks.ann.post(reps, json={"member": carl_id})
    assert appointed.status_code == 201, appointed.text
    shown = appointed.json()
    assert shown["representatives"] == [
        {"member": carl_id, "side": talks.us, "topic": "Strategic stability in Europe"}
    ]
    assert sorted(shown["attendees"]) == sorted([ann_id, boris_id, carl_id])
    [seen] = [m for m in (await talks.read(dan))["meetings"] if m["id"] == follow["id"]]
    assert seen["representatives"] == shown["representatives"]
    assert dan_id not in seen["attendees"]

    unappointed = await talks.ann.delete(f"{reps}/{carl_id}")
    assert unappointed.status_code == 200, unappointed.text
    assert unappointed.json()["representatives"] == []
    assert dan_id in unappointed.json()["attendees"]
    again = await talks.ann.post(reps, json={"member": dan_id, "topic": "Missiles"})
    assert again.json()["representatives"][0]["topic"] == "Missiles"


async def test_a_follow_up_and_its_representatives(server: Server) -> None:
    await check_follow_up(server)


async def test_follow_ups_on_postgresql(pg_server: Server) -> None:
    await check_follow_up(pg_server)


async def test_who_may_make_follow_ups_and_appoint(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    dan, dan_id = await joined(talks, talks.us, "Dan")
    boris_id = await you(talks, talks.boris)
    other = await found(server)
    first = await talks.meeting()
    theirs = await other.meeting()
    body = {"topic": "Next"}
    error(await carl.post(f"{talks.path}/meetings/{first}/follow-ups", json=body), 403, "not-lead")
    error(await talks.ann.post(f"{talks.path}/meetings/{theirs}/follow-ups", json=body), 404,
          "unknown-meeting")  # fmt: skip
    error(await talks.ann.post(f"{talks.path}/meetings/mt-0/follow-ups", json=body), 404,
          "unknown-meeting")  # fmt: skip
    bad = {"topic": "Next", "date": {"kind": "scheduled"}}
    error(await talks.ann.post(f"{talks.path}/meetings/{first}/follow-ups", json=bad), 400,
          "bad-date")  # fmt: skip
    follow = (await talks.ann.post(f"{talks.path}/meetings/{first}/follow-ups", json=body)).json()[
        "id"
    ]
    reps = f"{talks.path}/meetings/{follow}/representatives"
    assert (await talks.ann.post(reps, json={"member": carl_id})).status_code == 201

    before = counts(talks)
    outsider = await you(other, other.ann)
    for client, who, status, code in (
        (dan, dan_id, 403, "not-lead"),  # a member appointing
        (talks.boris, carl_id, 403, "not-your-side"),  # a lead appointing another side's
        (talks.ann, boris_id, 403, "not-your-side"),  # ... and the other way round
        (talks.ann, carl_id, 409, "already-appointed"),
        (talks.ann, "mb-0000000000000000", 404, "unknown-member"),
        (talks.ann, outsider, 404, "unknown-member"),  # a member of another dialogue
    ):
        error(await client.post(reps, json={"member": who}), status, code)
    first_reps = f"{talks.path}/meetings/{first}/representatives"
    error(await talks.ann.post(first_reps, json={"member": dan_id}), 400, "not-a-follow-up")
    error(await talks.ann.post(f"{talks.path}/meetings/{theirs}/representatives",
                               json={"member": dan_id}), 404, "unknown-meeting")  # fmt: skip
    error(await talks.boris.delete(f"{reps}/{carl_id}"), 403, "not-your-side")
    error(await dan.delete(f"{reps}/{carl_id}"), 403, "not-lead")
    error(await talks.ann.delete(f"{reps}/{dan_id}"), 404, "unknown-member")
    error(await talks.ann.delete(f"{reps}/mb-%00"), 404, "unknown-member")
    assert counts(talks) == before

    # A removed member can neither be appointed nor stays a representative.
    assert (await talks.ann.delete(f"{talks.path}/members/{dan_id}")).status_code == 204
    error(await talks.ann.post(reps, json={"member": dan_id}), 403, "member-removed")
    assert (await talks.ann.delete(f"{talks.path}/members/{carl_id}")).status_code == 204
    [shown] = [m for m in (await talks.read(talks.ann))["meetings"] if m["id"] == follow]
    assert (shown["representatives"], carl_id in shown["attendees"]) == ([], False)


async def point(talks: Talks, client: httpx.AsyncClient, meeting: str, text: str) -> Any:
    response = await client.post(f"{talks.path}/meetings/{meeting}/points", json={"text": text})
    assert response.status_code == 201, response.text
    return response.json()


async def check_points(server: Server) -> None:
    talks = await found(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    ann_id, boris_id = await you(talks, talks.ann), await you(talks, talks.boris)
    meeting = await talks.meeting()
    made = await point(talks, carl, meeting, "Next meeting **very** soon <script>x()</script>")
    assert (made["side"], made["author"], made["agreed"]) == (talks.us, carl_id, False)
    assert made["html"] == (
        "<p>Next meeting <strong>very</strong> soon &lt;script&gt;x()&lt;/script&gt;</p>\n"
    )
    assert (made["waiting_for"], made["confirmations"]) == ([talks.us, talks.ru], [])
    assert made["at"].startswith("2027-03-01T09:00:00")
    confirm = f"{talks.path}/meetings/{meeting}/points/{made['id']}/confirm"
    once = await talks.ann.post(confirm)
    assert once.status_code == 200, once.text
    assert (once.json()["waiting_for"], once.json()["agreed"]) == ([talks.ru], False)
    server.clock.advance(timedelta(minutes=5))
    both = (await talks.boris.post(confirm, json={"side": talks.ru})).json()
    assert both["agreed"] is True and both["waiting_for"] == []
    assert [(c["side"], c["lead"]) for c in both["confirmations"]] == [
        (talks.us, ann_id),
        (talks.ru, boris_id),
    ]
    assert both["confirmations"][1]["at"].startswith("2027-03-01T09:05:00")
    [shown] = (await talks.read(carl))["meetings"]
    assert shown["points"] == [both]


async def test_a_point_agreed_once_every_sides_lead_confirmed(server: Server) -> None:
    await check_points(server)


async def test_points_on_postgresql(pg_server: Server) -> None:
    await check_points(pg_server)


async def test_who_may_draft_and_confirm_points(server: Server) -> None:
    talks, chen, _ = await three_sides(server)
    carl, carl_id = await joined(talks, talks.us, "Carl")
    other = await found(server)
    two = await talks.ann.post(
        f"{talks.path}/meetings", json={"topic": "Two", "sides": [talks.us, talks.ru]}
    )
    meeting = two.json()["id"]
    elsewhere = await talks.meeting("Elsewhere")
    made = await point(talks, talks.boris, meeting, "Appoint representatives")
    confirm = f"{talks.path}/meetings/{meeting}/points/{made['id']}/confirm"
    assert (await talks.ann.post(confirm)).status_code == 200

    theirs = await other.meeting()
    before = counts(talks)
    points = f"{talks.path}/meetings/{meeting}/points"
    error(await chen.post(points, json={"text": "We agree too"}), 403, "not-invited")
    error(await talks.ann.post(points, json={"text": "a\u202eb"}), 400, "bad-text")
    error(await talks.ann.post(points, json={"text": "x" * 1001}), 413, "too-long")
    error(await talks.ann.post(points, json={"text": "   "}), 400, "bad-text")
    error(await other.ann.post(points, json={"text": "x"}), 401, "unauthenticated")
    error(await talks.ann.post(confirm), 409, "already-confirmed")
    error(await talks.ann.post(confirm, json={"side": talks.ru}), 403, "not-your-side")
    error(await carl.post(confirm), 403, "not-lead")
    error(await chen.post(confirm), 403, "not-invited")  # China's lead, China not invited
    error(await talks.boris.post(confirm, json={"side": "s-0"}), 404, "unknown-side")
    unknown = f"{points}/pt-0000000000000000/confirm"
    error(await talks.boris.post(unknown), 404, "unknown-point")
    wrong = f"{talks.path}/meetings/{elsewhere}/points/{made['id']}/confirm"
    error(await talks.boris.post(wrong), 404, "unknown-point")  # a point of another meeting
    error(await talks.boris.post(f"{talks.path}/meetings/{theirs}/points", json={"text": "x"}),
          404, "unknown-meeting")  # fmt: skip
    assert counts(talks) == before

    assert (await talks.ann.delete(f"{talks.path}/members/{carl_id}")).status_code == 204
    error(await carl.post(points, json={"text": "x"}), 403, "member-removed")


async def test_two_confirmations_at_once_on_postgresql(pg_server: Server) -> None:
    """Both pass the rules on what they read; the key lets one in, the other is told."""
    talks = await found(pg_server)
    meeting = await talks.meeting()
    made = await point(talks, talks.ann, meeting, "Next meeting very soon")
    confirm = f"{talks.path}/meetings/{meeting}/points/{made['id']}/confirm"
    answers = await asyncio.gather(talks.ann.post(confirm), talks.ann.post(confirm))
    assert sorted(a.status_code for a in answers) == [200, 409]
    error(next(a for a in answers if a.status_code == 409), 409, "already-confirmed")
    [shown] = (await talks.read(talks.boris))["meetings"][0]["points"]
    assert len(shown["confirmations"]) == 1
