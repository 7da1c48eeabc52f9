"""Chromium in a `--workers 2 --spread-at 0` server: three pages in one room spread
over both SFU worker processes (their simulcast relayed between the workers' parts)
decode each other, and again after the room's first worker is killed (`sfu-reset`)."""

from __future__ import annotations

import os
import signal

import pytest

from frankly.cluster.workers import SpreadRouter
from frankly.server.config import ServerConfig
from tests.browser.meeting import NewPage, group, wait_all_media
from tests.conftest import LiveServer
from tests.waiting import wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(workers=2, spread_at=0.0)


def proxy(live_server: LiveServer, room: str) -> SpreadRouter:
    router = live_server.call(lambda: live_server.hub.routers[room])
    assert isinstance(router, SpreadRouter)
    return router


def test_three_pages_on_two_workers_decode_each_other_and_again_after_one_dies(
    live_server: LiveServer, new_page: NewPage
) -> None:
    pages, ids = group(new_page, "workers", "ABC")
    wait_all_media(pages, ids)
    first = proxy(live_server, "workers")
    where = live_server.call(lambda: {pid: slot.index for pid, slot in first.where.items()})
    assert sorted(where.values()) == [0, 0, 1] or sorted(where.values()) == [0, 1, 1], where
    wait_until(lambda: first.relayed > 0, 10, "the workers report what they relayed")
    for page in pages:  # marks the connections of the first worker
        page.evaluate("() => { window.frankly.session.sfu.firstWorker = true; }")
    process = first.slot.process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    wait_until(lambda: proxy(live_server, "workers") is not first, 10, "the room is moved")
    for page in pages:
        page.wait_for_function(
            "() => window.frankly.session.sfu && !window.frankly.session.sfu.firstWorker"
        )
    wait_all_media(pages, ids)  # counted on the new connections
    assert proxy(live_server, "workers").worker != first.worker
