"""Pages in a cluster of two nodes (docs/scaling.md, "Nodes through Redis").

A real redis-server and two `frankly serve` nodes. An SDK participant opens the
room through node A, then a Chromium page loaded from node B joins it: B
redirects its hello to A (a socket to another origin, which B's page may open and
A accepts because both are live nodes of the cluster), and the page and the SDK
decode each other. Then a page loaded from the room's node sees that node die
(kill -9) and comes back by itself on the other, from the welcome's node list.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import frankly.client as fc
from tests.api.served import Served
from tests.browser.meeting import join, self_id, wait_media
from tests.browser.test_sdk_call import SdkLoop
from tests.client.helpers import frame_where, track_from
from tests.cluster.nodes import RedisServer, cluster_of, holder, redis_server

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
__all__ = ["redis_server"]  # the fixture, by name

ROOM = "across"


@pytest.fixture
def two(tmp_path: Path, redis_server: RedisServer) -> Iterator[list[Served]]:
    with cluster_of(tmp_path, redis_server.url, 2) as nodes:
        yield nodes


@pytest.fixture
def sdk() -> Iterator[SdkLoop]:
    loop = SdkLoop()
    yield loop
    loop.close()


@contextlib.contextmanager
def ada_and_page(
    browser: Browser, sdk: SdkLoop, ada_at: str, page_from: str
) -> Iterator[tuple[fc.Client, Page]]:
    """Ada (the SDK) in the room through node `ada_at`, and a page loaded from `page_from`
    that has not joined yet; no JavaScript error in the page by the end."""
    errors: list[str] = []
    ada = sdk.run(
        fc.join(f"{ada_at}/{ROOM}", name="Ada", audio=fc.ToneTrack(), video=fc.PatternTrack())
    )
    context = browser.new_context(base_url=page_from, viewport={"width": 960, "height": 640})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield ada, page
    finally:
        sdk.run(ada.leave())
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def test_a_page_joining_through_the_other_node_is_redirected_and_joins_the_meeting(
    browser: Browser, two: list[Served], redis_server: RedisServer, sdk: SdkLoop
) -> None:
    a, b = two
    with ada_and_page(browser, sdk, a.url, b.url) as (ada, page):
        me = join(page, ROOM, "Bob", patience=20_000)
        assert page.evaluate("() => window.frankly.session.client.route.url") == (
            a.url.replace("http://", "ws://") + "/ws"
        )
        assert holder(redis_server.client(), ROOM) == a.url
        assert set(ada.participants) == {me}
        wait_media(page, ada.id, audio_over=0)
        sdk.run(frame_where(sdk.run(track_from(ada, me, "video", within=30))))


# From the kill -9 to the page decoding the SDK's video on the other node: the
# dead node's entry lapses (3 s), the page's backoff (0.5, 1, 2, 4 s) between the
# nodes, a join, ICE, DTLS and a keyframe, on a loaded two-core machine.
PAGE_BACK_WITHIN = 30.0


def test_a_page_whose_node_dies_is_back_on_the_other_node_by_itself(
    browser: Browser, two: list[Served], redis_server: RedisServer, sdk: SdkLoop
) -> None:
    a, b = two
    with ada_and_page(browser, sdk, a.url, a.url) as (ada, page):
        me = join(page, ROOM, "Bob", patience=20_000)
        wait_media(page, ada.id, audio_over=0)
        back = asyncio.run_coroutine_threadsafe(
            ada.wait_for(fc.Reconnected, timeout=PAGE_BACK_WITHIN), sdk.loop
        )
        killed_at = time.monotonic()
        a.kill()
        ada_back = back.result(PAGE_BACK_WITHIN)
        assert ada_back.me.role == "host"  # the meeting's host, still
        tile = page.locator('[data-testid="tile"][data-self]')
        expect(tile).not_to_have_attribute(
            "data-participant-id", me, timeout=int(PAGE_BACK_WITHIN * 1000)
        )
        expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
        wait_media(page, ada.id, audio_over=0)
        took = time.monotonic() - killed_at
        print(f"the page decodes the SDK on the other node {took:.1f} s after kill -9")
        assert took < PAGE_BACK_WITHIN
        assert page.evaluate("() => window.frankly.session.client.route.url") == (
            b.url.replace("http://", "ws://") + "/ws"
        )
        assert page.evaluate("() => window.frankly.session.you.role") == "participant"
        sdk.run(frame_where(sdk.run(track_from(ada, self_id(page), "video", within=30))))
