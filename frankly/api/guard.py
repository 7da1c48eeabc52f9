"""`ApiGuard` stands in front of the API's routes: a change (any method but
GET, HEAD, OPTIONS) sent with an Origin of another site is refused (the
cookie is SameSite=Strict already; this holds for browsers that ignore it
too), and a request body over BODY_MAX is refused before it is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frankly.api.errors import ApiCode, ApiError, body_of, status_of

BODY_MAX: Final = 256 * 1024  # a readout is at most 100 KB; JSON escapes may double it
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiGuard:
    """Refuses, before the routes: a change from another site's page, an oversized body."""

    def __init__(self, app: ASGIApp, origin_ok: Callable[[str, str], bool]) -> None:
        self.app = app
        self.origin_ok = origin_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            scope["method"] not in _SAFE_METHODS
            and origin is not None
            and not self.origin_ok(origin, headers.get("host", ""))
        ):
            error = ApiError(ApiCode.FOREIGN_ORIGIN, "changes come from this server's own pages")
            await _answer(send, error)
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > BODY_MAX):
            await _answer(send, _too_large())
            return
        body = await _read_body(receive)
        if body is None:
            await _answer(send, _too_large())
            return
        await self.app(scope, _replay(body, receive), send)


def _too_large() -> ApiError:
    return ApiError(ApiCode.TOO_LARGE, f"a request is at most {BODY_MAX // 1024} KiB")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (None when over BODY_MAX), so that a chunked upload is bounded too."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_MAX:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _answer(send: Send, error: ApiError) -> None:
    body = json.dumps(body_of(error)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status_of(error),
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
