"""The dialogue pages in two browsers in two time zones, on the real server.

A convener in Moscow founds a dialogue between two sides and hands the other
side's lead link to a lead in New York (on a phone-width screen); one proposes
two times, the other accepts one; each page shows the time in its own zone
first and in the other side's beside it, exactly as the server's own line
(frankly/dialogues/zones.py) says it; the calendar file downloads; both press
"Join the meeting"; and after the server restarts on the same data directory
everything is still there.
"""

from __future__ import annotations

import base64
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from frankly.dialogues import zones
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.browser.dialogues import (
    MOSCOW,
    NEW_YORK,
    RUSSIA,
    SIDES,
    UNITED_STATES,
    People,
    found_dialogue,
    join_through,
    local_input,
    make_member_link,
    set_up_meeting,
)


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


def open_meeting(page: Page) -> None:
    page.get_by_test_id("history").get_by_role("link", name="Strategic stability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategic stability")


def join_the_meeting(page: Page, room: str, name: str, side: str) -> None:
    """Press "Join the meeting": the room's pre-join screen, where the invitation
    names us as the dialogue knows us (no name to type), then the meeting."""
    page.get_by_role("button", name="Join the meeting").click()
    page.wait_for_url(re.compile(rf"/{room}$"))  # and the invite out of the address
    expect(page.get_by_test_id("screen-prejoin")).to_be_visible()
    expect(page.get_by_test_id("name-input")).to_have_value(name)
    expect(page.get_by_test_id("name-invited")).to_have_text(
        f"Your invitation names you: you join as {name}, for {side}."
    )
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")


