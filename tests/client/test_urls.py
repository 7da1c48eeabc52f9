"""Meeting links: the signaling URL and room, the invite they carry."""

from __future__ import annotations

import pytest

from frankly.client import split_url
from frankly.client.urls import invite_from_url


@pytest.mark.parametrize(
    ("url", "room", "expected"),
    [
        ("http://127.0.0.1:8080/team-sync", None, ("ws://127.0.0.1:8080/ws", "team-sync")),
        ("https://meet.example/team-sync/", None, ("wss://meet.example/ws", "team-sync")),
        ("https://example.org/frankly/a_b", None, ("wss://example.org/frankly/ws", "a_b")),
        ("http://h:1/x?lang=fr#top", None, ("ws://h:1/ws", "x")),
        ("http://h:1", "standup", ("ws://h:1/ws", "standup")),
        ("ws://h:1/ws", "standup", ("ws://h:1/ws", "standup")),
        ("http://h:1/no%20such", None, ("ws://h:1/ws", "no such")),
    ],
)
def test_split_url(url: str, room: str | None, expected: tuple[str, str]) -> None:
    assert split_url(url, room) == expected


@pytest.mark.parametrize("url", ["http://h:1/", "ftp://h/room", "team-sync"])
def test_split_url_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        split_url(url)


def test_an_invite_link_carries_its_token() -> None:
    assert invite_from_url("https://m.example/board?invite=abc.def.ghi#passphrase=x") == (
        "abc.def.ghi"
    )
    assert invite_from_url("https://m.example/board") is None
    # A dialogue meeting's entry puts it in the fragment, which browsers never send.
    assert invite_from_url("https://m.example/dlg-1#invite=abc.def.ghi&passphrase=x") == (
        "abc.def.ghi"
    )
