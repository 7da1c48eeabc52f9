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
from tests.cluster.nodes import RedisServer, cluster_of, holder, redis_server, registry
from tests.cluster.test_span_nodes import IDLE, sfu_video
from tests.waiting import wait_until

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


def test_a_page_in_a_room_spanning_two_nodes_sends_to_the_lender_and_everyone_decodes(
    browser: Browser, tmp_path: Path, redis_server: RedisServer, sdk: SdkLoop
) -> None:
    """docs/scaling.md, *A room on several nodes*: node A borrows B's worker for the page,
    whose signaling stays on A while its media goes to B; the SDK's is on A's worker."""
    secret = tmp_path / "cluster.secret"
    secret.write_text("a cluster secret of the browser test, 44 chars\n")
    spanning = ["--workers", "1", "--spread-at", "0", "--cluster-secret-file", str(secret)]
    with cluster_of(tmp_path, redis_server.url, 2, *spanning) as (a, b):
        r = redis_server.client()  # at rest, A's worker and B tie: participants alternate
        wait_until(lambda: float(registry(r)[b.url]["cpu"]) < IDLE, 60, "node B at rest")
        with ada_and_page(browser, sdk, a.url, a.url) as (ada, page):
            join(page, ROOM, "Bob", patience=20_000)
            cyd = sdk.run(
                fc.join(
                    f"{a.url}/{ROOM}", name="Cyd", audio=fc.ToneTrack(), video=fc.PatternTrack()
                )
            )
            try:
                wait_media(page, ada.id, audio_over=0)
                wait_media(page, cyd.id, audio_over=0)
                for client in (ada, cyd):  # the SFU's tracks: Ada's of peer to peer end
                    wait_until(lambda c=client: len(sfu_video(c)) == 2, 30, "two SFU videos")
                    for track in sfu_video(client):
                        sdk.run(frame_where(track))
                # The page's media goes to B's worker (its port is B's HTTP port's number).
                assert page.evaluate(SFU_REMOTE_PORT) == b.port
                assert "linked to borrow workers here" in b.log.read_text()
            finally:
                sdk.run(cyd.leave())


# The remote port of the page's SFU publish connection's selected candidate pair.
SFU_REMOTE_PORT = """async () => {
  const pc = window.frankly.pcs()['sfu:publish'];
  const stats = [...(await pc.getStats()).values()];
  const pair = stats.find(
    (s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded',
  );
  return stats.find((s) => s.id === pair.remoteCandidateId).port;
}"""
