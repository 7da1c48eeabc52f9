"""The `frankly` command: `serve`, `drain`, `invite`, `db upgrade`, `backup`, `bench ...`."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from frankly import settings

# SFU worker processes `frankly serve --workers` starts at most (a port each, and its TCP twin).
MAX_WORKERS = 256


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="frankly", description="Self-hosted video meetings.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the meeting server (one process)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument("--data-dir", type=Path, default=_default_data_dir(), help="state kept here")
    serve.add_argument(
        "--database",
        metavar="URL",
        help="the dialogues' database: postgresql://USER:PASSWORD@HOST/NAME, or "
        "sqlite:///PATH (default: a SQLite file in --data-dir, upgraded at start)",
    )
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (with --tls-key)")
    serve.add_argument("--tls-key", type=Path, help="PEM private key (with --tls-cert)")
    serve.add_argument(
        "--media-port", type=int, default=None, help="the SFU's UDP port (default: --port)"
    )
    serve.add_argument(
        "--media-tcp-port",
        type=int,
        default=None,
        help="the SFU's TCP port for browsers whose UDP is blocked (default: --media-port's "
        "number, or --port + 1 when that is --port, whose TCP is the web server's)",
    )
    serve.add_argument("--no-media-tcp", action="store_true", help="no media over TCP: UDP only")
    serve.add_argument(
        "--workers",
        type=worker_count,
        default="auto",
        metavar="N",
        help="SFU worker processes, each with its own core's worth of forwarding and its own "
        "media ports (--media-port + i, its TCP twin + i; docs/scaling.md); auto (the default): "
        "one a core this process may run on; 0 forwards in the server's own process",
    )
    serve.add_argument(
        "--spread-at",
        type=float,
        default=0.75,
        metavar="LOAD",
        help="with --workers: how busy a room's worker may be, as a fraction of a core, "
        "before the room's new participants go to another worker, the room spanning both "
        "(docs/scaling.md); 0 spreads every room over all workers",
    )
    serve.add_argument("--public-ip", help="address announced in the SFU's ICE candidates")
    serve.add_argument(
        "--redis",
        metavar="URL",
        help="join a cluster of nodes through this Redis (redis://HOST:PORT/DB; docs/scaling.md)",
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="with --redis: the base URL clients reach this node by (default: what it serves on)",
    )
    serve.add_argument(
        "--cluster-secret-file",
        type=Path,
        metavar="FILE",
        help="with --redis and --workers: the secret every node of the cluster shares (one "
        "line); with it a room too big for one node spans several (docs/scaling.md)",
    )
    serve.add_argument(
        "--relay-host",
        metavar="ADDRESS",
        help="with --cluster-secret-file: the address other nodes reach this node's workers' "
        "relays on (default: --public-url's host)",
    )
    serve.add_argument(
        "--relay-port",
        type=int,
        default=0,
        metavar="PORT",
        help="with --cluster-secret-file: worker i's relay takes UDP PORT + i (default: any "
        "free port); open these between the nodes",
    )
    serve.add_argument("--max-participants", type=int, default=100, help="per room")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument(
        "--log-format",
        default="text",
        choices=["text", "json"],
        help="log lines for people (text) or one JSON object per line for a log shipper",
    )
    serve.add_argument(
        "--no-access-log",
        action="store_true",
        help="no line per HTTP request (they name the page, so the room, and the client's address)",
    )
    serve.add_argument(
        "--metrics-listen",
        metavar="HOST:PORT",
        help="serve Prometheus /metrics (and /healthz, /readyz) on this address of its own, "
        "as in 127.0.0.1:9100; bind it where only the scraper reaches",
    )
    serve.add_argument(
        "--metrics-token-file",
        type=Path,
        metavar="PATH",
        help="serve /metrics on the main port too, to requests bearing the token in this file "
        "(Authorization: Bearer TOKEN)",
    )
    serve.add_argument(
        "--human-check", action="store_true", help="ask for a proof of work before joining"
    )
    serve.add_argument(
        "--trust-proxy",
        action="store_true",
        help="take clients' addresses from X-Forwarded-For (behind a reverse proxy only)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the server answers to (IP literals, localhost and this machine's "
        "name always are); '*' for any, when a proxy in front checks it; repeatable",
    )
    serve.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="another site's origin (https://example.org) whose pages may open this "
        "server's WebSocket, to embed it; repeatable",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=4000,
        help="connections at once (lowered to fit the descriptor limit)",
    )
    serve.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="on SIGTERM, how long meetings may go on before the server exits "
        "(no new rooms meanwhile; 0: exit at once)",
    )
    serve.add_argument(
        "--hand-lower-after",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="a raised hand lowers itself once its owner has spoken this long "
        "(measured on their own page; default 5; 0: never)",
    )
    serve.add_argument(
        "--turn-url",
        action="append",
        default=[],
        metavar="URL",
        help="a TURN server handed to participants, as turn:HOST:3478?transport=udp or "
        "turns:HOST:443?transport=tcp (coturn with use-auth-secret); repeatable",
    )
    serve.add_argument(
        "--turn-secret-file",
        type=Path,
        metavar="PATH",
        help="a file holding coturn's static-auth-secret (needed with --turn-url)",
    )
    serve.add_argument(
        "--turn-ttl",
        default="6h",
        metavar="TIME",
        help="how long a participant's TURN credential lasts: seconds, or 90m, 12h "
        "(default 6h; fresh ones are sent before it runs out)",
    )
    serve.add_argument(
        "--relay-only",
        action="store_true",
        help="hide participants' addresses by default: all media through TURN (needs --turn-url)",
    )
    settings.add_config_option(serve)
    serve.set_defaults(run=_serve)
    settings.add_config_commands(commands, serve)

    drain = commands.add_parser(
        "drain",
        help="drain the server running on a data directory, as SIGTERM does: no new rooms, "
        "and it exits when its last room ends (or its --drain-seconds pass)",
    )
    drain.add_argument("--data-dir", type=Path, default=_default_data_dir(), help="as for serve")
    drain.add_argument("--wait", action="store_true", help="return once the server has exited")
    drain.set_defaults(run=_drain)

    invite = commands.add_parser("invite", help="print an invite link to a room")
    invite.add_argument("room", help="the room's name")
    invite.add_argument("--role", default="participant", choices=["host", "participant", "guest"])
    invite.add_argument("--ttl", default="1d", help="how long it works: 90m, 12h, 7d (60s to 30d)")
    invite.add_argument("--name", help="the name the invited person will have")
    invite.add_argument(
        "--interpret", metavar="LANG,LANG", help="join as the interpreter of a pair: en,ru"
    )
    invite.add_argument("--base-url", default="http://localhost:8080", help="the server's address")
    invite.add_argument("--data-dir", type=Path, default=_default_data_dir(), help="as for serve")
    invite.set_defaults(run=_invite)

    db = commands.add_parser("db", help="the dialogues' database")
    db_commands = db.add_subparsers(dest="db", required=True)
    db_upgrade = db_commands.add_parser(
        "upgrade", help="create or upgrade its schema (the server also does at start)"
    )
    _database_arguments(db_upgrade)
    db_upgrade.set_defaults(run=_db_upgrade)

    backup = commands.add_parser(
        "backup", help="a consistent copy of the SQLite database, even while the server runs"
    )
    backup.add_argument("path", type=Path, help="the file to write")
    _database_arguments(backup)
    backup.set_defaults(run=_backup)

    bench = commands.add_parser("bench", help="run a benchmark")
    benches = bench.add_subparsers(dest="bench", required=True)
    join = benches.add_parser("join", help="join-to-first-remote-frame, 1:1 in Chromium")
    join.add_argument("--runs", type=int, default=10)
    join.set_defaults(run=_bench_join)
    sfu = benches.add_parser(
        "sfu", help="SFU forwarding throughput, latency and memory, beside Janus"
    )
    from frankly.bench.sfu import add_arguments

    add_arguments(sfu)
    sfu.set_defaults(run=_bench_sfu)
    relay_bench = benches.add_parser(
        "relay", help="the relay between nodes (sealed UDP) against the one in a node (Unix)"
    )
    relay_bench.add_argument("--streams", type=int, default=6, help="publishers relayed")
    relay_bench.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    relay_bench.set_defaults(run=_bench_relay)
    fuzz = benches.add_parser("fuzz", help="generated messages of every type against the server")
    fuzz.add_argument("--cases", type=int, default=5000, help="cases to try")
    fuzz.add_argument("--seed", type=int, default=0, help="the same seed tries the same cases")
    fuzz.set_defaults(run=_bench_fuzz)
    flood = benches.add_parser(
        "flood", help="a bystander's pong times while others flood the server with passwords"
    )
    flood.add_argument("--hosts", type=int, default=20, help="connections changing passwords")
    flood.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    flood.set_defaults(run=_bench_flood)
    soak = benches.add_parser("soak", help="SFU memory while people come and go")
    soak.add_argument("--minutes", type=float, default=10.0)
    soak.set_defaults(run=_bench_soak)
    e2ee = benches.add_parser("e2ee", help="the cost of end-to-end encryption, browser and SDK")
    e2ee.add_argument("--runs", type=int, default=5, help="joins to time")
    e2ee.add_argument("--seconds", type=float, default=10.0, help="length of the timed call")
    e2ee.set_defaults(run=_bench_e2ee)
    blur = benches.add_parser("blur", help="background blur's cost per frame to the sender")
    blur.add_argument("--seconds", type=float, default=20.0, help="length of each timed call")
    blur.add_argument("--effect", choices=["blur", "replace"], default="blur")
    blur.set_defaults(run=_bench_blur)

    captions = benches.add_parser(
        "captions", help="live captions: word error rate, latency and real-time factor"
    )
    captions.add_argument(
        "--models", default="tiny.en,base", help="what English is read with: tiny.en, base"
    )
    captions.add_argument("--threads", default="1,2", help="CPU thread counts to try")
    captions.add_argument("--clips", type=int, default=None, help="clips of each language")
    captions.add_argument(
        "--no-russian", action="store_true", help="English only (no Festival needed)"
    )
    captions.add_argument(
        "--room",
        action="store_true",
        help="through a real room instead: frankly serve, its captioner, two SDK speakers "
        "in turn and a listener (--clips and --rounds only)",
    )
    captions.add_argument(
        "--rounds", type=int, default=2, help="with --room: times through the clips"
    )
    captions.set_defaults(run=_bench_captions)

    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.command == "serve":  # the file and environment too (frankly/settings.py)
        try:
            args, _ = settings.resolve(serve, settings.subcommand_argv(argv, "serve"), os.environ)
        except settings.SettingsError as exc:
            parser.exit(2, f"frankly serve: {exc}\n")
    args.run(args, parser)


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "frankly"


def _database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="postgresql://USER:PASSWORD@HOST/NAME, or sqlite:///PATH "
        "(default: a SQLite file in --data-dir)",
    )
    parser.add_argument("--data-dir", type=Path, default=_default_data_dir(), help="as for serve")


def _db_upgrade(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from frankly.storage import Database, database_url, upgrade
    from frankly.storage.migrate import current

    try:
        database = Database(database_url(args.database, args.data_dir))
    except ValueError as exc:
        parser.error(str(exc))
    try:
        upgrade(database)
        print(f"{database.shown}: schema at revision {current(database)}")
    except SQLAlchemyError as exc:
        parser.exit(1, f"frankly db upgrade: {database.shown}: {exc}\n")
    finally:
        database.close()


def _drain(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.ops.drain_command import DrainError, drain

    try:
        drain(args.data_dir, args.wait, lambda line: print(line, flush=True))
    except DrainError as exc:
        parser.exit(1, f"frankly drain: {exc}\n")


def _backup(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.storage import Database, database_url
    from frankly.storage.backup import BackupError, backup

    try:
        database = Database(database_url(args.database, args.data_dir))
    except ValueError as exc:
        parser.error(str(exc))
    try:
        backup(database, args.path)
    except (BackupError, OSError) as exc:
        parser.exit(1, f"frankly backup: {exc}\n")
    finally:
        database.close()
    print(f"{database.shown} copied to {args.path}")


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.server.keys import KeyFileError
    from frankly.server.turn import TurnSecretError

    try:
        _run_server(args, parser)
    # A sentence that says what to do, not a traceback.
    except (KeyFileError, TurnSecretError) as exc:
        parser.exit(1, f"frankly serve: {exc}\n")


def _run_server(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.server import drain
    from frankly.server.app import create_app, uvicorn_options
    from frankly.server.config import ServerConfig
    from frankly.server.doorman import raise_descriptor_limit
    from frankly.server.tls import check_pair, is_loopback, self_signed

    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if not args.drain_seconds >= 0:
        parser.error(f"--drain-seconds {args.drain_seconds:g}: give 0 or more seconds")
    database = _checked_database(args, parser)
    metrics_token = _metrics_token(args, parser)
    turn = _turn_options(args, parser)
    if args.spread_at < 0:
        parser.error(f"--spread-at {args.spread_at}: give a share of a core, 0 or more")
    if not 0 <= args.workers <= MAX_WORKERS:
        parser.error(f"--workers {args.workers}: give 0 (the SFU in this process) to {MAX_WORKERS}")
    if not 0 <= args.hand_lower_after <= 3600:
        parser.error("--hand-lower-after is seconds of speech, from 0 (never) to 3600")
    raise_descriptor_limit()
    cert, key = args.tls_cert, args.tls_key
    if cert is not None:
        check_pair(cert, key)
    elif not is_loopback(args.host):
        cert, key = self_signed(args.data_dir, args.host)
        print(
            f"Browsers allow camera and microphone only on https, so Frankly made a\n"
            f"self-signed certificate ({cert}). Browsers will warn about it once;\n"
            f"give --tls-cert/--tls-key, or run behind a reverse proxy (README), to avoid that.",
            file=sys.stderr,
        )
    scheme = "https" if cert else "http"
    shown = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
    print(f"Frankly is running. Open {scheme}://{shown}:{args.port}/ in a browser.", flush=True)
    # The captioner processes join from this machine (a wildcard address is reached on loopback).
    own = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    own = f"[{own}]" if ":" in own else own
    public_url = (args.public_url or f"{scheme}://{own}:{args.port}").rstrip("/")
    config = ServerConfig(
        max_participants=args.max_participants,
        media_port=args.port if args.media_port is None else args.media_port,
        media_tcp_port=_media_tcp_port(args),
        workers=args.workers,
        spread_at=args.spread_at,
        media_host=args.host,
        public_ip=args.public_ip or _announced(args.host),
        data_dir=args.data_dir,
        database=database,
        trust_proxy=args.trust_proxy,
        human_check=args.human_check,
        max_connections=args.max_connections,
        allowed_hosts=tuple(args.allowed_host) + _bind_name(args.host),
        allowed_origins=tuple(args.allowed_origin),
        drain_seconds=args.drain_seconds,
        hand_lower_after=args.hand_lower_after,
        metrics_listen=args.metrics_listen,
        metrics_token=metrics_token,
        log_format=args.log_format,
        access_log=not args.no_access_log,
        redis=_redis_url(args, parser),
        public_url=public_url,
        **_cluster_options(args, parser, public_url),
        **turn,
    )
    app = create_app(config)
    app.state.hub.captions.url = f"{scheme}://{own}:{args.port}"
    # Issued for the public name (and often self-signed): the captioner pins it instead.
    app.state.hub.captions.cert = str(cert) if cert else None
    drain.run(
        app,
        config.drain_seconds,
        data_dir=args.data_dir,
        url=f"{scheme}://{own}:{args.port}",
        host=args.host,
        port=args.port,
        ssl_certfile=cert,
        ssl_keyfile=key,
        **uvicorn_options(app, args.log_level),
    )


def _redis_url(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str | None:
    """--redis, checked now: a redis:// URL, and the client package installed."""
    if args.redis is None:
        if args.public_url is not None:
            parser.error("--public-url is for a node of a cluster: give --redis too")
        return None
    if not args.redis.startswith(("redis://", "rediss://", "unix://")):
        parser.error(f"--redis {args.redis!r}: give redis://HOST:PORT/DB")
    try:
        import redis  # noqa: F401
    except ImportError:
        parser.error("--redis needs the redis package: pip install 'frankly[cluster]'")
    if args.public_url is not None and not re.fullmatch(
        r"https?://[^\s/;,]+(/[^\s;,]*)?", args.public_url
    ):
        parser.error(f"--public-url {args.public_url!r}: give the base URL, https://HOST[:PORT]")
    if args.public_url is None and args.host in ("0.0.0.0", "::"):
        print(
            "frankly serve: give --public-url: the other nodes send clients to this node by it",
            file=sys.stderr,
        )
    return str(args.redis)


