"""`--profile`: py-spy on a Python server at its capacity load, and where its time goes.

`record` runs `py-spy record --format raw` (collapsed stacks, leaf last) on the
server's process; `summarize_profile` reads that file into shares of busy
samples: by category (sending, SRTP, router, event loop, ...), by line, by
function and inclusive per Frankly function. Samples idle in epoll are left out.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from frankly.bench.sfu.proc import cpu_times


async def record(pid: int, path: str, seconds: float, say: Callable[[str], None]) -> str:
    """py-spy on `pid` for `seconds`, raw stacks to `path`; return a text summary."""
    spy = _py_spy()
    if spy is None:
        say("  (no py-spy: pip install py-spy to profile)")
        return ""
    command = [
        spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
        "--rate", "250", "--nonblocking", "--format", "raw", "--output", path,
    ]  # fmt: skip
    say(f"  profiling: {' '.join(command)}")
    user0, sys0 = cpu_times(pid)
    start = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    user1, sys1 = cpu_times(pid)
    if proc.returncode != 0:
        say(f"  py-spy failed: {err.decode(errors='replace').strip()[-300:]}")
        return ""
    elapsed = time.monotonic() - start
    used = (user1 - user0) + (sys1 - sys0)
    summary = (
        f"  during the profile the server used {100 * used / elapsed:.0f}% of its CPU, "
        f"{100 * (sys1 - sys0) / max(used, 1e-9):.0f}% of that in the kernel (stime)\n"
        + summarize_profile(path)
    )
    say(summary)
    return summary


def _py_spy() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return shutil.which("py-spy") or (beside if os.path.exists(beside) else None)


IDLE = ("epoll_wait", "epoll_pwait", "select (", "poll (", "__select", "__poll")
ROOTS = ("frankly/cli.py", "frankly/__main__.py")  # under every sample: not a cost
SRTP_MARKS = ("pylibsrtp/", "srtp.c", "_cffi_backend", "libcrypto", "EVP_", "CRYPTO_", "gcm", "aes")


def _category(frames: list[str]) -> str:
    """What a sample's time was spent on, from its stack (leaf last)."""
    leaf = frames[-1]
    if leaf.startswith(("sendmsg ", "sendto ", "__libc_sendmsg", "__send", "MediaServer.sendto ")):
        return "sending: uvloop's sendto and the kernel's sendmsg, one per forwarded packet"
    if leaf.startswith(("recvmsg ", "recvfrom ", "__libc_recvmsg", "__recv")):
        return "kernel: recvmsg"
    if leaf.startswith("Runner.run ") or (len(frames) > 1 and frames[-2].startswith("Runner.run ")):
        return "event loop (uvloop: epoll, recvmsg, dispatch), outside Frankly's callbacks"
    for frame in reversed(frames):
        if any(mark in frame for mark in SRTP_MARKS):
            return "SRTP protect/unprotect (libsrtp via cffi)"
        if "frankly/" in frame and not any(root in frame for root in ROOTS):
            module = frame.rpartition("frankly/")[2].partition(":")[0].rstrip(")")
            if module in ("sfu/router.py", "sfu/downtrack.py"):
                return "router, Python (frankly/sfu/router.py, downtrack.py)"
            if module == "sfu/transport.py":
                return "transport, Python (frankly/sfu/transport.py)"
            if module.startswith("sfu/"):
                return "SFU leaf modules, Python (rtp, stun, cache, ...)"
            return f"rest of Frankly ({module})"
    if any("loop.c" in f or "uvloop" in f or "libuv" in f or "core.c" in f for f in frames[-6:]):
        return "event loop (uvloop), outside Frankly's callbacks"
    return "other (interpreter, signaling, timers)"


def summarize_profile(path: str, top: int = 15) -> str:
    """Where the time goes, from py-spy's raw output (collapsed stacks, leaf last).

    Samples whose leaf is the event loop waiting in epoll are idle and left out.
    """
    categories: Counter[str] = Counter()
    lines_: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = idle = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        frames = [f for f in stack.split(";") if " (" in f]
        if not frames:
            continue
        count = int(count_text)
        if frames[-1].startswith(IDLE):
            idle += count
            continue
        total += count
        categories[_category(frames)] += count
        lines_[frames[-1]] += count
        own[_function(frames[-1])] += count
        mine = {_function(f) for f in frames if "frankly/" in f}
        for name in mine - {_function(f) for f in frames if any(r in f for r in ROOTS)}:
            inclusive[name] += count
    if not total:
        return "  (empty profile)"
    out = [f"  where the SFU's time goes: {total} busy samples ({idle} idle in epoll left out)"]
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in categories.most_common()]
    out.append("  self time by line:")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in lines_.most_common(top)]
    out.append("  self time by function:")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    out.append("  inclusive time of Frankly's functions:")
    out += [f"    {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(out)


def _function(frame: str) -> str:
    """'send_rtp (frankly/sfu/transport.py:83)' -> 'send_rtp (frankly/sfu/transport.py)'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file, _, line = where.rpartition(":")
    return f"{name} ({file if line.isdigit() else where})"
