"""A dialogue meeting's readouts, points, representatives and public page in
Chromium, against the real server and API, on the real pages: the meeting's
own (/dialogues/{d}/meetings/{m}, dialogue.html) and the public readout at
its address (/readouts/{id}). Each person is a browser context with their own
member cookie; the setting up is done by the API calls a browser makes
(tests/browser/test_talks.py clicks through it all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage
from tests.browser.test_languages import english_left
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/frankly-readouts-shots")


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    # A small human check, so that the public comment form's solves fast.
    return ServerConfig(data_dir=tmp_path, human_check=True, human_check_maxnumber=5_000)


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


def open_meeting(page: Page, talks: Talks) -> None:
    """The meeting's own page, as a member opens it from the dialogue's."""
    page.goto(f"/dialogues/{talks.dialogue}/meetings/{talks.meeting}")
    expect(page.get_by_role("heading", name="Readouts")).to_be_visible()


@pytest.fixture
def talks(new_page: NewPage) -> Talks:
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
        open_meeting(page, talks)
    return talks


def save(page: Page, text: str) -> None:
    page.get_by_label("Draft readout (Markdown)").fill(text)
    page.get_by_role("button", name=re.compile(r"^Save (draft|merged text)$")).click()


def saved(page: Page, text: str, revision: int) -> None:
    """Save, and wait until the page says it is saved, as its author would.

    The context's 10 s is enough: under two CPU spinners and a synced disk writer a
    save's PUT took at most 0.33 s and its reload 0.6 s. A confirmation missing for
    30 s was the page losing it (test_a_save_made_as_the_page_re_renders_is_confirmed).
    """
    save(page, text)
    expect(
        page.get_by_role("status").filter(has_text=f"Saved as revision {revision}.")
    ).to_be_visible()


def test_a_stale_save_shows_the_newer_text_to_merge(talks: Talks) -> None:
    ann, carol = talks.ann, talks.carol
    # Both opened the empty draft; Ann saves first.
    saved(ann, "Ann's line.", 1)
    expect(ann.get_by_test_id("preview")).to_contain_text("Ann's line.")

    # Carol's save from revision 0 is refused; her text stays, Ann's is beside it.
    save(carol, "Carol's line.")
    merge = carol.get_by_test_id("merge")
    expect(merge).to_be_visible()
    expect(carol.get_by_role("alert")).to_contain_text("Ann saved revision 1")
    expect(carol.get_by_label("The newer text (revision 1)")).to_have_value("Ann's line.")
    expect(carol.get_by_label("Draft readout (Markdown)")).to_have_value("Carol's line.")
    expect(carol.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    shoot(carol, "merge-1280")
    carol.set_viewport_size({"width": 375, "height": 800})
    assert carol.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(carol, "merge-375")
    assert len(api(carol.context, "GET", draft_path(talks, talks.us))["revisions"]) == 1

    # She merges and saves again: nothing is lost, and both revisions are listed.
    saved(carol, "Ann's line.\n\nCarol's line.", 2)
    expect(carol.get_by_test_id("merge")).to_be_hidden()
    revisions = carol.get_by_test_id("revisions")
    expect(revisions.locator("li")).to_have_count(2)
    expect(revisions.locator("li[data-number='2']")).to_contain_text("Revision 2 by Carol")
    expect(revisions.locator("li[data-number='1']")).to_contain_text("Revision 1 by Ann")
    stored = api(carol.context, "GET", draft_path(talks, talks.us))["revisions"]
    assert stored[-1]["text"] == "Ann's line.\n\nCarol's line."

    # Ann, still on revision 1, may also drop her change for the newer text.
    save(ann, "Ann's line, changed.")
    expect(ann.get_by_role("alert")).to_contain_text("Carol saved revision 2")
    ann.get_by_role("button", name="Use the newer text instead of mine").click()
    expect(ann.get_by_test_id("merge")).to_be_hidden()
    expect(ann.get_by_label("Draft readout (Markdown)")).to_have_value(
        "Ann's line.\n\nCarol's line."
    )
    expect(ann.get_by_label("Draft readout (Markdown)")).to_be_focused()


@pytest.mark.parametrize("lands", ["after the save", "while it is saving"])
def test_a_save_made_as_the_page_re_renders_is_confirmed(talks: Talks, lands: str) -> None:
    """The lead publishes and saves again at once, before the page has re-rendered for the
    publishing (its reading of the dialogue is held here, as a loaded server holds it): the
    page she is left with says the save is saved, or still saving, and knows the text is."""
    ann = talks.ann
    saved(ann, "First account.", 1)
    dialogue = f"/api/dialogues/{talks.dialogue}"
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    ann.route(lambda url: urlparse(url).path == dialogue, hold)
    with ann.expect_request(lambda r: urlparse(r.url).path == dialogue):
        ann.get_by_role("button", name="Publish revision 1").click()
    expect(ann.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()

    def is_save(request: Request) -> bool:
        return request.method == "PUT" and request.url.endswith("/draft")

    puts: list[Route] = []

    def hold_saves(route: Route) -> None:
        if is_save(route.request):
            puts.append(route)
        else:
            route.continue_()

    ann.route("**/draft", hold_saves)
    editor = ann.get_by_label("Draft readout (Markdown)")
    with ann.expect_request(is_save):
        save(ann, "Corrected account.")
    if lands == "after the save":
        puts.pop().continue_()
        expect(ann.get_by_role("status").filter(has_text="Saved as revision 2.")).to_be_visible()
    # The re-render lands: the editor is made again (marked here to see it go).
    editor.evaluate("e => { e.dataset.before = 'yes'; }")
    held.pop().continue_()
    expect(ann.locator("textarea[data-before]")).to_have_count(0)
    if lands == "while it is saving":
        expect(ann.get_by_role("status").filter(has_text="Saving…")).to_be_visible()
        expect(ann.get_by_role("button", name="Save draft")).to_be_disabled()
        puts.pop().continue_()

    status = ann.get_by_role("status").filter(has_text="Saved as revision 2.")
    expect(status).to_be_visible()
    expect(ann.get_by_test_id("preview")).to_contain_text("Corrected account.")
    expect(editor).to_have_value("Corrected account.")
    expect(ann.get_by_role("button", name="Publish revision 2 as a correction")).to_be_enabled()
    expect(ann.get_by_text("You have unsaved changes")).to_have_count(0)


def test_the_other_side_cannot_see_the_draft(talks: Talks) -> None:
    save(talks.ann, "Only for our side: *draft*.")
    expect(talks.ann.get_by_text("Saved as revision 1.")).to_be_visible()

    refused = talks.boris.context.request.get(f"/api{draft_path(talks, talks.us)}")
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "not-your-side"

    boris = talks.boris
    boris.reload()
    expect(
        boris.get_by_role("heading", name="Your side\u2019s draft: Russian Federation")
    ).to_be_visible()
    expect(boris.get_by_test_id("revisions")).to_contain_text("None yet")
    expect(boris.get_by_test_id("published").locator("[data-side]")).to_have_count(2)
    assert "Only for our side" not in boris.content()
    expect(boris.get_by_text("United States has not published its readout yet.")).to_be_visible()


def test_both_sides_publish_and_read_them_side_by_side(
    talks: Talks, live_server: LiveServer
) -> None:
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
    expect(carol.get_by_text("Ann, your side\u2019s lead, publishes the readout.")).to_be_visible()
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
    saved(ann, "We talked frankly and at length.", 2)
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
    status = ann.get_by_role("status").filter(has_text="Saved as revision 2.")
    expect(status).to_be_visible()
    expect(ann.get_by_role("button", name="Publish revision 2")).to_be_enabled()
    shoot(ann, "draft-1280")
    ann.set_viewport_size({"width": 375, "height": 800})
    assert ann.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(ann, "draft-375")


def test_restore_refusals_and_a_re_render_keep_the_member_s_text(talks: Talks) -> None:
    ann = talks.ann
    # A time Ann proposed earlier, whose withdrawal re-renders her page below.
    at = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:00:00Z")
    api(
        ann.context,
        "POST",
        f"/dialogues/{talks.dialogue}/meetings/{talks.meeting}/proposals",
        {"at": at},
    )
    open_meeting(ann, talks)
    save(ann, "First words.")
    expect(ann.get_by_text("Saved as revision 1.")).to_be_visible()
    save(ann, "Second words.")
    expect(ann.get_by_text("Saved as revision 2.")).to_be_visible()
    expect(ann.get_by_label("Draft readout (Markdown)")).to_be_focused()

    # An older revision is published by restoring it as the newest.
    revisions = ann.get_by_test_id("revisions")
    revisions.locator("li[data-number='1'] summary").click()
    ann.get_by_role("button", name="Restore revision 1").click()
    expect(ann.get_by_text("Revision 1 restored as revision 3.")).to_be_visible()
    expect(ann.get_by_label("Draft readout (Markdown)")).to_have_value("First words.")
    expect(ann.get_by_role("button", name="Publish revision 3")).to_be_enabled()

    # The server's refusal, in its own words; the text stays.
    too_long = "x" * 100_001
    save(ann, too_long)
    expect(ann.get_by_role("status").filter(has_text="Not saved:")).to_contain_text("a readout")
    expect(ann.get_by_label("Draft readout (Markdown)")).to_have_value(too_long)

    # The page re-renders while she types (another change: the answer to an earlier
    # action landing; here her proposal withdrawn by a click that leaves the focus where
    # it is): unsaved text, the caret and the focus stay where the member left them.
    editor = ann.get_by_label("Draft readout (Markdown)")
    editor.fill("Typed, not saved yet")
    editor.press("ArrowLeft")
    ann.get_by_role("button", name=re.compile("^Withdraw")).evaluate("button => button.click()")
    expect(ann.get_by_test_id("proposals")).to_contain_text("No open proposal.")
    expect(ann.get_by_label("Draft readout (Markdown)")).to_have_value("Typed, not saved yet")
    expect(ann.get_by_label("Draft readout (Markdown)")).to_be_focused()
    caret = "e => [e.selectionStart, e.selectionEnd]"
    assert ann.get_by_label("Draft readout (Markdown)").evaluate(caret) == [19, 19]
    expect(ann.get_by_role("button", name="Publish revision 3")).to_be_disabled()


def draft_path(talks: Talks, side: str) -> str:
    return f"/dialogues/{talks.dialogue}/meetings/{talks.meeting}/readouts/{side}/draft"


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_points_show_which_side_confirmed_what(talks: Talks) -> None:
    ann, carol, boris = talks.ann, talks.carol, talks.boris
    carol.get_by_label("Propose a point for all sides to confirm").fill("Next meeting very soon")
    carol.get_by_role("button", name="Propose this point").click()
    point = carol.get_by_test_id("points").locator("li.rd-point")
    expect(point).to_contain_text("Next meeting very soon")
    expect(point).to_contain_text("Not yet agreed")
    expect(point).to_contain_text("Drafted by United States (Carol)")
    expect(point).to_contain_text("United States: waiting for its lead to confirm")
    expect(point).to_contain_text("Russian Federation: waiting for its lead to confirm")
    expect(point.get_by_role("button")).to_have_count(0)  # Carol is no lead

    ann.reload()
    ann.get_by_role("button", name=re.compile("^Confirm for my side: ")).click()
    expect(ann.get_by_text("Confirmed for your side.")).to_be_visible()
    mine = ann.get_by_test_id("points").locator("li.rd-point")
    expect(mine).to_contain_text("United States: confirmed by Ann")
    expect(mine.get_by_role("button")).to_have_count(0)

    boris.reload()
    boris.get_by_role("button", name=re.compile("^Confirm for my side: ")).click()
    expect(boris.get_by_text("every side has now agreed this point")).to_be_visible()
    agreed = boris.get_by_test_id("points").locator("li.rd-point[data-agreed='true']")
    expect(agreed).to_contain_text("Agreed")
    expect(agreed).to_contain_text("Russian Federation: confirmed by Boris")
    expect(boris.get_by_text("1 of 1 agreed.")).to_be_visible()
    boris.set_viewport_size({"width": 375, "height": 800})
    assert boris.evaluate("document.documentElement.scrollWidth") <= 375
    boris.get_by_test_id("points").screenshot(path=str(SHOTS / "points-375.png"))


def test_a_follow_up_with_appointed_representatives(talks: Talks, live_server: LiveServer) -> None:
    ann, carol, boris = talks.ann, talks.carol, talks.boris
    expect(carol.get_by_text("Create a follow-up")).to_have_count(0)  # no lead, no convener

    ann.get_by_text("Create a follow-up").click()
    ann.get_by_label("Topic").fill("Strategic stability in Europe")
    form = ann.get_by_test_id("follow-up-form")
    form.get_by_label("Date").select_option("by")
    ann.get_by_label("By").fill("2027-04-01")
    ann.get_by_role("button", name="Create the follow-up").click()
    expect(ann.get_by_text("Follow-up “Strategic stability in Europe” created.")).to_be_visible()
    link = ann.get_by_test_id("follow-ups").get_by_role(
        "link", name="Strategic stability in Europe"
    )
    expect(link).to_be_visible()
    expect(ann.get_by_test_id("follow-ups")).to_contain_text("Date to be agreed, by 2027-04-01")
    follow_up = link.get_attribute("href")
    assert follow_up
    talks.meeting = follow_up.rsplit("/", 1)[1]
    for page in (ann, boris):
        open_meeting(page, talks)

    reps = ann.get_by_test_id("representatives")
    expect(reps.get_by_role("heading", name="Representatives")).to_be_visible()
    ann.get_by_label("Appoint a representative of your side").select_option(label="Carol")
    ann.get_by_label("On the topic").fill("Strategic stability in Europe")
    ann.get_by_role("button", name="Appoint", exact=True).click()
    expect(ann.get_by_text("Carol is appointed.")).to_be_visible()
    us = reps.locator(f"[data-side='{talks.us}']")
    expect(us).to_contain_text("Carol on Strategic stability in Europe")
    expect(us.get_by_role("button", name="Unappoint Carol")).to_be_visible()
    expect(reps.get_by_test_id("attendees")).to_have_text("May attend: Ann, Boris, Carol.")
    # Boris's own side's form offers only his side's members; Carol has no Unappoint there.
    boris.reload()
    theirs = boris.get_by_test_id("representatives").locator(f"[data-side='{talks.us}']")
    expect(theirs).to_contain_text("Carol")
    expect(theirs.get_by_role("button")).to_have_count(0)
    options = boris.get_by_label("Appoint a representative of your side").locator("option")
    expect(options).to_have_text(["Boris (you)"])

    us.get_by_role("button", name="Unappoint Carol").click()
    expect(ann.get_by_text("Carol is no longer a representative.")).to_be_visible()
    expect(reps.locator(f"[data-side='{talks.us}']")).to_contain_text("None appointed.")
    shoot(ann, "representatives-1280")


def test_a_public_readout_takes_comments_held_for_the_lead(
    talks: Talks, new_page: NewPage, live_server: LiveServer
) -> None:
    ann = talks.ann
    save(ann, "First account.")
    ann.get_by_role("button", name="Publish revision 1").click()
    expect(ann.get_by_text("Published revision 1.")).to_be_visible()
    saved(ann, "Corrected account.", 2)
    ann.get_by_role("button", name="Publish revision 2 as a correction").click()
    expect(ann.get_by_role("status").filter(has_text="as a correction")).to_be_visible()
    us = ann.get_by_test_id("published").locator(f"[data-side='{talks.us}']")
    expect(us.locator(".rd-badge").first).to_have_text("Corrected")
    us.get_by_text("Corrections: 1 earlier published version").click()
    expect(us.locator(".rd-history")).to_contain_text("First account.")

    us.get_by_role("button", name="Make public").click()
    expect(ann.get_by_text("Public: anyone with the link can read it")).to_be_visible()
    public_url = us.get_by_test_id("public-link").get_by_role("link").get_attribute("href")
    assert public_url and re.fullmatch(f"{live_server.url}/readouts/[^/]+", public_url)
    public_id = public_url.rsplit("/", 1)[1]
    expect(us.get_by_role("button", name="Stop public")).to_be_visible()

    reader = new_page()  # no member credential at all
    reader.goto(f"/readouts/{public_id}")
    page = reader.get_by_test_id("public-readout")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "United States: readout of “Strategic stability”"
    )
    expect(page.locator(".rd-readout")).to_contain_text("Corrected account.")
    expect(page.get_by_text("Corrections: 1 earlier published version")).to_be_visible()
    expect(reader.get_by_text("No comments yet.")).to_be_visible()
    shoot(reader, "public-1280")

    reader.get_by_label("Your name (optional)").fill("Dana")
    reader.get_by_label("Comment", exact=True).fill(
        "Thanks. <img src=x onerror=\"document.title='owned'\">"
    )
    reader.get_by_role("button", name="Send comment").click()
    expect(
        reader.get_by_role("status").filter(has_text="held until United States\u2019s lead")
    ).to_be_visible()
    expect(reader.get_by_label("Comment", exact=True)).to_have_value("")
    mine = reader.get_by_test_id("held").locator("li")
    expect(mine).to_contain_text("Held for approval Dana")
    expect(mine).to_contain_text("<img src=x")
    expect(reader.get_by_test_id("comments")).to_contain_text("No comments yet.")

    ann.reload()
    moderation = ann.get_by_test_id("moderation")
    expect(moderation.get_by_role("heading")).to_have_text(
        "Comments from readers (1 waiting for approval)"
    )
    held = moderation.locator("li.rd-comment")
    expect(held).to_contain_text("Dana")
    expect(held).to_contain_text("Held")
    held.get_by_role("button", name="Approve the comment by Dana").click()
    expect(moderation.get_by_text("Approved: it shows on the public page.")).to_be_visible()
    expect(held).to_contain_text("Approved")
    expect(moderation.get_by_role("heading")).to_have_text("Comments from readers")

    reader.reload()
    shown = reader.get_by_test_id("comments").locator("li.rd-comment")
    expect(shown).to_contain_text("Dana")
    expect(shown).to_contain_text("<img src=x")  # the text it is, never an element
    expect(shown.locator("img")).to_have_count(0)
    assert reader.title() != "owned"
    reader.set_viewport_size({"width": 375, "height": 800})
    assert reader.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(reader, "public-375")

    # A second comment, which the lead rejects: it is gone.
    reader.get_by_label("Comment", exact=True).fill("Buy cheap watches")
    reader.get_by_role("button", name="Send comment").click()
    expect(reader.get_by_test_id("held").locator("li")).to_contain_text("Buy cheap watches")
    ann.reload()
    spam = moderation.locator("li.rd-comment").filter(has_text="Buy cheap watches")
    spam.get_by_role("button", name="Reject the comment by Anonymous").click()
    expect(moderation.get_by_text("Rejected: the comment is deleted.")).to_be_visible()
    expect(spam).to_have_count(0)
    expect(moderation.locator("li.rd-comment")).to_have_count(1)

    us.get_by_role("button", name="Stop public").click()
    expect(ann.get_by_text("No longer public")).to_be_visible()
    reader.reload()
    expect(reader.get_by_role("heading", name="No readout here")).to_be_visible()


def test_on_the_meeting_page_itself(talks: Talks, new_page: NewPage) -> None:
    """Both sides publish and a member of a third context reads both; the public
    readout opens at its own address, /readouts/{id}, from the link on the page."""
    ann, boris, carol = talks.ann, talks.boris, talks.carol
    meeting = f"/dialogues/{talks.dialogue}/meetings/{talks.meeting}"
    for page in (ann, boris, carol):
        page.goto(meeting)
        expect(page.get_by_role("heading", name="Readouts")).to_be_visible()
    save(ann, "We talked *frankly*.")
    ann.get_by_role("button", name="Publish revision 1").click()
    expect(ann.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()
    saved(boris, "The talks were **useful**.", 1)
    assert "We talked" not in boris.get_by_test_id("draft").inner_text()
    boris.get_by_role("button", name="Publish revision 1").click()
    expect(boris.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()

    carol.reload()
    published = carol.get_by_test_id("published")
    expect(published.locator(f"[data-side='{talks.us}'] em")).to_have_text("frankly")
    expect(published.locator(f"[data-side='{talks.ru}'] strong")).to_have_text("useful")

    ann.reload()
    us = ann.get_by_test_id("published").locator(f"[data-side='{talks.us}']")
    us.get_by_role("button", name="Make public").click()
    link = us.get_by_test_id("public-link").get_by_role("link")
    href = link.get_attribute("href")
    assert href
    reader = new_page()
    reader.goto(href)
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "United States: readout of \u201cStrategic stability\u201d"
    )
    expect(reader.get_by_test_id("public-readout").locator("em")).to_have_text("frankly")


def speak(page: Page, code: str) -> None:
    """Choose the interface's language as the home page's switch keeps it, and reload."""
    page.evaluate("(code) => localStorage.setItem('frankly.language', code)", code)
    page.reload()


def test_the_readouts_the_sides_and_the_public_page_in_russian(
    talks: Talks, new_page: NewPage
) -> None:
    """The meeting's readouts, the dialogue's sides, links and devices, and the public page
    with its comment form and the lead's moderation, with no English catalogue value left."""
    ann = talks.ann
    save(ann, "First account.")
    ann.get_by_role("button", name="Publish revision 1").click()
    expect(ann.get_by_role("status").filter(has_text="Published revision 1.")).to_be_visible()
    saved(ann, "Corrected account.", 2)  # left unpublished: the lead's Publish shows
    us = ann.get_by_test_id("published").locator(f"[data-side='{talks.us}']")
    us.get_by_role("button", name="Make public").click()
    href = us.get_by_test_id("public-link").get_by_role("link").get_attribute("href")
    assert href

    speak(ann, "ru")
    expect(ann.get_by_role("heading", name="Итоги", exact=True)).to_be_visible()
    expect(ann.get_by_role("button", name="Опубликовать версию 2 как исправление")).to_be_visible()
    expect(ann.get_by_test_id("moderation")).to_contain_text("Комментариев пока нет.")
    assert english_left(ann, "#main") == []

    reader = new_page()
    reader.goto(href)
    speak(reader, "ru")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "United States: итоги встречи «Strategic stability»"
    )
    reader.get_by_label("Ваше имя (необязательно)").fill("Дана")
    reader.get_by_label("Комментарий", exact=True).fill("Спасибо за честность.")
    reader.get_by_role("button", name="Отправить комментарий").click()
    expect(reader.get_by_role("status").filter(has_text="Спасибо.")).to_be_visible()
    expect(reader.get_by_test_id("held")).to_contain_text("Ждёт одобрения Дана")
    assert english_left(reader, "#main") == []

    ann.reload()
    expect(ann.get_by_test_id("moderation").get_by_role("heading")).to_have_text(
        "Комментарии читателей (1 ждёт одобрения)"
    )
    expect(ann.get_by_role("button", name="Одобрить комментарий: Дана")).to_be_visible()
    assert english_left(ann, "#main") == []

    ann.goto(f"/dialogues/{talks.dialogue}")
    expect(ann.get_by_test_id("sides")).to_contain_text("Стороны")
    ann.get_by_role("button", name="Создать ссылку участника").first.click()
    expect(ann.get_by_text("Ссылка создана: скопируйте и отправьте её.")).to_be_visible()
    expect(ann.get_by_test_id("devices").locator("ul[aria-busy]")).to_have_count(0)
    expect(ann.get_by_test_id("invites").locator("ul[aria-busy]")).to_have_count(0)
    expect(ann.get_by_test_id("devices")).to_contain_text("Этот браузер")
    assert english_left(ann, "#main") == []

    # It can fail: in English, the same check finds the English words.
    speak(ann, "en")
    expect(ann.get_by_test_id("devices")).to_contain_text("This browser")
    assert any('"Your devices"' in found for found in english_left(ann, "#main"))
