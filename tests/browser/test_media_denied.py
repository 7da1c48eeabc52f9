"""No camera or microphone: the page says so, and joining still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.meeting import NewPage, join, stats, tile, wait_media, wait_video_shown
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_blocked_camera_and_microphone_join_receive_only(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = new_page()
    viewer = new_page(deny=["audio", "video"])
    ada_id = join(ada, "denied-1", "Ada")

    viewer.goto("/denied-1")
    problem = viewer.get_by_test_id("media-problem")
    expect(problem).to_contain_text("can\u2019t use your camera or microphone")
    expect(problem).to_contain_text("permission was denied")
    expect(problem).to_contain_text("You can still join")
    expect(viewer.get_by_role("button", name="Unmute microphone")).to_be_disabled()
    viewer_id = join(viewer, "denied-1", "Viewer")

    # It sends nothing and still decodes Ada's video.
    wait_media(viewer, ada_id)
    wait_video_shown(viewer, ada_id)
    assert (
        viewer.evaluate(
            "(id) => window.frankly.pcs()[id].getSenders().filter((s) => s.track).length", ada_id
        )
        == 0
    )
    viewer_at_ada = tile(ada, viewer_id)
    expect(viewer_at_ada).to_have_attribute("data-video", "off")
    expect(viewer_at_ada).to_have_attribute("data-audio", "off")
    expect(viewer_at_ada.locator(".avatar")).to_have_text("V")
    assert stats(ada, viewer_id)["video"]["framesDecoded"] == 0


def test_blocked_camera_joins_with_the_microphone(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = new_page()
    voice = new_page(deny=["video"])
    ada_id = join(ada, "denied-2", "Ada")

    voice.goto("/denied-2")
    expect(voice.get_by_test_id("media-problem")).to_contain_text(
        "can\u2019t use your camera: permission was denied"
    )
    expect(voice.get_by_test_id("media-problem")).to_contain_text("microphone only")
    voice_id = join(voice, "denied-2", "Voice Only")

    wait_media(voice, ada_id)  # sees and hears Ada
    wait_media(ada, voice_id, frames_over=-1, audio_over=0)  # Ada hears the voice
    expect(tile(ada, voice_id)).to_have_attribute("data-video", "off")
    expect(tile(ada, voice_id)).to_have_attribute("data-audio", "on")
    # Turning the camera on again asks again, and says why it cannot.
    voice.get_by_role("button", name="Camera on").click()
    expect(voice.locator("#toast")).to_contain_text(
        "Can\u2019t use the camera: permission was denied"
    )
    expect(voice.get_by_role("button", name="Camera on")).to_have_attribute("aria-pressed", "true")


def test_receive_only_button_when_the_camera_is_blocked(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = new_page()
    shy = new_page(deny=["video"])
    ada_id = join(ada, "denied-3", "Ada")
    shy_id = join(shy, "denied-3", "Shy", button="Join without camera or microphone")
    wait_media(shy, ada_id)
    expect(shy.get_by_role("button", name="Unmute microphone")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(tile(ada, shy_id)).to_have_attribute("data-audio", "off")
    assert shy.evaluate("window.frankly.session.localStream.getTracks().length") == 0
