"""The meeting's layouts in Chromium (frankly/web/ui/stage.js): a screen share takes the
stage and gives it back, pin, speaker view, hidden self view, full screen; and the heights
the SFU is asked for (`view`) follow what the layout shows. Sizes are measured from the
DOM. FRANKLY_SCREENSHOTS=DIR keeps screenshots of the grid, speaker and presenter views at
a phone's and a wide screen's size.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import (
    FAKE_SCREEN,
    NewPage,
    self_id,
    tile,
    wait_all_media,
    wait_media,
)
from tests.browser.test_viewport import check
from tests.conftest import LiveServer

# Three people's media and several layouts a test: more than the default 120 s on a loaded machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

# Layouts follow media and the speaker: allow for a loaded machine.
SLOW_MS = 30_000
# We never navigate: a click need not wait for navigations a starved page schedules late.

# Every tile that shows, by key (`self`, `screen:<owner>` or the participant's id): its
# box on screen and its part of the layout.
BOXES = """() => Object.fromEntries([...document.querySelectorAll('#tiles > .tile')]
  .filter((t) => t.checkVisibility())
  .map((t) => {
    const r = t.getBoundingClientRect();
    const key = t.dataset.screenOf ? 'screen:' + t.dataset.screenOf
      : t.dataset.self ? 'self' : t.dataset.participantId;
    return [key, {x: r.x, y: r.y, w: r.width, h: r.height, place: t.dataset.place || ''}];
  }))"""

# The key of the one tile clearly larger than every other (twice the area), or ''.
LARGEST = (
    """() => {
  const boxes = Object.entries(("""
    + BOXES
    + """)()).map(([k, b]) => [k, b.w * b.h]).sort((a, b) => b[1] - a[1]);
  if (boxes.length < 2) return boxes.length ? boxes[0][0] : '';
  return boxes[0][1] >= 2 * boxes[1][1] ? boxes[0][0] : '';
}"""
)

# What each remote camera tile shows, in device pixels: what its `view` must ask for.
SHOWN = """() => Object.fromEntries(
  [...document.querySelectorAll('#tiles > .tile[data-participant-id]:not([data-self])')]
  .filter((t) => !t.dataset.screenOf)
  .map((t) => [t.dataset.participantId, Math.round(t.clientHeight * window.devicePixelRatio)]))"""


def patient(new_page: NewPage, count: int) -> list[Page]:
    """`count` participants' pages that wait up to SLOW_MS for anything."""
    pages = [new_page() for _ in range(count)]
    for page in pages:
        page.set_default_timeout(SLOW_MS)
    return pages


def enter(page: Page, room: str, name: str, *, muted: bool = False) -> str:
    """meeting.join (with the microphone off before joining if `muted`), waiting as
    long as a loaded machine needs; our id."""
    page.goto(f"/{room}")
    page.get_by_label("Your name").fill(name)
    if muted:
        page.get_by_test_id("pre-mic").click(no_wait_after=True)
        expect(page.get_by_test_id("pre-mic")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute(
        "data-state", "connected", timeout=SLOW_MS
    )
    return self_id(page)


def boxes(page: Page) -> dict[str, dict[str, float | str]]:
    got: dict[str, dict[str, float | str]] = page.evaluate(BOXES)
    return got


def wait_largest(page: Page, key: str) -> None:
    """Wait until `key`'s tile is the large one (twice the area of any other)."""
    try:
        page.wait_for_function(f"() => ({LARGEST})() === {key!r}", polling=200, timeout=SLOW_MS)
    except Exception:
        raise AssertionError(f"wanted {key} largest; tiles: {boxes(page)}") from None


def wait_grid(page: Page, count: int) -> None:
    """Wait until `count` tiles show in a grid, all of one size."""
    try:
        page.wait_for_function(
            """(count) => {
                const all = Object.values((BOXES)());
                return all.length === count && all.every((b) => b.place === 'grid'
                  && Math.abs(b.w - all[0].w) < 1 && Math.abs(b.h - all[0].h) < 1);
            }""".replace("BOXES", BOXES),
            arg=count,
            polling=200,
            timeout=SLOW_MS,
        )
    except Exception:
        raise AssertionError(f"wanted a grid of {count}; tiles: {boxes(page)}") from None


def wait_views(live_server: LiveServer, room: str, page: Page, me: str) -> dict[str, int]:
    """Wait until the SFU's router wants, for each remote tile of `me`, the height that
    tile shows (the `view` messages followed the layout); those heights."""

    def wanted() -> dict[str, int]:
        return dict(live_server.hub.routers[room].subscribers[me].wanted)

    deadline = time.monotonic() + SLOW_MS / 1000
    while True:
        shown: dict[str, int] = page.evaluate(SHOWN)
        asked = live_server.call(wanted)
        if shown and all(abs(asked.get(pid, -1) - h) <= 1 for pid, h in shown.items()):
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"the SFU was asked for {asked}; the tiles show {shown}")
        page.wait_for_timeout(200)


