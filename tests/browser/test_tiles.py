"""What a meeting's tiles say about each person's media, in Chromium."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import NewPage, group, join, tile, wait_all_media
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_four_on_the_sfu_decode_each_other_and_every_tile_says_so(
    live_server: LiveServer, new_page: NewPage
) -> None:
    # One room of four serves three claims: four pages on two cores are costly.
    pages, ids = group(new_page, "four", "ABCD")
    wait_all_media(pages, ids)
    # Everything came through the SFU: no peer-to-peer connection is left.
    for page in pages:
        pcs = page.evaluate("() => Object.keys(window.frankly.pcs()).sort()")
        assert pcs == ["sfu:publish", "sfu:subscribe"]
    assert live_server.call(lambda: live_server.hub.routers["four"].forwarded) > 0
    every_tile_leaves_connecting(pages, ids)
    each_picture_fills_its_tiles(pages, ids)


def every_tile_leaves_connecting(pages: list[Page], ids: list[str]) -> None:
    # The third and fourth joiners are the ones whose tiles used to stay
    # "Connecting…" on the others' screens while their video played.
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


# Each remote tile: the pixels it shows (CSS height times the pixel ratio) and
# the picture it gets, by participant id.
# The tile's content box, as its ResizeObserver reports it for `view`.
PICTURES = """() => Object.fromEntries(
  [...document.querySelectorAll('.tile[data-participant-id]:not([data-self]):not(.screen-tile)')]
  .map((t) => {
    const v = t.querySelector('video');
    const style = getComputedStyle(t);
    const inner = t.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const box = inner * window.devicePixelRatio;
    return [t.dataset.participantId, [Math.round(box), v.videoWidth, v.videoHeight]];
  }))"""


def pictures(page: Page) -> dict[str, list[int]]:
    got: dict[str, list[int]] = page.evaluate(PICTURES)
    return got


# Four tiles of a 1280x800 window are 254 rows high since the grid fills the
# stage: the 360-row layer fills them where the link's budget allows, which four
# senders' REMB on a shared two-core machine often does not. What must never
# happen is the bug this guards against, the 120-row layer sent into a tile that
# the 180-row one fills.
ENOUGH_ROWS = 180


def each_picture_fills_its_tiles(pages: list[Page], ids: list[str]) -> None:
    # The SFU knows each layer's real height (VP8 keyframes say it), so a tile
    # gets the smallest layer at least as high as it is: never 160x120 for a
    # tile of 167 rows. Run with -s to see what each page received.
    deadline = time.monotonic() + 20
    while True:
        seen = [pictures(page) for page in pages]
        short = [
            (me, other, got)
            for me, got_by in zip(ids, seen, strict=True)
            for other, got in got_by.items()
            if got[2] < min(got[0], ENOUGH_ROWS)
        ]
        if not short or time.monotonic() > deadline:
            break
        pages[0].wait_for_timeout(500)
    for name, got_by in zip("ABCD", seen, strict=True):
        shown = ", ".join(
            f"{'ABCD'[ids.index(o)]} {w}x{h} in {box}" for o, (box, w, h) in got_by.items()
        )
        print(f"{name} receives: {shown}")
    assert not short, f"pictures lower than their tiles (tile, width, height): {short}"
