"""`Client(ssl=...)`: the TLS context of an https server's socket is the caller's."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

from frankly.client import Client, FranklyError
from tests.tlscerts import self_signed, server_context


@asynccontextmanager
async def refusing_server(tmp_path: Path, hellos: list[str]) -> AsyncIterator[tuple[int, Path]]:
    """A wss stand-in on 127.0.0.1 with a self-signed certificate for another name:
    it keeps each hello's room and refuses it as full. Its port and certificate."""
    cert, key = self_signed(tmp_path, "server")

    async def refuse(ws: ServerConnection) -> None:
        hellos.append(json.loads(await ws.recv())["room"])
        await ws.send(json.dumps({"type": "error", "code": "room-full", "message": "full"}))
        await ws.close()

    async with serve(refuse, "127.0.0.1", 0, ssl=server_context(cert, key)) as server:
        yield next(iter(server.sockets)).getsockname()[1], cert


def trusting(cert: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False  # issued for another name than 127.0.0.1
    return context


async def test_the_ssl_context_is_the_one_the_socket_trusts(tmp_path: Path) -> None:
    hellos: list[str] = []
    async with refusing_server(tmp_path, hellos) as (port, cert):
        url = f"https://127.0.0.1:{port}"
        plain = Client(url, room="r1", name="bot", invite="x.y.z", reconnect=False)
        with pytest.raises(ssl.SSLCertVerificationError):  # the system's CAs: not trusted
            await plain.join(timeout=10)
        pinned = Client(
            url, room="r2", name="bot", invite="x.y.z", reconnect=False, ssl=trusting(cert)
        )
        with pytest.raises(FranklyError) as refused:  # past TLS: the server's own answer
            await pinned.join(timeout=10)
        assert refused.value.code == "room-full"
    assert hellos == ["r2"]


def test_an_ssl_context_for_a_plain_http_url_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        Client("http://127.0.0.1:1", room="r", name="bot", ssl=ssl.create_default_context())
