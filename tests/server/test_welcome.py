"""Every frame the server sends fits what its own clients accept (1 MiB)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
import websockets

from frankly.protocol import messages
from frankly.protocol.errors import Code
from frankly.rooms import Room
from frankly.server.access import Entry
from frankly.server.config import ServerConfig
from frankly.server.hub import Hub
from frankly.server.link import Link
from frankly.server.lobby import Lobby
from tests.conftest import LiveServer
from tests.server.wsclient import Raw

# The largest sealed chat message: 22,000 base64 characters.
BIGGEST_SEALED = base64.b64encode(b"\xff" * 16_500).decode()


async def test_a_newcomer_with_the_sdks_frame_limit_joins_after_a_long_chat(
    live_server: LiveServer,
) -> None:
    chatty = await Raw.join(live_server.ws_url, name="Chatty")
    assert len(BIGGEST_SEALED) == 22_000
    for _ in range(100):  # once 2.2 MB of history, in one welcome
        await chatty.send({"type": "chat", "sealed": BIGGEST_SEALED})
        await chatty.expect("chat")
    # As the SDK connects: frames over 1 MiB close the socket.
    async with websockets.connect(live_server.ws_url, max_size=messages.MAX_SENT_FRAME) as ws:
        hello = {"type": "hello", "version": 1, "room": "r", "name": "Bot"}
        await ws.send(json.dumps(hello))
        frame = await ws.recv()
        welcome = json.loads(frame)
        assert welcome["type"] == "welcome" and len(frame) <= messages.MAX_SENT_FRAME
        # The newest history is kept, oldest first, as much as fits the room's budget.
        ids = [m["id"] for m in welcome["chat"]]
        assert ids == list(range(101 - len(ids), 101)) and len(ids) >= 20


def test_the_largest_welcome_fits_the_clients_frame_limit() -> None:
    """A full room, a full lobby, a full history, and names that escape to 12 bytes a character."""
    config = ServerConfig()
    hub = Hub(config)
    name = "\U0001f600" * 64  # two \\uXXXX escapes a character on the wire
    room = Room("r", config.max_participants)
    for _ in range(config.max_participants):
        room.add(name, True, True, device="d" * 64, address="2001:db8::1")
    me = next(iter(room.participants.values()))
    lobby = Lobby(config.lobby_size, config.lobby_total, config.lobby_size)
    hello = messages.Hello(type="hello", version=1, room="r", name=name)
    entry = Entry(name=name, role="participant", invited=False)
    for _ in range(config.lobby_size):
        lobby.add(object(), hello, entry, True, None)  # type: ignore[arg-type]
    hub.lobby = lobby
    for _ in range(200):
        message = messages.chat(room.next_chat_id(), me.id, name, {"sealed": BIGGEST_SEALED}, 1.5)
        room.keep_chat(message, len(messages.dump(message)))
    welcome = messages.dump(hub._welcome(room, me, resumed=False))
    assert me.is_host and len(hub._welcome(room, me, False)["knocks"]) == config.lobby_size
    assert len(welcome) <= messages.MAX_SENT_FRAME, len(welcome)
    hub.gate.hasher.stop()


async def test_a_frame_over_the_clients_limit_is_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    class Socket:
        def __init__(self) -> None:
            self.sent: list[str] = []
            self.got = asyncio.Event()

        async def send_text(self, text: str) -> None:
            self.sent.append(text)
            self.got.set()

    ws: Any = Socket()
    link = Link(ws, ServerConfig(), 0.0, "127.0.0.1")
    link.send(messages.error(Code.INVALID_MESSAGE, "x" * messages.MAX_SENT_FRAME))
    link.send(messages.pong(1))  # queued after it: once this is out, the other was skipped
    async with asyncio.timeout(5):
        await ws.got.wait()
    assert ws.sent == ['{"type":"pong","n":1}']
    assert "over the clients' limit" in caplog.text
    link._writer.cancel()
