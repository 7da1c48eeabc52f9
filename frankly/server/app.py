"""The ASGI application: web client pages, static files, health, WebSocket."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from frankly import __version__
from frankly.api.mount import (
    api_app,
    dialogue_rooms,
    meeting_transcripts,
    open_store,
    public_checks,
)
from frankly.ops import health, metrics
from frankly.ops.lag import LagMonitor
from frankly.ops.listener import MetricsListener, json_page, parse_listen
from frankly.ops.ports import firewall_line
from frankly.protocol.messages import room_name_ok
from frankly.server.config import ServerConfig
from frankly.server.connection import endpoint
from frankly.server.doorman import Doorman, protocols
from frankly.server.edge import Edge, own_names, split_host
from frankly.server.hub import Hub
from frankly.server.limits import UnreadBudget
from frankly.server.logs import log_config

if TYPE_CHECKING:
    from frankly.cluster.nodes import Cluster

log = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent.parent / "web"

# The dialogue pages (web/dialogue.html; web/dialogues/app.js reads the path).
# "/dialogues/new" and "/dialogues/join" are these too: the page tells them apart.
DIALOGUE_PAGES = (
    "/dialogues",
    "/dialogues/{dialogue}",
    "/dialogues/{dialogue}/meetings/{meeting}",
    "/dialogues/{dialogue}/device",
    "/readouts/{readout}",  # a public readout
)


# How uvicorn must serve the app, for `frankly serve` and tests alike; what
# depends on the app's settings is added by uvicorn_options().
UVICORN_OPTIONS: dict[str, Any] = {
    # Larger frames close with 1009 unread (docs/protocol.md).
    "ws_max_size": 1 << 20,
    # Frankly reads X-Forwarded-For itself, and only with --trust-proxy.
    "proxy_headers": False,
    # No permessage-deflate: its zlib contexts cost far more memory per
    # socket than the few kilobytes of SDP they would save, and compressing
    # secrets (resume tokens) beside attacker-chosen text invites CRIME-style
    # guessing.
    "ws_per_message_deflate": False,
}


def uvicorn_options(app: Starlette, log_level: str = "info") -> dict[str, Any]:
    """Every uvicorn option for serving `app` (made by create_app)."""
    config: ServerConfig = app.state.hub.config
    return {
        **UVICORN_OPTIONS,
        # The Doorman's caps and header deadline (doorman.py).
        **protocols(app.state.doorman),
        "timeout_keep_alive": config.keep_alive,
        "log_level": log_level,
        "access_log": config.access_log,
        # Frankly's own lines too, and no invite token in any line (logs.py).
        "log_config": log_config(log_level, config.log_format),
    }


def create_app(config: ServerConfig | None = None) -> Starlette:
    config = config or ServerConfig()
    hub = Hub(config)
    hosts = own_names() | set(config.allowed_hosts)
    # The API's own Origin check (changes only) uses the edge's rule for sockets.
    origin_rule = Edge(_nowhere, hosts=hosts, origins=config.allowed_origins, trust_proxy=False)
    api, store = api_app(origin_rule.origin_ok, public_checks(config, hub.gate.human))
    # One process: the API makes the room invites of dialogue meetings with the
    # signaling plane's own key, and the hub asks the API which rooms hold one.
    store.invites = hub.gate.invites
    store.member_removed = hub.dialogue_member_removed
    hub.dialogues = dialogue_rooms(store)
    hub.transcripts = meeting_transcripts(store)
    lag = LagMonitor()
    listener = _metrics_listener(config, hub, lag)
    secret = _cluster_secret(config)
    cluster = _cluster(config, hub, lends=secret is not None)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_store(store, config.database, config.data_dir):
            await hub.start()
            log.info("%s", firewall_line(config))
            if cluster is not None:
                _borrow(hub, cluster, secret)
                await cluster.start()
            lag.start()
            if listener is not None:
                await listener.start()
            try:
                yield
            finally:
                if listener is not None:
                    await listener.stop()
                await lag.stop()
                await hub.captions.aclose()  # captioner processes first: they are in rooms
                if cluster is not None:
                    await cluster.stop()
                hub.stop()
                await hub.stopped()

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", _page),
            Route("/healthz", _health),
            Route("/readyz", _ready),
            Route("/metrics", _metrics),
            Route("/config.json", _config),
            Route("/challenge", _challenge),
            WebSocketRoute("/ws", endpoint),
            *_lend_route(hub, cluster, secret),
            Mount("/static", StaticFiles(directory=WEB), name="static"),
            Mount("/api", app=api),
            *[Route(path, _dialogue_page) for path in DIALOGUE_PAGES],
            Route("/{room}", _page),
        ],
    )
    app.state.hub = hub
    app.state.doorman = Doorman.for_config(config)
    app.state.unread = UnreadBudget(config.unread_total, config.unread_per_connection)
    app.state.store = store
    app.state.lag = lag
    app.state.metrics = metrics.registry(hub, lag)
    app.state.metrics_listener = listener
    peers = cluster.urls if cluster is not None else None
    app.add_middleware(
        Edge,
        hosts=hosts,
        origins=config.allowed_origins,
        trust_proxy=config.trust_proxy,
        peers=(lambda: _with_localhost(cluster.origins())) if cluster is not None else None,
    )
    app.add_middleware(SecurityHeaders, peers=peers)  # outermost: refusals get the headers too
    return app


def _cluster(config: ServerConfig, hub: Hub, *, lends: bool) -> Cluster | None:
    """With --redis: this node's side of the cluster (frankly/cluster/), wired to the hub."""
    if config.redis is None:
        return None
    from frankly.cluster.node_load import NodeMeter
    from frankly.cluster.nodes import Cluster  # the redis package: the `cluster` extra

    def workers_cpu() -> float:
        return sum(slot.load.cpu for slot in hub.workers.slots) if hub.workers else 0.0

    meter = NodeMeter(
        forwarded=lambda: hub.stats.router_totals(list(hub.routers.values()))["forwarded"],
        workers_cpu=workers_cpu,
        participants=lambda: len(hub.links),
        cores=config.workers,
    )
    cluster = Cluster(
        config.redis,
        config.public_url or "http://127.0.0.1:8080",
        lends=lends,
        load=meter,
        draining=lambda: hub.draining,
        rooms=lambda: list(hub.rooms.rooms),
        resync=hub.keep_meetings,
    )
    hub.cluster = cluster
    hub.meetings.mirror = cluster.keep
    return cluster


