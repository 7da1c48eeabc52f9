"""Honest states on the meeting screen (issue 15, "states"): controls that say
what a press does, end-for-all asked in an accessible dialog rather than
`confirm()`, and notices in words, with their codes only in a details line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import NewPage, join, wait_media
from tests.browser.test_moderation import open_room
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

# Where the screenshots go, to be looked at by a person (not compared).
SHOTS = Path("/tmp/frankly-states-shots")


def shoot(page: Page, name: str) -> None:
    """A screenshot at phone and laptop width."""
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))


def test_the_pre_join_buttons_say_what_a_press_does(
    live_server: LiveServer, new_page: NewPage
) -> None:
    page = new_page()
    page.goto("/labels")
    mic, cam = page.get_by_test_id("pre-mic"), page.get_by_test_id("pre-cam")
    expect(mic).to_have_text("Mute")
    expect(cam).to_have_text("Camera off")
    mic.click()
    expect(mic).to_have_text("Unmute")
    expect(mic).to_have_accessible_name("Unmute microphone")
    expect(mic).to_have_attribute("aria-pressed", "true")
    cam.click()
    expect(cam).to_have_text("Camera on")
    expect(cam).to_have_attribute("aria-pressed", "true")
    mic.click()
    expect(mic).to_have_text("Mute")


def test_end_for_all_asks_in_a_dialog_and_leaves_nothing_to_try_again(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "ending-2", "Ada")
    join(grace, "ending-2", "Grace")
    end = ada.get_by_test_id("end-meeting")

    # Escape cancels: the meeting goes on and focus is back on the button.
    end.click()
    dialog = ada.get_by_role("dialog", name="End the meeting for everyone?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="End for everyone")).to_be_focused()
    ada.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Keep the meeting")).to_be_focused()
    ada.keyboard.press("Tab")  # focus stays in the dialog
    expect(dialog.get_by_role("button", name="End for everyone")).to_be_focused()
    ada.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(end).to_be_focused()
    expect(grace.get_by_test_id("screen-meeting")).to_be_visible()
    assert len(live_server.participant_ids("ending-2")) == 2

    # "Keep the meeting" cancels too.
    end.click()
    dialog.get_by_role("button", name="Keep the meeting").click()
    expect(dialog).to_have_count(0)
    expect(ada.get_by_test_id("screen-meeting")).to_be_visible()

    # Enter confirms.
    end.click()
    expect(dialog).to_be_visible()
    shoot(ada, "end-dialog")
    ada.keyboard.press("Enter")
    for page in (ada, grace):
        expect(page.get_by_test_id("screen-notice")).to_be_visible()
        expect(page.get_by_role("heading", name="The meeting has ended")).to_be_visible()
        expect(page.get_by_test_id("notice-text")).to_contain_text(
            "ended this meeting for everyone"
        )
        # Nobody is offered a reload that only ends the same way.
        expect(page.get_by_test_id("notice-retry")).to_be_hidden()
        expect(page.get_by_role("link", name="Back to home")).to_be_visible()
        expect(page.get_by_test_id("notice-detail")).to_have_text(
            re.compile(r"^Details for support: 4410\b")
        )
        # The codes stay in the details line, out of the headline and the text.
        for words in (page.locator("#notice-title"), page.get_by_test_id("notice-text")):
            expect(words).not_to_have_text(re.compile(r"\d{3}"))
    assert live_server.participant_ids("ending-2") == []
    shoot(grace, "ended")


def test_a_locked_room_tells_the_newcomer_why_they_wait(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, linus, grace = new_page(), new_page(), new_page()
    join(ada, "locked-2", "Ada")
    ada.get_by_test_id("set-lobby").check()
    open_room(grace, "locked-2", "Grace")  # a lobby, not a lock: no word of a lock
    expect(grace.get_by_test_id("screen-lobby")).to_be_visible()
    expect(grace.get_by_test_id("lobby-locked")).to_be_hidden()
    ada.get_by_test_id("set-lobby").uncheck()
    ada.get_by_test_id("set-locked").check()
    expect(ada.get_by_test_id("knock").filter(has_text="Grace")).to_be_visible()
    open_room(linus, "locked-2", "Linus")
    expect(linus.get_by_test_id("screen-lobby")).to_be_visible()
    expect(linus.get_by_test_id("lobby-locked")).to_have_text(
        "The room is locked; a host can let you in."
    )


def test_invite_link_copied_does_not_outlast_the_meeting(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = new_page()
    ada.context.grant_permissions(["clipboard-read", "clipboard-write"])
    join(ada, "copied", "Ada")
    ada.get_by_test_id("btn-invite").click()
    copied = ada.get_by_role("status").filter(has_text="Invite link copied")
    expect(copied).to_be_visible()
    ada.get_by_test_id("btn-leave").click()
    expect(ada.get_by_test_id("screen-left")).to_be_visible()
    # The toast would stay 4 s by itself: gone at once, well before that.
    expect(copied).to_be_hidden(timeout=1500)


def test_different_passphrases_are_a_banner_and_no_calm_green(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, eve = new_page(), new_page()
    join(ada, "phrases", "Ada", fragment="passphrase=open%20sesame")
    join(eve, "phrases", "Eve", fragment="passphrase=guess")
    for page, other in ((ada, "Eve"), (eve, "Ada")):
        expect(page.get_by_test_id("e2ee-banner-text")).to_have_text(
            f"You can\u2019t see or hear {other}: your passphrases differ \u2014"
            " check the passphrase with the others.",
            timeout=20_000,
        )
        badge = page.get_by_test_id("e2ee-state")
        expect(badge).to_have_attribute("data-state", "caution")
        expect(badge).to_have_text("Passphrases differ")
    shoot(eve, "passphrase-banner")
    # Eve types the right one into the banner: she joins again and sees Ada.
    eve.get_by_test_id("e2ee-passphrase").fill("open sesame")
    eve.get_by_role("button", name="Join again with it").click()
    eve.get_by_role("button", name="Join", exact=True).click()
    ada_id = ada.evaluate("window.frankly.session.you.id")
    wait_media(eve, ada_id, frames_over=10)
    expect(eve.get_by_test_id("e2ee-banner")).to_be_hidden()
    expect(eve.get_by_test_id("e2ee-state")).to_have_text("Encrypted \u00b7 passphrase")


def test_without_the_passphrase_the_meeting_says_it_may_need_one(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """Linus hosts without one; Ada comes with a passphrase (a host's would have
    kept Linus out: see the next test)."""
    linus, ada = new_page(), new_page()
    join(linus, "phrases-2", "Linus")
    join(ada, "phrases-2", "Ada", fragment="passphrase=open%20sesame")
    expect(linus.get_by_test_id("e2ee-banner-text")).to_have_text(
        re.compile("You can\u2019t see or hear Ada: this meeting may need a passphrase"),
        timeout=20_000,
    )
    expect(linus.get_by_test_id("e2ee-state")).to_have_attribute("data-state", "caution")
    expect(linus.get_by_test_id("person-e2ee")).not_to_have_text("exchanging keys\u2026")


def test_a_missing_passphrase_is_asked_for_before_joining(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, linus = new_page(), new_page()
    ada_id = join(ada, "phrases-3", "Ada", fragment="passphrase=open%20sesame")
    linus.goto("/phrases-3")
    linus.get_by_label("Your name").fill("Linus")
    linus.get_by_role("button", name="Join", exact=True).click()
    # Refused before he is in: back on the pre-join screen, asked for it.
    expect(linus.get_by_test_id("passphrase-field")).to_be_visible()
    expect(linus.get_by_test_id("screen-prejoin")).to_be_visible()
    why = linus.get_by_role("alert").filter(has_text="encrypted with a passphrase")
    expect(why).to_be_visible()
    expect(linus.get_by_label("Meeting passphrase")).to_be_focused()
    assert len(live_server.participant_ids("phrases-3")) == 1
    shoot(linus, "passphrase-asked")
    linus.get_by_label("Meeting passphrase").fill("open sesame")
    linus.get_by_role("button", name="Join", exact=True).click()
    expect(linus.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    wait_media(linus, ada_id, frames_over=5)
    expect(linus.get_by_test_id("e2ee-state")).to_have_text("Encrypted \u00b7 passphrase")
