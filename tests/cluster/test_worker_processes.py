"""`frankly serve --workers 2` as an operator runs it: worker processes on the media ports
after --media-port, stopped with the server, and never outliving it, even after kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.waiting import wait_until

SERVE = [sys.executable, "-m", "frankly", "serve", "--log-level", "info", "--workers", "2"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def free_udp_pair() -> int:
    """A UDP port whose next one is free as well (TCP likewise): worker 0's and worker 1's."""
    while True:
        port = free_port()
        if port < 65000 and all(bound_by_nobody(p) for p in (port, port + 1)):
            return port


def bound_by_nobody(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def workers_of(pid: int) -> list[int]:
    """The SFU worker processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if int(ppid) == pid and b"frankly.cluster.worker_process" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has exited already


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, list[int]]]:
    port, media = free_port(), free_udp_pair()
    log = (tmp_path / "log").open("w")
    process = subprocess.Popen(
        [*SERVE, "--port", str(port), "--media-port", str(media), "--data-dir", str(tmp_path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def ready() -> bool:
        assert process.poll() is None, (tmp_path / "log").read_text()
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(ready, 30, "the server is ready: its workers' media ports are open")
        wait_until(lambda: len(workers_of(process.pid)) == 2, 10, "two workers run")
        yield process, media, workers_of(process.pid)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_each_worker_holds_its_own_media_ports(
    served: tuple[subprocess.Popen[str], int, list[int]],
) -> None:
    _process, media, _workers = served
    assert not bound_by_nobody(media)
    assert not bound_by_nobody(media + 1)


def test_sigterm_stops_the_workers_with_the_server(
    served: tuple[subprocess.Popen[str], int, list[int]],
) -> None:
    process, _media, workers = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == -signal.SIGTERM
    wait_until(lambda: not any(alive(w) for w in workers), 10, "the workers exited")


def test_workers_of_a_server_killed_with_minus_9_exit_by_themselves(
    served: tuple[subprocess.Popen[str], int, list[int]],
) -> None:
    process, _media, workers = served
    process.kill()
    process.wait()
    wait_until(lambda: not any(alive(w) for w in workers), 10, "the orphaned workers exited")


def test_a_count_of_workers_out_of_range_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from frankly.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--workers", "-1", "--data-dir", str(tmp_path)])
    assert "--workers -1: give 0" in capsys.readouterr().err


def test_workers_may_be_given_in_the_configuration_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from frankly.cli import main

    toml = tmp_path / "frankly.toml"
    toml.write_text("workers = 3\n")
    with pytest.raises(SystemExit) as exited:
        main(["config", "check", str(toml)])
    assert exited.value.code == 0
    lines = {" ".join(line.split()) for line in capsys.readouterr().out.splitlines()}
    assert "workers = 3 # file" in lines


def test_a_worker_whose_port_is_taken_stops_the_server_from_starting(tmp_path: Path) -> None:
    port, media = free_port(), free_udp_pair()
    flags = ["--port", str(port), "--media-port", str(media), "--data-dir", str(tmp_path / "d")]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", media + 1))  # worker 1's UDP port
        log = tmp_path / "log"
        with log.open("w") as out:
            process = subprocess.run(
                [*SERVE, *flags],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=30,
            )
    assert process.returncode != 0
    assert "workers did not all open their media ports" in log.read_text()