def test_two_sides_in_two_zones_agree_a_date_and_find_it_all_after_a_restart(
    people: People, live_server: BackgroundServer, server_config: ServerConfig
) -> None:
    sergei = people.page(MOSCOW)
    ann = people.page(NEW_YORK, width=375)  # a phone

    link = found_dialogue(sergei)
    set_up_meeting(sergei)

    # Ann opens her side's link: the token leaves the address bar at once.
    ann.goto(link)
    expect(ann.get_by_role("heading", level=1)).to_have_text("Join a dialogue")
    assert "token" not in ann.url
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_role("button", name="Join", exact=True).click()
    expect(ann.get_by_test_id("you")).to_have_text("You are Ann, lead of United States.")
    expect(ann.get_by_test_id("sides")).to_contain_text("Sergei")
    expect(ann.get_by_test_id("sides")).to_contain_text("Ann")

    # Ann proposes two times, typed in her own zone.
    day = (datetime.now(UTC) + timedelta(days=30)).astimezone(ZoneInfo(NEW_YORK))
    first = day.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
    second = (first + timedelta(days=1, hours=1)).astimezone(UTC)
    open_meeting(ann)
    for count, at in enumerate((first, second), start=1):
        ann.get_by_label("Time, in your zone (New York)").fill(local_input(at, NEW_YORK))
        expect(ann.get_by_test_id("propose-preview")).to_have_text(
            zones.render(at, NEW_YORK, SIDES)
        )
        ann.get_by_role("button", name="Propose this time").click()
        expect(ann.get_by_test_id("proposal")).to_have_count(count)
    times = ann.get_by_test_id("proposal-time")
    expect(times).to_have_text([zones.render(at, NEW_YORK, SIDES) for at in (first, second)])
    # Her own side's proposals can be withdrawn, not accepted.
    expect(ann.get_by_role("button", name="Withdraw")).to_have_count(2)
    expect(ann.get_by_role("button", name="Accept")).to_have_count(0)
    assert ann.evaluate("document.documentElement.scrollWidth") <= 375

    # Sergei sees them in Moscow's time first, and accepts the second.
    sergei.reload()
    expect(sergei.get_by_test_id("next-action")).to_have_text(
        "2 times proposed, waiting for your side\u2019s answer"
    )
    open_meeting(sergei)
    in_moscow = zones.render(second, MOSCOW, SIDES)
    expect(sergei.get_by_test_id("proposal-time")).to_have_text(
        [zones.render(at, MOSCOW, SIDES) for at in (first, second)]
    )
    expect(sergei.get_by_role("button", name="Withdraw")).to_have_count(0)
    sergei.get_by_test_id("proposal").nth(1).get_by_role("button", name="Accept").click()
    expect(sergei.get_by_test_id("meeting-date")).to_have_text(in_moscow)
    # Each page: its own zone first, the other side's beside it.
    assert in_moscow.startswith(f"{second.astimezone(ZoneInfo(MOSCOW)):%a} ")
    assert f"{second.astimezone(ZoneInfo(NEW_YORK)):%H:%M} in New York" in in_moscow

    ann.reload()
    in_new_york = zones.render(second, NEW_YORK, SIDES)
    expect(ann.get_by_test_id("meeting-date")).to_have_text(in_new_york)
    assert f"{second.astimezone(ZoneInfo(MOSCOW)):%H:%M} in Moscow" in in_new_york
    expect(ann.get_by_test_id("proposals")).to_contain_text("No open proposal.")

    # The calendar file.
    with ann.expect_download() as download:
        ann.get_by_role("link", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_text()
    assert "BEGIN:VCALENDAR" in ics
    assert f"DTSTART:{second:%Y%m%dT%H%M%S}Z" in ics

    # Both go in from the dialogue page.
    room = sergei.evaluate(
        "async () => (await (await fetch(location.pathname.replace(/\\/meetings\\/.*/, '')"
        ".replace('/dialogues', '/api/dialogues'))).json()).meetings[0].room"
    )
    dialogue_page = ""
    for page, name, side in ((sergei, "Sergei", RUSSIA), (ann, "Ann", UNITED_STATES)):
        page.get_by_role("link", name="← Talks on strategic stability").click()
        expect(page.get_by_test_id("next-when")).to_have_text(
            zones.render(second, MOSCOW if page is sergei else NEW_YORK, SIDES)
        )
        dialogue_page = page.url
        join_the_meeting(page, room, name, side)
    # In the meeting, each sees the other under their side.
    for page, other, side in ((sergei, "Ann", UNITED_STATES), (ann, "Sergei", RUSSIA)):
        theirs = page.locator(".tile:not([data-self])").filter(has_text=other)
        expect(theirs.get_by_test_id("tile-side")).to_have_text(side)

    # Someone with no membership learns nothing.
    stranger = people.page(MOSCOW)
    stranger.goto(dialogue_page)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Not a member here")

    # The server restarts on the same data directory and port: all of it is there.
    port = live_server.port
    live_server.stop()
    again = BackgroundServer(server_config, port=port).start()
    try:
        for page, zone in ((sergei, MOSCOW), (ann, NEW_YORK)):
            page.goto("/")
            page.get_by_test_id("known-dialogues").get_by_role(
                "link", name="Talks on strategic stability"
            ).click()
            expect(page.get_by_test_id("sides")).to_contain_text("Sergei")
            expect(page.get_by_test_id("sides")).to_contain_text("Ann")
            expect(page.get_by_test_id("next-when")).to_have_text(zones.render(second, zone, SIDES))
            open_meeting(page)
            expect(page.get_by_test_id("meeting-date")).to_have_text(
                zones.render(second, zone, SIDES)
            )
            proposals = page.get_by_test_id("proposals")
            expect(proposals).to_contain_text("No open proposal.")
            expect(proposals).to_contain_text("Earlier proposals (2)")  # one accepted, one declined
    finally:
        again.stop()


def test_links_members_and_devices_on_the_real_server(people: People) -> None:
    sergei = people.page(MOSCOW)
    boris = people.page(MOSCOW, width=375)
    vera = people.page(MOSCOW)
    found_dialogue(sergei)
    boris_link = make_member_link(sergei)
    join_through(boris, boris_link[1], "Boris")
    # A member may leave, not remove others nor hand a lead on.
    expect(boris.get_by_role("button", name="Leave")).to_have_count(1)
    expect(boris.get_by_role("button", name="Remove")).to_have_count(0)
    expect(boris.get_by_role("button", name="Make lead")).to_have_count(0)
    join_through(vera, make_member_link(sergei)[1], "Vera")
    spare, spare_url = make_member_link(sergei)

    # Links made before: listed once the page is loaded again (with no token), one revoked.
    sergei.reload()
    earlier = sergei.get_by_test_id("invites").get_by_role("list", name="Links made before")
    expect(earlier.get_by_test_id("member-link")).to_have_count(3)
    expect(earlier.get_by_test_id("lead-link")).to_have_count(1)
    expect(earlier.get_by_test_id("link-url")).to_have_count(0)
    expect(earlier.locator(f'[data-invite="{boris_link[0]}"]')).to_contain_text("made ")
    revoked = earlier.locator(f'[data-invite="{spare}"]')
    revoked.get_by_role("button", name="Revoke").click()
    expect(revoked.get_by_test_id("link-expiry")).to_have_text(re.compile(r"^revoked "))
    expect(revoked.get_by_role("button", name="Revoke")).to_have_count(0)
    sergei.reload()
    expect(revoked.get_by_test_id("link-expiry")).to_have_text(re.compile(r"^revoked "))
    # ... and it lets nobody in.
    mallory = people.page(NEW_YORK, width=375)
    mallory.goto(spare_url)
    mallory.get_by_label("Your name").fill("Mallory")
    mallory.get_by_role("button", name="Join", exact=True).click()
    expect(mallory.get_by_test_id("join-status")).to_have_text("This link is not valid.")
    expect(mallory.get_by_test_id("join-status")).to_have_attribute("data-code", "invalid-invite")

    # The lead removes a member, asked twice. The page is drawn again, and
    # text typed elsewhere and not sent stays.
    sergei.get_by_label("Agenda (optional)").fill("Words not sent yet")
    russians = sergei.get_by_role("list", name=f"Members of {RUSSIA}")
    boris_item = russians.get_by_test_id("member").filter(has_text="Boris")
    boris_item.get_by_role("button", name="Remove").click()
    boris_item.get_by_role("button", name="Remove Boris").click()
    expect(sergei.get_by_test_id("announcer")).to_contain_text("Boris was removed.")
    expect(russians.get_by_test_id("member")).to_have_count(2)  # Sergei, Vera
    expect(sergei.get_by_test_id("former")).to_have_text("Former members: Boris")
    expect(sergei.get_by_label("Agenda (optional)")).to_have_value("Words not sent yet")
    # Boris's own page says so, in words, and his cookie opens nothing.
    boris.reload()
    expect(boris.get_by_role("heading", level=1)).to_have_text("No longer a member")
    expect(boris.get_by_test_id("refusal")).to_have_text(
        "You are no longer a member of this dialogue: your side\u2019s lead removed you"
        " (or you left from another device). What you wrote stays."
    )

    # The lead hands the lead on, asked twice.
    vera_item = russians.get_by_test_id("member").filter(has_text="Vera")
    vera_item.get_by_role("button", name="Make lead").click()
    vera_item.get_by_role("button", name="Hand the lead to Vera").click()
    expect(sergei.get_by_test_id("announcer")).to_contain_text("Vera now leads Russian Federation.")
    expect(sergei.get_by_test_id("you")).to_have_text(
        "You are Sergei, member of Russian Federation · convener."
    )
    expect(sergei.get_by_role("button", name="Make lead")).to_have_count(0)
    vera.reload()
    expect(vera.get_by_test_id("you")).to_have_text("You are Vera, lead of Russian Federation.")
    expect(vera.get_by_role("button", name="Make lead")).to_have_count(1)  # to Sergei

    # Devices: this one listed; another added through a one-use link.
    shown = sergei.get_by_test_id("devices")
    mine = shown.get_by_role("list", name="Your devices").get_by_role("listitem")
    expect(mine).to_have_text([re.compile(r"^This browser · added ")])
    shown.get_by_role("button", name="Add a device").click()
    device_link = shown.get_by_test_id("device-link").input_value()
    url = re.escape(f"{people.url}/dialogues/{dialogue_id(sergei)}/device#token=")
    assert re.fullmatch(rf"{url}[\w-]+", device_link), device_link
    expect(shown).to_contain_text("in 10 minutes")
    phone = people.page(NEW_YORK, width=375)
    phone.goto(device_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Add this device")
    assert "token" not in phone.url
    phone.get_by_label("Name this device (optional)").fill("Phone")
    phone.get_by_role("button", name="Add this device").click()
    # The new browser reads the dialogue as the same member.
    expect(phone.get_by_test_id("you")).to_have_text(
        "You are Sergei, member of Russian Federation · convener."
    )
    expect(phone.get_by_test_id("devices").get_by_role("listitem")).to_have_text(
        [
            re.compile(r"^A browser with no name · added "),
            re.compile(r"^Phone \(this one\) · added "),
        ]
    )
    # Listed on the first device too, and removed from there, asked twice:
    # its cookie then opens nothing.
    sergei.reload()
    phone_item = mine.filter(has_text="Phone")
    phone_item.get_by_role("button", name="Remove").click()
    phone_item.get_by_role("button", name="Sign out Phone").click()
    expect(mine).to_have_text([re.compile(r"^This browser · added ")])
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Not a member here")
    # The one-use link works no second time.
    phone.goto(device_link)
    phone.get_by_role("button", name="Add this device").click()
    expect(phone.get_by_test_id("device-status")).to_have_text(
        "This device link is not valid (or was used)."
    )
    expect(phone.get_by_test_id("device-status")).to_have_attribute("data-code", "invalid-invite")


def dialogue_id(page: Page) -> str:
    """The dialogue of the page shown, from its address."""
    found = re.search(r"/dialogues/(d-[0-9a-f]+)", page.url)
    assert found, page.url
    return found.group(1)


def call(page: Page, method: str, path: str, body: object = None) -> Any:
    """The API as the page's member (its cookie), for what this test does not click."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const init = {method, headers: {'Content-Type': 'application/json'}};
            if (body !== null) init.body = JSON.stringify(body);
            const answer = await fetch('/api' + path, init);
            if (!answer.ok) throw new Error(method + ' ' + path + ': ' + await answer.text());
            return answer.status === 204 ? null : answer.json();
        }""",
        [method, path, body],
    )


def test_a_follow_up_under_its_meeting_and_a_scheduled_meeting_moved(people: People) -> None:
    sergei = people.page(MOSCOW)
    ann = people.page(NEW_YORK, width=375)
    link = found_dialogue(sergei)
    set_up_meeting(sergei)
    ann.goto(link)
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_role("button", name="Join", exact=True).click()
    expect(ann.get_by_test_id("you")).to_have_text("You are Ann, lead of United States.")
    dialogue = dialogue_id(sergei)
    meeting = call(sergei, "GET", f"/dialogues/{dialogue}")["meetings"][0]["id"]
    # Scheduled through the API (the clicks are the first test's), then a follow-up.
    first = (datetime.now(UTC) + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    base = f"/dialogues/{dialogue}/meetings/{meeting}"
    proposal = call(ann, "POST", f"{base}/proposals", {"at": first.strftime("%Y-%m-%dT%H:%M:%SZ")})
    call(sergei, "POST", f"{base}/proposals/{proposal['id']}/accept")
    call(
        sergei,
        "POST",
        f"{base}/follow-ups",
        {"topic": "Strategic stability in Europe", "agenda": "", "date": {"kind": "asap"}},
    )
    points = f"{base}/points"
    point = call(ann, "POST", points, {"text": "Next meeting very soon"})
    call(ann, "POST", f"{points}/{point['id']}/confirm")
    call(sergei, "POST", f"{points}/{point['id']}/confirm")  # agreed by both sides now

    # The history: the follow-up under the meeting it follows, not beside it.
    sergei.reload()
    # Ann's lead link is spent: it made her the lead, and a side has one.
    spent = sergei.get_by_test_id("invites").get_by_test_id("lead-link")
    expect(spent.get_by_test_id("link-expiry")).to_have_text("used: United States has its lead")
    expect(spent.get_by_role("button", name="Revoke")).to_have_count(0)
    history = sergei.get_by_test_id("history")
    expect(history.locator(":scope > li")).to_have_count(1)
    expect(history.locator(":scope > li > .dlg-history-head")).to_have_text(
        "Scheduled Strategic stability"
    )
    expect(history.get_by_test_id("agreed-points")).to_have_text("Agreed: Next meeting very soon")
    follow_ups = history.get_by_role("list", name="Follow-ups of Strategic stability")
    expect(follow_ups.get_by_role("link")).to_have_text(["Strategic stability in Europe"])
    expect(follow_ups.get_by_test_id("history-item")).to_contain_text(
        "Date to be agreed: as soon as possible"
    )
    follow_ups.get_by_role("link", name="Strategic stability in Europe").click()
    expect(sergei.get_by_role("heading", level=1)).to_have_text("Strategic stability in Europe")
    expect(sergei.get_by_test_id("follows")).to_have_text("Follow-up of Strategic stability")
    sergei.get_by_test_id("follows").get_by_role("link").click()
    expect(sergei.get_by_role("heading", level=1)).to_have_text("Strategic stability")
    expect(sergei.get_by_test_id("followed-by")).to_have_text(
        "Followed by Strategic stability in Europe"
    )

    # A scheduled meeting moves: a new proposal, accepted again.
    expect(sergei.get_by_test_id("meeting-date")).to_have_text(zones.render(first, MOSCOW, SIDES))
    proposals = sergei.get_by_test_id("proposals")
    expect(proposals.get_by_role("heading", name="Propose another time")).to_have_count(1)
    moved = first + timedelta(days=2, hours=3)
    sergei.get_by_label("Time, in your zone (Moscow)").fill(local_input(moved, MOSCOW))
    sergei.get_by_role("button", name="Propose this time").click()
    open_ones = proposals.get_by_role("list", name="Open proposals")
    expect(open_ones.get_by_test_id("proposal-time")).to_have_text(
        [zones.render(moved, MOSCOW, SIDES)]
    )
    expect(sergei.get_by_test_id("meeting-date")).to_have_text(zones.render(first, MOSCOW, SIDES))
    # Ann's dialogue page says a new time waits for her side's answer.
    ann.goto(sergei.url.split("/meetings/")[0])
    expect(ann.get_by_test_id("next-when")).to_have_text(zones.render(first, NEW_YORK, SIDES))
    waiting = ann.get_by_test_id("next-action")
    expect(waiting).to_have_text(
        "A new time is proposed to move it, waiting for your side\u2019s answer"
    )
    waiting.click()
    expect(ann.get_by_test_id("meeting-date")).to_have_text(zones.render(first, NEW_YORK, SIDES))
    ann.get_by_test_id("proposal").get_by_role("button", name="Accept").click()
    expect(ann.get_by_test_id("meeting-date")).to_have_text(zones.render(moved, NEW_YORK, SIDES))
    expect(ann.get_by_test_id("proposals")).to_contain_text("Earlier proposals (2)")
    sergei.reload()
    expect(sergei.get_by_test_id("meeting-date")).to_have_text(zones.render(moved, MOSCOW, SIDES))
    sergei.get_by_role("link", name="← Talks on strategic stability").click()
    expect(sergei.get_by_test_id("next-when")).to_have_text(zones.render(moved, MOSCOW, SIDES))
    if shots := os.environ.get(
        "FRANKLY_SCREENSHOTS"
    ):  # FRANKLY_SCREENSHOTS=DIR: how the pages look with this data, to look at
        take_screenshots(people, Path(shots), sergei.url)


def take_screenshots(people: People, folder: Path, dialogue_url: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for page in (p for c in people.contexts for p in c.pages):
        width = page.viewport_size["width"] if page.viewport_size else 0
        page.goto(dialogue_url)
        expect(page.get_by_test_id("history")).to_be_visible()
        page.screenshot(path=folder / f"dialogue-{width}.png", full_page=True)
        page.get_by_test_id("history").get_by_role(
            "link", name="Strategic stability", exact=True
        ).click()
        expect(page.get_by_test_id("meeting-date")).to_be_visible()
        page.screenshot(path=folder / f"meeting-{width}.png", full_page=True)


def test_a_forged_or_missing_link_is_refused_in_words(people: People) -> None:
    page = people.page(MOSCOW, width=375)
    page.goto("/dialogues/join")
    expect(page.get_by_test_id("join-problem")).to_contain_text("This link has no invitation")
    claims = (
        b'{"dlg": "d-0d6caa65de6bd94d", "side": "s-0f1e2d3c4b5a6978", "lead": true,'
        b' "exp": 4102444800}'
    )
    forged = (
        "eyJhbGciOiJIUzI1NiJ9." + base64.urlsafe_b64encode(claims).decode().rstrip("=") + ".AAAA"
    )
    page.goto(f"/dialogues/join#token={forged}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join a dialogue")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Your name").fill("Mallory")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("join-status")).to_have_text("This link is not valid.")
    expect(page.get_by_test_id("join-status")).to_have_attribute("data-code", "invalid-invite")
    page.goto("/dialogues/d-0d6caa65de6bd94d/meetings/mt-77aa66bb55cc44dd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not a member here")
    page.goto("/dialogues/nonsense")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_founding_with_the_keyboard_alone(people: People) -> None:
    page = people.page(MOSCOW, width=375)
    page.goto("/dialogues/new")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    for text in ("Talks", "Russian Federation", None, "United States", "new york"):
        page.keyboard.press("Tab")
        if text is not None:
            page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add a side")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your side")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Sergei")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("you")).to_have_text(
        "You are Sergei, lead of Russian Federation · convener."
    )
    expect(page.get_by_test_id("lead-link")).to_have_count(1)
    # The lead link's copy button is reached and named for what it copies.
    copy = page.get_by_role("button", name="Copy Lead link for United States")
    copy.focus()
    expect(copy).to_be_focused()
