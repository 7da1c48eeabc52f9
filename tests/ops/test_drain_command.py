"""`frankly drain` against a real `frankly serve`: found by its data directory's serve.json,
drained as by SIGTERM (no new rooms, nobody moved), gone when its last room ends; and a
clear refusal when no server runs there, a stale file included."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from frankly.server import running
from tests.api.served import ROOT, Served
from tests.server.wsclient import Raw
from tests.waiting import wait_until

DRAIN = [sys.executable, "-m", "frankly", "drain"]


def drain(data_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*DRAIN, "--data-dir", str(data_dir), *flags],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_no_server_on_the_data_directory_is_an_error_that_says_so(tmp_path: Path) -> None:
    said = drain(tmp_path)
    assert said.returncode == 1
    assert said.stderr == (
        f"frankly drain: no frankly serve runs on {tmp_path} "
        f"(there is no {tmp_path / 'serve.json'})\n"
    )


def test_a_stale_file_of_a_killed_server_is_no_server(tmp_path: Path) -> None:
    served = Served(tmp_path / "data").start()
    assert served.process is not None
    pid = served.process.pid
    assert running.read_file(served.data_dir).pid == pid
    served.kill()  # -9: no time to remove the file
    assert (served.data_dir / "serve.json").exists()
    said = drain(served.data_dir)
    assert said.returncode == 1
    assert f"serve.json names pid {pid}, which no longer runs" in said.stderr


def test_a_pid_the_kernel_gave_to_another_process_is_not_signalled(tmp_path: Path) -> None:
    """A file naming a live process that is not the server (its start time differs)."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        fake = running.Running(other.pid, "1", "http://127.0.0.1:1", 30.0)
        running.write(tmp_path, fake)
        said = drain(tmp_path)
        assert said.returncode == 1, said.stdout
        assert f"names pid {other.pid}, which no longer runs" in said.stderr
        assert other.poll() is None  # not signalled
    finally:
        other.kill()
        other.wait()


async def test_drain_keeps_the_meeting_refuses_new_rooms_and_the_server_exits_after_it(
    tmp_path: Path,
) -> None:
    served = Served(tmp_path / "data", extra=["--workers", "0", "--drain-seconds", "120"]).start()
    process = served.process
    assert process is not None
    try:
        ws_url = served.url.replace("http", "ws") + "/ws"
        ada = await Raw.join(ws_url, room="team", name="Ada")
        said = await asyncio.to_thread(drain, served.data_dir)
        assert said.returncode == 0, said.stderr
        assert said.stdout == (
            f"frankly serve (pid {process.pid}, {served.url}) drains: 1 room open go on, "
            "no new rooms; it exits when the last ends or in 120 s\n"
        )
        assert (await ada.expect("going-away"))["drain_seconds"] == 120
        ready = await asyncio.to_thread(httpx.get, f"{served.url}/readyz")
        assert ready.status_code == 503
        assert "the server is draining for a restart" in ready.json()["reasons"]
        eve = await Raw.hello(ws_url, room="new-room", name="Eve")
        await eve.refused("draining", 1013)
        grace = await Raw.join(ws_url, room="team", name="Grace")  # nobody moved, still open
        assert grace.welcome["room"] == "team"
        # A second `frankly drain` does not signal again (that would end the drain now).
        again = await asyncio.to_thread(drain, served.data_dir)
        assert again.returncode == 0, again.stderr
        assert "drains already: 1 room open; not signalled again" in again.stdout
        assert process.poll() is None
        # The meeting ends: the server exits, as after SIGTERM, and removes its file.
        await ada.send({"type": "leave"})
        await grace.send({"type": "leave"})
        assert await asyncio.to_thread(process.wait, 30) == -signal.SIGTERM
        assert not (served.data_dir / "serve.json").exists()
    finally:
        served.stop()


def test_a_server_with_no_room_open_exits_at_once_and_wait_says_so(tmp_path: Path) -> None:
    served = Served(tmp_path / "data", extra=["--workers", "0", "--drain-seconds", "120"]).start()
    process = served.process
    assert process is not None
    try:
        written = json.loads((served.data_dir / "serve.json").read_text())
        assert written["pid"] == process.pid and written["url"] == served.url
        said = drain(served.data_dir, "--wait")
        assert said.returncode == 0, said.stderr
        lines = said.stdout.splitlines()
        assert lines[0].startswith(f"frankly serve (pid {process.pid}, {served.url}) ")
        assert lines[0].endswith(
            (
                "had no room open: it exits now",
                "has exited (no room was open, or its --drain-seconds is 0)",
            )
        )
        assert lines[-1] == f"frankly serve (pid {process.pid}) has exited"
        wait_until(lambda: process.poll() is not None, 10, "the server exited")
        assert process.returncode == -signal.SIGTERM
        assert not (served.data_dir / "serve.json").exists()
        assert drain(served.data_dir).returncode == 1  # and then there is none
    finally:
        served.stop()
