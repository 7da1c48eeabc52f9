"""Nothing falls off the screen: at a phone's, a small laptop's and a wide screen's size, a
host's meeting with the people and chat panels and a Manage menu open has every visible
control inside the window, measured from the DOM (getBoundingClientRect), not by eye.

FRANKLY_SCREENSHOTS=DIR keeps the screenshots to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import NewPage, join

SIZES = [(390, 844), (1024, 600), (1440, 900)]

# Every visible control of the meeting screen (and of an open dialog): is it inside the
# window once scrolled to (a page or a panel may scroll, but never sideways past the
# window), and not cut off by a box around it that hides its overflow?
OUTSIDE = """
() => {
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const picked = 'button, summary, input, select, textarea, a[href], [role="menuitem"]';
  const scope = document.querySelector('dialog[open]') || document.getElementById('screen-meeting');
  const out = [];
  let seen = 0;
  for (const el of scope.querySelectorAll(picked)) {
    // Not rendered (hidden, display: none, inside a closed <details>) or only for screen readers.
    if (!el.checkVisibility({ visibilityProperty: true }) || el.closest('.sr-only')) continue;
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    seen += 1;
    let { left, top, right, bottom } = r;
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      left = Math.max(left, c.left); top = Math.max(top, c.top);
      right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
    }
    const shown = right - left >= r.width - 1 && bottom - top >= r.height - 1;
    const inside = r.left >= -0.5 && r.top >= -0.5 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
    // Not covered by something else (a sticky bar): the middle of it is its own, or under
    // an open menu, which is meant to lie over the page.
    const hit = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    const own = !!hit && (el.contains(hit) || hit.contains(el) || !!el.closest('dialog[open]')
      || !!hit.closest('details.menu[open] > .menu-items'));
    if (!shown || !inside || !own) {
      const name = el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30) || el.id;
      const [x, y, w, h] = [r.left, r.top, r.width, r.height].map(Math.round);
      const cut = (shown ? '' : ' (cut off)') + (own ? '' : ` (under ${hit && hit.tagName})`);
      out.push(`${el.tagName.toLowerCase()} "${name}" at ${x},${y} ${w}x${h}${cut}`);
    }
  }
  window.scrollTo(0, 0);
  return { out, seen, sideways: document.documentElement.scrollWidth > vw };
}
"""


def outside(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(OUTSIDE)
    return found


def check(page: Page, name: str, at_least: int = 10) -> None:
    """Every visible control inside the window, none sideways past it (and a screenshot)."""
    found = outside(page)
    if dest := os.environ.get("FRANKLY_SCREENSHOTS"):
        Path(dest).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(dest) / f"{name}.png")
    assert not found["out"] and not found["sideways"], "\n".join(
        [name, f"sideways: {found['sideways']}", *found["out"]]
    )
    assert found["seen"] >= at_least, found


def open_panel(page: Page, which: str) -> None:
    """Press the side panel's button for `which` unless that part already shows."""
    button = page.get_by_test_id(f"btn-{which}")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_control_of_a_hosts_meeting_is_inside_the_window(
    new_page: NewPage, width: int, height: int
) -> None:
    room = f"fits-a-rather-long-meeting-name-{width}"
    host, guest = new_page(), new_page()
    for page in (host, guest):
        page.set_viewport_size({"width": width, "height": height})
    join(host, room, "Ada")
    join(guest, room, "Grace Brewster Murray Hopper")
    # The room name is readable, whole in its title.
    shown = host.locator(".room-title").bounding_box()
    assert shown and shown["width"] >= min(width * 0.35, 160), shown
    expect(host.locator("#meeting-room")).to_have_attribute("title", room)

    # The chat, open: on a narrow screen it takes the people's place.
    open_panel(host, "chat")
    host.get_by_test_id("chat-input").fill("Hello")
    host.get_by_test_id("chat-send").click()
    expect(host.get_by_test_id("chat-log")).to_contain_text("Hello")
    check(host, f"chat-{width}x{height}")

    # The people, with the host's settings.
    open_panel(host, "people")
    expect(host.get_by_test_id("host-panel")).to_be_visible()
    check(host, f"people-{width}x{height}", at_least=20)

    # The Manage menu of a person, open.
    host.get_by_label("Manage Grace Brewster Murray Hopper").click()
    expect(host.get_by_role("button", name="Remove from meeting")).to_be_visible()
    check(host, f"manage-{width}x{height}", at_least=25)

    # The reactions menu, open above the controls.
    host.get_by_test_id("btn-react").click()
    expect(host.get_by_test_id("reaction-choice").first).to_be_visible()
    check(host, f"react-{width}x{height}", at_least=25)

    # The layout menu (grid, speaker, hide self view), open above the controls.
    host.get_by_test_id("btn-react").click()
    host.get_by_test_id("btn-layout").click()
    expect(host.get_by_test_id("hide-self")).to_be_visible()
    check(host, f"layout-{width}x{height}", at_least=25)


def test_a_small_screen_shows_people_or_chat_and_a_wide_one_both(new_page: NewPage) -> None:
    page = new_page()
    join(page, "fits-switch", "Ada")
    people, chat = page.get_by_test_id("people"), page.get_by_test_id("chat-log")
    expect(people).to_be_visible()
    expect(chat).to_be_visible()
    page.set_viewport_size({"width": 1024, "height": 600})
    expect(chat).to_be_hidden()
    expect(people).to_be_visible()
    # Widened again, the chat that the narrowing closed comes back.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(chat).to_be_visible()
    page.set_viewport_size({"width": 1024, "height": 600})
    page.get_by_test_id("btn-chat").click()
    expect(chat).to_be_visible()
    expect(people).to_be_hidden()
    expect(page.get_by_test_id("btn-people")).to_have_attribute("aria-pressed", "false")
    # Both closed: the video takes the whole width.
    page.get_by_test_id("btn-chat").click()
    expect(chat).to_be_hidden()
    page.wait_for_function(
        "() => document.getElementById('tiles').getBoundingClientRect().width > 900"
    )
    # The C shortcut opens the chat and puts the cursor in it.
    page.keyboard.press("c")
    expect(chat).to_be_visible()
    expect(page.get_by_test_id("chat-input")).to_be_focused()
