"""A dialogue meeting's readouts in Chromium, against the real server and API.

The meeting view that will hold these sections (dialogue.html) is another
helper's; until then a test-only page (tests/browser/harness/readouts.html,
served to the browser through Playwright under the server's own origin and
CSP) loads a dialogue through the API and calls the sections' render
functions as that view will. Each person is a browser context with their
own member cookie, made by the API calls a browser makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

HARNESS = Path(__file__).parent / "harness"
SHOTS = Path("/tmp/frankly-readouts-shots")


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


@dataclass
class Talks:
    dialogue: str
    meeting: str
    us: str  # side ids
    ru: str
    ann: Page  # the convener, lead of the United States
    carol: Page  # a member of the United States
    boris: Page  # lead of the Russian Federation


def api(context: BrowserContext, method: str, path: str, body: Any = None) -> Any:
    """One call as the browser's page would make it (same cookies, no foreign Origin)."""
    answer = context.request.fetch(f"/api{path}", method=method, data=body)
    assert answer.ok, f"{method} {path}: {answer.status} {answer.text()}"
    return answer.json() if answer.text() else None


def harness(page: Page, live_server: LiveServer) -> None:
    """Serve the test-only page's files at /harness/ with the server's own CSP."""
    csp = page.request.get("/").headers["content-security-policy"]

    def serve(route: Route) -> None:
        name = route.request.url.split("/harness/", 1)[1].split("?", 1)[0]
        kinds = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}
        kind = kinds[Path(name).suffix]
        route.fulfill(
            body=(HARNESS / name).read_text(),
            content_type=kind,
            headers={"content-security-policy": csp},
        )

    page.route(f"{live_server.url}/harness/*", serve)


def open_meeting(page: Page, live_server: LiveServer, talks: Talks) -> None:
    harness(page, live_server)
    page.goto(f"/harness/readouts.html?d={talks.dialogue}&m={talks.meeting}")
    expect(page.get_by_role("heading", name="Readouts")).to_be_visible()


@pytest.fixture
def talks(new_page: NewPage, live_server: LiveServer) -> Talks:
    ann, carol, boris = new_page(), new_page(), new_page()
    founded = api(
        ann.context,
        "POST",
        "/dialogues",
        {
            "title": "Talks on strategic stability",
            "sides": [
                {"name": "United States", "zone": "America/New_York"},
                {"name": "Russian Federation", "zone": "Europe/Moscow"},
            ],
            "side": 0,
            "name": "Ann",
        },
    )
    d = founded["id"]
    us, ru = (s["id"] for s in founded["sides"])
    lead_link = api(ann.context, "POST", f"/dialogues/{d}/sides/{ru}/links", {"lead": True})
    api(boris.context, "POST", "/join", {"token": lead_link["token"], "name": "Boris"})
    member_link = api(ann.context, "POST", f"/dialogues/{d}/sides/{us}/links", {})
    api(carol.context, "POST", "/join", {"token": member_link["token"], "name": "Carol"})
    meeting = api(ann.context, "POST", f"/dialogues/{d}/meetings", {"topic": "Strategic stability"})
    talks = Talks(d, meeting["id"], us, ru, ann, carol, boris)
    for page in (ann, carol, boris):
        open_meeting(page, live_server, talks)
    return talks


def save(page: Page, text: str) -> None:
    page.get_by_label("Draft readout (Markdown)").fill(text)
    page.get_by_role("button", name=re.compile(r"^Save (draft|merged text)$")).click()