def _cluster_secret(config: ServerConfig) -> bytes | None:
    """The secret by which this node's rooms span other nodes and it lends them its
    workers (frankly/cluster/borrow.py, lend.py): with --redis and workers only."""
    if config.redis is None or config.workers < 1 or config.cluster_secret_file is None:
        return None
    from frankly.cluster.link_seal import read_secret

    return read_secret(config.cluster_secret_file)


def _borrow(hub: Hub, cluster: Cluster, secret: bytes | None) -> None:
    """Rooms that outgrow this node's workers go on to the workers other nodes lend."""
    if secret is None or hub.workers is None:
        return
    from frankly.cluster.borrow import Borrowing, Lender

    def lenders() -> list[Lender]:
        return [
            Lender(node.id, node.url, node.load.share)
            for node in cluster.nodes.values()
            if node.lends and node.id != cluster.id  # a draining node's entry does not lend
        ]

    hub.workers.lenders = Borrowing(hub.workers, secret, cluster.id, lenders)


def _lend_route(hub: Hub, cluster: Cluster | None, secret: bytes | None) -> list[WebSocketRoute]:
    """The link by which other nodes borrow this one's workers."""
    if secret is None or cluster is None:
        return []
    from frankly.cluster.lend import lend
    from frankly.cluster.link_wire import LINK_PATH

    async def link(websocket: WebSocket) -> None:
        if hub.workers is None:
            await websocket.close()
            return
        await lend(websocket, hub.workers, secret, cluster.id)

    return [WebSocketRoute(LINK_PATH, link)]


def _with_localhost(urls: list[str]) -> list[str]:
    """The nodes' URLs, and for one on 127.0.0.1 the same as localhost: a page of a
    node on this machine is opened by either name (`frankly serve` prints localhost)."""
    return urls + [url.replace("//127.0.0.1:", "//localhost:", 1) for url in urls]