def choose_layout(page: Page, which: str) -> None:
    page.get_by_test_id("btn-layout").click(no_wait_after=True)
    page.get_by_test_id(f"layout-{which}").click(no_wait_after=True)
    expect(page.get_by_test_id(f"layout-{which}")).to_have_attribute(
        "aria-pressed", "true", timeout=SLOW_MS
    )


def test_a_screen_share_takes_the_stage_and_gives_it_back_peer_to_peer(
    new_page: NewPage,
) -> None:
    pages, ids = screen_sharing_room(new_page, "present-2", 2)
    screen_share_takes_the_stage_and_gives_it_back(pages, ids)


def test_on_the_sfu_a_screen_share_takes_the_stage_and_a_pinned_tile_is_large(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """One room of three on the SFU for both layouts (three pages' media on two
    cores are the costly part): the share, then, in the grid it leaves, a pin."""
    room = "present-3"
    pages, ids = screen_sharing_room(new_page, room, 3)
    screen_share_takes_the_stage_and_gives_it_back(pages, ids)
    a_pinned_tile_is_large_and_the_sfu_follows(live_server, room, pages, ids)


def screen_sharing_room(new_page: NewPage, room: str, people: int) -> tuple[list[Page], list[str]]:
    """`people` in `room`, the first able to share a screen, all in a grid; pages and ids."""
    pages = patient(new_page, people)
    pages[0].add_init_script(FAKE_SCREEN)
    ids = [enter(p, room, n) for p, n in zip(pages, "ABC", strict=False)]
    wait_all_media(pages, ids)
    for page in pages:
        wait_grid(page, people)
    return pages, ids


def screen_share_takes_the_stage_and_gives_it_back(pages: list[Page], ids: list[str]) -> None:
    people = len(pages)
    presenter = pages[0]
    expect(presenter.get_by_test_id("presenting")).to_be_hidden(timeout=SLOW_MS)
    presenter.get_by_test_id("btn-screen").click(no_wait_after=True)
    expect(presenter.get_by_test_id("presenting")).to_be_visible(timeout=SLOW_MS)
    expect(presenter.get_by_test_id("presenting")).to_contain_text("You are presenting")
    for page in pages[1:]:
        expect(page.locator(f'[data-screen-of="{ids[0]}"]')).to_be_visible(timeout=SLOW_MS)
        wait_largest(page, f"screen:{ids[0]}")
        strip = [b for k, b in boxes(page).items() if not k.startswith("screen:")]
        assert len(strip) == people and all(b["place"] == "strip" for b in strip), boxes(page)
    presenter.get_by_role("button", name="Stop presenting").click(no_wait_after=True)
    expect(presenter.get_by_test_id("presenting")).to_be_hidden(timeout=SLOW_MS)
    expect(presenter.get_by_test_id("btn-screen")).to_have_attribute(
        "aria-pressed", "false", timeout=SLOW_MS
    )
    for page in pages[1:]:
        expect(page.locator(f'[data-screen-of="{ids[0]}"]')).to_have_count(0, timeout=SLOW_MS)
        wait_grid(page, people)


def a_pinned_tile_is_large_and_the_sfu_follows(
    live_server: LiveServer, room: str, pages: list[Page], ids: list[str]
) -> None:
    ada = pages[0]
    wait_grid(ada, 3)
    grid = wait_views(live_server, room, ada, ids[0])
    assert grid[ids[1]] == grid[ids[2]], grid

    # Pin C: C's tile is the large one, and the SFU is asked for more of C than of B.
    tile(ada, ids[2]).get_by_role("button", name="Pin").click(no_wait_after=True)
    wait_largest(ada, ids[2])
    expect(tile(ada, ids[2]).get_by_role("button", name="Unpin")).to_have_attribute(
        "aria-pressed", "true", timeout=SLOW_MS
    )
    pinned = wait_views(live_server, room, ada, ids[0])
    assert pinned[ids[2]] > 2 * pinned[ids[1]], pinned
    assert pinned[ids[1]] < grid[ids[1]] < pinned[ids[2]], (grid, pinned)

    # Unpinned: the grid again, and equal heights asked for again.
    tile(ada, ids[2]).get_by_role("button", name="Unpin").click(no_wait_after=True)
    wait_grid(ada, 3)
    again = wait_views(live_server, room, ada, ids[0])
    assert again[ids[1]] == again[ids[2]], again


def test_speaker_view_puts_whoever_speaks_large(live_server: LiveServer, new_page: NewPage) -> None:
    # Only B's microphone is on (A joins muted, C mutes), so the SFU hears B speak.
    room = "speakers"
    pages = patient(new_page, 3)
    ids = [
        enter(p, room, n, muted=muted)
        for p, n, muted in zip(pages, "ABC", (True, False, False), strict=True)
    ]
    pages[2].evaluate("() => window.frankly.session.setMicrophone(false)")
    wait_all_media(pages, ids)
    ada = pages[0]
    choose_layout(ada, "speaker")
    wait_largest(ada, ids[1])
    speaking = wait_views(live_server, room, ada, ids[0])
    assert speaking[ids[1]] > 2 * speaking[ids[2]], speaking
    # Now C alone speaks: the large tile follows the voice.
    pages[1].evaluate("() => window.frankly.session.setMicrophone(false)")
    pages[2].evaluate("() => window.frankly.session.setMicrophone(true)")
    wait_largest(ada, ids[2])
    choose_layout(ada, "grid")
    wait_grid(ada, 3)


def test_self_view_hides_while_we_still_send(new_page: NewPage) -> None:
    ada, bea = patient(new_page, 2)
    ids = [enter(ada, "selfview", "Ada"), enter(bea, "selfview", "Bea")]
    wait_media(bea, ids[0])
    ada.get_by_test_id("btn-layout").click(no_wait_after=True)
    ada.get_by_test_id("hide-self").click(no_wait_after=True)
    expect(ada.get_by_test_id("hide-self")).to_have_attribute(
        "aria-pressed", "true", timeout=SLOW_MS
    )
    expect(ada.locator('[data-testid="tile"][data-self]')).to_be_hidden(timeout=SLOW_MS)
    expect(ada.get_by_test_id("self-hidden")).to_be_visible(timeout=SLOW_MS)
    # Bea's tile has the stage to itself, and Bea still gets Ada's video.
    wait_grid(ada, 1)
    before = bea.evaluate("(id) => window.frankly.stats(id)", ids[0])["video"]["framesDecoded"]
    wait_media(bea, ids[0], frames_over=before + 10)
    ada.get_by_test_id("show-self").click(no_wait_after=True)
    expect(ada.locator('[data-testid="tile"][data-self]')).to_be_visible(timeout=SLOW_MS)
    expect(ada.get_by_test_id("self-hidden")).to_be_hidden(timeout=SLOW_MS)
    wait_grid(ada, 2)


def test_any_tile_goes_full_screen_and_back(new_page: NewPage) -> None:
    ada, bea = patient(new_page, 2)
    ids = [enter(ada, "fullscreen", "Ada"), enter(bea, "fullscreen", "Bea")]
    wait_media(ada, ids[1])
    theirs = tile(ada, ids[1])
    theirs.get_by_role("button", name="Full screen").click(no_wait_after=True)
    ada.wait_for_function(
        "(id) => document.fullscreenElement?.dataset.participantId === id", arg=ids[1]
    )
    theirs.get_by_role("button", name="Exit full screen").click(no_wait_after=True)
    ada.wait_for_function("() => document.fullscreenElement === null")
    expect(theirs.get_by_role("button", name="Full screen")).to_be_attached(timeout=SLOW_MS)


LOOKS = [(390, 844), (1440, 900)]


@pytest.mark.parametrize(("width", "height"), LOOKS, ids=[f"{w}x{h}" for w, h in LOOKS])
def test_grid_speaker_and_presenter_views_fit_a_phone_and_a_wide_screen(
    new_page: NewPage, width: int, height: int
) -> None:
    room = f"looks-{width}"
    pages = patient(new_page, 3)
    pages[1].add_init_script(FAKE_SCREEN)
    for page in pages:
        page.set_viewport_size({"width": width, "height": height})
    ids = [enter(p, room, n) for p, n in zip(pages, ["Ada", "Bea", "Cy"], strict=True)]
    wait_all_media(pages, ids)
    ada = pages[0]
    wait_grid(ada, 3)
    no_overlap(ada)
    check(ada, f"layout-grid-{width}x{height}")
    choose_layout(ada, "speaker")
    ada.wait_for_function(f"() => ({LARGEST})() !== ''", polling=200, timeout=SLOW_MS)
    no_overlap(ada)
    check(ada, f"layout-speaker-{width}x{height}")
    pages[1].get_by_test_id("btn-screen").click(no_wait_after=True)
    wait_largest(ada, f"screen:{ids[1]}")
    no_overlap(ada)
    check(ada, f"layout-presenter-{width}x{height}")
    expect(pages[1].get_by_test_id("presenting")).to_be_visible(timeout=SLOW_MS)
    check(pages[1], f"layout-presenting-{width}x{height}")


def no_overlap(page: Page) -> None:
    """No two tiles that show cover each other (but our picture in a phone's corner)."""
    shown = [b for b in boxes(page).values() if b["place"] != "corner"]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            ax, ay, aw, ah = (float(a[k]) for k in "xywh")
            bx, by, bw, bh = (float(b[k]) for k in "xywh")
            apart = ax + aw <= bx + 1 or bx + bw <= ax + 1 or ay + ah <= by + 1 or by + bh <= ay + 1
            assert apart, f"tiles overlap: {a} {b}"