def _cluster_options(
    args: argparse.Namespace, parser: argparse.ArgumentParser, public_url: str
) -> dict[str, Any]:
    """--cluster-secret-file and the relay's address, checked now (the secret read)."""
    from frankly.cluster.link_seal import read_secret

    if args.cluster_secret_file is None:
        if args.relay_host is not None or args.relay_port:
            parser.error("--relay-host and --relay-port go with --cluster-secret-file")
        return {}
    if args.redis is None or args.workers < 1:
        parser.error("--cluster-secret-file is for a cluster's nodes: give --redis and --workers")
    if not 0 <= args.relay_port <= 65535 - args.workers:
        parser.error(f"--relay-port {args.relay_port}: give a UDP port, or 0 for any")
    try:
        read_secret(args.cluster_secret_file)
    except ValueError as exc:
        parser.error(str(exc))
    return {
        "cluster_secret_file": args.cluster_secret_file,
        "relay_host": _relay_host(args, parser, public_url),
        "relay_port": args.relay_port,
    }


def _relay_host(args: argparse.Namespace, parser: argparse.ArgumentParser, public_url: str) -> str:
    """The address of this machine's that the workers' relays bind (one address, as the
    relay's sender check needs), checked now: a public name behind NAT is not one."""
    import socket
    from urllib.parse import urlsplit

    given = args.relay_host or urlsplit(public_url).hostname or "127.0.0.1"
    what = "--relay-host" if args.relay_host else "--public-url's host"
    try:
        address = socket.gethostbyname(given)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((address, 0))
    except OSError as exc:
        parser.error(
            f"{what} {given!r}: the workers' relays cannot bind it ({exc.strerror or exc}); "
            "give --relay-host, an address of this machine that the other nodes reach"
        )
    return address


