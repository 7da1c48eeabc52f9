"""The in-meeting settings: camera and microphone changed mid-call while the other side
keeps receiving, the microphone level meter, the video quality preference (kept on the
device, applied live), the test sound and speaker, and each remote tile's network quality.

Chromium's fake devices: `--use-fake-device-for-media-stream=device-count=3` offers three
cameras, fake_device_0 to 2. The second is a fake depth camera (16-bit grey frames) that
plays in a <video> but that no encoder takes (tried: the sender's framesEncoded stops), so
the tests switch between the first and the third. Three microphones come without asking
("Fake Default Audio Input", "Fake Audio Input 1" and "2"), and three speakers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import page_maker
from tests.browser.meeting import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NewPage,
    in_sfu_mode,
    join,
    prefer_save_bandwidth,
    stats,
    tile,
    wait_media,
)
from tests.browser.test_viewport import outside
from tests.conftest import LiveServer

FAKE_DEVICES = "--use-fake-device-for-media-stream"


@pytest.fixture(scope="module")
def cameras(playwright_session: Playwright) -> Iterator[Browser]:
    """A Chromium whose fake devices include more than one camera (the other tests keep one)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    args = [f"{FAKE_DEVICES}=device-count=3" if a == FAKE_DEVICES else a for a in CHROMIUM_ARGS]
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.fixture
def device_page(cameras: Browser, live_server: LiveServer) -> Iterator[NewPage]:
    """`new_page`, in the Chromium with two cameras."""
    yield from page_maker(cameras, live_server.url)


def open_settings(page: Page) -> None:
    page.get_by_test_id("btn-settings").click()
    expect(page.get_by_role("dialog", name="Settings")).to_be_visible()


def local_track(page: Page, kind: str) -> dict[str, Any]:
    """Our own camera or microphone track: its id and settings."""
    found: dict[str, Any] = page.evaluate(
        """(kind) => {
            const s = window.frankly.session.localStream;
            const t = kind === 'video' ? s.getVideoTracks()[0] : s.getAudioTracks()[0];
            const set = t.getSettings();
            return {id: t.id, deviceId: set.deviceId, height: set.height || 0, state: t.readyState};
        }""",
        kind,
    )
    return found


def sent_track_ids(page: Page, kind: str) -> list[str]:
    """The ids of what every sender of `kind` on every connection sends now."""
    ids: list[str] = page.evaluate(
        """(kind) => Object.values(window.frankly.pcs()).flatMap((pc) => pc.getSenders())
            .filter((s) => s.track && s.track.kind === kind).map((s) => s.track.id)""",
        kind,
    )
    return ids


# The fake depth camera: nothing to send (see the top of this file).
DEPTH_CAMERA = "fake_device_1"


def other_option(page: Page, select: str, current: str) -> str:
    """A device in the settings' `select` other than `current` (and other than the
    system's "default", which is one of the others under another name)."""
    options: list[list[str]] = page.get_by_test_id(select).evaluate(
        "(el) => [...el.options].map((o) => [o.value, o.textContent])"
    )
    values = [v for v, label in options if label != DEPTH_CAMERA]
    others = [v for v in values if v and v not in (current, "default")]
    assert others, f"only {values} in {select}"
    return others[0]


def keeps_receiving(page: Page, peer_id: str) -> None:
    """The page decodes more frames and receives more audio from peer_id than it had."""
    before = stats(page, peer_id)
    wait_media(
        page,
        peer_id,
        frames_over=before["video"]["framesDecoded"] + 20,
        audio_over=before["audio"]["packetsReceived"] + 50,
    )


def switch(page: Page, kind: str) -> str:
    """Choose another camera or microphone in the open settings; its device id."""
    select = "settings-camera" if kind == "video" else "settings-microphone"
    old = local_track(page, kind)
    chosen = other_option(page, select, old["deviceId"])
    page.get_by_test_id(select).select_option(chosen)
    changed = "Camera changed" if kind == "video" else "Microphone changed"
    expect(page.get_by_test_id("settings-status")).to_contain_text(changed)
    new = local_track(page, kind)
    assert new["id"] != old["id"] and new["deviceId"] == chosen, (old, new)
    assert new["state"] == "live"
    # Every connection sends the new track, and nothing sends the old one.
    sent = sent_track_ids(page, kind)
    assert sent and set(sent) == {new["id"]}, (sent, new)
    return chosen


