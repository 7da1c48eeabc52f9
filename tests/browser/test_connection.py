"""What people see when the signaling connection fails or is refused."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import WebSocket, WebSocketRoute, expect

from frankly.server.background import BackgroundServer
from tests.browser.meeting import NewPage
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_unreachable_server_is_explained_and_retried(new_page: NewPage) -> None:
    server = BackgroundServer().start()
    try:
        page = new_page()
        page.goto(f"{server.url}/lonely-room")
        page.get_by_label("Your name").fill("Ada")
    finally:
        server.stop()  # the page is loaded; now the server is gone
    attempts: list[WebSocket] = []
    page.on("websocket", lambda ws: attempts.append(ws))

    page.get_by_role("button", name="Join", exact=True).click()

    banner = page.get_by_test_id("conn-banner")
    expect(banner).to_contain_text("Can\u2019t reach the Frankly server")
    expect(banner).to_contain_text("Retrying")
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "offline")
    expect(page.get_by_test_id("conn-state")).to_contain_text("Offline")
    # It keeps trying, with backoff (0.5 s, then 1 s, ...), on new sockets.
    page.wait_for_function("() => window.frankly.session.client.attempt >= 3", timeout=5_000)
    assert len(attempts) >= 3


@pytest.mark.parametrize(
    ("code", "close", "heading"),
    [
        ("protocol-violation", 4422, "The connection to the meeting broke off"),
        ("flooding", 4429, "The connection to the meeting broke off"),
        ("unsupported-version", 4400, "This page is out of date"),
        ("room-full", 4409, "This meeting is full"),
    ],
)
def test_refusals_from_the_server_are_explained(
    live_server: LiveServer, new_page: NewPage, code: str, close: int, heading: str
) -> None:
    page = new_page()
    hellos: list[dict[str, object]] = []

    def refuse(ws: WebSocketRoute) -> None:
        def on_message(frame: str | bytes) -> None:
            hellos.append(json.loads(frame))
            ws.send(json.dumps({"type": "error", "code": code, "message": f"no ({code})"}))
            ws.close(code=close, reason=code)

        ws.on_message(on_message)

    page.route_web_socket("**/ws", refuse)
    page.goto("/refused-room")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_role("button", name="Join", exact=True).click()

    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # The code is for support, on a line of its own; the headline is in words.
    expect(page.get_by_text(f"Details for support: {close} {code}")).to_be_visible()
    expect(page.get_by_test_id("conn-state")).to_have_attribute("data-state", "closed")
    assert hellos and hellos[0]["type"] == "hello" and hellos[0]["room"] == "refused-room"
    # A refusal is final: no reconnect is scheduled.
    client = "window.frankly.session.client"
    assert page.evaluate(f"{client}.stopped && {client}.retryTimer === undefined")
    assert len(hellos) == 1
