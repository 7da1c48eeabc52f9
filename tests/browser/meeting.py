"""What a participant does and sees in the web client, as small helpers.

The page exposes `window.frankly` (see frankly/web/app.js): the active
session, its peer connections and their inbound totals from getStats().
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = os.environ.get("FRANKLY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-sandbox",
]
# Media over loopback is quick; allow for a loaded machine all the same.
MEDIA_TIMEOUT_MS = 20_000

expect.set_options(timeout=10_000)

# A getUserMedia that refuses, as after "Block" in the permission prompt. KINDS
# is replaced by the kinds to refuse.
DENY_SCRIPT = """
(() => {
  const refuse = KINDS;
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (refuse.some((kind) => constraints && constraints[kind])) {
      throw new DOMException('Permission denied', 'NotAllowedError');
    }
    return real(constraints);
  };
})();
"""

# getDisplayMedia without a picker: a canvas that keeps drawing stands in for
# the screen, as the fake camera stands in for a camera.
FAKE_SCREEN = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = Object.assign(document.createElement('canvas'), {width: 640, height: 360});
  const ctx = canvas.getContext('2d');
  let n = 0;
  setInterval(() => {
    ctx.fillStyle = n++ % 2 ? '#224' : '#442';
    ctx.fillRect(0, 0, 640, 360);
    ctx.fillStyle = '#fff';
    ctx.fillText('slide ' + n, 20, 40);
  }, 100);
  return canvas.captureStream(10);
};
"""

# new_page(deny=[...]) -> Page: a participant's page in its own browser context.
NewPage = Callable[..., Page]


def join(
    page: Page,
    room: str,
    name: str | None,
    *,
    button: str = "Join",
    fragment: str = "",
    opened: bool = False,
    patience: float = 10_000,
) -> str:
    """Open the room (its link ending in `#fragment`, if given; `opened`: the page
    shows it already), give a name (None: the link's invitation names us), press the
    join button; return our id once the top bar says connected (in `patience` ms)."""
    if not opened:
        page.goto(f"/{room}" + (f"#{fragment}" if fragment else ""))
    if name is not None:
        page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute(
        "data-state", "connected", timeout=patience
    )
    return self_id(page)


def in_sfu_mode(page: Page) -> None:
    page.wait_for_function("() => window.frankly.session && window.frankly.session.mode === 'sfu'")


def prefer_save_bandwidth(page: Page) -> None:
    """This browser chose "Save bandwidth" in the settings before (the stored preference,
    ui/devices.js QUALITY_KEY): its camera opens at 640x360 and sends two smaller layers."""
    page.add_init_script("localStorage.setItem('frankly.video-quality', 'save')")


def group(
    new_page: NewPage, room: str, names: str, *, save_bandwidth: bool = False
) -> tuple[list[Page], list[str]]:
    """One participant per letter of `names`, joined in that order to a room
    that is on the SFU by the end; their pages and ids. `save_bandwidth`: every
    page prefers it, as a big group on a small machine should (six pages encoding
    1280x720 simulcast at once are too much for two cores)."""
    pages = [new_page() for _ in names]
    if save_bandwidth:
        for page in pages:
            prefer_save_bandwidth(page)
            # Loaded before anyone joins: a page loading beside five that encode
            # can take longer than a load may.
            page.goto(f"/{room}")
    # The sixth page starts its meeting beside five that encode and decrypt:
    # on two cores its main thread can take longer than one page alone would.
    ids = [
        join(page, room, name, opened=save_bandwidth, patience=10_000 + 3_000 * i)
        for i, (page, name) in enumerate(zip(pages, names, strict=True))
    ]
    for page in pages:
        in_sfu_mode(page)
    return pages, ids


def wait_all_media(pages: list[Page], ids: list[str]) -> None:
    """Every page decodes video and receives audio from every other."""
    for page, me in zip(pages, ids, strict=True):
        for other in ids:
            if other != me:
                wait_media(page, other, audio_over=0)


def self_id(page: Page) -> str:
    tile = page.locator('[data-testid="tile"][data-self]')
    expect(tile).to_have_attribute("data-participant-id", re.compile(r".+"))
    pid = tile.get_attribute("data-participant-id")
    assert pid
    return pid


def tile(page: Page, participant_id: str) -> Locator:
    """The tile of another participant."""
    return page.locator(f'[data-testid="tile"][data-participant-id="{participant_id}"]')


def stats(page: Page, peer_id: str) -> dict[str, Any]:
    """Inbound totals from this page's peer connection to peer_id."""
    result: dict[str, Any] | None = page.evaluate("(id) => window.frankly.stats(id)", peer_id)
    assert result is not None, f"no peer connection to {peer_id}"
    return result


def wait_media(page: Page, peer_id: str, *, frames_over: int = 0, audio_over: int = -1) -> None:
    """Wait until this page has decoded more than `frames_over` video frames
    from peer_id and received more than `audio_over` audio packets.

    Polled from here: wait_for_function does not await a predicate's Promise,
    and getStats() is asynchronous.
    """
    poll_media(
        lambda: page.evaluate("(id) => window.frankly.stats(id)", peer_id),
        lambda: page.wait_for_timeout(200),  # the page's own events run meanwhile
        frames_over,
        audio_over,
        lambda got: f"from {peer_id}: have {got}",
    )


def poll_media(
    ask: Callable[[], dict[str, Any] | None],
    pause: Callable[[], None],
    frames_over: int,
    audio_over: int,
    describe: Callable[[dict[str, Any] | None], str],
) -> None:
    """Ask a page's inbound totals (`window.frankly.stats`) until more than
    `frames_over` frames are decoded and more than `audio_over` audio packets
    came, pausing between asks; AssertionError with `describe(last)` after
    MEDIA_TIMEOUT_MS. Any browser's driver: Playwright's pages and Firefox's."""
    deadline = time.monotonic() + MEDIA_TIMEOUT_MS / 1000
    while True:
        got = ask()
        if (
            got is not None
            and got["video"]["framesDecoded"] > frames_over
            and got["audio"]["packetsReceived"] > audio_over
        ):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"wanted over {frames_over} frames decoded and over {audio_over} audio "
                f"packets; {describe(got)}"
            )
        pause()


def wait_video_shown(page: Page, peer_id: str) -> None:
    """The remote tile's <video> has a picture: it has a size and is playing."""
    video = f'[data-testid="tile"][data-participant-id="{peer_id}"] video'
    try:
        page.wait_for_function(
            """(sel) => {
                const v = document.querySelector(sel);
                return !!v && v.videoWidth > 0 && !v.paused && v.readyState >= 2;
            }""",
            arg=video,
            polling=200,
            timeout=MEDIA_TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        state = page.evaluate(
            """(sel) => { const v = document.querySelector(sel); return v && {
                width: v.videoWidth, paused: v.paused, readyState: v.readyState,
                muted: v.muted, tracks: v.srcObject && v.srcObject.getTracks().map(
                    (t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'live'}`),
                pcs: Object.values(window.frankly.pcs()).map(
                    (pc) => `${pc.signalingState}/${pc.iceConnectionState}`) }; }""",
            video,
        )
        raise AssertionError(f"the video of {peer_id} is not showing: {state}") from None
