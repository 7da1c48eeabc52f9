"""`frankly bench sfu`: forwarding throughput, latency and memory, beside Janus.

`run` is the whole comparison: it pins and renices the generator (the servers
it starts inherit both), runs each server of servers.SERVERS in turn (one in a
private network namespace in a child process, isolated.py), prints the report
and returns every figure. `add_arguments`, `options` and `main` are its
command line, for `frankly bench sfu` and `python -m frankly.bench.sfu`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from frankly.bench.machine import describe
from frankly.bench.sfu import netns
from frankly.bench.sfu.isolated import run_isolated, worker
from frankly.bench.sfu.proc import autogroup_nice, set_autogroup_nice
from frankly.bench.sfu.ramp import measure
from frankly.bench.sfu.report import report
from frankly.bench.sfu.results import ServerResult
from frankly.bench.sfu.server import Server
from frankly.bench.sfu.servers import SERVERS
from frankly.bench.sfu.settings import DEFAULT_VIEWERS, QUIET_WAIT, Settings

NICE = -20  # as root: the generator and the servers before other processes


def run(
    publishers: int = 10,
    viewers: Sequence[int] = DEFAULT_VIEWERS,
    seconds: float = 5.0,
    janus: bool = True,
    profile: str | None = None,
    profile_seconds: float = 10.0,
    pin: bool = True,
    srtp: str = "any",
    json_path: str | None = None,
    quiet: bool = False,
    quiet_wait: float = QUIET_WAIT,
    paced: bool = False,
    nice: int = NICE,
) -> dict[str, Any]:
    """Run the benchmark against Frankly and (unless `janus` is False) Janus; print a table.

    publishers: participants with camera and microphone on (all also receive).
    viewers: the ramp, as numbers of receive-only participants, ascending.
    seconds: the measurement window of each step.
    janus: also run the identical load against Janus (skipped, with the
        reason printed, when Janus cannot run here); False: Frankly only.
    profile: a path: also record Frankly at its capacity load with py-spy
        (collapsed stacks, `--format raw`) and print where the time goes.
    pin: the server on the last CPU, the generator on the others.
    srtp: SRTP profiles the generator offers: "any" (GCM, then CM-SHA1-80),
        "gcm" or "cm".
    paced: spread each video frame's packets at 2.5 times the bitrate, as
        Chrome's pacer does, instead of sending them back to back.
    nice: as root, run the generator and the servers at this nice value
        (-20: other processes on a shared machine disturb the figures less;
        0: leave it).
    quiet_wait: seconds each step may wait for other processes to leave the
        CPUs alone before measuring (0: do not wait).
    Returns the figures as a dict (also written to `json_path` if given).
    """
    if publishers < 2:
        raise ValueError("the benchmark needs 2 publishers or more")
    if sorted(viewers) != list(viewers) or not viewers:
        raise ValueError("viewers must be an ascending list of counts")
    cpus = sorted(os.sched_getaffinity(0))
    pinned = pin and len(cpus) > 1
    settings = Settings(
        publishers=publishers,
        viewers=list(viewers),
        seconds=seconds,
        server_cpus=cpus[-1:] if pinned else None,
        srtp=srtp,
        quiet=quiet,
        quiet_wait=quiet_wait,
        profile=profile,
        profile_seconds=profile_seconds,
        paced=paced,
    )
    reniced = bool(nice) and os.geteuid() == 0
    _introduce(settings, cpus if pinned else None, nice if reniced else None)
    with _pinned(cpus if pinned else None), _reniced(nice if reniced else None):
        results = [_run_one(kind, settings) for kind in (SERVERS if janus else SERVERS[:1])]
    settings.say("")
    settings.say(report(results, reniced))
    out = {
        "machine": describe(),
        "settings": asdict(settings),
        "media": asdict(settings.media),
        "results": [r.summary() for r in results],
    }
    if json_path:
        Path(json_path).write_text(json.dumps(out, indent=2, default=str))
    return out


def _introduce(settings: Settings, cpus: list[int] | None, nice: int | None) -> None:
    """What the run is about to do, and where."""
    say, media = settings.say, settings.media
    say(
        f"frankly bench sfu: {settings.publishers} publishers, viewers {settings.viewers}, "
        f"{settings.seconds:g} s a step"
    )
    say(
        f"  each publisher: ~{media.packets_per_second:.0f} packets/s (Opus 50/s, VP8 30 fps, "
        f"{media.video_bitrate / 1e6:.1f} Mbit/s, "
        f"frames {'paced' if settings.paced else 'in bursts'})"
    )
    say(f"  machine: {describe()}")
    if cpus is not None:
        say(f"  server pinned to CPU {cpus[-1:]}, generator to CPU {cpus[:-1]}")
    if nice is not None:
        say(f"  server and generator at nice {nice}")


@contextlib.contextmanager
def _pinned(cpus: list[int] | None) -> Iterator[None]:
    """With `cpus`, the generator on all but the last one (kept for the server) meanwhile."""
    before = os.sched_getaffinity(0)
    if cpus is not None:
        os.sched_setaffinity(0, set(cpus[:-1]))
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def _reniced(nice: int | None) -> Iterator[None]:
    """With `nice`, the generator and its session's autogroup at it meanwhile."""
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    group_nice = autogroup_nice()
    if nice is not None:  # the servers, started from here, inherit both
        os.setpriority(os.PRIO_PROCESS, 0, nice)
        set_autogroup_nice(nice)
    try:
        yield
    finally:
        if nice is not None:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
            set_autogroup_nice(group_nice)


