"""The SDK hides its address on request: relay candidates only, through a real coturn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection

from frankly.client.rtc import RELAY_SUPPORTED
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where, track_from
from tests.turnserver import Coturn, running_coturn, turnserver
from tests.waiting import until

pytestmark = [
    pytest.mark.skipif(turnserver() is None, reason="coturn: ./scripts/system-deps turn"),
    pytest.mark.skipif(not RELAY_SUPPORTED, reason="this aiortc has no iceTransportPolicy"),
]

SECRET = "sdk-turn-secret"


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    with running_coturn(tmp_path_factory.mktemp("coturn"), SECRET) as turn:
        yield turn


@pytest.fixture
def server_config(coturn: Coturn, tmp_path: Path) -> ServerConfig:
    secret = tmp_path / "turn-secret"
    secret.write_text(SECRET)
    return ServerConfig(turn_urls=(coturn.url,), turn_secret_file=secret)


def nominated(pc: RTCPeerConnection) -> tuple[str, str] | None:
    """(our candidate's type, theirs) of the pair aioice nominated, if any yet."""
    ice = pc.getTransceivers()[0].sender.transport.transport
    pairs = list(ice._connection._nominated.values())
    if not pairs:
        return None
    return pairs[0].local_candidate.type, pairs[0].remote_candidate.type


async def test_a_relay_only_bot_is_reached_only_through_the_relay(clients: Clients) -> None:
    ada = await clients.av("Ada", relay_only=True)
    grace = await clients.av("Grace")
    await frame_where(await track_from(grace, ada.id, "video"))
    ada_pc = ada._calls.links[grace.id].pc
    grace_pc = grace._calls.links[ada.id].pc
    await until(lambda: nominated(ada_pc) is not None, 10, "Ada's pair nominated")
    await until(lambda: nominated(grace_pc) is not None, 10, "Grace's pair nominated")
    assert nominated(ada_pc) == ("relay", nominated(ada_pc)[1])  # type: ignore[index]
    # Grace sees only the relay's address of Ada; Grace herself, who did not ask, goes direct.
    assert nominated(grace_pc) == ("host", "relay")
