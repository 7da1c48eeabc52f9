"""Keyboard shortcuts on the meeting screen (frankly/web/ui/shortcuts.js): the keys press
the controls, never while typing, `?` opens their help, Escape closes menus and dialogs."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.meeting import NewPage, join


def test_keys_mute_turn_the_camera_off_raise_a_hand_and_leave(new_page: NewPage) -> None:
    page = new_page()
    join(page, "keys-room", "Ada")
    mic, cam, hand = (page.get_by_test_id(t) for t in ("btn-mic", "btn-cam", "btn-hand"))
    expect(mic).to_have_attribute("aria-pressed", "false")
    expect(mic).to_have_attribute("aria-keyshortcuts", "M")
    expect(page.get_by_test_id("btn-leave")).to_have_attribute("aria-keyshortcuts", "Shift+L")
    page.keyboard.press("m")
    expect(mic).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("m")
    expect(mic).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("v")
    expect(cam).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("h")
    expect(hand).to_have_attribute("aria-pressed", "true")

    # Typing in the chat is text, not shortcuts; "c" put the cursor there.
    page.keyboard.press("c")
    chat = page.get_by_test_id("chat-input")
    expect(chat).to_be_focused()
    page.keyboard.type("vm")
    expect(chat).to_have_value("vm")
    expect(mic).to_have_attribute("aria-pressed", "false")
    expect(cam).to_have_attribute("aria-pressed", "true")

    # A plain "l" does nothing; Shift+L leaves.
    page.get_by_test_id("btn-mic").focus()
    page.keyboard.press("l")
    expect(page.get_by_test_id("screen-meeting")).to_be_visible()
    page.keyboard.press("Shift+L")
    expect(page.get_by_test_id("screen-left")).to_be_visible()


def test_question_mark_opens_the_help_and_escape_closes_it_and_menus(new_page: NewPage) -> None:
    page = new_page()
    join(page, "keys-help", "Ada")
    help_button = page.get_by_test_id("btn-help")
    help_button.focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Mute or unmute the microphone")
    expect(dialog).to_contain_text("Shift+L")
    # Letters do nothing behind the dialog.
    page.keyboard.press("m")
    expect(page.get_by_test_id("btn-mic")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(help_button).to_be_focused()

    # The help button opens it too, and its Close button closes it.
    help_button.click()
    expect(dialog).to_be_visible()
    page.get_by_test_id("shortcuts-close").click()
    expect(dialog).to_be_hidden()

    # Escape closes an open menu, focus back on its button.
    react = page.get_by_test_id("btn-react")
    react.click()
    expect(page.get_by_test_id("reaction-choice").first).to_be_visible()
    page.get_by_test_id("reaction-choice").first.focus()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("reaction-choice").first).to_be_hidden()
    expect(react).to_be_focused()