def _run_one(kind: type[Server], settings: Settings) -> ServerResult:
    """One server's run, here or in a namespace of its own; or why it cannot run."""
    why = unavailable(kind)
    if why is not None:
        settings.say(f"\n{kind.name}: not run: {why}")
        return ServerResult(kind.name, error=why)
    if kind.private_network:
        return run_isolated(kind, settings)
    return asyncio.run(measure(kind.for_run(settings), settings))


def unavailable(kind: type[Server]) -> str | None:
    """None when `kind` can run here (a private network too, if it needs one), else why not."""
    why = kind.available()
    if why is None and kind.private_network:
        why = netns.unavailable(kind.name)
    return why


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `frankly bench sfu`; `options(args)` turns them into run()'s."""
    parser.add_argument("--publishers", type=int, default=10, help="camera and microphone on")
    parser.add_argument(
        "--viewers",
        type=_counts,
        default=list(DEFAULT_VIEWERS),
        help="the ramp: receive-only participants, ascending (default: %(default)s)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement window a step")
    parser.add_argument("--no-janus", dest="janus", action="store_false", help="Frankly only")
    parser.add_argument("--profile", help="py-spy Frankly at capacity, raw stacks to this file")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="no CPU pinning")
    parser.add_argument("--srtp", choices=["any", "gcm", "cm"], default="any")
    parser.add_argument("--paced", action="store_true", help="pace video as Chrome does")
    parser.add_argument("--json", dest="json_path", help="write every figure here")
    parser.add_argument(
        "--quiet-wait", type=float, default=QUIET_WAIT, help="s to wait for a quiet CPU a step"
    )
    parser.add_argument("--nice", type=int, default=NICE, help="as root (0: leave it alone)")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="instead of the ramp: the same load of --rooms rooms (default N) of --publishers "
        "and --room-viewers each through `frankly serve --workers 1` and `--workers N`; then "
        "one such room on 1 worker and spread over N (the cost of the relay between them)",
    )
    parser.add_argument("--rooms", type=int, default=None, help="with --workers: rooms of load")
    parser.add_argument(
        "--room-viewers", type=int, default=10, help="with --workers: viewers in each room"
    )


def options(args: argparse.Namespace) -> dict[str, Any]:
    """run()'s keyword arguments from the options add_arguments() defined."""
    names = ("publishers", "viewers", "seconds", "janus", "profile", "pin", "srtp", "paced")
    return {name: getattr(args, name) for name in (*names, "json_path", "quiet_wait", "nice")}


def _counts(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of counts: {text!r}") from None


def main(argv: list[str] | None = None) -> None:
    """`python -m frankly.bench.sfu`: the same as `frankly bench sfu`."""
    parser = argparse.ArgumentParser(prog="frankly bench sfu", description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # isolated.py's child
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    if args.workers:
        workers_variant(args)
        return
    run(**options(args))


def workers_variant(args: argparse.Namespace) -> None:
    """`--workers N`: one worker against N (workers.py), not the ramp beside Janus."""
    from frankly.bench.sfu.workers import compare, spread

    reniced = bool(args.nice) and os.geteuid() == 0
    # As the ramp: on a shared machine, others disturb the servers it starts less.
    with _reniced(args.nice if reniced else None):
        compare(args.workers, args.rooms, args.publishers, args.room_viewers, args.seconds)
        spread(args.workers, args.publishers, args.room_viewers, args.seconds)
