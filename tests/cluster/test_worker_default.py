"""`frankly serve` without --workers: one SFU worker a core it may run on, and a line that
names the media ports to open; `--workers 0` keeps the SFU in the server's process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from frankly.ops.ports import firewall_line
from frankly.server.config import ServerConfig
from tests.cluster.test_worker_processes import free_port, free_udp_pair, workers_of
from tests.waiting import wait_until

FRANKLY = [sys.executable, "-m", "frankly"]


def checked_workers(tmp_path: Path, *flags: str, cpus: set[int] | None = None) -> str:
    """What `frankly config check` says --workers is, run on `cpus` (None: all of ours)."""
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
    said = subprocess.run(
        [*FRANKLY, "config", "check", str(empty), *flags],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=pin,
    ).stdout
    line = next(line for line in said.splitlines() if line.startswith("workers "))
    return " ".join(line.split())


def test_the_default_is_one_worker_a_core_the_server_may_run_on(tmp_path: Path) -> None:
    ours = len(os.sched_getaffinity(0))
    assert checked_workers(tmp_path) == f"workers = {ours} # default"
    # A one-core machine, or a server pinned to one core (taskset, a container's cpuset).
    first = min(os.sched_getaffinity(0))
    assert checked_workers(tmp_path, cpus={first}) == "workers = 1 # default"


def test_auto_and_zero_may_be_written_in_the_file_and_the_environment(tmp_path: Path) -> None:
    toml = tmp_path / "frankly.toml"
    toml.write_text('workers = "auto"\n')
    said = subprocess.run(
        [*FRANKLY, "config", "check", str(toml)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FRANKLY_WORKERS": "0"},
    ).stdout
    assert "workers = 0 # environment" in {" ".join(line.split()) for line in said.splitlines()}
    said = subprocess.run(
        [*FRANKLY, "config", "check", str(toml)], capture_output=True, text=True, check=True
    ).stdout
    ours = len(os.sched_getaffinity(0))
    assert f"workers = {ours} # file" in {" ".join(line.split()) for line in said.splitlines()}


def test_serve_without_workers_runs_a_worker_a_core_and_names_their_ports(
    tmp_path: Path,
) -> None:
    cpus = set(sorted(os.sched_getaffinity(0))[:2])  # a worker's pair of ports each
    port, media = free_port(), free_udp_pair()
    log = tmp_path / "log"
    flags = ["--port", str(port), "--media-port", str(media), "--data-dir", str(tmp_path / "d")]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*FRANKLY, "serve", *flags],
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.sched_setaffinity(0, cpus),
        )
    try:
        wait_until(lambda: ready(port, process), 60, "the server is ready")
        assert len(workers_of(process.pid)) == len(cpus), log.read_text()
        last = media + len(cpus) - 1
        span = str(media) if last == media else f"{media}-{last}"
        workers = "1 worker" if len(cpus) == 1 else f"{len(cpus)} workers"
        said = f"The SFU forwards in {workers}, on UDP {span} and TCP {span}: open them"
        assert said in log.read_text()
    finally:
        process.terminate()
        process.wait(30)


def ready(port: int, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, "the server exited"
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.parametrize(
    ("config", "said"),
    [
        (
            ServerConfig(media_port=8080, media_tcp_port=8081),
            "The SFU forwards in this process, on UDP 8080 and TCP 8081",
        ),
        (
            ServerConfig(media_port=8443, media_tcp_port=None, workers=4),
            "The SFU forwards in 4 workers, on UDP 8443-8446 and TCP 8443-8446",
        ),
        (
            ServerConfig(media_port=8080, media_tcp_port=-1, workers=2),
            "The SFU forwards in 2 workers, on UDP 8080-8081: open",
        ),
        (ServerConfig(media_port=0, workers=2), "in 2 workers, on free UDP and TCP ports."),
    ],
)
def test_the_line_at_start_names_each_port_range_to_open(config: ServerConfig, said: str) -> None:
    assert said in firewall_line(config)
