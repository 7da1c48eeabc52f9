"""What a meeting's tiles say about each person's media, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.meeting import NewPage, group, join, tile, wait_all_media

pytestmark = pytest.mark.browser


def test_every_tile_leaves_connecting_once_media_flows_on_the_sfu(new_page: NewPage) -> None:
    # The third and fourth joiners are the ones whose tiles used to stay
    # "Connecting…" on the others' screens while their video played.
    pages, ids = group(new_page, "tiles4", "ABCD")
    wait_all_media(pages, ids)
    for page, me in zip(pages, ids, strict=True):
        for other in ids:
            if other == me:
                continue
            t = tile(page, other)
            expect(t).to_have_attribute("data-media", "flowing", timeout=5_000)
            expect(t.get_by_test_id("tile-status")).to_be_hidden(timeout=5_000)


def test_the_camera_opens_at_1280_by_720_where_it_can(new_page: NewPage) -> None:
    # Chrome's default is 640x480, of which simulcast sends only 160x120 and 320x240.
    page = new_page()
    join(page, "camsize", "A")
    size = page.evaluate(
        """() => {
            const s = window.frankly.session.localStream.getVideoTracks()[0].getSettings();
            return [s.width, s.height];
        }"""
    )
    assert size == [1280, 720]