@pytest.mark.parametrize("mode", ["p2p", "sfu"])
def test_switching_camera_and_microphone_mid_call_keeps_the_others_receiving(
    device_page: NewPage, mode: str
) -> None:
    room = f"switch-{mode}"
    pages = [device_page() for _ in range(2 if mode == "p2p" else 3)]
    if mode == "sfu":
        # Three pages on two cores: they save bandwidth, which the new camera keeps to.
        for page in pages:
            prefer_save_bandwidth(page)
    names = ["Ada", "Grace", "Linus"][: len(pages)]
    ids = [join(page, room, name) for page, name in zip(pages, names, strict=True)]
    ada, grace, ada_id = pages[0], pages[1], ids[0]
    if mode == "sfu":
        in_sfu_mode(ada)
        in_sfu_mode(grace)
    wait_media(grace, ada_id, frames_over=5, audio_over=5)
    open_settings(ada)
    camera = switch(ada, "video")
    assert local_track(ada, "video")["height"] == (720 if mode == "p2p" else 360)
    keeps_receiving(grace, ada_id)
    mic = switch(ada, "audio")
    keeps_receiving(grace, ada_id)
    # Chosen on this device, so the next meeting starts with them.
    kept = ada.evaluate(
        "() => [localStorage.getItem('frankly.camera'), localStorage.getItem('frankly.microphone')]"
    )
    assert kept == [camera, mic]
    # Escape closes the dialog, and the meter in it stops.
    ada.keyboard.press("Escape")
    expect(ada.get_by_test_id("settings-dialog")).to_be_hidden()
    expect(ada.get_by_test_id("settings-meter")).to_have_attribute("aria-valuenow", "0")


def meter_level(page: Page, testid: str) -> int:
    return int(page.get_by_test_id(testid).get_attribute("aria-valuenow") or "0")


def wait_meter_above(page: Page, testid: str, level: int) -> None:
    page.wait_for_function(
        '([id, level]) => Number(document.querySelector(`[data-testid="${id}"]`)'
        ".getAttribute('aria-valuenow')) > level",
        arg=[testid, level],
        polling=50,
    )


def test_the_microphone_meter_follows_the_fake_tone(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/meter")
    meter = page.get_by_role("meter", name="Microphone level")
    expect(meter).to_have_attribute("aria-valuemin", "0")
    # The fake microphone beeps: the meter rises with it, well above silence.
    wait_meter_above(page, "pre-meter", 30)
    # Muted, the microphone gives silence and the meter rests at 0.
    page.get_by_test_id("pre-mic").click()
    expect(meter).to_have_attribute("aria-valuenow", "0")
    page.wait_for_timeout(1500)  # a whole beep period: it stays at rest
    assert meter_level(page, "pre-meter") == 0
    page.get_by_test_id("pre-mic").click()
    wait_meter_above(page, "pre-meter", 30)
    # In the meeting, the settings dialog has one too.
    page.get_by_label("Your name").fill("Ada")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    open_settings(page)
    wait_meter_above(page, "settings-meter", 30)


def sending(page: Page) -> list[dict[str, Any]]:
    """What our camera's senders send now: per encoding, its rid, whether active, its
    bitrate cap, and the height of the frames the outbound stats last saw."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const out = [];
            for (const pc of Object.values(window.frankly.pcs())) {
                for (const s of pc.getSenders()) {
                    if (!s.track || s.track.kind !== 'video') continue;
                    const heights = {};
                    (await s.getStats()).forEach((r) => {
                        if (r.type === 'outbound-rtp') heights[r.rid || ''] = r.frameHeight || 0;
                    });
                    for (const e of s.getParameters().encodings) {
                        out.push({rid: e.rid || '', active: e.active, max: e.maxBitrate || 0,
                                  height: heights[e.rid || ''] || 0});
                    }
                }
            }
            return out;
        }"""
    )
    return found


def choose_quality(page: Page, which: str, said: str) -> None:
    page.get_by_test_id(f"quality-{which}").check()
    expect(page.get_by_test_id("settings-status")).to_contain_text(said)


def test_the_video_quality_preference_changes_what_is_sent_and_is_kept(
    new_page: NewPage,
) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "quality", "Ada")
    join(grace, "quality", "Grace")
    wait_media(grace, ada_id, frames_over=5)
    assert local_track(ada, "video")["height"] == 720
    open_settings(ada)
    expect(ada.get_by_test_id("quality-best")).to_be_checked()
    choose_quality(ada, "save", "Saving bandwidth")
    assert local_track(ada, "video")["height"] == 360
    assert [e["max"] for e in sending(ada)] == [500_000]
    # Grace receives the smaller picture from now on (or smaller still: a busy
    # machine's encoder scales down under its cap, as a phone's would).
    grace.wait_for_function(
        """(id) => { const v = document.querySelector(
            `[data-testid="tile"][data-participant-id="${id}"] video`);
            return v && v.videoHeight > 0 && v.videoHeight <= 360; }""",
        arg=ada_id,
    )
    # Kept on the device: after a reload the camera opens at 640x360 before joining.
    ada.reload()
    ada.wait_for_function(
        "() => { const v = document.getElementById('preview-video');"
        " return v.srcObject && v.srcObject.getVideoTracks()[0]?.getSettings().height === 360; }"
    )
    ada_id = join(ada, "quality", "Ada")
    assert local_track(ada, "video")["height"] == 360
    open_settings(ada)
    expect(ada.get_by_test_id("quality-save")).to_be_checked()
    # And back: the camera at 1280x720 again, uncapped.
    choose_quality(ada, "best", "best quality")
    assert local_track(ada, "video")["height"] == 720
    assert [e["max"] for e in sending(ada)] == [0]
    assert ada.evaluate("() => localStorage.getItem('frankly.video-quality')") == "best"


