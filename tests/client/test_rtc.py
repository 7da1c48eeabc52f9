"""The aiortc plumbing the links share: ICE servers from the wire."""

from __future__ import annotations

from frankly.client.rtc import ice_servers_from_wire


def test_ice_servers_from_wire() -> None:
    servers = ice_servers_from_wire(
        [
            {"urls": "stun:stun.example:3478"},
            {"urls": ["turn:t.example:3478?transport=udp"], "username": "u", "credential": "p"},
            {"no": "urls"},
        ]
    )
    assert [s.urls for s in servers] == [
        "stun:stun.example:3478",
        ["turn:t.example:3478?transport=udp"],
    ]
    assert (servers[1].username, servers[1].credential) == ("u", "p")
