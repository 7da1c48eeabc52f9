"""A restart under a meeting of four (README, "Restarting without cutting meetings").

A real `frankly serve` process with a data directory, four Chromium pages with
camera and microphone in one room (on the SFU). SIGTERM: every page is told
(its banner says the server restarts soon), the process exits within the drain
time, and the pages say "restarting", never "offline" or a notice. A new process
on the same port and data directory: all four are back in the same meeting and
decode each other again, by themselves, within a few seconds of it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.served import Served
from tests.browser.meeting import group, in_sfu_mode, self_id, wait_all_media

DRAIN_SECONDS = 3
# From the new process answering to four people decoding each other again: their
# backoff (at most 1.5 s plus jitter after going-away), a join each, the move to
# the SFU, ICE, DTLS and a keyframe, on a loaded two-core machine.
BACK_WITHIN = 20.0

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path / "data", extra=["--drain-seconds", str(DRAIN_SECONDS)]).start()
    yield server
    server.stop()


def test_a_restart_under_a_meeting_of_four_and_the_meeting_goes_on(
    browser: Browser, served: Served
) -> None:
    errors: list[str] = []
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(base_url=served.url, viewport={"width": 960, "height": 640})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    try:
        pages, ids = group(new_page, "standup", "ABCD")
        wait_all_media(pages, ids)
        process = served.process
        assert process is not None

        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        for page in pages:  # told, while the meeting still goes on
            expect(page.get_by_test_id("conn-banner")).to_have_text(
                "The server is restarting soon. The meeting goes on, and reconnects by itself."
            )
        assert process.wait(DRAIN_SECONDS + 5) == -signal.SIGTERM
        assert time.monotonic() - stopped_at < DRAIN_SECONDS + 5
        for page in pages:  # calm and true: no error, no offline, no "Try again"
            expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "restarting")
            expect(page.get_by_test_id("conn-banner")).to_have_text(
                "The server is restarting; reconnecting…"
            )

        served.start()  # the same port and data directory
        back_at = time.monotonic()
        for page in pages:
            expect(page.get_by_test_id("conn-state")).to_have_attribute(
                "data-state", "connected", timeout=int(BACK_WITHIN * 1000)
            )
        new_ids = []
        for page, old in zip(pages, ids, strict=True):
            tile = page.locator('[data-testid="tile"][data-self]')
            expect(tile).not_to_have_attribute("data-participant-id", old)  # joined afresh
            new_ids.append(self_id(page))
        for page in pages:
            in_sfu_mode(page)
        wait_all_media(pages, new_ids)
        took = time.monotonic() - back_at
        print(f"all four decode each other {took:.1f} s after the new process answered")
        assert took < BACK_WITHIN

        for page in pages:
            states = page.evaluate("() => window.frankly.states")
            after_join = states[states.index("connected") :]
            assert "offline" not in after_join and "closed" not in after_join, states
            assert "restarting" in after_join, states
            expect(page.get_by_test_id("conn-banner")).to_be_hidden()
        # The same meeting: its host hosts it again, whoever came back first.
        roles = [page.evaluate("() => window.frankly.session.you.role") for page in pages]
        assert roles == ["host", "participant", "participant", "participant"]
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