async def _nowhere(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("only Edge.origin_ok is used")


async def _page(request: Request) -> Response:
    # Every page is the same client; it reads the room from the path. An
    # invalid name still gets the page (to explain itself) with status 404.
    room = request.path_params.get("room")
    status = 404 if room is not None and not room_name_ok(room) else 200
    return FileResponse(WEB / "index.html", status_code=status)


async def _dialogue_page(request: Request) -> Response:
    # One page for every dialogue screen; which dialogue is the API's to check.
    return FileResponse(WEB / "dialogue.html")


async def _health(request: Request) -> Response:
    return JSONResponse({"ok": True, "version": __version__})


async def _ready(request: Request) -> Response:
    status, body = health.readiness(request.app.state.hub, request.app.state.lag)
    return JSONResponse(body, status_code=status)


async def _metrics(request: Request) -> Response:
    """Only for the bearer of --metrics-token-file's token; without one, not here at all."""
    token = request.app.state.hub.config.metrics_token
    if token is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    if not metrics.token_ok(request.headers.get("authorization"), token):
        return JSONResponse(
            {"error": "a bearer token is required"},
            status_code=401,
            headers={"www-authenticate": "Bearer"},
        )
    return Response(metrics.render(request.app.state.metrics), media_type=metrics.CONTENT_TYPE)


def _metrics_listener(config: ServerConfig, hub: Hub, lag: LagMonitor) -> MetricsListener | None:
    """/metrics, /healthz and /readyz on --metrics-listen's port, if given."""
    if config.metrics_listen is None:
        return None
    made = metrics.registry(hub, lag)
    host, port = parse_listen(config.metrics_listen)
    return MetricsListener(
        host,
        port,
        {
            "/metrics": lambda: (200, metrics.CONTENT_TYPE, metrics.render(made)),
            "/healthz": lambda: json_page(200, {"ok": True, "version": __version__}),
            "/readyz": lambda: json_page(*health.readiness(hub, lag)),
        },
    )


async def _config(request: Request) -> Response:
    """What the web client must know before it says hello."""
    hub: Hub = request.app.state.hub
    # Whether one can hide one's address (a TURN relay to send it all through),
    # and whether that is the default: the pre-join screen says so before hello.
    return JSONResponse(
        {
            "human_check": hub.gate.human is not None,
            "turn": hub.turn is not None,
            "relay_only": hub.config.relay_only,
            # The web client lowers its own raised hand after this much of its speech.
            "hand_lower_after": hub.config.hand_lower_after,
        }
    )


async def _challenge(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    if hub.gate.human is None:
        return JSONResponse({"error": "this server has no human check"}, status_code=404)
    return JSONResponse(hub.gate.human.challenge())


class SecurityHeaders:
    """The server delivers the JavaScript, so it pins down what that may load."""

    def __init__(self, app: ASGIApp, peers: Callable[[], Iterable[str]] | None = None) -> None:
        self.app = app
        self.peers = peers  # in a cluster, the other nodes' sockets are the page's to open

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(_HEADERS if self.peers is None else _with_peers(self.peers()))
                if _hsts_applies(scope):
                    headers.append(_HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_CSP = (
    # 'wasm-unsafe-eval' compiles WebAssembly (the background segmenter, web/vendor/), never
    # a string of JavaScript: eval and inline script stay refused.
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; "
    "worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(self), microphone=(self), display-capture=(self)"),
    (b"cache-control", b"no-cache"),
]


# A node's URL as a CSP source: a scheme, a host, a port and a path, and nothing
# that could end the directive (a space, a ';').
_SOURCE = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/\-]*)?")


def _with_peers(urls: Iterable[str]) -> list[tuple[bytes, bytes]]:
    """The headers, with connect-src naming the cluster's live nodes too (and their
    sockets: ws:// for http://), so that a page follows a redirect or a node's death."""
    sources = []
    for url in filter(_SOURCE.fullmatch, urls):  # what a registry entry says goes in a header
        ws = url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        sources += [url, ws]
    csp = _CSP.replace("connect-src 'self'", " ".join(["connect-src 'self'", *sources]))
    return [(b"content-security-policy", csp.encode()), *_HEADERS[1:]]


# Once a browser has reached the server over TLS, never over plain http again
# (for a year). Not sent for IP literals, which browsers ignore it for, nor
# for localhost, where it would force https on every other local server a
# developer runs. No includeSubDomains: sibling hosts are not ours to bind.
_HSTS = (b"strict-transport-security", b"max-age=31536000")


def _hsts_applies(scope: Scope) -> bool:
    if scope.get("scheme") != "https":
        return False
    name, _ = split_host(dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1"))
    if name in ("", "localhost") or name.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return True
    return False
