"""Who gets a socket: connection caps and a deadline for the request's headers.

uvicorn reads headers for as long as a client cares to send them, and keeps
every connection it is offered, so a few thousand half-open sockets
(slowloris) used to exhaust the process's descriptors. The Doorman counts
connections per server, by address group (frankly/server/addresses.py), and
is consulted by the two uvicorn protocol classes below:

- A request's line and headers must arrive within `header_timeout` seconds of
  the connection (or of the request's first byte, on a kept-alive one);
  otherwise the socket is closed.
- At most `max_connections` at once. At the cap, the oldest connection still
  waiting for its headers is closed to make room: a real client finishes its
  headers at once, so half-open sockets cannot crowd it out. Only when every
  connection is a real one is the newcomer turned away.
- At most `max_connections_per_address` from one address group. Loopback is
  exempt, as from every per-address limit: behind a local reverse proxy it
  is everyone; with `trust_proxy` no peer is counted, for the same reason.

- A WebSocket whose client has read nothing for `timeout` seconds while the
  server had data for it (the transport stays paused) is aborted.

What the TCP peer cannot tell (X-Forwarded-For) comes later, in edge.py.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from frankly.server.addresses import group
from frankly.server.config import ServerConfig

log = logging.getLogger(__name__)

# Descriptors kept back from the connection cap: the SFU's socket, SQLite,
# logs, key files, and the listening sockets themselves.
RESERVED_DESCRIPTORS = 64


def raise_descriptor_limit() -> int:
    """Lift the soft descriptor limit to the hard one, where allowed; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, 1 << 20) if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # a container may forbid it
            pass
    return soft


def connection_cap(wanted: int) -> int:
    """`wanted`, or fewer if the descriptor limit would not hold that many."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_DESCRIPTORS))


class Doorman:
    def __init__(
        self, total: int, per_address: int, header_timeout: float, stall_timeout: float = 30.0
    ) -> None:
        self.total = total
        self.per_address = per_address
        self.header_timeout = header_timeout
        self.stall_timeout = stall_timeout
        self._groups: dict[asyncio.Transport, str | None] = {}
        self._per_group: Counter[str] = Counter()
        # Connections whose request headers are not complete, oldest first.
        self._half_open: dict[asyncio.Transport, None] = {}
        self._refused_at_cap = 0

    @classmethod
    def for_config(cls, config: ServerConfig) -> Doorman:
        # Behind a trusted proxy every TCP peer is the proxy: per-address caps
        # would cap everyone at once, so only the total holds here.
        per_address = (
            config.max_connections if config.trust_proxy else config.max_connections_per_address
        )
        return cls(
            connection_cap(config.max_connections),
            per_address,
            config.header_timeout,
            config.timeout,  # as long as the server waits for a silent client
        )

    @property
    def open(self) -> int:
        return len(self._groups)

    def admit(self, transport: asyncio.Transport, peer: str | None) -> bool:
        key = _group_of(peer)
        if key is not None and self._per_group[key] >= self.per_address:
            log.debug("refused a connection from %s: %d open already", key, self.per_address)
            return False
        if len(self._groups) >= self.total and not self._evict_half_open():
            self._refused_at_cap += 1
            if self._refused_at_cap in (1, 10, 100) or self._refused_at_cap % 1000 == 0:
                # A few lines, not one a connection: this is when the log is under attack too.
                log.warning(
                    "refused %d connections so far: %d open, the cap (--max-connections)",
                    self._refused_at_cap,
                    self.total,
                )
            return False
        self._groups[transport] = key
        if key is not None:
            self._per_group[key] += 1
        self._half_open[transport] = None
        return True

    def headers_done(self, transport: asyncio.Transport) -> None:
        self._half_open.pop(transport, None)

    def request_started(self, transport: asyncio.Transport) -> None:
        if transport in self._groups:
            self._half_open[transport] = None

    def release(self, transport: asyncio.Transport) -> None:
        """The connection is gone; safe to call more than once."""
        self._half_open.pop(transport, None)
        if transport not in self._groups:
            return
        key = self._groups.pop(transport)
        if key is not None:
            self._per_group[key] -= 1
            if self._per_group[key] <= 0:
                del self._per_group[key]

    def _evict_half_open(self) -> bool:
        if not self._half_open:
            return False
        oldest = next(iter(self._half_open))
        self.release(oldest)
        oldest.abort()
        return True


def _group_of(peer: str | None) -> str | None:
    """The key a peer is counted under; None (not counted) for loopback."""
    import ipaddress

    if peer is None:
        return None
    key = group(peer)
    try:
        return None if ipaddress.ip_address(key).is_loopback else key
    except ValueError:
        return key


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's HTTP protocol, asking the Doorman first and timing the headers."""

    doorman: ClassVar[Doorman]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._admitted = False
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        host = peer[0] if isinstance(peer, tuple) else None
        if not self.doorman.admit(transport, host):
            transport.abort()
            return
        self._admitted = True
        super().connection_made(transport)
        self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._admitted:
            return
        self._stop_deadline()
        self.doorman.release(self.transport)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.doorman.request_started(self.transport)
        self._start_deadline()

    def on_headers_complete(self) -> None:
        self._stop_deadline()
        self.doorman.headers_done(self.transport)
        super().on_headers_complete()

    def _start_deadline(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.doorman.header_timeout, self._too_slow)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        timeout = self.doorman.header_timeout
        log.debug("closed a connection that sent no whole request within %g s", timeout)
        self.doorman.release(self.transport)
        self.transport.abort()


class GuardedWebSocket(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, which the upgraded connection ends in.

    A client that stops reading fills the socket's buffers until the transport
    pauses writing; then even a close frame cannot be sent, and a socket that
    is only closed, not aborted, waits for its buffer to drain for as long as
    the peer's zero window lasts (forever, for an attacker). One that stays
    paused for `stall_timeout` seconds is aborted.
    """

    doorman: ClassVar[Doorman]
    _stalled: asyncio.TimerHandle | None = None

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(self.doorman.stall_timeout, self._abort_stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._unstall()

    def connection_lost(self, exc: Exception | None) -> None:
        self._unstall()
        self.doorman.release(self.transport)
        super().connection_lost(exc)

    def _unstall(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    def _abort_stalled(self) -> None:
        self._stalled = None
        log.info("aborted a WebSocket that read nothing for %g s", self.doorman.stall_timeout)
        self.transport.abort()


def protocols(doorman: Doorman) -> dict[str, Any]:
    """uvicorn's `http` and `ws` options for one server, bound to its Doorman."""
    http = type("GuardedHttp", (GuardedHttp,), {"doorman": doorman})
    ws = type("GuardedWebSocket", (GuardedWebSocket,), {"doorman": doorman})
    return {"http": http, "ws": ws}
