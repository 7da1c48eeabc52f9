"""Hands, reactions and chat as people see them (issue 15, "hands"): a raised hand on
every tile with its place in line and a toast to hosts, a hand that lowers itself once
its owner has spoken, reactions over the sender's tile, the Chat button's unread count
and chime, and links in chat that open safely."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage, in_sfu_mode, join, self_id, tile
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

# A microphone that speaks: the fake device's audio replaced by a steady tone. (Chromium's
# own fake microphone only beeps, one short beep about every half second, which is not
# speech: frankly/web/hands.js.)
SPEAKING_MIC = """
(() => {
  if (!navigator.mediaDevices) return;
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await real(constraints);
    if (!constraints || !constraints.audio) return stream;
    const ctx = new AudioContext();
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    const out = ctx.createMediaStreamDestination();
    tone.frequency.value = 220;
    gain.gain.value = 0.3;
    tone.connect(gain).connect(out);
    tone.start();
    for (const t of stream.getAudioTracks()) { stream.removeTrack(t); t.stop(); }
    stream.addTrack(out.stream.getAudioTracks()[0]);
    return stream;
  };
})();
"""

# Counts the notes the page makes (each chat chime is two), without playing any fewer,
# and the audio contexts it opens (a chime opening its own would ignore the chosen speaker).
COUNT_NOTES = """
(() => {
  window.__notes = 0;
  window.__contexts = 0;
  const make = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__notes += 1;
    return make.call(this);
  };
  const Context = AudioContext;
  window.AudioContext = class extends Context {
    constructor(...args) {
      super(...args);
      window.__contexts += 1;
    }
  };
})();
"""


# Every reaction that floats over a tile, as it comes (it goes after 4 s, maybe before a
# loaded machine's test looks): whose tile, the emoji, and its animation.
WATCH_REACTIONS = """
() => {
  window.__reactions = [];
  new MutationObserver((changes) => {
    for (const c of changes) for (const node of c.addedNodes) {
      if (!(node instanceof HTMLElement) || node.dataset.testid !== 'reaction') continue;
      window.__reactions.push({ id: node.closest('.tile').dataset.participantId,
        text: node.textContent, animation: getComputedStyle(node).animationName });
    }
  }).observe(document.getElementById('tiles'), { childList: true, subtree: true });
}
"""


def reactions(page: Page, participant_id: str) -> list[dict[str, str]]:
    """The reactions seen over one person's tile, once there is one."""
    page.wait_for_function(
        "(id) => window.__reactions.some((r) => r.id === id)", arg=participant_id
    )
    found: list[dict[str, str]] = page.evaluate(
        "(id) => window.__reactions.filter((r) => r.id === id)", participant_id
    )
    return found


@pytest.fixture
def server_config(request: pytest.FixtureRequest) -> ServerConfig:
    """Hands never lower themselves unless a test asks for seconds (indirect parameter)."""
    return ServerConfig(hand_lower_after=getattr(request, "param", 0.0))


def hand(page: Page, participant_id: str) -> Locator:
    return tile(page, participant_id).get_by_test_id("tile-hand")


def people_order(page: Page) -> list[str | None]:
    items = page.locator("#people > li")
    return [items.nth(i).get_attribute("data-participant-id") for i in range(items.count())]


def join_opened(page: Page, name: str) -> str:
    """Join from the pre-join screen already open (as `join` does after opening it)."""
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    return self_id(page)


def say(page: Page, text: str) -> None:
    page.get_by_label("Write a message").fill(text)
    page.get_by_label("Write a message").press("Enter", timeout=30_000)
    expect(page.get_by_test_id("chat-log")).to_contain_text(text)


