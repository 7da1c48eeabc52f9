"""Settings of one server; the defaults are the ones docs/protocol.md states."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServerConfig:
    max_participants: int = 100
    grace: float = 30.0  # seconds a participant whose socket dropped is kept
    ping_interval: float = 10.0
    timeout: float = 30.0  # silence after which the server closes a socket
    hello_timeout: float = 10.0
    rate: float = 20.0  # messages a second, sustained
    burst: float = 200.0  # an SDP offer plus a burst of ICE candidates fits
    max_errors: int = 10
    max_dropped: int = 100
    send_queue: int = 256  # outgoing messages a slow reader may owe us
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    # TURN through coturn (frankly/server/turn.py): the URLs handed out, the
    # file holding the secret shared with coturn (read at start), how long
    # each participant's credential lasts, and whether "hide my address"
    # (relay only) is the clients' default.
    turn_urls: tuple[str, ...] = ()
    turn_secret_file: Path | None = None
    turn_ttl: float = 6 * 3600.0
    relay_only: bool = False
    # The SFU's one UDP port (0: any free port), the address it binds, and the
    # address it announces in its ICE candidates.
    media_port: int = 0
    media_host: str = "127.0.0.1"
    public_ip: str | None = None
    # Media over TCP (ICE-TCP, RFC 6544) for browsers whose UDP is blocked: the
    # SFU's TCP port (None: the UDP port's number; -1: none), connections at
    # once in all and per address (not loopback), and the seconds a connection
    # has to prove itself with a valid STUN check (docs/security.md, "Limits").
    media_tcp_port: int | None = None
    media_tcp_connections: int = 2000
    media_tcp_per_address: int = 100
    media_tcp_deadline: float = 5.0
    # SFU worker processes (frankly/cluster/workers.py, docs/scaling.md): 0 runs the
    # routers on the server's own event loop; N >= 1 runs N workers, worker i on
    # media_port + i and its TCP twin + i.
    workers: int = 0
    # With workers: how busy a room's worker may be (a fraction of a core) before the
    # room's new participants go to another, the room then spread across both.
    spread_at: float = 0.75
    # Tests: False offers browsers the SFU's TCP candidate alone, as if UDP were blocked.
    media_udp: bool = True
    # Where the invite and human-check keys live; None keeps them in memory
    # (tests), so tokens die with the process.
    data_dir: Path | None = None
    # The dialogues' database URL; None: a SQLite file in data_dir, or (no
    # data_dir, as in most tests) no database and the API answers no-database.
    database: str | None = None
    # Take the client's address from X-Forwarded-For (the last address in
    # it, which the proxy added): only behind a reverse proxy.
    trust_proxy: bool = False
    hello_rate: float = 10 / 60  # hellos a second per address, sustained
    hello_burst: float = 10
    password_attempts: int = 5  # wrong passwords per address and room...
    password_window: float = 600.0  # ...within this many seconds
    reaction_rate: float = 2.0  # reactions a second per participant
    # Seconds of one's own speech after which a raised hand lowers itself (the
    # speaker's page measures its microphone and sends `hand` up: false); 0: never.
    hand_lower_after: float = 5.0
    human_check: bool = False  # proof of work before hello (ALTCHA)
    # Numbers a solver may have to try: a browser takes about a second on average.
    human_check_maxnumber: int = 100_000
    human_check_ttl: float = 300.0  # seconds a challenge stays good
    # Password hashing (scrypt) runs off the event loop on this many threads,
    # with at most hash_queue hashes queued or running on the whole server,
    # and per address (not loopback) bursts of hash_burst refilling at hash_rate.
    hash_workers: int = 1
    hash_queue: int = 8
    hash_rate: float = 0.5
    hash_burst: float = 5
    # Knocks waiting in the lobby: per room, on the whole server, and per
    # address (not loopback) and room.
    lobby_size: int = 50
    lobby_total: int = 1000
    lobby_per_address: int = 3
    # What one server holds at most, and why each: docs/security.md, "Limits".
    max_connections: int = 4000  # lowered to fit the descriptor limit
    max_connections_per_address: int = 200  # an IPv4 address or an IPv6 /64
    header_timeout: float = 10.0  # seconds for a request's line and headers
    keep_alive: float = 5.0  # seconds an idle HTTP connection is kept
    rooms_per_address: int = 20  # rooms one address group may be in at once
    # Rooms open on the whole server, loopback's included: with 512 KiB of chat
    # history at most each, 256 MiB of history in all, however many addresses.
    max_rooms: int = 500
    unread_total: int = 64 << 20  # bytes queued for slow readers, all together
    unread_per_connection: int = 4 << 20  # bytes queued for one slow reader
    # Host names the server answers to besides IP literals, localhost and the
    # machine's own names ("*": any, when a proxy in front checks them), and
    # the origins of other sites allowed to open its WebSocket (embedding).
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    # On SIGTERM, how long meetings may go on before the server exits (server/drain.py).
    drain_seconds: float = 30.0
    # Prometheus metrics (docs/operations.md): on a listener of their own at
    # "HOST:PORT", and/or on the main port for whoever sends this bearer
    # token; neither, and no /metrics at all.
    metrics_listen: str | None = None
    metrics_token: str | None = None
    # Log lines as text for people or one JSON object each for shippers
    # (frankly/server/logs.py), and whether uvicorn logs every request.
    log_format: str = "text"
    access_log: bool = True
    # A cluster of nodes through Redis (frankly/cluster/, docs/scaling.md): the
    # Redis URL (None: this server alone), and the base URL by which clients
    # reach this node, which the other nodes send them to.
    redis: str | None = None
    public_url: str | None = None
    # A room spanning nodes (frankly/cluster/borrow.py, lend.py): the file of the
    # secret all nodes share (None: each room stays on its own node's workers), and
    # the address and first UDP port of the workers' sealed relays, which the other
    # nodes' workers send to (an address of this machine's: `frankly serve` resolves
    # --relay-host or --public-url's host; None: 127.0.0.1; port 0: any free port).
    cluster_secret_file: Path | None = None
    relay_host: str | None = None
    relay_port: int = 0
