"""Two people, each in their own browser: they see and hear each other,
see each other mute and turn the camera off, and see each other leave."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.meeting import NewPage, join, self_id, stats, tile, wait_media, wait_video_shown
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_two_people_see_and_hear_each_other(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "call-1", "Ada Lovelace")
    grace_id = join(grace, "call-1", "Grace Hopper")

    expect(tile(ada, grace_id)).to_contain_text("Grace Hopper")
    expect(tile(grace, ada_id)).to_contain_text("Ada Lovelace")
    wait_media(ada, grace_id)  # frames decoded and audio packets received
    wait_media(grace, ada_id)
    wait_video_shown(ada, grace_id)
    wait_video_shown(grace, ada_id)
    expect(ada.get_by_test_id("people")).to_contain_text("Grace Hopper")
    assert live_server.participant_ids("call-1") == [ada_id, grace_id]


def test_mute_and_camera_off_are_seen_by_the_other(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "call-2", "Ada Lovelace")
    grace_id = join(grace, "call-2", "Grace Hopper")
    wait_media(grace, ada_id)
    ada_at_grace = tile(grace, ada_id)
    expect(ada_at_grace).to_have_attribute("data-audio", "on")
    expect(ada_at_grace.get_by_role("img", name="Microphone muted")).to_be_hidden()

    mic = ada.get_by_test_id("btn-mic")
    expect(mic).to_have_accessible_name("Mute microphone")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(mic).to_have_accessible_name("Unmute microphone")  # the label says what a press does
    expect(mic).to_have_text("Unmute")
    expect(ada_at_grace).to_have_attribute("data-audio", "off")
    expect(ada_at_grace.get_by_role("img", name="Microphone muted")).to_be_visible()
    expect(grace.get_by_test_id("people")).to_contain_text(re.compile("Ada Lovelace.*muted"))
    # Muted means the track sends silence, not that it is gone.
    assert ada.evaluate("window.frankly.session.localStream.getAudioTracks()[0].enabled") is False

    camera = ada.get_by_test_id("btn-cam")
    expect(camera).to_have_accessible_name("Camera off")
    camera.click()
    expect(camera).to_have_attribute("aria-pressed", "true")
    expect(camera).to_have_accessible_name("Camera on")
    expect(camera).to_have_text("Camera on")
    expect(ada_at_grace).to_have_attribute("data-video", "off")
    expect(ada_at_grace.locator(".avatar")).to_be_visible()
    expect(ada_at_grace.locator(".avatar")).to_have_text("AL")
    expect(ada_at_grace.get_by_test_id("tile-video")).to_have_css("opacity", "0")
    # The camera itself is stopped (its light goes off), not just hidden.
    assert ada.evaluate("window.frankly.session.localStream.getVideoTracks().length") == 0

    # Camera back on: a new track, and Grace decodes fresh frames from it.
    frames = stats(grace, ada_id)["video"]["framesDecoded"]
    camera.click()
    expect(camera).to_have_attribute("aria-pressed", "false")
    expect(camera).to_have_text("Camera off")
    expect(ada_at_grace).to_have_attribute("data-video", "on")
    wait_media(grace, ada_id, frames_over=frames + 15)
    mic.click()
    expect(ada_at_grace).to_have_attribute("data-audio", "on")
    expect(ada_at_grace.get_by_role("img", name="Microphone muted")).to_be_hidden()
    assert grace_id != ada_id


def test_leave_ends_the_call_for_the_other(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "call-3", "Ada Lovelace")
    grace_id = join(grace, "call-3", "Grace Hopper")
    wait_media(grace, ada_id)
    grace.evaluate("(id) => { window.pcToAda = window.frankly.pcs()[id]; }", ada_id)
    ada.evaluate("(id) => { window.pcToGrace = window.frankly.pcs()[id]; }", grace_id)

    ada.get_by_role("button", name="Leave").click()

    expect(ada.get_by_role("heading", name="You left the meeting")).to_be_visible()
    expect(ada.get_by_role("button", name="Rejoin")).to_be_visible()
    expect(tile(grace, ada_id)).to_have_count(0)
    expect(grace.get_by_test_id("announcer")).to_contain_text("Ada Lovelace left.")
    grace.wait_for_function("() => window.pcToAda.connectionState === 'closed'")
    ada.wait_for_function("() => window.pcToGrace.connectionState === 'closed'")
    assert grace.evaluate("Object.keys(window.frankly.pcs())") == []
    # Ada's camera and microphone are released.
    assert ada.evaluate(
        "window.pcToGrace.getSenders().every((s) => !s.track || s.track.readyState === 'ended')"
    )
    assert live_server.participant_ids("call-3") == [grace_id]

    # Rejoin: a new participant, and a new call that works.
    ada.get_by_role("button", name="Rejoin").click()
    expect(ada.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    new_id = self_id(ada)
    assert new_id != ada_id
    expect(tile(grace, new_id)).to_contain_text("Ada Lovelace")
    wait_media(grace, new_id)
    wait_media(ada, grace_id)


def test_reconnect_after_the_server_drops_the_socket(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "call-4", "Ada Lovelace")
    grace_id = join(grace, "call-4", "Grace Hopper")
    wait_media(ada, grace_id)
    wait_media(grace, ada_id)
    # Record what the connection banner says, so a short "Reconnecting…" is not missed.
    ada.evaluate(
        """() => {
            window.pcToGrace = Object.values(window.frankly.pcs())[0];
            window.bannerSeen = [];
            const banner = document.querySelector('[data-testid="conn-banner"]');
            new MutationObserver(() => {
                if (!banner.hidden) window.bannerSeen.push(banner.textContent);
            }).observe(banner, {attributes: true, childList: true, subtree: true});
        }"""
    )

    live_server.drop(ada_id)

    ada.wait_for_function("() => window.frankly.states.includes('reconnecting')")
    expect(ada.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    assert any("Reconnecting" in text for text in ada.evaluate("window.bannerSeen"))
    expect(ada.get_by_test_id("conn-banner")).to_be_hidden()
    assert ada.evaluate("window.frankly.session.you.id") == ada_id
    assert live_server.participant_ids("call-4") == [ada_id, grace_id]
    expect(tile(grace, ada_id)).to_have_attribute("data-connected", "true")
    # The same peer connection carries on: media never stopped.
    assert ada.evaluate("(id) => window.frankly.pcs()[id] === window.pcToGrace", grace_id)
    ada_frames = stats(ada, grace_id)["video"]["framesDecoded"]
    grace_frames = stats(grace, ada_id)["video"]["framesDecoded"]
    wait_media(ada, grace_id, frames_over=ada_frames + 30)
    wait_media(grace, ada_id, frames_over=grace_frames + 30)