def test_saving_bandwidth_on_the_sfu_sends_the_two_lower_layers(new_page: NewPage) -> None:
    pages = [new_page() for _ in range(3)]
    for page in pages:
        prefer_save_bandwidth(page)  # Ada's is the one looked at; the others' lighten the load
    ids = [join(page, "save-sfu", name) for page, name in zip(pages, "ABC", strict=True)]
    for page in pages:
        in_sfu_mode(page)
    wait_media(pages[1], ids[0], frames_over=10)
    ada = pages[0]
    assert local_track(ada, "video")["height"] == 360

    def layers() -> dict[str, dict[str, Any]]:
        return {e["rid"]: e for e in sending(ada)}

    expect_layers = {"q": (True, 150_000), "h": (True, 400_000), "f": (False, 400_000)}
    got = layers()
    assert {r: (e["active"], e["max"]) for r, e in got.items()} == expect_layers, got
    # What goes out is at most 640x360: the top layer is off, h is the camera's size.
    for _ in range(100):
        got = layers()
        if got["h"]["height"] == 360 and got["q"]["height"] == 180:
            break
        ada.wait_for_timeout(200)
    assert (got["q"]["height"], got["h"]["height"]) == (180, 360), got
    # Best quality, live: three layers again, the top one at its full caps. (The camera's
    # size is the p2p test's: here the other pages hold the one fake camera at 640x360,
    # and Chromium shares a device that is open at the format it was opened in.)
    open_settings(ada)
    choose_quality(ada, "best", "best quality")
    got = layers()
    assert all(e["active"] for e in got.values()), got
    assert [got[r]["max"] for r in "qhf"] == [150_000, 500_000, 1_500_000], got


def test_the_test_sound_and_the_speaker(new_page: NewPage) -> None:
    page = new_page()
    join(page, "sound", "Ada")
    open_settings(page)
    dialog = page.get_by_test_id("settings-dialog")
    page.get_by_test_id("test-sound").click()
    expect(dialog).to_have_attribute("data-test-sounds", "1")
    expect(page.get_by_test_id("settings-status")).to_contain_text("test sound played")
    # Chromium can choose where sound goes: the list of speakers, not the fallback words.
    expect(page.get_by_test_id("settings-speaker-browser")).to_be_hidden()
    chosen = other_option(page, "settings-speaker", "")
    page.get_by_test_id("settings-speaker").select_option(chosen)
    expect(page.get_by_test_id("settings-status")).to_contain_text("Speaker changed")
    expect(dialog).to_have_attribute("data-sink", chosen)
    assert page.evaluate("() => localStorage.getItem('frankly.speaker')") == chosen
    # The background choice is there too, as before joining (ui/background.js).
    background = page.get_by_test_id("settings-background")
    expect(background.get_by_role("radiogroup", name="Background")).to_be_visible()
    expect(background.get_by_test_id("background-none")).to_be_checked()


def test_without_set_sink_id_the_browser_picks_the_speaker(new_page: NewPage) -> None:
    page = new_page()
    page.add_init_script("delete AudioContext.prototype.setSinkId")
    join(page, "no-sink", "Ada")
    open_settings(page)
    expect(page.get_by_test_id("settings-speaker-browser")).to_have_text(
        "Your browser picks the speaker."
    )
    expect(page.get_by_test_id("settings-speaker")).to_be_hidden()
    expect(page.get_by_test_id("test-sound")).to_be_visible()


def test_each_remote_tile_says_its_network_quality_in_words(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    join(ada, "net", "Ada")
    grace_id = join(grace, "net", "Grace")
    badge = tile(ada, grace_id).get_by_test_id("tile-quality")
    # Loopback: nothing lost, no delay to speak of.
    expect(badge).to_have_attribute("data-level", "good", timeout=20_000)
    expect(badge).to_contain_text("Good")
    label = badge.get_attribute("aria-label") or ""
    assert label.startswith("Connection: Good.") and "packets lost" in label, label
    assert "frames a second" in label and "round trip" in label, label
    assert badge.get_attribute("title") == label
    expect(ada.get_by_role("img", name="Connection: Good.", exact=False)).to_have_count(1)
    # Our own tile has none.
    own = ada.locator('[data-testid="tile"][data-self] [data-testid="tile-quality"]')
    expect(own).to_have_count(0)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_settings_dialog_fits_the_window(new_page: NewPage, width: int, height: int) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": height})
    join(page, f"fits-settings-{width}", "Ada")
    open_settings(page)
    found = outside(page)
    if dest := os.environ.get("FRANKLY_SCREENSHOTS"):
        Path(dest).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(dest) / f"settings-{width}x{height}.png")
    assert not found["out"] and not found["sideways"], found
    assert found["seen"] >= 6, found
