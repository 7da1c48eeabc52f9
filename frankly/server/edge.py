"""What a request must show before the app sees it: a host we serve, an origin we trust.

- **Host** (every request): a page on another site can point its own domain
  name at this server's address (DNS rebinding) and then talk to it as its
  own origin. So the Host header must be a name the server answers to: an IP
  literal (no one can rebind those), `localhost`, the machine's own names, or
  one given with `--allowed-host`. A request without Host (HTTP/1.0 health
  checks) is not a browser's and passes.
- **Origin** (WebSocket upgrades): browsers send the page's origin with every
  upgrade, and nothing else stops a page on any site from opening a socket to
  a local or intranet server through its visitor's browser. An upgrade whose
  Origin is neither this server's own (same host and port as the request's
  Host) nor one given with `--allowed-origin` is refused with 403. No Origin
  at all is not a browser (the SDK, tools) and passes: whoever can send a
  request without a browser can connect anyway.
- **X-Forwarded-For** (upgrades, with `--trust-proxy` only): one that is not an
  address is refused with 400, not replaced by the proxy's own address.

Refusals of upgrades are HTTP responses before the handshake (the
WebSocket denial response), so a page learns nothing but that it failed.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from frankly.server.addresses import BadForwardedFor, forwarded_for

log = logging.getLogger(__name__)

ANY = "*"  # --allowed-host '*': the proxy in front checks Host


def own_names() -> set[str]:
    """The host names this machine answers to without being told (no DNS asked)."""
    hostname = socket.gethostname().lower()
    return {"localhost", hostname, f"{hostname}.local"}


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        hosts: Iterable[str],
        origins: Iterable[str],
        trust_proxy: bool,
        peers: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.app = app
        self.hosts = {host.lower() for host in hosts}
        self.origins = {_origin(origin) for origin in origins}
        self.trust_proxy = trust_proxy
        # In a cluster: the live nodes' URLs, whose pages a redirect sends here.
        self.peers = peers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem = self.problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, text = problem
        log.info("refused %s %s: %s", scope["type"], scope.get("path", ""), text)
        await _refuse(scope, send, status, text)

    def problem(self, scope: Scope) -> tuple[int, str] | None:
        """(HTTP status, a sentence) for a request that must not pass; None if it may."""
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not self.host_ok(host):
            name = split_host(host)[0] or "(none)"
            return 400, f"this server does not answer to the name {name!r} (see --allowed-host)"
        if scope["type"] != "websocket":
            return None
        origin = headers.get("origin")
        if origin is not None and not self.origin_ok(origin, host):
            return 403, f"WebSocket from origin {origin!r} refused (see --allowed-origin)"
        if self.trust_proxy:
            try:
                forwarded_for(headers)
            except BadForwardedFor as exc:
                return 400, f"{exc}; is the reverse proxy set up right?"
        return None

    def host_ok(self, host: str) -> bool:
        if not host:  # HTTP/1.0 health checks; browsers always send one
            return True
        name, _ = split_host(host)
        if ANY in self.hosts or name in self.hosts:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def origin_ok(self, origin: str, host: str) -> bool:
        normal = _origin(origin)
        if normal in self.origins:
            return True
        if self.peers is not None and normal in {_origin(url) for url in self.peers()}:
            return True
        parts = urlsplit(normal)
        if parts.scheme not in ("http", "https") or parts.path or parts.query:
            return False  # "null" (sandboxed frames, files) and the like
        origin_name, origin_port = split_host(parts.netloc)
        if not origin_name:
            return False
        name, port = split_host(host)
        origin_port = origin_port or (443 if parts.scheme == "https" else 80)
        # A Host without a port came on the default port of the page's scheme.
        return origin_name == name and (port is None or port == origin_port)


def split_host(host: str) -> tuple[str, int | None]:
    """'Example.org:8080' -> ('example.org', 8080); '[::1]:80' -> ('::1', 80)."""
    try:
        parts = urlsplit(f"//{host.strip()}")
        port = parts.port
    except ValueError:  # a port that is not a number or out of range, a bad IPv6
        return "", None
    if parts.username is not None or parts.password is not None:
        return "", None
    return (parts.hostname or ""), port


def _origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


async def _refuse(scope: Scope, send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):  # a server without denial responses: refuse the handshake bare
        await send({"type": "websocket.close", "code": 1008, "reason": text[:120]})
        return
    prefix = "websocket." if scope["type"] == "websocket" else ""
    await send({"type": f"{prefix}http.response.start", "status": status, "headers": headers})
    await send({"type": f"{prefix}http.response.body", "body": body})
