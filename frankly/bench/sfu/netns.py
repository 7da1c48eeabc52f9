"""A private network namespace for a server that cannot put its media on 127.0.0.1.

Some servers (Janus) gather ICE candidates on every interface but the loopback
one, and send replies meant for 127.0.0.1 out of a real interface. Such a
server and the generator's side of its run share a namespace of their own
(`unshare --net`, root; isolated.py runs them in it) whose only interface
besides `lo` is a veth pair with a private address (ADDRESS): nothing in it can
reach or be reached from outside the machine, and everything between the
server and the generator goes through the loopback device, as it does for
Frankly on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

ADDRESS = "10.77.0.1"  # inside the private namespace only


def unavailable(server: str) -> str | None:
    """None when `server` can have a private namespace here, else why not."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return f"{server} runs in a private network namespace: that needs root, unshare and ip"
    return None


def enter() -> None:
    """In a fresh network namespace: bring up lo and a veth pair with ADDRESS."""
    commands = [
        ["ip", "link", "set", "lo", "up"],
        ["ip", "link", "add", "fb0", "type", "veth", "peer", "name", "fb1"],
        ["ip", "addr", "add", f"{ADDRESS}/24", "dev", "fb0"],
        ["ip", "link", "set", "fb0", "up"],
        ["ip", "link", "set", "fb1", "up"],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
    # Servers gather only interfaces that are up and running: wait for the carrier.
    # (/sys/class/net shows the namespace sysfs was mounted in: ask ip.)
    deadline = time.monotonic() + 5
    while (
        "LOWER_UP"
        not in subprocess.run(
            ["ip", "-o", "link", "show", "dev", "fb0"], capture_output=True, text=True
        ).stdout
    ):
        if time.monotonic() > deadline:
            raise RuntimeError("the veth pair of the private network did not come up")
        time.sleep(0.05)
