"""The issue's "Done when", walked through on the real pages by the people who hold the talks.

Sergei in Moscow convenes the dialogue and leads the Russian Federation; Ann
in New York leads the United States, through her side's lead link; Vera and
Oleg join Russia through member links. Meeting 1: a date agreed, the meeting
held (both in the room, each seeing the other's side), a readout per side
published and read side by side, a point agreed by both leads. Then a
follow-up on "Strategic stability in Europe" with Vera as Russia's
representative: Oleg, not appointed, is refused in words naming who may
attend; Vera gets in. Its date is agreed too. The server restarts on the same
data directory, and all of it is still there on both screens. Every step is a
click or a keystroke on the pages (no API calls, no stand-in pages).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

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

pytestmark = pytest.mark.browser

TITLE = "Talks on strategic stability"
EUROPE = "Strategic stability in Europe"
US_READOUT = "We talked *frankly* about strategic stability."
RU_READOUT = "The talks were **useful**; the next meeting is very soon."
POINT = "Next meeting very soon"


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


def to_dialogue(page: Page) -> None:
    """Back to the dialogue's page by its link at the top of a meeting's."""
    page.get_by_role("link", name=f"\u2190 {TITLE}").click()
    expect(page.get_by_test_id("history")).to_be_visible()


def open_meeting(page: Page) -> None:
    """From the dialogue's page: meeting 1, by its topic in the history."""
    page.get_by_test_id("history").get_by_role(
        "link", name="Strategic stability", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategic stability")


def open_follow_up(page: Page) -> None:
    """From the dialogue's page: the follow-up, listed under the meeting it follows."""
    page.get_by_role("list", name="Follow-ups of Strategic stability").get_by_role(
        "link", name=EUROPE
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EUROPE)


def propose(page: Page, at: datetime, zone: str) -> None:
    page.get_by_label(f"Time, in your zone ({zone.split('/')[1].replace('_', ' ')})").fill(
        local_input(at, zone)
    )
    count = page.get_by_test_id("proposal").count()
    page.get_by_role("button", name="Propose this time").click()
    expect(page.get_by_test_id("proposal")).to_have_count(count + 1)


def accept(page: Page, at: datetime, zone: str) -> None:
    """Accept the proposal of `at` (the page shows it in `zone` and every side's)."""
    shown = zones.render(at, zone, SIDES)
    page.get_by_test_id("proposal").filter(has_text=shown).get_by_role(
        "button", name="Accept"
    ).click()
    expect(page.get_by_test_id("meeting-date")).to_have_text(shown)


def enter_the_room(page: Page, name: str, side: str) -> None:
    """Press "Join the meeting": the room's pre-join screen names us and our side."""
    page.get_by_role("button", name="Join the meeting").click()
    expect(page.get_by_test_id("screen-prejoin")).to_be_visible()
    expect(page.get_by_test_id("name-invited")).to_have_text(
        f"Your invitation names you: you join as {name}, for {side}."
    )


def save_draft(page: Page, text: str) -> None:
    page.get_by_label("Draft readout (Markdown)").fill(text)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Saved as revision 1.")).to_be_visible()


def publish(page: Page) -> None:
    page.get_by_role("button", name="Publish revision 1").click()
    expect(page.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()


def readouts_side_by_side(page: Page) -> None:
    """Both published readouts on the meeting's page, in two columns."""
    published = page.get_by_test_id("published")
    us = published.get_by_role("article", name=UNITED_STATES)
    ru = published.get_by_role("article", name=RUSSIA)
    expect(us.locator("em")).to_have_text("frankly")
    expect(us).to_contain_text("Published Revision 1 by Ann")
    expect(ru.locator("strong")).to_have_text("useful")
    expect(ru).to_contain_text("Published Revision 1 by Vera")  # she wrote it, Sergei published
    a, b = us.bounding_box(), ru.bounding_box()
    assert a and b and abs(a["y"] - b["y"]) < 1 and abs(a["x"] - b["x"]) > a["width"] / 2


def agreed_point(page: Page) -> Locator:
    return page.get_by_test_id("points").locator("li.rd-point[data-agreed='true']")


def point_agreed_by_both(page: Page) -> None:
    point = agreed_point(page)
    expect(point).to_contain_text(POINT)
    expect(point).to_contain_text(f"Drafted by {UNITED_STATES} (Ann)")
    expect(point).to_contain_text(f"{UNITED_STATES}: confirmed by Ann")
    expect(point).to_contain_text(f"{RUSSIA}: confirmed by Sergei")


def test_two_people_hold_talks_over_two_meetings_and_find_them_after_a_restart(
    people: People, live_server: BackgroundServer, server_config: ServerConfig
) -> None:
    sergei, ann = people.page(MOSCOW), people.page(NEW_YORK)
    vera, oleg = people.page(MOSCOW), people.page(MOSCOW)

    # Sergei founds the dialogue and hands out the links; each joins through theirs.
    lead_link = found_dialogue(sergei)
    vera_link, oleg_link = make_member_link(sergei)[1], make_member_link(sergei)[1]
    set_up_meeting(sergei)
    join_through(vera, vera_link, "Vera")
    join_through(oleg, oleg_link, "Oleg")
    ann.goto(lead_link)
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_role("button", name="Join", exact=True).click()
    expect(ann.get_by_test_id("you")).to_have_text(f"You are Ann, lead of {UNITED_STATES}.")

    # Meeting 1's date: Ann proposes two times, Sergei accepts the second.
    day = (datetime.now(UTC) + timedelta(days=30)).astimezone(ZoneInfo(NEW_YORK))
    first = day.replace(hour=10, minute=0, second=0, microsecond=0).astimezone(UTC)
    second = first + timedelta(days=1, hours=1)
    open_meeting(ann)
    propose(ann, first, NEW_YORK)
    propose(ann, second, NEW_YORK)
    sergei.reload()
    open_meeting(sergei)
    accept(sergei, second, MOSCOW)
    ann.reload()
    expect(ann.get_by_test_id("meeting-date")).to_have_text(zones.render(second, NEW_YORK, SIDES))
    # Each in their own zone first, and the other side's beside it.
    in_moscow = f"{second.astimezone(ZoneInfo(MOSCOW)):%H:%M} in Moscow"
    in_new_york = f"{second.astimezone(ZoneInfo(NEW_YORK)):%H:%M} in New York"
    expect(sergei.get_by_test_id("meeting-date")).to_contain_text(in_new_york)
    expect(ann.get_by_test_id("meeting-date")).to_contain_text(in_moscow)
    meeting_1 = sergei.url

    # Both go in from the dialogue's page and see each other under their side.
    for page, name, side in ((sergei, "Sergei", RUSSIA), (ann, "Ann", UNITED_STATES)):
        to_dialogue(page)
        enter_the_room(page, name, side)
        page.get_by_role("button", name="Join", exact=True).click()
        expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    for page, other, side in ((sergei, "Ann", UNITED_STATES), (ann, "Sergei", RUSSIA)):
        theirs = page.locator(".tile:not([data-self])").filter(has_text=other)
        expect(theirs.get_by_test_id("tile-side")).to_have_text(side)

    # The readouts: Vera drafts Russia's and Sergei, its lead, publishes it; Ann writes
    # and publishes her side's. Neither side sees the other's draft.
    for page in (sergei, ann):
        page.goto(meeting_1)  # back from the room, as the browser's Back does
        expect(page.get_by_role("heading", name="Readouts")).to_be_visible()
    open_meeting(vera)  # on the dialogue's page since she joined
    save_draft(vera, RU_READOUT)
    save_draft(ann, US_READOUT)
    expect(ann.get_by_test_id("draft")).not_to_contain_text("useful")
    sergei.reload()
    expect(sergei.get_by_label("Draft readout (Markdown)")).to_have_value(RU_READOUT)
    expect(sergei.get_by_test_id("draft")).not_to_contain_text("frankly")
    publish(sergei)
    publish(ann)
    for page in (sergei, ann):
        page.reload()
        readouts_side_by_side(page)

    # An agreed point: Ann drafts it, both leads confirm it.
    ann.get_by_label("Propose a point for all sides to confirm").fill(POINT)
    ann.get_by_role("button", name="Propose this point").click()
    ann.get_by_role("button", name=f"Confirm for my side: {POINT}").click()
    expect(ann.get_by_text("Confirmed for your side.")).to_be_visible()
    sergei.reload()
    sergei.get_by_role("button", name=f"Confirm for my side: {POINT}").click()
    expect(sergei.get_by_text("every side has now agreed this point")).to_be_visible()
    point_agreed_by_both(sergei)
    ann.reload()
    point_agreed_by_both(ann)

    # The follow-up, made from meeting 1, with Vera appointed as Russia's representative.
    sergei.get_by_text("Create a follow-up").click()
    sergei.get_by_label("Topic", exact=True).fill(EUROPE)
    sergei.get_by_role("button", name="Create the follow-up").click()
    expect(sergei.get_by_text(f"Follow-up \u201c{EUROPE}\u201d created.")).to_be_visible()
    sergei.get_by_test_id("follow-ups").get_by_role("link", name=EUROPE).click()
    expect(sergei.get_by_role("heading", level=1)).to_have_text(EUROPE)
    expect(sergei.get_by_test_id("follows")).to_have_text("Follow-up of Strategic stability")
    sergei.get_by_label("Appoint a representative of your side").select_option(label="Vera")
    expect(sergei.get_by_label("On the topic")).to_have_value(EUROPE)
    sergei.get_by_role("button", name="Appoint", exact=True).click()
    expect(sergei.get_by_text("Vera is appointed.")).to_be_visible()
    reps = sergei.get_by_test_id("representatives")
    expect(reps.get_by_role("article", name=RUSSIA)).to_contain_text(f"Vera on {EUROPE}")
    expect(reps.get_by_test_id("attendees")).to_have_text("May attend: Sergei, Vera, Ann.")

    # Its date: Sergei proposes, Ann accepts.
    later = second + timedelta(days=7)
    propose(sergei, later, MOSCOW)
    to_dialogue(ann)
    open_follow_up(ann)
    accept(ann, later, NEW_YORK)

    # Oleg was not appointed: the room is not his, and the page says whose it is.
    oleg.reload()  # the dialogue's page, open since he joined
    open_follow_up(oleg)
    oleg.get_by_role("button", name="Join the meeting").click()
    refusal = oleg.get_by_test_id("entry-status")
    expect(refusal).to_have_text(
        "Only the appointed representatives and the leads may attend this meeting:"
        f" Sergei ({RUSSIA}), Vera ({RUSSIA}), Ann ({UNITED_STATES})."
    )
    expect(refusal).to_have_attribute("data-code", "not-invited")
    expect(oleg.get_by_role("button", name="Join the meeting")).to_be_hidden()
    assert "/meetings/" in oleg.url  # still on the follow-up's page
    # Vera was: she gets to the room's pre-join screen.
    to_dialogue(vera)
    open_follow_up(vera)
    enter_the_room(vera, "Vera", RUSSIA)

    # The server restarts on the same data directory and port: it is all still there.
    port = live_server.port
    live_server.stop()
    again = BackgroundServer(server_config, port=port).start()
    try:
        for page, zone in ((sergei, MOSCOW), (ann, NEW_YORK)):
            page.goto("/")
            page.get_by_test_id("known-dialogues").get_by_role("link", name=TITLE).click()
            history = page.get_by_test_id("history")
            meeting = history.locator(":scope > li")
            expect(meeting).to_have_count(1)
            expect(meeting.locator(":scope > .dlg-when")).to_have_text(
                zones.render(second, zone, SIDES)
            )
            readouts = meeting.get_by_role("list", name="Published readouts")
            expect(readouts.get_by_role("listitem")).to_have_text(  # as they were published
                [
                    f"{RUSSIA}: The talks were useful; the next meeting is very soon.",
                    f"{UNITED_STATES}: We talked frankly about strategic stability.",
                ]
            )
            expect(meeting.get_by_test_id("agreed-points")).to_have_text(f"Agreed: {POINT}")
            follow_up = meeting.get_by_role("list", name="Follow-ups of Strategic stability")
            expect(follow_up.get_by_test_id("history-item")).to_contain_text(
                zones.render(later, zone, SIDES)
            )
            open_meeting(page)
            expect(page.get_by_test_id("meeting-date")).to_have_text(
                zones.render(second, zone, SIDES)
            )
            readouts_side_by_side(page)
            point_agreed_by_both(page)
            to_dialogue(page)
            open_follow_up(page)
            expect(page.get_by_test_id("meeting-date")).to_have_text(
                zones.render(later, zone, SIDES)
            )
            reps = page.get_by_test_id("representatives")
            expect(reps.get_by_role("article", name=RUSSIA)).to_contain_text(f"Vera on {EUROPE}")
            expect(reps.get_by_test_id("attendees")).to_have_text("May attend: Sergei, Vera, Ann.")
    finally:
        again.stop()
