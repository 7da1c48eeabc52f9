"""A dialogue meeting's kept transcript in the browser: in the meeting's room, the notice
says where it goes; on the dialogue's pages, "Transcript (text · WebVTT)" under the
meeting once it holds a line, and the files those links give.

The lines go into the store as the signaling plane hands them over (the
captioner's path is tests/server/test_dialogue_transcripts.py's and
tests/captioner/test_dialogue_transcript.py's); the browser holds Ann's own
member cookie, as if she had joined there.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from frankly.api import transcripts
from frankly.api.routes import Store
from frankly.rooms import KeptLine
from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage
from tests.browser.test_dialogue_room import enter, talks
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)  # a server that keeps dialogues


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with httpx.Client(base_url=live_server.url) as ann, httpx.Client(base_url=live_server.url) as b:
        yield ann, b


def as_member(page: Page, client: httpx.Client, url: str) -> None:
    """The browser holds the member's cookie that `client` got when they joined."""
    for name, value in client.cookies.items():
        page.context.add_cookies([{"name": name, "value": value, "url": f"{url}/api/"}])


def downloaded(page: Page, link: str) -> str:
    with page.expect_download() as download:
        page.get_by_test_id(link).first.click()
    path = download.value.path()
    return Path(path).read_text(encoding="utf-8")


def test_the_pages_link_a_kept_transcript_as_text_and_webvtt(
    live_server: LiveServer, api: tuple[httpx.Client, httpx.Client], new_page: NewPage
) -> None:
    ann, _, dialogue, meeting = talks(api)
    page = new_page()
    as_member(page, ann, live_server.url)
    page.goto(f"/dialogues/{dialogue['id']}")
    expect(page.get_by_test_id("history-item")).to_have_count(1)
    expect(page.get_by_test_id("transcript")).to_have_count(0)  # none kept yet

    store: Store = live_server.app.state.store
    assert store.service is not None
    kept = KeptLine(
        room=meeting["room"],
        captioner="p-captioner",
        speaker="p-ann",
        segment=0,
        name="Ann",
        side="United States",
        language="en",
        start=time.time(),
        end=time.time() + 2,
        text="We begin with the agenda.",
        english="We begin with the agenda.",
    )
    assert transcripts.append(store.service, kept) is None
    page.reload()
    links = page.get_by_test_id("transcript")
    expect(links).to_have_text("Transcript (text · WebVTT)")
    text = downloaded(page, "transcript-txt")
    assert text.startswith("Strategic stability\nTranscript from ")
    assert "[00:00:00] Ann (United States): We begin with the agenda.\n" in text
    vtt = downloaded(page, "transcript-vtt")
    assert vtt.startswith("WEBVTT\n\n") and "<v Ann (United States)>We begin" in vtt

    page.get_by_role("link", name="Strategic stability").first.click()  # the meeting's page
    expect(page.get_by_test_id("meeting-date-card").get_by_test_id("transcript")).to_have_text(
        "Transcript (text · WebVTT)"
    )


def test_in_the_meetings_room_everyone_is_told_the_transcript_goes_with_the_meeting(
    live_server: LiveServer, api: tuple[httpx.Client, httpx.Client], new_page: NewPage
) -> None:
    async def launch(url: str, room: str, env: dict[str, str]) -> asyncio.subprocess.Process:
        # A stand-in that never joins: the state stays "starting", and says it all already.
        return await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(60)"
        )

    def install() -> None:
        live_server.hub.captions_missing = lambda: None
        live_server.hub.captions._launch = launch

    live_server.call(install)
    ann, boris, dialogue, meeting = talks(api)
    ann_page, boris_page = new_page(), new_page()
    enter(ann_page, ann, dialogue["id"], meeting)
    enter(boris_page, boris, dialogue["id"], meeting)
    keep = ann_page.get_by_label("Keep a transcript")
    expect(keep).to_have_accessible_name(
        "Keep a transcript (everyone is told; it is kept with this meeting for the dialogue\u2019s"
        " members, and each browser keeps the lines)"
    )
    keep.set_checked(True)
    ann_page.get_by_role("button", name="Turn captions on").click()
    for page in (ann_page, boris_page):
        expect(page.get_by_test_id("captions-notice")).to_have_text(
            "Captions by this server: the server hears the meeting while captions are on."
            " A transcript is kept with this meeting for the dialogue\u2019s members, in words"
            " the server can read; everyone\u2019s browser may save what it shows."
        )
