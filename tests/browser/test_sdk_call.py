"""A Chromium participant and a Python SDK participant in one call.

Each receives the other's audio and video, whichever of them is the polite
side (the SDK never offers while polite, so both orders take different paths
through negotiation). The SDK runs on its own event loop in a thread, since
Playwright's sync API owns this one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, expect

import frankly.client as fc
from tests.browser.meeting import NewPage, join, tile, wait_media, wait_video_shown
from tests.client.helpers import frame_where, peak, track_from
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
T = TypeVar("T")


class SdkLoop:
    """An event loop in a thread, for the SDK beside Playwright's sync API."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def sdk() -> Iterator[SdkLoop]:
    loop = SdkLoop()
    yield loop
    loop.close()


def join_in_order(
    live_server: LiveServer, page: Page, sdk: SdkLoop, *, sdk_polite: bool, tag: str
) -> tuple[str, fc.Client]:
    """The browser and the SDK in one room, the SDK's id above (polite) or below the browser's."""
    for room_attempt in range(6):
        room = f"sdk-call-{tag}-{room_attempt}"
        browser_id = join(page, room, "Ada Lovelace")
        for _ in range(8):
            client = sdk.run(
                fc.join(
                    f"{live_server.url}/{room}",
                    name="bot",
                    audio=fc.ToneTrack(),
                    video=fc.PatternTrack(),
                )
            )
            if (client.id > browser_id) == sdk_polite:
                return browser_id, client
            sdk.run(client.leave())
    raise AssertionError("could not get the wanted id order")


@pytest.mark.parametrize("sdk_polite", [True, False], ids=["sdk-answers", "sdk-offers"])
def test_browser_and_sdk_receive_each_others_media(
    live_server: LiveServer, new_page: NewPage, sdk: SdkLoop, sdk_polite: bool
) -> None:
    page = new_page()
    browser_id, client = join_in_order(
        live_server, page, sdk, sdk_polite=sdk_polite, tag="a" if sdk_polite else "b"
    )
    try:
        # The browser decodes the SDK's bars and receives its tone...
        expect(tile(page, client.id)).to_contain_text("bot")
        wait_media(page, client.id)
        wait_video_shown(page, client.id)

        # ...and the SDK decodes Chromium's fake camera and microphone.
        async def sdk_receives() -> tuple[Any, Any]:
            video = await track_from(client, browser_id, "video", within=30)
            audio = await track_from(client, browser_id, "audio", within=30)
            picture = await frame_where(video, lambda f: f.width > 0, within=30)
            # Chromium's fake microphone beeps now and then: wait for a beep.
            sound = await frame_where(audio, lambda f: peak(f) > 1000, within=30)
            return picture, sound

        picture, sound = sdk.run(sdk_receives())
        # The camera opens at 1280x720; the encoder may start smaller, in the same shape.
        assert picture.width * 9 == picture.height * 16 and 0 < picture.width <= 1280
        assert sound.sample_rate == 48000
        assert client.participants[browser_id].name == "Ada Lovelace"
        assert client.connection_state(browser_id) == "connected"

        # Turning the SDK's camera off shows on the browser's tile.
        sdk.run(client.update(video=False))
        expect(tile(page, client.id)).to_have_attribute("data-video", "off")
    finally:
        sdk.run(client.leave())
    expect(tile(page, client.id)).to_have_count(0)


@pytest.mark.parametrize("sdk_polite", [True, False], ids=["sdk-answers", "sdk-offers"])
def test_a_browser_without_devices_receives_the_sdk(
    live_server: LiveServer, new_page: NewPage, sdk: SdkLoop, sdk_polite: bool
) -> None:
    page = new_page(deny=["audio", "video"])
    browser_id, client = join_in_order(
        live_server, page, sdk, sdk_polite=sdk_polite, tag="c" if sdk_polite else "d"
    )
    try:
        # Impolite and without devices, the browser still offers (recvonly m-lines),
        # which is the only way a polite SDK gets to send.
        wait_media(page, client.id)
        wait_video_shown(page, client.id)
        assert client.participants[browser_id].video is False
    finally:
        sdk.run(client.leave())
