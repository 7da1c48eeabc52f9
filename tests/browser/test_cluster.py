"""A page that joins through the node that does not hold the room (docs/scaling.md).

A real redis-server and two `frankly serve` nodes; an SDK participant opens the
room through node A, then a Chromium page loaded from node B joins it: B
redirects its hello to A (a socket to another origin, which B's page may open and
A accepts because both are live nodes of the cluster), and the page and the SDK
decode each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import frankly.client as fc
from tests.api.served import Served
from tests.browser.meeting import join, wait_media
from tests.browser.test_sdk_call import SdkLoop
from tests.client.helpers import frame_where, track_from
from tests.cluster.nodes import RedisServer, holder, redis_server, sees, start_nodes
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
__all__ = ["redis_server"]  # the fixture, by name

ROOM = "across"


@pytest.fixture
def two(tmp_path: Path, redis_server: RedisServer) -> Iterator[list[Served]]:
    nodes = start_nodes(tmp_path, redis_server.url, 2)
    try:
        wait_until(lambda: all(sees(node, 2) for node in nodes), 10, "each node sees both")
        yield nodes
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture
def sdk() -> Iterator[SdkLoop]:
    loop = SdkLoop()
    yield loop
    loop.close()


def test_a_page_joining_through_the_other_node_is_redirected_and_joins_the_meeting(
    browser: Browser, two: list[Served], redis_server: RedisServer, sdk: SdkLoop
) -> None:
    a, b = two
    errors: list[str] = []
    ada = sdk.run(
        fc.join(f"{a.url}/{ROOM}", name="Ada", audio=fc.ToneTrack(), video=fc.PatternTrack())
    )
    context = browser.new_context(base_url=b.url, viewport={"width": 960, "height": 640})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        me = join(page, ROOM, "Bob", patience=20_000)
        assert page.evaluate("() => window.frankly.session.client.route.url") == (
            a.url.replace("http://", "ws://") + "/ws"
        )
        assert holder(redis_server.client(), ROOM) == a.url
        assert set(ada.participants) == {me}
        wait_media(page, ada.id, audio_over=0)
        sdk.run(frame_where(sdk.run(track_from(ada, me, "video", within=30))))
    finally:
        sdk.run(ada.leave())
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
