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
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from frankly.dialogues import zones
from frankly.dialogues.model import Side
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig

MOSCOW = "Europe/Moscow"
NEW_YORK = "America/New_York"
SIDES = [
    Side("s-1", "d-1", "Russian Federation", MOSCOW, None),
    Side("s-2", "d-1", "United States", NEW_YORK, None),
]
RUSSIA, UNITED_STATES = (side.name for side in SIDES)


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


class People:
    """One browser context per person, each in their own zone; JavaScript errors fail the test."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        self.url = url
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def page(self, zone: str, width: int = 1280) -> Page:
        context = self.browser.new_context(
            base_url=self.url,
            timezone_id=zone,
            viewport={"width": width, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


@pytest.fixture
def people(browser: Browser, live_server: BackgroundServer) -> Iterator[People]:
    found = People(browser, live_server.url)
    yield found
    for context in found.contexts:
        context.close()
    assert not found.errors, f"JavaScript errors in the page: {found.errors}"


def local_input(at: datetime, zone: str) -> str:
    """`at` as a datetime-local value in `zone`."""
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def found_dialogue(page: Page) -> str:
    """Sergei, in Moscow, founds the dialogue; returns the United States' lead link."""
    page.goto("/")
    page.get_by_role("link", name="Start a dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a dialogue")
    page.get_by_label("Title").fill("Talks on strategic stability")
    first = page.get_by_role("group", name="Side 1")
    second = page.get_by_role("group", name="Side 2")
    expect(first.get_by_label("Time zone")).to_have_value(MOSCOW)  # the browser's own zone
    first.get_by_label("Name").fill("Russian Federation")
    second.get_by_label("Name").fill("United States")
    second.get_by_label("Time zone").fill("new york")  # a city, as people type it
    expect(page.get_by_label("Your side")).to_have_value("0")
    page.get_by_label("Your name").fill("Sergei")
    page.get_by_role("button", name="Create the dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Talks on strategic stability")
    expect(page.get_by_test_id("you")).to_have_text(
        "You are Sergei, lead of Russian Federation · convener."
    )
    link = page.get_by_test_id("lead-link")
    expect(link).to_have_count(1)
    expect(link.get_by_test_id("link-expiry")).to_contain_text("(in 7 days)")
    url = link.get_by_test_id("link-url").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/dialogues/join#token=[\w.-]+", url), url
    return url


def set_up_meeting(page: Page) -> None:
    page.get_by_label("Topic").fill("Strategic stability")
    page.get_by_label("Agenda (optional)").fill("1. Dates\n2. Next steps")
    page.get_by_label("As soon as possible").check()
    page.get_by_role("button", name="Set up the meeting").click()
    expect(page.get_by_test_id("next-when")).to_have_text("Date to be agreed: as soon as possible")


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


