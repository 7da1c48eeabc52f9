"""A captioner never outlives the server that started it, however the server dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.waiting import wait_until

# The "server": starts a captioner as frankly serve does (supervisor.launch), at a
# port that accepts and never answers, prints the captioner's pid, then waits.
SERVER = """
import asyncio, sys
from frankly.captioner.supervisor import CACHE_ENV, INVITE_ENV, launch

async def main():
    env = {**__import__("os").environ, INVITE_ENV: "x.y.z", CACHE_ENV: sys.argv[2]}
    child = await launch(f"http://127.0.0.1:{sys.argv[1]}", "room", env)
    print(child.pid, flush=True)
    await asyncio.Event().wait()  # until killed

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose; it is reaped by whoever adopted it.
    status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    return status != "Z"


def test_the_captioner_exits_when_its_server_is_killed(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    with subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdout is not None
        captioner = int(server.stdout.readline())
        assert alive(captioner)
        server.send_signal(signal.SIGKILL)
        server.wait()
        # At once, not when its own join gives up on the silent port (13 s and more).
        wait_until(lambda: not alive(captioner), 6, "the captioner exits with its server")
    silent.close()
