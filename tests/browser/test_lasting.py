"""Chat and roles that last (issue 15): across Leave and Rejoin, a reload and a restart.

The chat one could read is kept on one's own device (frankly/web/chatlog.js,
docs/security.md *Chat kept on the device*); a restart of the server keeps
its meeting's hosts as hosts (docs/protocol.md, *Reconnecting*).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.served import Served
from tests.browser.conftest import page_maker
from tests.browser.meeting import NewPage, join, self_id

pytestmark = pytest.mark.browser

BEFORE = "Sent before you joined"
AWAY = "Sent while you were away"


def say(page: Page, text: str) -> None:
    page.get_by_label("Write a message").fill(text)
    # Generous: the test machine's renderers can stall for seconds under load.
    page.get_by_label("Write a message").press("Enter", timeout=30_000)
    expect(page.get_by_test_id("chat-log")).to_contain_text(text)


def lines(page: Page) -> list[str]:
    return page.get_by_test_id("chat-log").locator("li").all_inner_texts()


def test_the_chat_one_read_stays_across_leave_and_rejoin_and_a_reload(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "lasting", "Ada")
    join(grace, "lasting", "Grace")
    say(ada, "Shall we start?")
    say(grace, "Yes, the agenda first.")
    expect(ada.get_by_test_id("chat-log").locator("li")).to_have_count(2)

    ada.get_by_role("button", name="Leave").click()
    expect(ada.get_by_role("button", name="Rejoin")).to_be_visible()
    say(grace, "Ada left before this one.")
    ada.get_by_role("button", name="Rejoin").click()
    expect(ada.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    log = ada.get_by_test_id("chat-log").locator("li")
    expect(log).to_have_count(3)
    # Her own message and Grace's answer read as before; only what came while
    # she was out is sealed, and it says so, not "before you joined".
    expect(log.nth(0)).to_contain_text("You")
    expect(log.nth(0)).to_contain_text("Shall we start?")
    expect(log.nth(1)).to_contain_text("Yes, the agenda first.")
    expect(log.nth(2)).to_contain_text(AWAY)
    expect(ada.get_by_test_id("chat-log")).not_to_contain_text(BEFORE)

    say(ada, "Back.")
    ada.reload()
    join(ada, "lasting", "Ada")
    expect(log).to_have_count(4)
    expect(log.nth(0)).to_contain_text("Shall we start?")
    expect(log.nth(3)).to_contain_text("Back.")
    expect(ada.get_by_test_id("chat-log")).not_to_contain_text(BEFORE)

    # Someone new really did come after all of it: to them it was all before.
    cyd = new_page()
    join(cyd, "lasting", "Cyd")
    cyd_log = cyd.get_by_test_id("chat-log").locator("li")
    expect(cyd_log).to_have_count(4)
    for i in range(4):
        expect(cyd_log.nth(i)).to_contain_text(BEFORE)
    expect(cyd.get_by_test_id("chat-log")).not_to_contain_text("agenda")


def test_an_ended_meeting_leaves_no_chat_on_the_device(new_page: NewPage) -> None:
    ada = new_page()
    join(ada, "ended-chat", "Ada")
    say(ada, "Private words.")
    kept = "() => Object.keys(sessionStorage).some((k) => k.startsWith('frankly-chat:'))"
    assert ada.evaluate(kept)
    # The session's own call: the end-for-all button's dialog is another slice's.
    ada.evaluate("() => window.frankly.session.endMeeting()")
    ada.wait_for_function(f"() => !({kept})()")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path / "data", extra=["--drain-seconds", "1"])
    try:
        yield server.start(within=90)
    finally:
        server.stop()


@pytest.fixture
def served_page(browser: Browser, served: Served) -> Iterator[NewPage]:
    yield from page_maker(browser, served.url)


def test_after_a_restart_the_chat_is_kept_and_the_creator_is_still_host(
    served: Served, served_page: NewPage
) -> None:
    ada, bob = served_page(), served_page()
    ada_id = join(ada, "kept", "Ada")
    bob_id = join(bob, "kept", "Bob")
    expect(ada.get_by_test_id("host-panel")).to_be_visible()
    expect(bob.get_by_test_id("host-panel")).to_be_hidden()
    say(ada, "Before the restart.")
    say(bob, "Me too.")
    expect(ada.get_by_test_id("chat-log").locator("li")).to_have_count(2)

    process = served.process
    assert process is not None
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == -signal.SIGTERM
    served.start(within=90)  # the same port and data directory
    for page, old in ((ada, ada_id), (bob, bob_id)):
        expect(page.get_by_test_id("conn-state")).to_have_attribute(
            "data-state", "connected", timeout=30_000
        )
        expect(page.locator('[data-testid="tile"][data-self]')).not_to_have_attribute(
            "data-participant-id", old, timeout=30_000
        )
        self_id(page)
        log = page.get_by_test_id("chat-log").locator("li")
        expect(log).to_have_count(2)
        expect(log.nth(0)).to_contain_text("Before the restart.")
        expect(log.nth(1)).to_contain_text("Me too.")
    expect(ada.get_by_test_id("chat-log").locator("li").nth(0)).to_contain_text("You")
    # The creator has her controls; Bob, back first or not, has none.
    expect(ada.get_by_test_id("host-panel")).to_be_visible()
    expect(bob.get_by_test_id("host-panel")).to_be_hidden()
    assert bob.evaluate("() => window.frankly.session.you.role") == "participant"
    say(bob, "After it.")
    expect(ada.get_by_test_id("chat-log").locator("li")).to_have_count(3)


def test_the_chat_button_counts_what_came_while_the_chat_was_out_of_view(
    new_page: NewPage,
) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "unread", "Ada")
    join(grace, "unread", "Grace")
    # The side panel's chat switch is another slice's (issue 15, "keys"): any
    # button marked data-chat-unread gets the count. One stands in for it here,
    # and the chat is put out of view as a collapsed panel would.
    grace.evaluate(
        """() => {
          const b = document.createElement('button');
          b.dataset.chatUnread = '0';
          b.dataset.testid = 'chat-switch';
          b.textContent = 'Chat';
          document.body.append(b);
          document.querySelector('section.chat').hidden = true;
        }"""
    )
    switch = grace.get_by_test_id("chat-switch")
    say(ada, "One.")
    say(ada, "Two.")
    say(ada, "Three.")
    expect(switch).to_have_attribute("aria-label", "Chat, 3 unread")
    # Back, and on screen (the side panel's other parts may have pushed it below the fold).
    grace.evaluate(
        "() => { const c = document.querySelector('section.chat');"
        " c.hidden = false; c.scrollIntoView(); }"
    )
    expect(switch).to_have_attribute("aria-label", "Chat")
    say(ada, "Seen at once.")
    expect(grace.get_by_test_id("chat-log")).to_contain_text("Seen at once.")
    expect(switch).to_have_attribute("aria-label", "Chat")
