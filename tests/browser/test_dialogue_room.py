"""A dialogue meeting's room in the browser: each side shown on the other's screen, and
an expired invite that leads back to the dialogue's page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage, join, tile
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)  # a server that keeps dialogues


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Ann's and Boris's own API clients (each their own cookie jar)."""
    with httpx.Client(base_url=live_server.url) as ann, httpx.Client(base_url=live_server.url) as b:
        yield ann, b


def talks(
    api: tuple[httpx.Client, httpx.Client],
) -> tuple[httpx.Client, httpx.Client, dict[str, Any], dict[str, Any]]:
    """Ann founds a dialogue and leads the United States; Boris joins as Russia's lead; a
    meeting. (Ann's and Boris's API clients, the dialogue, the meeting.)"""
    ann, boris = api
    sides = [{"name": "United States", "zone": "UTC"}, {"name": "Russia", "zone": "UTC"}]
    dialogue = ok(
        ann.post(
            "/api/dialogues", json={"title": "Talks", "sides": sides, "side": 0, "name": "Ann"}
        )
    )
    path = f"/api/dialogues/{dialogue['id']}"
    russia = dialogue["sides"][1]["id"]
    token = ok(ann.post(f"{path}/sides/{russia}/links", json={"lead": True}))["token"]
    ok(boris.post("/api/join", json={"token": token, "name": "Boris"}))
    meeting = ok(ann.post(f"{path}/meetings", json={"topic": "Strategic stability"}))
    return ann, boris, dialogue, meeting


def enter(page: Page, client: httpx.Client, dialogue: str, meeting: dict[str, Any]) -> str:
    """Into the room by the link the entry gives; our participant id."""
    entry = ok(client.post(f"/api/dialogues/{dialogue}/meetings/{meeting['id']}/entry"))
    fragment = entry["url"].partition("#")[2]
    me = join(page, meeting["room"], None, fragment=fragment)  # the invitation names us
    assert "invite" not in page.url  # taken out of the address at once
    return me


def test_each_side_shows_on_the_others_screen(
    api: tuple[httpx.Client, httpx.Client], new_page: NewPage
) -> None:
    ann, boris, dialogue, meeting = talks(api)
    ann_page, boris_page = new_page(), new_page()
    ann_id = enter(ann_page, ann, dialogue["id"], meeting)
    boris_id = enter(boris_page, boris, dialogue["id"], meeting)
    for page, other, name, side, own in (
        (ann_page, boris_id, "Boris", "Russia", "United States"),
        (boris_page, ann_id, "Ann", "United States", "Russia"),
    ):
        theirs = tile(page, other)
        expect(theirs.get_by_test_id("tile-name")).to_have_text(name)
        expect(theirs.get_by_test_id("tile-side")).to_have_text(side)
        expect(theirs).to_have_attribute("aria-label", f"{name}, {side}")
        mine = page.locator(".tile[data-self]")
        expect(mine.get_by_test_id("tile-side")).to_have_text(own)
        listed = page.locator(f'#people li[data-participant-id="{other}"]')
        expect(listed.get_by_test_id("person-side")).to_have_text(side)
        expect(listed.locator(".person-name")).to_have_text(name)
        expect(listed.get_by_test_id("person-role")).to_have_text("host")  # both lead a side


def test_an_expired_dialogue_invite_leads_back_to_the_dialogue(
    live_server: LiveServer, api: tuple[httpx.Client, httpx.Client], new_page: NewPage
) -> None:
    _, _, dialogue, meeting = talks(api)
    token, _, _ = live_server.hub.gate.invites.make(
        meeting["room"], "host", -60, "Ann", dialogue=dialogue["id"], side="United States"
    )
    page = new_page()
    page.goto(f"/{meeting['room']}#invite={token}")
    expect(page.get_by_label("Your name")).to_have_value("Ann")  # as the invitation says
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name="This invite has expired")).to_be_visible()
    expect(page.get_by_test_id("notice-text")).to_contain_text("Go back to the dialogue")
    back = page.get_by_role("link", name="Back to the dialogue")
    expect(back).to_have_attribute("href", f"/dialogues/{dialogue['id']}")