def test_a_raised_hand_shows_on_every_tile_in_its_place_and_hosts_hear_of_it(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace, linus = new_page(), new_page(), new_page()
    pages = (ada, grace, linus)
    # Everyone opens the link first, then joins in turn (Ada first: the host).
    for page in pages:
        page.goto("/hands-line")
    ids = {
        name: join_opened(page, name)
        for name, page in (("Ada", ada), ("Grace", grace), ("Linus", linus))
    }
    for page in pages:
        in_sfu_mode(page)
    linus.get_by_test_id("btn-hand").click()
    for page in pages:  # Linus's own tile too
        expect(hand(page, ids["Linus"])).to_have_text("✋ 1st")
        expect(hand(page, ids["Linus"])).to_have_attribute("aria-label", "Hand raised, 1st in line")
    expect(ada.locator("#toast")).to_have_text("Linus raised a hand — 1st in line")
    grace.get_by_test_id("btn-hand").click()
    for page in pages:
        expect(hand(page, ids["Grace"])).to_have_text("✋ 2nd")
    expect(ada.locator("#toast")).to_have_text("Grace raised a hand — 2nd in line")
    # Only hosts are told; the others see it on the tiles.
    expect(linus.locator("#toast")).not_to_contain_text("raised a hand")
    # Whoever raised first is first in the people list, then the next.
    assert people_order(ada)[:2] == [ids["Linus"], ids["Grace"]]
    linus.get_by_test_id("btn-hand").click()  # Linus lowers: Grace is first now
    for page in pages:
        expect(hand(page, ids["Grace"])).to_have_text("✋ 1st")
        expect(hand(page, ids["Linus"])).to_have_count(0)
    assert people_order(ada)[0] == ids["Grace"]
    expect(hand(ada, ids["Ada"])).to_have_count(0)
    # On the SFU too, a reaction floats over its sender's tile, ours included.
    for page in pages:
        page.evaluate(WATCH_REACTIONS)
    linus.get_by_test_id("btn-react").click()
    linus.get_by_role("button", name="React 👍").click()
    for page in pages:
        assert [r["text"] for r in reactions(page, ids["Linus"])] == ["👍"]


@pytest.mark.parametrize("server_config", [1.5], indirect=True)
def test_a_hand_lowers_itself_once_its_owner_has_spoken(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    grace.context.add_init_script(SPEAKING_MIC)
    assert ada.request.get(f"{live_server.url}/config.json").json()["hand_lower_after"] == 1.5
    ada_id = join(ada, "hands-lower", "Ada")
    grace_id = join(grace, "hands-lower", "Grace")
    # Ada's microphone only beeps: her hand, raised first, stays up throughout.
    ada.get_by_test_id("btn-hand").click()
    expect(hand(grace, ada_id)).to_have_text("✋ 1st")
    grace.get_by_test_id("btn-hand").click()
    expect(hand(ada, grace_id)).to_have_text("✋ 2nd")
    # Grace speaks (a steady tone): a second and a half of it, and her hand comes down.
    expect(grace.locator("#toast")).to_have_text(
        "You have spoken for a while, so your hand was lowered."
    )
    expect(hand(ada, grace_id)).to_have_count(0)
    expect(grace.get_by_test_id("btn-hand")).to_have_attribute("aria-pressed", "false")
    expect(hand(grace, ada_id)).to_have_text("✋ 1st")
    expect(ada.get_by_test_id("btn-hand")).to_have_attribute("aria-pressed", "true")


def test_reactions_float_over_the_senders_tile_and_are_said(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "reacting", "Ada")
    grace_id = join(grace, "reacting", "Grace")
    ada.emulate_media(reduced_motion="reduce")
    for page in (ada, grace):
        page.evaluate(WATCH_REACTIONS)
    grace.get_by_test_id("btn-react").click()
    grace.get_by_role("button", name="React 🎉").click()
    # On her own tile and on the other page's tile of hers; Ada asked for less motion:
    # there it stays still, where on Grace's page it floats up.
    seen_by_ada, seen_by_grace = reactions(ada, grace_id), reactions(grace, grace_id)
    assert [(r["text"], r["animation"]) for r in seen_by_ada] == [("🎉", "none")]
    assert [(r["text"], r["animation"]) for r in seen_by_grace] == [("🎉", "float-up")]
    assert ada.evaluate("(id) => window.__reactions.filter((r) => r.id === id)", ada_id) == []
    expect(ada.get_by_test_id("announcer")).to_contain_text("Grace reacted 🎉")
    expect(grace.get_by_test_id("announcer")).to_contain_text("You reacted 🎉")


def test_the_chat_button_counts_unread_messages_and_chimes_until_opened(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    grace.context.add_init_script(COUNT_NOTES)
    join(ada, "unread-button", "Ada")
    join(grace, "unread-button", "Grace")
    chat = grace.get_by_test_id("btn-chat")
    badge = grace.get_by_test_id("chat-unread")
    expect(badge).to_be_hidden()
    chat.click()  # the chat panel closes
    expect(grace.get_by_test_id("chat-log")).to_be_hidden()
    contexts = grace.evaluate("() => window.__contexts")
    say(ada, "One.")
    say(ada, "Two.")
    expect(badge).to_have_text("2")
    expect(badge).to_be_visible()
    expect(chat).to_have_attribute("aria-label", "Chat, 2 unread")
    assert grace.evaluate("() => window.__notes") == 4  # a chime (two notes) for each
    # Played through the meeting's own audio, which goes to the speaker chosen in settings.
    assert grace.evaluate("() => window.__contexts") == contexts
    # Our own message, sent while the panel is closed, is no news to us: no count, no chime.
    grace.evaluate("() => window.frankly.session.chat('Mine.')")
    expect(ada.get_by_test_id("chat-log")).to_contain_text("Mine.")
    expect(grace.get_by_test_id("chat-log")).to_contain_text("Mine.")
    expect(badge).to_have_text("2")
    assert grace.evaluate("() => window.__notes") == 4
    chat.click()  # opened: seen
    expect(grace.get_by_test_id("chat-log")).to_be_visible()
    expect(badge).to_be_hidden()
    expect(chat).to_have_attribute("aria-label", "Chat")
    say(ada, "Seen at once.")
    expect(grace.get_by_test_id("chat-log")).to_contain_text("Seen at once.")
    expect(badge).to_be_hidden()
    assert grace.evaluate("() => window.__notes") == 4


def test_a_web_link_in_chat_opens_in_a_new_tab_and_a_javascript_one_is_text(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "links", "Ada")
    join(grace, "links", "Grace")
    target = f"{live_server.url}/config.json"
    say(ada, f"The settings: {target}.")
    say(ada, "javascript:alert(document.domain)")
    say(ada, '<a href="javascript:alert(1)">click</a> data:text/html,<b>x</b>')
    log = grace.get_by_test_id("chat-log")
    expect(log.locator("li")).to_have_count(3)
    link = log.locator("li").nth(0).get_by_role("link")
    expect(link).to_have_text(target)  # the full stop after it is not part of it
    expect(link).to_have_attribute("href", target)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    for i in (1, 2):  # shown as the text they are, never as links or markup
        expect(log.locator("li").nth(i).locator("a, b")).to_have_count(0)
    expect(log.locator("li").nth(2)).to_contain_text('<a href="javascript:alert(1)">click</a>')
    assert log.locator('a[href^="javascript:"], a[href^="data:"]').count() == 0
    with grace.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == target
    assert tab.evaluate("() => window.opener") is None  # it cannot reach the meeting's page
    assert re.search(r'"hand_lower_after"', tab.content())
