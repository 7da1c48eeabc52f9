"""Rooms people can trust, in Chromium: hosts, the lobby, passwords,
moderation, screen share, hands and reactions (docs/protocol.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from tests.browser.meeting import FAKE_SCREEN, NewPage, join, tile, wait_media, wait_video_shown
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def open_room(page: Page, room: str, name: str) -> None:
    """Go to the room and give a name, without waiting to be in."""
    page.goto(f"/{room}")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()


def person(page: Page, name: str) -> Locator:
    return page.get_by_test_id("people").locator("li", has_text=name)


def manage(page: Page, name: str, action: str) -> None:
    """A host's action on someone, through the people list."""
    page.get_by_label(f"Manage {name}").click()
    actions = page.get_by_role("group", name=f"Actions for {name}")
    actions.get_by_role("button", name=action, exact=True).click()


def test_knock_then_admit_and_knock_then_deny(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace, eve = new_page(), new_page(), new_page()
    ada_id = join(ada, "lobby", "Ada")
    expect(person(ada, "Ada").get_by_test_id("person-role")).to_have_text("host")
    ada.get_by_test_id("set-lobby").check()
    open_room(grace, "lobby", "Grace")
    expect(grace.get_by_test_id("screen-lobby")).to_be_visible()
    knock = ada.get_by_test_id("knock").filter(has_text="Grace")
    expect(knock).to_be_visible()
    ada.get_by_role("button", name="Admit Grace").click()
    expect(grace.get_by_test_id("screen-meeting")).to_be_visible()
    wait_media(grace, ada_id)
    expect(knock).to_have_count(0)

    open_room(eve, "lobby", "Eve")
    expect(eve.get_by_test_id("screen-lobby")).to_be_visible()
    ada.get_by_role("button", name="Deny Eve").click()
    expect(eve.get_by_test_id("notice-text")).to_contain_text("turned down your request")
    expect(ada.get_by_test_id("people").locator("li")).to_have_count(2)


def test_remove_and_the_removed_must_knock(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "removal", "Ada")
    grace_id = join(grace, "removal", "Grace")
    manage(ada, "Grace", "Remove from meeting")
    expect(grace.get_by_test_id("notice-text")).to_contain_text("A host removed you")
    expect(tile(ada, grace_id)).to_have_count(0)
    # Back with the same browser: no lobby in this room, yet she must knock.
    open_room(grace, "removal", "Grace")
    expect(grace.get_by_test_id("screen-lobby")).to_be_visible()
    expect(ada.get_by_test_id("knock").filter(has_text="was removed")).to_be_visible()
    ada.get_by_role("button", name="Admit Grace").click()
    expect(grace.get_by_test_id("screen-meeting")).to_be_visible()


def test_mute_by_host_then_ask_to_unmute(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "muting", "Ada")
    grace_id = join(grace, "muting", "Grace")
    manage(ada, "Grace", "Mute")
    expect(grace.get_by_test_id("btn-mic")).to_have_attribute("aria-pressed", "true")
    expect(tile(ada, grace_id).get_by_test_id("tile-muted")).to_be_visible()
    manage(ada, "Grace", "Ask to unmute")
    expect(grace.get_by_test_id("unmute-dialog")).to_be_visible()
    grace.get_by_test_id("unmute-yes").click()
    expect(grace.get_by_test_id("btn-mic")).to_have_attribute("aria-pressed", "false")
    expect(tile(ada, grace_id).get_by_test_id("tile-muted")).to_be_hidden()


def test_a_locked_room_makes_newcomers_knock(live_server: LiveServer, new_page: NewPage) -> None:
    ada, linus = new_page(), new_page()
    join(ada, "locked", "Ada")
    ada.get_by_test_id("set-locked").check()
    open_room(linus, "locked", "Linus")
    expect(linus.get_by_test_id("screen-lobby")).to_be_visible()
    expect(ada.get_by_test_id("knock").filter(has_text="Linus")).to_be_visible()


def test_password_wrong_then_right(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "guarded", "Ada")
    ada.get_by_test_id("set-password").fill("tulip-42")
    ada.get_by_test_id("save-password").click()
    expect(ada.get_by_test_id("clear-password")).to_be_visible()
    open_room(grace, "guarded", "Grace")
    expect(grace.get_by_text("This meeting needs a password.")).to_be_visible()
    grace.get_by_label("Meeting password").fill("tulip-41")
    grace.get_by_role("button", name="Join", exact=True).click()
    expect(grace.get_by_text("That password is not right. Try again.")).to_be_visible()
    grace.get_by_label("Meeting password").fill("tulip-42")
    grace.get_by_role("button", name="Join", exact=True).click()
    expect(grace.get_by_test_id("screen-meeting")).to_be_visible()
    expect(ada.get_by_test_id("people").locator("li")).to_have_count(2)


@pytest.mark.parametrize("people", [2, 3], ids=["p2p", "sfu"])
def test_a_screen_share_is_seen_by_the_others(
    live_server: LiveServer, new_page: NewPage, people: int
) -> None:
    pages = [new_page() for _ in range(people)]
    pages[0].add_init_script(FAKE_SCREEN)
    ids = [join(p, f"screens-{people}", n) for p, n in zip(pages, "ABC", strict=False)]
    for page in pages[1:]:
        wait_media(page, ids[0])
    pages[0].get_by_test_id("btn-screen").click()
    expect(pages[0].get_by_test_id("btn-screen")).to_have_attribute("aria-pressed", "true")
    for page in pages[1:]:
        screen = page.locator(f'[data-testid="screen-tile"][data-screen-of="{ids[0]}"]')
        expect(screen).to_be_visible()
        page.wait_for_function(
            "(sel) => { const v = document.querySelector(sel); return v && v.videoWidth === 640; }",
            arg=f'[data-screen-of="{ids[0]}"] video',
            timeout=20_000,
        )
        wait_video_shown(page, ids[0])  # and the camera tile still shows
    pages[0].get_by_test_id("btn-screen").click()
    for page in pages[1:]:
        expect(page.locator(f'[data-screen-of="{ids[0]}"]')).to_have_count(0)


def test_hands_in_order_and_reactions(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace, linus = new_page(), new_page(), new_page()
    join(ada, "hands", "Ada")
    join(grace, "hands", "Grace")
    join(linus, "hands", "Linus")
    linus.get_by_test_id("btn-hand").click()
    expect(person(ada, "Linus").get_by_test_id("person-hand")).to_have_text("✋ 1")
    grace.get_by_test_id("btn-hand").click()
    expect(person(ada, "Grace").get_by_test_id("person-hand")).to_have_text("✋ 2")
    linus.get_by_test_id("btn-hand").click()  # Linus lowers: Grace is first now
    expect(person(ada, "Grace").get_by_test_id("person-hand")).to_have_text("✋ 1")
    expect(person(ada, "Linus").get_by_test_id("person-hand")).to_have_count(0)
    grace.get_by_test_id("btn-react").click()
    grace.get_by_role("button", name="React 🎉").click()
    expect(
        tile(ada, grace.evaluate("() => window.frankly.session.you.id")).get_by_test_id("reaction")
    ).to_have_text("🎉")


def test_a_host_ends_the_meeting_for_all(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "ending", "Ada")
    join(grace, "ending", "Grace")
    ada.get_by_test_id("end-meeting").click()
    ada.get_by_test_id("confirm-yes").click()
    for page in (ada, grace):
        expect(page.get_by_test_id("notice-text")).to_contain_text(
            "ended this meeting for everyone"
        )
    assert live_server.participant_ids("ending") == []


def locked_room_with_guest_invite(host: Page, room: str) -> str:
    """Ada opens `room`, locks it and copies a guest invite: the link she would share."""
    host.context.grant_permissions(["clipboard-read", "clipboard-write"])
    join(host, room, "Ada")
    host.get_by_test_id("set-locked").check()
    host.get_by_test_id("guest-invite").click()
    expect(host.get_by_role("status").filter(has_text="Guest invite copied")).to_be_visible()
    link: str = host.evaluate("navigator.clipboard.readText()")
    return link


def test_a_guest_invite_walks_into_a_locked_room(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, guest = new_page(), new_page()
    link = locked_room_with_guest_invite(ada, "invited")
    assert link.startswith(f"{live_server.url}/invited?invite=")
    guest.goto(link)
    guest.get_by_label("Your name").fill("Grace")
    guest.get_by_role("button", name="Join", exact=True).click()
    expect(guest.get_by_test_id("screen-meeting")).to_be_visible()  # no lobby
    expect(guest.get_by_test_id("btn-screen")).to_be_hidden()  # guests do not share screens
    expect(ada.get_by_test_id("knock")).to_have_count(0)
    expect(ada.get_by_test_id("people").locator("li")).to_have_count(2)


def test_a_host_revokes_a_guest_invite(live_server: LiveServer, new_page: NewPage) -> None:
    ada, guest = new_page(), new_page()
    link = locked_room_with_guest_invite(ada, "revoking")
    item = ada.get_by_test_id("guest-invite-item")
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Revoke").click()
    expect(item).to_contain_text("revoked")  # the server's word, not the click's
    expect(item.get_by_role("button", name="Revoke")).to_have_count(0)
    guest.goto(link)
    guest.get_by_label("Your name").fill("Grace")
    guest.get_by_role("button", name="Join", exact=True).click()
    expect(guest.get_by_test_id("notice-text")).to_contain_text("A host withdrew this invite")
    expect(ada.get_by_test_id("people").locator("li")).to_have_count(1)


def test_an_invite_leaves_the_address_bar_but_still_lets_the_guest_in(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, guest = new_page(), new_page()
    link = locked_room_with_guest_invite(ada, "tokens")
    token = link.split("?invite=", 1)[1]
    assert token

    requests: list[Request] = []
    guest.on("request", lambda r: requests.append(r))
    guest.goto(link)
    expect(guest.get_by_test_id("prejoin-room")).to_have_text("tokens")
    assert guest.evaluate("location.search") == ""
    # The page's own requests (modules, styles) carry no Referer with the token
    # (the server says Referrer-Policy: no-referrer).
    assert len(requests) > 3
    assert not [r.url for r in requests[1:] if token in (r.all_headers().get("referer") or "")]
    assert guest.url == f"{live_server.url}/tokens"
    # A reload in the same tab still has the invite (the tab kept it, not the address).
    guest.reload()
    assert guest.evaluate("location.search") == ""
    guest.get_by_label("Your name").fill("Grace")
    guest.get_by_role("button", name="Join", exact=True).click()
    expect(guest.get_by_test_id("screen-meeting")).to_be_visible()  # locked, yet no lobby
    expect(ada.get_by_test_id("people").locator("li")).to_have_count(2)
    assert token not in guest.url
