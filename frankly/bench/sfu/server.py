"""What the benchmark needs of a server under test, and the process lifecycle they share.

`Server` is a server process the bench starts and ends: a folder of its own
(configuration, log), the process pinned to its CPUs and ended by the kernel
if the bench dies first, polled until it answers, stopped politely then not,
its folder removed, its log read for errors. That is written once, here. A
server to compare against is one file under servers/ that subclasses it and
says what differs: the command, how to tell it answers, its media ports, and
`connect`, which returns its `Target`: the generator's participants joining
it over its own signaling, which the ramp (ramp.py) drives.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, Protocol, Self

from frankly.bench.loadgen import Engine, Participant
from frankly.bench.sfu.settings import Settings

PROBLEM_MARKS = ("Traceback", "ERROR", "[ERR]", "Exception", "CRITICAL")


class Target(Protocol):
    """The generator's participants on one server: what the ramp asks of it."""

    async def add_publishers(self, people: list[Participant]) -> None: ...

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None: ...

    async def remove(self, person: Participant) -> None: ...

    async def close(self) -> None: ...


class Server(ABC):
    """A server process of the benchmark's own, from start to stop."""

    name: ClassVar[str]  # in the tables: "Frankly"
    label: ClassVar[str]  # in errors: "frankly serve"
    not_ready: ClassVar[str]  # what it failed to do in time: "did not answer /healthz"
    start_within: ClassVar[float] = 20.0  # seconds
    log_name: ClassVar[str] = "server.log"
    # Its media cannot be on 127.0.0.1: it runs in a network namespace of its own (netns.py).
    private_network: ClassVar[bool] = False
    profiled: ClassVar[bool] = False  # a Python process: `--profile` records it with py-spy

    def __init__(self, cpus: set[int] | None) -> None:
        self.cpus = cpus
        self.dir = Path(tempfile.mkdtemp(prefix=f"frankly-bench-{self.name.lower()}-"))
        self.log_path = self.dir / self.log_name
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def for_run(cls, settings: Settings) -> Self:
        """The server as this run's settings want it."""
        return cls(settings.cpus)

    @staticmethod
    def available() -> str | None:
        """None when this server can run here, else why not."""
        return None

    @abstractmethod
    def command(self) -> list[str]:
        """The command line that starts the server."""

    @abstractmethod
    def answers(self) -> bool:
        """One quick probe: True once the server serves."""

    @abstractmethod
    def server_ports(self) -> set[int]:
        """The UDP ports of the server's media sockets, for the kernel's drop counters."""

    @abstractmethod
    async def connect(self, engine: Engine, settings: Settings) -> Target:
        """Once started: the participants' side, ready for the ramp's publishers."""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        command = self.command()
        if self.cpus is not None and shutil.which("taskset"):
            # Every thread the server starts inherits this: set it before exec.
            command = ["taskset", "-c", ",".join(map(str, sorted(self.cpus))), *command]
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
            )
        deadline = time.monotonic() + self.start_within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited at start: {self.tail()}")
            if self.answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.label} {self.not_ready}: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Lines of the server's log that say something went wrong."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if any(m in line for m in PROBLEM_MARKS)]

    def stop(self) -> None:
        """End the server (politely, then not) and remove its folder."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def die_with_parent() -> None:
    """preexec_fn: the kernel ends this child (SIGTERM) if the benchmark dies first."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port(kind: socket.SocketKind) -> int:
    """A port nothing listens on now, on 127.0.0.1 (TCP or UDP)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def connects(port: int, timeout: float) -> bool:
    """True when a TCP connection to 127.0.0.1:port opens."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout):
        return True
    return False
