"""A real redis-server on loopback and real `frankly serve` nodes joined through it.

The Redis keeps nothing on disk (--save '' --appendonly no) and lives in a
temporary folder; each node is a process of its own with its own data
directory and port (its media on the same port number), started with
--redis. Tests read Redis directly to see what the cluster holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from tests.api.served import ROOT, Served, free_port
from tests.waiting import wait_until

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Importing the server alone has taken half a minute on a loaded test machine.
START_WITHIN = 90.0


@dataclass
class RedisServer:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=2)

    def start(self) -> RedisServer:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, 10, "redis-server answers PING")
        return self

    def _answers(self) -> bool:
        assert self.process is not None and self.process.poll() is None
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder).start()
    try:
        yield server
    finally:
        server.stop()


def start_nodes(tmp_path: Path, redis_url: str, count: int, *extra: str) -> list[Served]:
    """`count` nodes of one cluster, started at once (each start is slow), each answering."""
    nodes = [
        Served(tmp_path / f"node{i}", extra=["--redis", redis_url, *extra]) for i in range(count)
    ]
    for node in nodes:
        node.data_dir.mkdir()
        _spawn(node)
    for node in nodes:
        wait_until(node._healthy, START_WITHIN, f"node {node.url} answers /healthz")
    return nodes


@contextlib.contextmanager
def cluster_of(tmp_path: Path, redis_url: str, count: int, *extra: str) -> Iterator[list[Served]]:
    """`count` nodes that each see all the others, stopped afterwards."""
    nodes = start_nodes(tmp_path, redis_url, count, *extra)
    try:
        wait_until(lambda: all(sees(node, count) for node in nodes), 10, "each node sees all")
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def _spawn(node: Served) -> None:
    """Served.start without its wait, so that the nodes start side by side."""
    command = [sys.executable, "-m", "frankly", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(node.port), "--data-dir", str(node.data_dir), *node.extra]
    with node.log.open("ab") as log:
        node.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        )


def registry(client: redis.Redis) -> dict[str, dict[str, object]]:
    """The live nodes as Redis holds them: URL -> entry (url, load, draining), plus its id."""
    out = {}
    for key in client.scan_iter(match="frankly:node:*"):
        raw = client.get(key)
        if raw is not None:
            entry = json.loads(raw)
            entry["id"] = key.removeprefix("frankly:node:")
            out[entry["url"]] = entry
    return out


def holder(client: redis.Redis, room: str) -> str | None:
    """The URL of the node holding `room`, as Redis says."""
    held = client.get(f"frankly:room:{room}")
    for url, entry in registry(client).items():
        if entry["id"] == held:
            return url
    return None


def sees(node: Served, count: int) -> bool:
    """`node` reaches Redis and sees `count` live nodes (its /readyz says)."""
    try:
        cluster = httpx.get(f"{node.url}/readyz").json().get("cluster", {})
    except (httpx.TransportError, ValueError):
        return False
    return bool(cluster.get("redis")) and len(cluster.get("nodes", [])) == count


def registered(client: redis.Redis, nodes: list[Served]) -> bool:
    try:
        return set(registry(client)) >= {node.url for node in nodes}
    except redis.RedisError:
        return False
