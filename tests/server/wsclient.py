"""A bare protocol client for server tests: raw frames in, parsed messages out."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import websockets
from websockets.asyncio.client import ClientConnection

# Seconds to wait for a message that should come: generous, never slept.
WAIT = 5


class Raw:
    # Every client a test opened, so the fixture below can close them all.
    opened: ClassVar[list[Raw]] = []

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: dict[str, Any] = {}
        Raw.opened.append(self)

    @classmethod
    async def connect(cls, url: str, headers: dict[str, str] | None = None) -> Raw:
        return cls(await websockets.connect(url, max_size=None, additional_headers=headers))

    @classmethod
    async def hello(
        cls,
        url: str,
        room: str = "r",
        name: str = "Ada",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Raw:
        """Connect and say hello; what comes back is for the test to expect."""
        client = await cls.connect(url, headers)
        await client.send({"type": "hello", "version": 1, "room": room, "name": name, **extra})
        return client

    @classmethod
    async def join(
        cls,
        url: str,
        room: str = "r",
        name: str = "Ada",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Raw:
        client = await cls.hello(url, room, name, headers, **extra)
        client.welcome = await client.expect("welcome")
        return client

    async def refused(self, code: str, close: int) -> dict[str, Any]:
        """Expect the error `code` and then the close `close`; return the error."""
        error = await self.expect("error")
        assert error["code"] == code, error
        assert await self.closed() == close
        return error

    @property
    def id(self) -> str:
        return str(self.welcome["you"]["id"])

    async def send(self, message: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    async def expect(self, kind: str, wait: float = WAIT) -> dict[str, Any]:
        """The next message of type `kind`, skipping others (pongs, updates...)."""
        async with asyncio.timeout(wait):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message["type"] == kind:
                    return message

    async def expect_any(self, wait: float = WAIT) -> dict[str, Any]:
        """The next message, whatever its type."""
        async with asyncio.timeout(wait):
            message: dict[str, Any] = json.loads(await self.ws.recv())
            return message

    async def closed(self, wait: float = WAIT) -> int | None:
        """Wait for the server to close; return its close code."""
        async with asyncio.timeout(wait):
            try:
                while True:
                    await self.ws.recv()
            except websockets.ConnectionClosed as exc:
                return exc.rcvd.code if exc.rcvd else None

    async def close(self) -> None:
        await self.ws.close()