def _metrics_token(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str | None:
    """--metrics-token-file's token (checked with --metrics-listen's address, now, not at
    the first scrape)."""
    from frankly.ops.listener import parse_listen

    if args.metrics_listen is not None:
        try:
            parse_listen(args.metrics_listen)
        except ValueError as exc:
            parser.error(f"--metrics-listen {exc}")
    if args.metrics_token_file is None:
        return None
    path: Path = args.metrics_token_file
    try:
        token = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"--metrics-token-file {args.metrics_token_file}: {exc}")
    if len(token) < 16:
        parser.error(
            f"--metrics-token-file {args.metrics_token_file}: give a token of 16 "
            "characters or more (openssl rand -hex 32 > FILE)"
        )
    return token


def _turn_options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The TURN flags checked together: URLs need a secret, relay-only needs URLs."""
    from frankly.server.turn import check_url, parse_ttl, read_secret

    try:
        urls = tuple(check_url(url) for url in args.turn_url)
        ttl = parse_ttl(str(args.turn_ttl))  # a configuration file may give a number
    except ValueError as exc:
        parser.error(str(exc))
    if urls and args.turn_secret_file is None:
        parser.error("--turn-url needs --turn-secret-file (coturn's static-auth-secret)")
    if args.turn_secret_file is not None and not urls:
        parser.error("--turn-secret-file is for --turn-url: give the TURN server's URL too")
    if args.relay_only and not urls:
        parser.error("--relay-only sends all media through TURN: give --turn-url too")
    if args.turn_secret_file is not None:
        read_secret(args.turn_secret_file)  # refused now, before the server says it runs
    return {
        "turn_urls": urls,
        "turn_secret_file": args.turn_secret_file,
        "turn_ttl": ttl,
        "relay_only": args.relay_only,
    }


def _checked_database(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    """The database URL to open at start, refused now if it names no backend we store in."""
    from sqlalchemy.exc import ArgumentError

    from frankly.storage import Database, database_url

    url = database_url(args.database, args.data_dir)
    try:
        Database(url).close()  # opens no connection: only reads the URL
    except (ValueError, ArgumentError) as exc:
        parser.error(str(exc))
    return url


def _media_tcp_port(args: argparse.Namespace) -> int | None:
    """The SFU's TCP twin (None: whatever number UDP got; -1: none), never the
    web server's own TCP port."""
    if args.no_media_tcp:
        return -1
    if args.media_tcp_port is not None:
        return int(args.media_tcp_port)
    udp = args.port if args.media_port is None else args.media_port
    if udp == 0:
        return None
    return args.port + 1 if udp == args.port else int(udp)


