"""Interpretation in Chromium (docs/protocol.md, "Interpretation"): a host
makes an interpreter from the people list (and another with an interpreter
invite), a listener on the Russian channel hears the interpreter over a
quieter floor, a floor listener gets none of the channel, and a direction
switch and a booth's hand-over keep one live voice.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import MEDIA_TIMEOUT_MS, NewPage, in_sfu_mode, join, self_id
from tests.conftest import LiveServer
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

ROOM = "interp"

# The loudest each voice the page plays was, before and after its gain, over
# a few seconds: the fake microphone beeps, so one instant may be silence.
LOUDEST = """async (ms) => {
    const top = {};
    for (const end = Date.now() + ms; Date.now() < end; ) {
        for (const [key, l] of Object.entries(window.frankly.levels())) {
            const t = (top[key] ??= {before: 0, after: 0});
            t.before = Math.max(t.before, l.before);
            t.after = Math.max(t.after, l.after);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    return top;
}"""


def make_interpreter(host: Page, name: str) -> None:
    """The host's Manage menu: Make interpreter…, en ⇄ ru."""
    host.get_by_label(f"Manage {name}").click()
    actions = host.get_by_role("group", name=f"Actions for {name}")
    actions.get_by_test_id("make-interpreter").click()
    actions.get_by_label(f"First language for {name}").fill("en")
    actions.get_by_label(f"Second language for {name}").fill("ru")
    actions.get_by_role("button", name="Make interpreter", exact=True).click()


def choose(page: Page, channel: str) -> None:
    """The language menu in the controls, with the keyboard."""
    page.get_by_test_id("btn-language").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id(f"lang-{channel}").check()
    expect(page.get_by_test_id("lang-now")).to_have_text("Floor" if channel == "floor" else channel)


def packets(live_server: LiveServer, listener: str, interpreter: str) -> int:
    """The channel packets of `interpreter` the SFU sent `listener`."""
    return int(
        live_server.call(
            lambda: live_server.hub.routers[ROOM].channel_packets[listener, interpreter]
        )
    )


def wait_packets(live_server: LiveServer, listener: str, interpreter: str, over: int) -> None:
    wait_until(
        lambda: packets(live_server, listener, interpreter) > over,
        MEDIA_TIMEOUT_MS / 1000,
        f"{listener} gets the channel of {interpreter}",
    )


def test_a_listener_hears_the_interpreter_over_the_floor_and_one_voice_stays_live(
    live_server: LiveServer, new_page: NewPage
) -> None:
    # Sound is what matters here: no cameras, so five pages fit on a small machine.
    host, rita, finn, ivan, irina = (new_page(deny=["video"]) for _ in range(5))
    ids: dict[str, str] = {}
    for page, name in ((host, "Hana"), (rita, "Rita"), (finn, "Finn"), (ivan, "Ivan")):
        ids[name] = join(page, ROOM, name)
    for page in (host, rita, finn, ivan):
        in_sfu_mode(page)
    expect(host.get_by_test_id("lang-menu")).to_be_hidden()  # no interpreter: nothing to choose
    make_interpreter(host, "Ivan")
    expect(ivan.get_by_test_id("booth-live")).to_have_text("You are live into ru.")
    expect(host.get_by_test_id("people").get_by_test_id("person-live")).to_have_text("live into ru")

    choose(rita, "ru")
    expect(rita.get_by_test_id("lang-hearing")).to_contain_text("Ivan interpreting into ru")
    wait_packets(live_server, ids["Rita"], ids["Ivan"], 50)
    rita.wait_for_function("(k) => k in window.frankly.levels()", arg=f"{ids['Ivan']}:channel")
    loudest: dict[str, Any] = rita.evaluate(LOUDEST, 3000)
    assert loudest[f"{ids['Ivan']}:channel"]["after"] > 0.01, loudest
    for floor in (ids["Hana"], ids["Finn"]):  # the original, at the default 20 %
        ratio = loudest[floor]["after"] / loudest[floor]["before"]
        assert 0.15 < ratio < 0.25, loudest
    # Finn is on the floor: the SFU sends him none of the channel, nor an m-line for it.
    assert packets(live_server, ids["Finn"], ids["Ivan"]) == 0
    assert f"{ids['Ivan']}:channel" not in finn.evaluate("() => window.frankly.levels()")

    # One button switches the direction: Russian listeners lose Ivan, English ones get him.
    ivan.get_by_test_id("btn-direction").click()
    expect(ivan.get_by_test_id("btn-direction")).to_have_text("Speaking: ru → en")
    expect(rita.get_by_test_id("lang-hearing")).to_have_text(
        "No interpreter for ru yet: you hear the floor."
    )
    to_rita = packets(live_server, ids["Rita"], ids["Ivan"])
    choose(finn, "en")
    wait_packets(live_server, ids["Finn"], ids["Ivan"], 50)
    assert packets(live_server, ids["Rita"], ids["Ivan"]) == to_rita
    ivan.get_by_test_id("btn-direction").click()
    expect(ivan.get_by_test_id("btn-direction")).to_have_text("Speaking: en → ru")

    # A second interpreter of the pair comes with an interpreter invite and makes a
    # booth; the live one hands over.
    host.context.grant_permissions(["clipboard-read", "clipboard-write"])
    host.get_by_test_id("interp-invite").click()  # en ⇄ ru, as the form starts
    expect(host.get_by_text("Interpreter invite (en ⇄ ru) copied")).to_be_visible()
    irina.goto(host.evaluate("navigator.clipboard.readText()"))
    irina.get_by_label("Your name").fill("Irina")
    irina.get_by_role("button", name="Join", exact=True).click()
    ids["Irina"] = self_id(irina)
    expect(irina.get_by_test_id("booth-live")).to_have_text("Ivan is live into ru; you are not.")
    hand_over = ivan.get_by_role("button", name="Hand over to Irina")
    deadline = time.monotonic() + MEDIA_TIMEOUT_MS / 1000
    while not irina.get_by_test_id("booth-live").inner_text().startswith("You are live"):
        # Refused (booth-not-ready) until Irina's channel flows: the channel never goes silent.
        assert time.monotonic() < deadline, "the hand-over never happened"
        if hand_over.is_visible():
            hand_over.click()
        irina.wait_for_timeout(300)
    expect(ivan.get_by_test_id("booth-live")).to_have_text("Irina is live into ru; you are not.")
    expect(host.get_by_test_id("people").get_by_test_id("person-live")).to_have_count(1)
    from_ivan = packets(live_server, ids["Rita"], ids["Ivan"])
    before = packets(live_server, ids["Rita"], ids["Irina"])
    wait_packets(live_server, ids["Rita"], ids["Irina"], before + 50)
    assert packets(live_server, ids["Rita"], ids["Ivan"]) == from_ivan
    expect(rita.get_by_test_id("lang-hearing")).to_contain_text(re.compile("Irina interpreting"))