def test_a_stale_save_shows_the_newer_text_to_merge(talks: Talks) -> None:
    ann, carol = talks.ann, talks.carol
    # Both opened the empty draft; Ann saves first.
    save(ann, "Ann's line.")
    expect(ann.get_by_role("status").filter(has_text="Saved as revision 1.")).to_be_visible()
    expect(ann.get_by_test_id("preview")).to_contain_text("Ann's line.")

    # Carol's save from revision 0 is refused; her text stays, Ann's is beside it.
    save(carol, "Carol's line.")
    merge = carol.get_by_test_id("merge")
    expect(merge).to_be_visible()
    expect(merge.get_by_role("alert")).to_contain_text("Ann saved revision 1")
    expect(carol.get_by_label("The newer text (revision 1)")).to_have_value("Ann's line.")
    expect(carol.get_by_label("Draft readout (Markdown)")).to_have_value("Carol's line.")
    expect(carol.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    assert len(api(carol.context, "GET", draft_path(talks, talks.us))["revisions"]) == 1

    # She merges and saves again: nothing is lost, and both revisions are listed.
    save(carol, "Ann's line.\n\nCarol's line.")
    expect(carol.get_by_role("status").filter(has_text="Saved as revision 2.")).to_be_visible()
    expect(carol.get_by_test_id("merge")).to_be_hidden()
    revisions = carol.get_by_test_id("revisions")
    expect(revisions.locator("li")).to_have_count(2)
    expect(revisions.locator("li[data-number='2']")).to_contain_text("Revision 2 by Carol")
    expect(revisions.locator("li[data-number='1']")).to_contain_text("Revision 1 by Ann")
    saved = api(carol.context, "GET", draft_path(talks, talks.us))["revisions"]
    assert saved[-1]["text"] == "Ann's line.\n\nCarol's line."


def test_the_other_side_cannot_see_the_draft(talks: Talks) -> None:
    save(talks.ann, "Only for our side: *draft*.")
    expect(talks.ann.get_by_text("Saved as revision 1.")).to_be_visible()

    refused = talks.boris.context.request.get(f"/api{draft_path(talks, talks.us)}")
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "not-your-side"

    boris = talks.boris
    boris.reload()
    expect(boris.get_by_role("heading", name="Your side’s draft: Russian Federation")).to_be_visible()
    expect(boris.get_by_test_id("revisions")).to_contain_text("None yet")
    expect(boris.get_by_test_id("published").locator("[data-side]")).to_have_count(2)
    assert "Only for our side" not in boris.content()
    expect(boris.get_by_text("United States has not published its readout yet.")).to_be_visible()


def test_both_sides_publish_and_read_them_side_by_side(talks: Talks, live_server: LiveServer) -> None:
    ann, boris, carol = talks.ann, talks.boris, talks.carol
    save(ann, "We talked *frankly*. <script>document.title = 'owned'</script>")
    ann.get_by_role("button", name="Publish revision 1").click()
    expect(ann.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()

    save(boris, "The talks were **useful**.")
    boris.get_by_role("button", name="Publish revision 1").click()
    expect(boris.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()

    # Carol, a member but not the lead, reads both and is offered no Publish.
    carol.reload()
    published = carol.get_by_test_id("published")
    us = published.locator(f"[data-side='{talks.us}']")
    ru = published.locator(f"[data-side='{talks.ru}']")
    expect(us.get_by_role("heading", name="United States")).to_be_visible()
    expect(ru.get_by_role("heading", name="Russian Federation")).to_be_visible()
    expect(us.locator("em")).to_have_text("frankly")
    expect(us).to_contain_text("<script>")  # shown as the text it is, never run
    expect(ru.locator("strong")).to_have_text("useful")
    expect(carol.get_by_role("button", name=re.compile("^Publish"))).to_have_count(0)
    expect(carol.get_by_text("Ann, your side’s lead, publishes the readout.")).to_be_visible()
    assert carol.title() != "owned"

    # Columns on desktop, one under the other at phone width.
    a, b = us.bounding_box(), ru.bounding_box()
    assert a and b and abs(a["y"] - b["y"]) < 1 and b["x"] > a["x"] + a["width"]
    shoot(carol, "published-1280")
    carol.set_viewport_size({"width": 375, "height": 800})
    a, b = us.bounding_box(), ru.bounding_box()
    assert a and b and abs(a["x"] - b["x"]) < 1 and b["y"] >= a["y"] + a["height"]
    assert carol.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(carol, "published-375")

    # A correction: a newer revision, published in its place. (Showing the earlier one
    # beside it needs ReadoutOut.history, contract A2: test_corrections_show_their_history.)
    save(ann, "We talked frankly and at length.")
    ann.get_by_role("button", name="Publish revision 2 as a correction").click()
    expect(ann.get_by_role("status").filter(has_text="as a correction")).to_be_visible()
    carol.reload()
    expect(us).to_contain_text("at length")
    expect(us).to_contain_text("Revision 2 by Ann")


def test_the_lead_publishes_only_saved_text(talks: Talks) -> None:
    ann = talks.ann
    save(ann, "First.")
    publish = ann.get_by_role("button", name="Publish revision 1")
    expect(publish).to_be_enabled()
    ann.get_by_label("Draft readout (Markdown)").fill("First, and more.")
    expect(publish).to_be_disabled()
    expect(ann.get_by_text("You have unsaved changes")).to_be_visible()
    # The keyboard saves too.
    ann.get_by_label("Draft readout (Markdown)").press("Control+s")
    expect(ann.get_by_role("status").filter(has_text="Saved as revision 2.")).to_be_visible()
    expect(ann.get_by_role("button", name="Publish revision 2")).to_be_enabled()
    shoot(ann, "draft-1280")
    ann.set_viewport_size({"width": 375, "height": 800})
    assert ann.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(ann, "draft-375")


def draft_path(talks: Talks, side: str) -> str:
    return f"/dialogues/{talks.dialogue}/meetings/{talks.meeting}/readouts/{side}/draft"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
