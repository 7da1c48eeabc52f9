"""`DATA_DIR/serve.json`: which `frankly serve` runs on a data directory, for `frankly drain`.

The server writes it once it listens and rewrites it while it drains (rooms
still open), and removes it when it exits; a server killed with -9 leaves it
behind, so a reader never trusts a pid alone: the file also holds the
process's start time (/proc/PID/stat), and a pid that the kernel has since
given to another process has another start time. The data directory is the
server's own (0700), so nothing here needs a secret: whoever may signal the
server may read the file.

A second server started on the same directory (the next process of a
restart, while the last one drains) takes the file over; the older one then
leaves it alone when it exits.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

FILE_NAME = "serve.json"


class NotRunning(Exception):
    """No live server on this data directory; the message says why, for the operator."""


@dataclass(frozen=True)
class Running:
    pid: int
    started: str | None  # the process's start time in clock ticks since boot (None: no /proc)
    url: str
    drain_seconds: float
    draining: bool = False
    rooms: int | None = None  # rooms open, written while draining


def start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (after the command name, which may hold spaces);
    None for no such process, or one that has exited and waits for its parent (Z)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] == "Z" else fields[19]


def here(url: str, drain_seconds: float) -> Running:
    """This process, as the file names it."""
    return Running(os.getpid(), start_time(os.getpid()), url, drain_seconds)


def write(data_dir: Path, running: Running) -> None:
    """Whole or not at all: a reader never sees half a file."""
    path = data_dir / FILE_NAME
    partial = path.with_suffix(f".{running.pid}.tmp")
    partial.write_text(json.dumps(asdict(running)) + "\n")
    partial.chmod(0o600)
    os.replace(partial, path)


def draining(data_dir: Path, running: Running, rooms: int) -> Running:
    """Rewrite the file to say the drain is on and how many rooms are left (if still ours)."""
    now = replace(running, draining=True, rooms=rooms)
    if _owner(data_dir) == running.pid:
        write(data_dir, now)
    return now


def remove(data_dir: Path, pid: int) -> None:
    """Remove the file if it still names `pid` (a newer server may have taken it over)."""
    if _owner(data_dir) == pid:
        with contextlib.suppress(FileNotFoundError):
            (data_dir / FILE_NAME).unlink()


def _owner(data_dir: Path) -> int | None:
    try:
        return read_file(data_dir).pid
    except NotRunning:
        return None


def read_file(data_dir: Path) -> Running:
    path = data_dir / FILE_NAME
    try:
        fields = json.loads(path.read_text())
        return Running(**fields)
    except FileNotFoundError:
        raise NotRunning(f"no frankly serve runs on {data_dir} (there is no {path})") from None
    except (OSError, ValueError, TypeError) as exc:
        raise NotRunning(f"{path} cannot be read ({exc})") from None


def find(data_dir: Path) -> Running:
    """The live server the file names, or NotRunning saying why there is none."""
    running = read_file(data_dir)
    if not alive(running):
        raise NotRunning(
            f"no frankly serve runs on {data_dir}: {data_dir / FILE_NAME} names pid "
            f"{running.pid}, which no longer runs (killed without cleaning up?)"
        )
    return running


def alive(running: Running) -> bool:
    """The process the file names still runs: the same pid with the same start time."""
    if running.started is not None:
        return start_time(running.pid) == running.started
    try:
        os.kill(running.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
