"""The metrics listener: /metrics, /healthz and /readyz on a port of their own.

`--metrics-listen 127.0.0.1:9100` serves them here, on the server's event
loop (an asyncio server, not prometheus_client's thread: a scrape reads the
rooms, which only the event loop may touch, and a scrape is far shorter
than the time a thread switch would save). It speaks just enough HTTP/1.1
for Prometheus and a probe: one GET per connection, then close. Nothing on
this port needs a token: bind it where only the scraper reaches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

HEAD_LIMIT = 8192  # bytes of request line and headers a scraper could need
READ_TIMEOUT = 5.0  # seconds to send them in

# path -> () -> (status, content type, body)
Page = Callable[[], tuple[int, str, bytes]]
REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:9100' -> ('127.0.0.1', 9100); '[::1]:9100' -> ('::1', 9100); ':9100': all."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{text!r}: give HOST:PORT, as in 127.0.0.1:9100")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "0.0.0.0", int(port)


def json_page(status: int, body: object) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body).encode()


class MetricsListener:
    def __init__(self, host: str, port: int, pages: dict[str, Page]) -> None:
        self.host, self.port = host, port
        self.pages = pages
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=HEAD_LIMIT
        )
        self.port = self._server.sockets[0].getsockname()[1]  # port 0: the one it got

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
            status, kind, body = self._answer(head)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status, kind, body = 400, "text/plain", b"bad request\n"
        except ConnectionError:
            writer.close()
            return
        writer.write(
            f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    def _answer(self, head: bytes) -> tuple[int, str, bytes]:
        method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        path = rest.split(" ", 1)[0].split("?", 1)[0]
        page = self.pages.get(path)
        if page is None:
            return 404, "text/plain", b"not found\n"
        if method != "GET":
            return 405, "text/plain", b"GET only\n"
        return page()
