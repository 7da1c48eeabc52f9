"""The human check in Chromium: a server that asks for proof of work before
anyone joins a public room."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Route, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage, join
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(human_check=True, human_check_maxnumber=5_000)


def test_the_check_is_required_then_passed(live_server: LiveServer, new_page: NewPage) -> None:
    page = new_page()

    def forged(route: Route) -> None:
        # A challenge the server never signed: solving it proves nothing.
        real = json.loads(route.fetch().text())
        real["signature"] = "0" * len(real["signature"])
        route.fulfill(json=real)

    page.route("**/challenge", forged)
    page.goto("/checked")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("notice-text")).to_contain_text("Reload the page to try again")
    assert live_server.participant_ids("checked") == []

    page.unroute("**/challenge")
    join(page, "checked", "Ada")  # the real challenge, solved by the page
    assert len(live_server.participant_ids("checked")) == 1