class Contract:
    """Plays the endpoints of contract A1 (members, links, devices) that this branch's
    server does not have yet, and keeps every request the page made to them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, object]] = []

    def play(self, page: Page, pattern: str, answers: dict[str, tuple[int, object]]) -> None:
        def handle(route: Route) -> None:
            request = route.request
            if request.method not in answers:
                route.fallback()
                return
            body = request.post_data_json if request.post_data else None
            self.calls.append((request.method, request.url.split("/api", 1)[1], body))
            status, answer = answers[request.method]
            if answer is None:
                route.fulfill(status=status)
            else:
                route.fulfill(status=status, json=answer)

        page.route(pattern, handle)


def in_minutes(n: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_members_links_and_devices_call_the_contract(people: People) -> None:
    sergei = people.page(MOSCOW)
    boris = people.page(MOSCOW, width=375)
    found_dialogue(sergei)
    dialogue = sergei.url.rsplit("/", 1)[1]
    sides = sergei.evaluate(f"fetch('/api/dialogues/{dialogue}').then(r => r.json())")["sides"]
    russia, united_states = sides
    sergei.get_by_test_id("invites").get_by_role("button", name="Make a member link").first.click()
    member_link = sergei.get_by_test_id("member-link").get_by_test_id("link-url").input_value()
    boris.goto(member_link)
    boris.get_by_label("Your name").fill("Boris")
    boris.get_by_role("button", name="Join", exact=True).click()
    expect(boris.get_by_test_id("you")).to_have_text("You are Boris, member of Russian Federation.")
    read = f"fetch('/api/dialogues/{dialogue}').then(r => r.json())"
    boris_id = boris.evaluate(read)["you"]["id"]
    # A member may leave, not remove others nor hand a lead on.
    expect(boris.get_by_role("button", name="Leave")).to_have_count(1)
    expect(boris.get_by_role("button", name="Remove")).to_have_count(0)

    contract = Contract()
    base = f"**/api/dialogues/{dialogue}"
    earlier = {"invite": "in-00aa11bb22cc33dd", "side": russia["id"], "lead": False}
    contract.play(
        sergei,
        f"{base}/sides/{russia['id']}/links",
        {"GET": (200, [{**earlier, "expires": in_minutes(600), "revoked": None}])},
    )
    contract.play(sergei, f"{base}/sides/{united_states['id']}/links", {"GET": (200, [])})
    contract.play(sergei, f"{base}/sides/*/links/*", {"DELETE": (204, None)})
    contract.play(sergei, f"{base}/members/*", {"DELETE": (204, None)})
    contract.play(sergei, f"{base}/sides/*/lead", {"POST": (200, {})})
    devices = [
        {"id": "dv-1", "device": "Laptop", "created": in_minutes(-60), "current": True},
        {"id": "dv-2", "device": "Phone", "created": in_minutes(-30), "current": False},
    ]
    contract.play(
        sergei,
        f"{base}/devices",
        {"GET": (200, devices), "POST": (201, {"token": "tok-123", "expires": in_minutes(10)})},
    )
    contract.play(sergei, f"{base}/devices/*", {"DELETE": (204, None)})
    sergei.reload()

    # Links made before: listed, and one revoked.
    invites = sergei.get_by_test_id("invites")
    before = invites.get_by_test_id("member-link")
    expect(before).to_have_count(1)
    before.get_by_role("button", name="Revoke").click()
    expect(before.get_by_test_id("link-expiry")).to_have_text("revoked")
    revoked = f"/dialogues/{dialogue}/sides/{russia['id']}/links/{earlier['invite']}"
    assert ("DELETE", revoked, None) in contract.calls

    # The lead removes a member, asked twice; then hands the lead on. The page
    # is drawn again after each, and text typed elsewhere and not sent stays.
    sergei.get_by_label("Agenda (optional)").fill("Words not sent yet")
    boris_item = sergei.get_by_test_id("member").filter(has_text="Boris")
    boris_item.get_by_role("button", name="Remove").click()
    boris_item.get_by_role("button", name="Remove Boris").click()
    expect(sergei.get_by_test_id("announcer")).to_contain_text("Boris was removed.")
    assert ("DELETE", f"/dialogues/{dialogue}/members/{boris_id}", None) in contract.calls
    boris_item = sergei.get_by_test_id("member").filter(has_text="Boris")
    boris_item.get_by_role("button", name="Make lead").click()
    boris_item.get_by_role("button", name="Hand the lead to Boris").click()
    announcer = sergei.get_by_test_id("announcer")
    expect(announcer).to_contain_text("Boris now leads Russian Federation.")
    lead_call = ("POST", f"/dialogues/{dialogue}/sides/{russia['id']}/lead", {"member": boris_id})
    assert lead_call in contract.calls
    expect(sergei.get_by_label("Agenda (optional)")).to_have_value("Words not sent yet")

    # Devices: listed, one removed, one added through a one-use link.
    shown = sergei.get_by_test_id("devices")
    expect(shown).to_contain_text("Laptop (this one)")
    phone_item = shown.get_by_role("listitem").filter(has_text="Phone")
    phone_item.get_by_role("button", name="Remove").click()
    expect(phone_item).to_have_count(0)
    assert ("DELETE", f"/dialogues/{dialogue}/devices/dv-2", None) in contract.calls
    shown.get_by_role("button", name="Add a device").click()
    device_link = shown.get_by_test_id("device-link").input_value()
    assert device_link == f"{people.url}/dialogues/{dialogue}/device#token=tok-123"
    expect(shown).to_contain_text("in 10 minutes")

    # The other device opens it: the token leaves the address, the name goes with it.
    phone = people.page(NEW_YORK, width=375)
    contract.play(phone, "**/api/devices", {"POST": (201, {"id": dialogue, "title": "Talks"})})
    phone.goto(device_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Add this device")
    assert "token" not in phone.url
    phone.get_by_label("Name this device (optional)").fill("Phone")
    phone.get_by_role("button", name="Add this device").click()
    phone.wait_for_url(f"**/dialogues/{dialogue}")
    assert ("POST", "/devices", {"token": "tok-123", "device": "Phone"}) in contract.calls


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
