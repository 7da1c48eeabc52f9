"""`frankly serve`'s TCP media port: never the web server's own TCP port."""

from __future__ import annotations

import argparse

import pytest

from frankly.cli import _media_tcp_port


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "port": 8080,
        "media_port": None,
        "media_tcp_port": None,
        "no_media_tcp": False,
    }
    return argparse.Namespace(**{**base, **kw})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, 8081),  # UDP 8080 beside the web server's TCP 8080: the next port
        ({"media_port": 8080}, 8081),
        ({"media_port": 10000}, 10000),  # a media port of its own: its TCP twin
        ({"media_port": 0}, None),  # any free port: the same number UDP gets
        ({"media_tcp_port": 4443}, 4443),
        ({"no_media_tcp": True, "media_tcp_port": 4443}, -1),
    ],
)
def test_the_tcp_media_port(given: dict[str, object], expected: int | None) -> None:
    assert _media_tcp_port(_args(**given)) == expected
