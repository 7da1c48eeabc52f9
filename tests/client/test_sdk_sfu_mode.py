"""A room that moves to the SFU: the SDK (peer to peer only, so far) says so and carries on."""

from __future__ import annotations

import pytest

import frankly.client as fc
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(max_participants=3)


async def test_the_move_to_the_sfu_is_reported_and_no_new_peer_connections_are_made(
    clients: Clients,
) -> None:
    ada = clients.client("Ada")
    connected = ada.wait_for(
        fc.ConnectionStateChanged, lambda e: e.state == "connected", timeout=10
    )
    await ada.join()
    grace = await clients.join("Grace")
    assert ada.mode == "p2p"
    await connected
    moved = ada.wait_for(fc.ModeChanged, timeout=10)
    joined = ada.wait_for(fc.ParticipantJoined, timeout=10)

    third = await clients.join("Third")

    assert (await moved).mode == "sfu"
    assert (await joined).participant.id == third.id
    assert third.mode == "sfu" and len(third.participants) == 2
    assert third.connection_state(ada.id) is None and third.connection_state(grace.id) is None
    assert ada.connection_state(third.id) is None
    assert ada.connection_state(grace.id) == "connected"  # kept: it still carries media
    # Chat and events go on as before.
    heard = third.wait_for(fc.ChatMessage, timeout=10)
    await ada.send_chat("welcome, third")
    assert (await heard).name == "Ada"
