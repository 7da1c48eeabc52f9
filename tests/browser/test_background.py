"""Background blur and replace (frankly/web/background.js) in Chromium: off by
default, and with an effect on, what the other participant receives is the
processed picture, encrypted like any camera frame.

The fake camera's pattern has sharp edges (a frame counter, corner marks), so
blur shows as less high-frequency energy in the remote <video>, measured
against the same pattern unblurred on the same screen; the replacement is a
blue-teal gradient where the fake camera has no blue at all.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.meeting import NewPage, join, self_id, stats, wait_media
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

# The share of neighbouring pixels whose luma steps sharply, and the mean colour,
# of a participant's remote <video> drawn at 320x180.
PICTURE = """(sel) => {
  const v = document.querySelector(sel);
  if (!v || !v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = 320; c.height = 180;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(v, 0, 0, 320, 180);
  const d = ctx.getImageData(0, 0, 320, 180).data;
  const luma = (i) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  let edges = 0, n = 0;
  for (let y = 0; y < 179; y++) for (let x = 0; x < 319; x++) {
    const i = (y * 320 + x) * 4;
    // A sharp edge steps by more than 16 between neighbours; a blurred one, in small steps.
    if (Math.abs(luma(i) - luma(i + 4)) > 16) edges++;
    if (Math.abs(luma(i) - luma(i + 320 * 4)) > 16) edges++;
    n++;
  }
  const mean = [0, 0, 0];
  const pixels = d.length / 4;
  for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) mean[k] += d[i + k] / pixels;
  return { edges: edges / n, red: mean[0], green: mean[1], blue: mean[2] };
}"""

BACKGROUND = "async () => (await import('/static/background.js')).backgroundStats()"


def picture(page: Page, peer_id: str) -> dict[str, float]:
    """Sharpness and colour of what this page shows of peer_id (see PICTURE)."""
    sel = f'[data-testid="tile"][data-participant-id="{peer_id}"] video'
    got: dict[str, float] | None = page.evaluate(PICTURE, sel)
    assert got is not None, f"no picture of {peer_id}"
    return got


def background(page: Page) -> dict[str, Any]:
    """The page's background effect: chosen effect, model status, frames and masks drawn."""
    got: dict[str, Any] = page.evaluate(BACKGROUND)
    return got


def choose(page: Page, effect: str) -> None:
    """Choose the effect as the in-meeting settings will (chooseEffect)."""
    page.evaluate(f"async () => (await import('/static/background.js')).chooseEffect('{effect}')")


def open_prejoin(page: Page, room: str, name: str) -> None:
    page.goto(f"/{room}")
    page.get_by_label("Your name").fill(name)


def join_here(page: Page) -> str:
    """Join from the pre-join screen as it is (meeting.join opens the page anew); our id.

    Called once the model runs: its first frame holds the page's main thread
    for seconds on a loaded machine, which a click would wait out."""
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    return self_id(page)


def wait_masks(page: Page, over: int) -> None:
    """The model has drawn more than `over` masks (it runs; the outline is not all blurred)."""
    wait_until(lambda: background(page)["masks"] > over, 60, f"over {over} masks drawn")


def wait_new_frames(page: Page, peer_id: str, more: int = 5) -> None:
    """The page decodes `more` new frames from peer_id, as now sent."""
    wait_media(page, peer_id, frames_over=stats(page, peer_id)["video"]["framesDecoded"] + more)


ENCODED = """async () => {
  let n = 0;
  for (const pc of Object.values(window.frankly.pcs())) {
    for (const s of (await pc.getStats()).values()) {
      if (s.type === 'outbound-rtp' && s.kind === 'video') n += s.framesEncoded || 0;
    }
  }
  return n;
}"""


def encoded(page: Page) -> int:
    """Video frames this page has encoded (to send), over all its connections."""
    return int(page.evaluate(ENCODED))


def encrypted_from(page: Page, peer_id: str) -> int:
    reply: dict[str, Any] = page.evaluate(
        "async () => (await window.frankly.session.e2ee.stats()).stats"
    )
    return int(reply["from"].get(peer_id, 0))


def test_off_by_default_and_nothing_of_it_loaded(new_page: NewPage) -> None:
    page = new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/vendor/" in r.url else None)
    join(page, "plain", "Ada")
    expect(page.get_by_test_id("pre-background").get_by_test_id("background-none")).to_be_checked()
    got = background(page)
    assert (got["frames"], got["effect"], got["status"]) == (0, "none", "idle"), got
    assert asked == []


