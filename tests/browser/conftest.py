"""Real-browser fixtures: Debian's Chromium, fake camera and microphone.

One Chromium for the whole session; a fresh browser context (its own
storage, permissions and media) per participant. The server is the real one,
`live_server` from tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.dialogues import People
from tests.browser.meeting import CHROMIUM, CHROMIUM_ARGS, DENY_SCRIPT, NewPage
from tests.conftest import LiveServer


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[NewPage]:
    """Make a page in a new browser context (one per participant).

    `deny=["video"]` makes getUserMedia refuse the camera; `deny=["audio",
    "video"]` refuses both. A JavaScript error thrown on any page fails the test.
    """
    yield from page_maker(browser, live_server.url)


def page_maker(browser: Browser, base_url: str) -> Iterator[NewPage]:
    """`new_page` for any browser: the maker, then (after the test) its contexts closed."""
    contexts = []
    errors: list[str] = []

    def make(deny: list[str] | None = None) -> Page:
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        if deny:
            kinds = "[" + ", ".join(f"'{k}'" for k in deny) + "]"
            context.add_init_script(DENY_SCRIPT.replace("KINDS", kinds))
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def people(browser: Browser, live_server: LiveServer) -> Iterator[People]:
    """People of the dialogue tests, each in a browser context (and time zone) of their
    own; a JavaScript error in any of their pages fails the test."""
    found = People(browser, live_server.url)
    yield found
    for context in found.contexts:
        context.close()
    assert not found.errors, f"JavaScript errors in the page: {found.errors}"
