"""What the dialogue pages' browser tests share: people in their own time zones, and
the steps every talk begins with (founding, links, joining, a first meeting)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, expect

from frankly.dialogues.model import Side

MOSCOW = "Europe/Moscow"
NEW_YORK = "America/New_York"
SIDES = [
    Side("s-1", "d-1", "Russian Federation", MOSCOW, None),
    Side("s-2", "d-1", "United States", NEW_YORK, None),
]
RUSSIA, UNITED_STATES = (side.name for side in SIDES)


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


def make_member_link(page: Page) -> tuple[str, str]:
    """The convener makes a member link to Russia: its invite id and its address."""
    made = page.get_by_test_id("made-links").get_by_test_id("member-link")
    count = made.count()
    page.get_by_test_id("invites").get_by_role("button", name="Make a member link").first.click()
    expect(made).to_have_count(count + 1)
    newest = made.first  # the newest on top
    invite = newest.get_attribute("data-invite")
    assert invite
    return invite, newest.get_by_test_id("link-url").input_value()


def join_through(page: Page, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("you")).to_have_text(f"You are {name}, member of {RUSSIA}.")
