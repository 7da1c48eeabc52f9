"""What people see when a room refuses them, and the room's chat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage, join, tile
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("server_config", [ServerConfig(max_participants=2)])
def test_third_person_is_told_the_room_is_full(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace, linus = new_page(), new_page(), new_page()
    ada_id = join(ada, "full-room", "Ada")
    grace_id = join(grace, "full-room", "Grace")

    linus.goto("/full-room")
    linus.get_by_label("Your name").fill("Linus")
    linus.get_by_role("button", name="Join", exact=True).click()

    expect(linus.get_by_role("heading", name="This meeting is full")).to_be_visible()
    expect(linus.get_by_test_id("notice-text")).to_contain_text("full-room")
    expect(linus.get_by_role("link", name="Back to home")).to_be_visible()
    # Refused, so the camera is released; the two inside carry on.
    linus.wait_for_function(
        "() => window.frankly.session.localStream.getTracks()"
        ".every((t) => t.readyState === 'ended')"
    )
    assert live_server.participant_ids("full-room") == [ada_id, grace_id]
    expect(ada.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    expect(ada.get_by_test_id("tile")).to_have_count(2)
    expect(tile(grace, ada_id)).to_be_visible()


@pytest.mark.parametrize("path", ["/not%20a%20room!", "/" + "x" * 65, "/caf%C3%A9"])
def test_invalid_room_name_is_explained(
    live_server: LiveServer, new_page: NewPage, path: str
) -> None:
    page = new_page()
    response = page.goto(path)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Invalid room name")).to_be_visible()
    expect(page.get_by_text("is not a valid meeting name")).to_be_visible()
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("button", name="Start a new meeting")).to_be_visible()


def test_home_starts_and_joins_meetings(live_server: LiveServer, new_page: NewPage) -> None:
    page = new_page()
    page.goto("/")
    page.get_by_role("button", name="Start a new meeting").click()
    expect(page).to_have_url(re.compile(r"/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$"))
    expect(page.get_by_label("Your name")).to_be_visible()
    room = page.url.rsplit("/", 1)[1]

    page.goto("/")
    page.get_by_label("Join a meeting").fill("no good!")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("join-error")).to_contain_text("not a valid meeting name")
    page.get_by_label("Join a meeting").fill(f"{live_server.url}/{room}")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/{room}")
    expect(page.get_by_test_id("prejoin-room")).to_have_text(room)


def test_chat_reaches_the_other_and_a_reload_keeps_what_one_read(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "chat-room", "Ada")
    grace_id = join(grace, "chat-room", "Grace")

    ada.get_by_label("Write a message").fill("Shall we start with the agenda?")
    ada.get_by_label("Write a message").press("Enter")

    expect(grace.get_by_test_id("chat-log")).to_contain_text("Shall we start with the agenda?")
    expect(grace.get_by_test_id("chat-log").locator("li").last).to_contain_text("Ada")
    expect(ada.get_by_test_id("chat-log")).to_contain_text("Shall we start with the agenda?")
    expect(ada.get_by_label("Write a message")).to_have_value("")
    expect(grace.get_by_test_id("announcer")).to_contain_text("Ada says: Shall we start")

    grace.get_by_label("Write a message").fill("Yes.")
    grace.get_by_role("button", name="Send").click()
    expect(ada.get_by_test_id("chat-log").locator("li")).to_have_count(2)

    # Grace reloads (closing the page is leaving) and comes back as someone
    # new: the server's history is sealed with keys from before she came back,
    # but what she read is kept on her device (chatlog.js), so she reads it still.
    grace.reload()
    expect(tile(ada, grace_id)).to_have_count(0)
    expect(ada.get_by_test_id("tile")).to_have_count(1)
    join(grace, "chat-room", "Grace")
    log = grace.get_by_test_id("chat-log").locator("li")
    expect(log).to_have_count(2)
    expect(log.first).to_contain_text("agenda")
    expect(log.last).to_contain_text("Yes.")
    expect(grace.get_by_test_id("chat-log")).not_to_contain_text("Sent before you joined")
    # A latecomer cannot read what came before: test_lasting.py.
    ada.get_by_label("Write a message").fill("Welcome back.")
    ada.get_by_label("Write a message").press("Enter")
    expect(log.last).to_contain_text("Welcome back.")
    assert ada_id in live_server.participant_ids("chat-room")


def test_invite_link_is_copied(live_server: LiveServer, new_page: NewPage) -> None:
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    join(page, "invite-room", "Ada")
    expect(page.get_by_text("Waiting for others to join")).to_be_visible()
    page.get_by_role("button", name="Copy invite link").click()
    expect(page.get_by_role("status").filter(has_text="Invite link copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/invite-room"


def test_two_people_of_the_same_name_are_told_apart(
    live_server: LiveServer, new_page: NewPage
) -> None:
    first, second, grace = new_page(), new_page(), new_page()
    first_id = join(first, "namesakes", "Ada")
    join(grace, "namesakes", "Grace")
    # Alone with her name, Ada is shown as she typed it.
    expect(tile(grace, first_id).get_by_test_id("tile-name")).to_have_text("Ada")
    first.get_by_label("Write a message").fill("Hello from the first Ada.")
    first.get_by_label("Write a message").press("Enter")
    expect(grace.get_by_test_id("chat-log")).to_contain_text("Hello from the first Ada.")

    second_id = join(second, "namesakes", "Ada")
    # The tag comes from each one's participant id, so everyone sees the same.
    first_shown, second_shown = f"Ada #{first_id[2:6]}", f"Ada #{second_id[2:6]}"
    assert first_shown != second_shown
    for page, own, other in (
        (first, first_shown, second_shown),
        (second, second_shown, first_shown),
    ):
        other_id = second_id if page is first else first_id
        expect(tile(page, other_id).get_by_test_id("tile-name")).to_have_text(other)
        expect(
            page.locator('[data-testid="tile"][data-self] [data-testid="tile-name"]')
        ).to_have_text(f"{own} (you)")
    people = grace.get_by_test_id("people")
    expect(people.locator(".person-name")).to_have_text(["Grace (you)", first_shown, second_shown])
    expect(tile(grace, first_id).get_by_test_id("tile-name")).to_have_text(first_shown)
    expect(tile(grace, second_id).get_by_test_id("tile-name")).to_have_text(second_shown)
    # Chat says which Ada wrote, the earlier message included.
    second.get_by_label("Write a message").fill("And from the second.")
    second.get_by_label("Write a message").press("Enter")
    names = grace.get_by_test_id("chat-log").locator(".msg-name")
    expect(names).to_have_text([first_shown, second_shown])

    # Once the second Ada leaves, the first is plain Ada again.
    second.get_by_role("button", name="Leave").click()
    expect(tile(grace, first_id).get_by_test_id("tile-name")).to_have_text("Ada")
    expect(people.locator(".person-name")).to_have_text(["Grace (you)", "Ada"])


def test_without_turn_hiding_ones_address_is_offered_truthfully(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/no-relay")
    box = page.get_by_test_id("pre-relay")
    expect(box).to_be_disabled()
    expect(box).not_to_be_checked()
    expect(page.get_by_test_id("pre-relay-hint")).to_contain_text(
        "This server has no TURN relay, so your address can"
    )
