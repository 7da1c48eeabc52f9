"""What the benchmark reads from /proc: a process's CPU and memory, CPUs' busy time,
the kernel's UDP drop counters, and the session's scheduler autogroup.

A leaf: no I/O but these files, nothing of the project.
"""

from __future__ import annotations

import contextlib
import os


def cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of `pid`, dead threads included."""
    return sum(cpu_times(pid))


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of every thread of `pid`, dead threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def own_cpu() -> float:
    """CPU seconds this process (the generator) has used."""
    times = os.times()
    return times.user + times.system


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_busy(cpus: set[int] | None) -> tuple[float, float]:
    """(busy, total) seconds of these CPUs (all when None) since boot, from /proc/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    busy = total = 0
    with open("/proc/stat") as f:
        for line in f:
            name, _, rest = line.partition(" ")
            if not name.startswith("cpu") or name == "cpu":
                continue
            if cpus is not None and int(name[3:]) not in cpus:
                continue
            values = [int(v) for v in rest.split()[:8]]
            total += sum(values)
            busy += sum(values) - values[3] - values[4]  # idle, iowait
    return busy / tick, total / tick


def udp_drops(ports: set[int]) -> int:
    """Datagrams the kernel dropped at full receive buffers, over sockets on these ports."""
    total = 0
    with open("/proc/net/udp") as f:
        next(f)
        for line in f:
            parts = line.split()
            if int(parts[1].rpartition(":")[2], 16) in ports:
                total += int(parts[-1])
    return total


def autogroup_nice() -> int | None:
    """The nice value of this session's scheduler autogroup, if the kernel has them."""
    try:
        with open("/proc/self/autogroup") as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def set_autogroup_nice(value: int | None) -> None:
    """With autogroups, nice counts only within a session: set the session's too."""
    if value is None:
        return
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as f:
        f.write(str(value))