def _bind_name(host: str) -> tuple[str, ...]:
    """A host name given to --host is one the server answers to."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return (host,) if host else ()
    return ()


def _invite(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.protocol.messages import clean_name
    from frankly.server.invites import Invites
    from frankly.server.keys import KeyFileError

    ttl = _seconds(args.ttl)
    if ttl is None or not 60 <= ttl <= 30 * 86400:
        parser.error(f"--ttl {args.ttl!r}: give 60s to 30d, as in 90m, 12h or 7d")
    try:
        name = clean_name(args.name) if args.name is not None else None
    except ValueError as exc:
        parser.error(f"--name: {exc}")
    interprets = None
    if args.interpret is not None:
        pair = args.interpret.split(",")
        if len(pair) != 2:
            parser.error(f"--interpret {args.interpret!r}: give two languages, as in en,ru")
        interprets = (pair[0].strip(), pair[1].strip())
    try:
        token, _, _ = Invites(args.data_dir).make(
            args.room, args.role, ttl, name, interprets=interprets
        )
    except ValueError as exc:
        parser.error(str(exc))
    except KeyFileError as exc:
        parser.exit(1, f"frankly invite: {exc}\n")
    print(f"{args.base_url.rstrip('/')}/{args.room}?invite={token}")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def worker_count(text: str) -> int:
    """--workers: a number, or 'auto' for one worker a core this process may use.

    The affinity mask rather than os.cpu_count(): a server pinned to two cores
    (taskset, a container's cpuset) forwards on two. A CPU quota (docker
    --cpus) is not seen: give the number then.
    """
    if text.strip().lower() != "auto":
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: give a number or auto") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, MAX_WORKERS)


def _seconds(text: str) -> int | None:
    """'90m' -> 5400; a bare number is seconds; None if it is not a duration."""
    unit = _UNITS.get(text[-1:].lower(), 1) if text else 1
    number = text[:-1] if text[-1:].lower() in _UNITS else text
    return int(number) * unit if number.isdigit() else None


def _announced(host: str) -> str:
    """The address browsers should send media to, when --public-ip is not given."""
    if host not in ("0.0.0.0", "::", ""):
        return host
    import socket

    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _bench_sfu(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.sfu import options, run
    from frankly.bench.sfu.cli import workers_variant

    if args.workers:
        workers_variant(args)
        return
    run(**options(args))


def _bench_relay(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.relay import run

    run(streams=args.streams, seconds=args.seconds)


def _bench_fuzz(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    try:
        from frankly.bench.fuzz import run
    except ImportError as exc:  # hypothesis is in the `test` extra
        parser.exit(1, f"frankly bench fuzz needs the test extra ({exc.name} is missing)\n")
    failures = run(cases=args.cases, seed_value=args.seed)
    raise SystemExit(1 if failures else 0)


def _bench_flood(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.flood import run

    run(hosts=args.hosts, seconds=args.seconds)


def _bench_soak(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.soak import run

    run(minutes=args.minutes)


def _bench_e2ee(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.e2ee import run

    run(runs=args.runs, seconds=args.seconds)


def _bench_blur(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.blur import run

    run(seconds=args.seconds, effect=args.effect)


def _bench_join(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.join import run

    run(runs=args.runs)


def _bench_captions(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.room:
        _bench_captions_room(args, parser)
        return
    try:
        from frankly.bench.captions import run
        from frankly.bench.speech import SpeechMissing
    except ImportError as exc:  # numpy, faster-whisper: the captions extra
        parser.exit(
            1,
            f"frankly bench captions needs the captions extra ({exc.name} is missing): "
            "pip install 'frankly[captions]'\n",
        )
    models = tuple(name for name in args.models.split(",") if name)
    if not models or set(models) - {"tiny.en", "base"}:
        parser.error(f"--models {args.models!r}: tiny.en, base or both")
    try:
        threads = tuple(int(count) for count in args.threads.split(","))
    except ValueError:
        parser.error(f"--threads {args.threads!r}: numbers, as in 1,2")
    try:
        run(models, threads, args.clips, with_russian=not args.no_russian)
    except SpeechMissing as exc:
        parser.exit(1, f"frankly bench captions: {exc}\n")


def _bench_captions_room(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    try:
        from frankly.bench.captions_room import run
        from frankly.bench.speech import SpeechMissing
    except ImportError as exc:  # numpy: the captions extra
        parser.exit(
            1,
            f"frankly bench captions needs the captions extra ({exc.name} is missing): "
            "pip install 'frankly[captions]'\n",
        )
    try:
        run(args.clips, max(1, args.rounds))
    except SpeechMissing as exc:
        parser.exit(1, f"frankly bench captions: {exc}\n")
