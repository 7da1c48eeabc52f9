"""The dialogue pages' addresses serve dialogue.html; no room takes their place."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer

PAGES = [
    "/dialogues",
    "/dialogues/new",
    "/dialogues/join",
    "/dialogues/d-0d6caa65de6bd94d",
    "/dialogues/d-0d6caa65de6bd94d/meetings/mt-77aa66bb55cc44dd",
    "/dialogues/d-0d6caa65de6bd94d/device",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_dialogue_address_is_the_dialogue_page(live_server: LiveServer, path: str) -> None:
    answer = httpx.get(live_server.url + path)
    assert answer.status_code == 200
    assert '<script type="module" src="/static/dialogues/app.js">' in answer.text
    assert "content-security-policy" in answer.headers


def test_the_room_client_stays_at_a_room_name(live_server: LiveServer) -> None:
    answer = httpx.get(live_server.url + "/dialogue")  # a room, not the pages
    assert '<script type="module" src="/static/app.js">' in answer.text
