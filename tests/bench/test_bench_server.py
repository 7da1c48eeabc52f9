"""The server lifecycle `frankly bench sfu` shares between servers, on a stand-in server.

A few lines of Python listening on a port play the server: started, waited
for, its log read for errors, stopped, its folder removed; and what the bench
says when one exits at start, never answers, or cannot run here.
"""

from __future__ import annotations

import socket
import sys
from typing import ClassVar

import pytest

from frankly.bench.loadgen import Engine
from frankly.bench.sfu.cli import _run_one
from frankly.bench.sfu.server import Server, Target, connects, free_port
from frankly.bench.sfu.servers import SERVERS, by_name
from frankly.bench.sfu.settings import Settings

LISTENS = """
import signal, socket
print("starting; ERROR: a line the bench should count", flush=True)
s = socket.socket()
s.bind(("127.0.0.1", {port}))
s.listen()
signal.pause()  # until the bench stops it
"""


class StandIn(Server):
    name = "StandIn"
    label = "stand-in server"
    not_ready = "did not open its port"
    start_within = 10.0
    script: ClassVar[str] = LISTENS

    def __init__(self, cpus: set[int] | None) -> None:
        super().__init__(cpus)
        self.port = free_port(socket.SOCK_STREAM)

    def command(self) -> list[str]:
        return [sys.executable, "-c", self.script.format(port=self.port)]

    def answers(self) -> bool:
        return connects(self.port, 0.2)

    def server_ports(self) -> set[int]:
        return set()

    async def connect(self, engine: Engine, settings: Settings) -> Target:
        raise NotImplementedError


def test_a_server_is_started_until_it_answers_then_stopped_and_its_folder_removed() -> None:
    server = StandIn(cpus=None)
    assert server.dir.is_dir()
    server.start()
    try:
        assert connects(server.port, 1)
        assert server.problems() == ["starting; ERROR: a line the bench should count"]
    finally:
        server.stop()
    assert server.proc is not None and server.proc.poll() is not None
    assert not server.dir.exists()
    assert not connects(server.port, 0.2)


def test_a_server_that_exits_at_start_says_why() -> None:
    class Exits(StandIn):
        script = "raise SystemExit('no such configuration')"

    server = Exits(cpus=None)
    with pytest.raises(RuntimeError, match="stand-in server exited at start: no such config"):
        server.start()
    server.stop()
    assert not server.dir.exists()


def test_a_server_that_never_answers_is_given_up_on_and_ended() -> None:
    class Mute(StandIn):
        script = "import signal; signal.pause()"  # alive, never listening
        start_within = 0.5

    server = Mute(cpus=None)
    with pytest.raises(RuntimeError, match="stand-in server did not open its port"):
        server.start()
    server.stop()
    assert server.proc is not None and server.proc.poll() is not None


def test_a_server_that_cannot_run_here_is_reported_not_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Missing(StandIn):
        @staticmethod
        def available() -> str | None:
            return "/usr/bin/stand-in is missing"

    result = _run_one(Missing, Settings())
    assert result.server == "StandIn" and result.error == "/usr/bin/stand-in is missing"
    assert not result.steps
    assert "StandIn: not run: /usr/bin/stand-in is missing" in capsys.readouterr().out


def test_servers_are_found_by_the_name_the_report_shows() -> None:
    assert [kind.name for kind in SERVERS] == ["Frankly", "Janus"]
    assert by_name("Janus") is SERVERS[1]
    with pytest.raises(ValueError, match="no server called 'Galene': Frankly, Janus"):
        by_name("Galene")
