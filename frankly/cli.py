"""The `frankly` command: `frankly serve`, `frankly bench ...`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="frankly", description="Self-hosted video meetings.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the meeting server (one process)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument("--data-dir", type=Path, default=_default_data_dir(), help="state kept here")
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (with --tls-key)")
    serve.add_argument("--tls-key", type=Path, help="PEM private key (with --tls-cert)")
    serve.add_argument(
        "--media-port", type=int, default=None, help="the SFU's UDP port (default: --port)"
    )
    serve.add_argument("--public-ip", help="address announced in the SFU's ICE candidates")
    serve.add_argument("--max-participants", type=int, default=100, help="per room")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.set_defaults(run=_serve)

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
    soak = benches.add_parser("soak", help="SFU memory while people come and go")
    soak.add_argument("--minutes", type=float, default=10.0)
    soak.set_defaults(run=_bench_soak)
    e2ee = benches.add_parser("e2ee", help="the cost of end-to-end encryption, browser and SDK")
    e2ee.add_argument("--runs", type=int, default=5, help="joins to time")
    e2ee.add_argument("--seconds", type=float, default=10.0, help="length of the timed call")
    e2ee.set_defaults(run=_bench_e2ee)

    args = parser.parse_args(argv)
    args.run(args, parser)


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "frankly"


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    import uvicorn

    from frankly.server.app import create_app
    from frankly.server.config import ServerConfig
    from frankly.server.tls import is_loopback, self_signed

    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    cert, key = args.tls_cert, args.tls_key
    if cert is None and not is_loopback(args.host):
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
    config = ServerConfig(
        max_participants=args.max_participants,
        media_port=args.port if args.media_port is None else args.media_port,
        media_host=args.host,
        public_ip=args.public_ip or _announced(args.host),
    )
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        ssl_certfile=cert,
        ssl_keyfile=key,
        log_level=args.log_level,
        ws_max_size=1 << 20,  # larger frames close with 1009 unread (docs/protocol.md)
        proxy_headers=True,
    )


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

    run(**options(args))


def _bench_soak(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.soak import run

    run(minutes=args.minutes)


def _bench_e2ee(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.e2ee import run

    run(runs=args.runs, seconds=args.seconds)


def _bench_join(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from frankly.bench.join import run

    run(runs=args.runs)