def test_blur_is_what_the_other_side_receives_encrypted(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    open_prejoin(ada, "blurred", "Ada")
    ada.get_by_test_id("pre-background").get_by_test_id("background-blur").check()
    # Loading and starting the model (6 MB of WebAssembly) takes seconds on a loaded machine.
    expect(ada.get_by_test_id("pre-background").get_by_test_id("background-status")).to_have_text(
        "Done on this device, before encryption.", timeout=60_000
    )
    wait_masks(ada, 0)
    ada_id = join_here(ada)
    grace_id = join(grace, "blurred", "Grace")
    wait_media(grace, ada_id, frames_over=10)
    wait_media(ada, grace_id, frames_over=10)
    sealed = encrypted_from(grace, ada_id)
    wait_new_frames(grace, ada_id)
    assert encrypted_from(grace, ada_id) > sealed  # the processed frames come encrypted
    blurred, sharp = picture(grace, ada_id), picture(ada, grace_id)
    # The same fake pattern, blurred by Ada's page and not by Grace's.
    assert blurred["edges"] < 0.6 * sharp["edges"], (blurred, sharp)

    # Off in the meeting, from the settings dialog, which shows the choice made before
    # joining: the camera itself is sent again, as sharp as Grace's.
    ada.get_by_test_id("btn-settings").click()
    in_settings = ada.get_by_test_id("settings-background")
    expect(in_settings.get_by_test_id("background-blur")).to_be_checked()
    in_settings.get_by_test_id("background-none").check()
    ada.keyboard.press("Escape")
    wait_until(lambda: background(ada)["frames"] == 0, 10, "the processor gone")
    wait_until(
        lambda: picture(grace, ada_id)["edges"] > 0.8 * picture(ada, grace_id)["edges"],
        20,
        "Ada's picture sharp again on Grace's screen",
    )
    # And on again: blurred again, frames still flowing.
    choose(ada, "blur")
    wait_masks(ada, 0)
    wait_new_frames(grace, ada_id)
    wait_until(
        lambda: picture(grace, ada_id)["edges"] < 0.6 * picture(ada, grace_id)["edges"],
        20,
        "Ada's picture blurred again on Grace's screen",
    )


def test_replace_shows_the_replacement_and_is_kept_on_the_device(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    open_prejoin(ada, "replaced", "Ada")
    ada.get_by_test_id("pre-background").get_by_test_id("background-replace").check()
    ada.reload()  # the choice is kept on the device
    expect(
        ada.get_by_test_id("pre-background").get_by_test_id("background-replace")
    ).to_be_checked()
    ada.get_by_label("Your name").fill("Ada")
    wait_masks(ada, 0)
    ada_id = join_here(ada)
    grace_id = join(grace, "replaced", "Grace")
    wait_media(grace, ada_id, frames_over=10)
    wait_new_frames(grace, ada_id)
    replaced, camera = picture(grace, ada_id), picture(ada, grace_id)
    # The fake camera is green on black; the replacement is blue-teal.
    assert camera["blue"] < 20, camera
    assert replaced["blue"] > 40 and replaced["blue"] > camera["blue"] + 30, (replaced, camera)


FALLBACK = """
delete window.MediaStreamTrackProcessor;
delete window.MediaStreamTrackGenerator;
"""


def test_without_track_processors_a_video_and_canvas_capture_do_it(
    new_page: NewPage,
) -> None:
    """Firefox's and Safari's way: frames from a <video>, out through captureStream()."""
    ada, grace = new_page(), new_page()
    ada.context.add_init_script(FALLBACK)
    open_prejoin(ada, "fallback", "Ada")
    assert ada.evaluate("typeof window.MediaStreamTrackProcessor") == "undefined"
    ada.get_by_test_id("pre-background").get_by_test_id("background-blur").check()
    wait_masks(ada, 0)
    ada_id = join_here(ada)
    grace_id = join(grace, "fallback", "Grace")
    wait_until(lambda: encoded(ada) > 10, 30, "Ada encoding frames of the captured canvas")
    wait_media(grace, ada_id, frames_over=10)
    wait_media(ada, grace_id, frames_over=10)
    wait_new_frames(grace, ada_id)
    blurred, sharp = picture(grace, ada_id), picture(ada, grace_id)
    if os.environ.get("FRANKLY_SCREENSHOTS"):
        grace.screenshot(path=os.path.join(os.environ["FRANKLY_SCREENSHOTS"], "fallback.png"))
    assert blurred["edges"] < 0.6 * sharp["edges"], (blurred, sharp)
