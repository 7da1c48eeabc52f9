"""`frankly bench sfu`: forwarding throughput, latency and memory, beside Janus.

The benchmark starts `frankly serve` as a process of its own on loopback,
joins publishers (microphone and camera, synthetic, see loadgen.py) and then
adds viewers step by step. Everyone receives everyone else's streams. At
each step it measures, over a window of a few seconds:

- forwarded packets a second: what the generator's receivers got, counted by
  the stamp each publisher put in its payload, so a packet counts once it has
  been through the SFU and back to a subscriber;
- the SFU process's CPU (utime + stime of all its threads, /proc/PID/stat),
  and so forwarded packets per CPU-second;
- loss: 1 - received / (sent x receivers), over the packets sent in the
  window; the kernel's UDP drop counters (/proc/net/udp) tell whether the
  server's socket or the generator's overflowed;
- added latency: kernel arrival time at the subscriber minus the send stamp,
  minus the median of the same measure on a direct path between two of the
  generator's own sockets (the generator's own share);
- RSS of the SFU process over its idle RSS, per subscription (one track
  forwarded to one participant).

The ramp stops at the first step with 1% loss or more; capacity is the
highest forwarded rate below that. The load is then cut to about half of
capacity and measured again, for latency. Janus runs the identical ramp in
the same run (janus.py), and the two are printed side by side with ratios.

By default the server is pinned to the last CPU and the generator to the
first, so that each server has exactly one core whatever its threading. As
root, the generator and the servers also run at nice -20, and so does their
session's scheduler autogroup (where the kernel has autogroups, nice counts
only within one): on a shared machine, other processes then get mostly what
the server leaves idle. Each step notes how much of the server's CPU other
processes used, and waits (up to QUIET_WAIT) for them to calm down first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from frankly.bench import janus as janus_bench
from frankly.bench.loadgen import (
    Engine,
    FranklyParticipant,
    MediaProfile,
    Participant,
    audio_stream,
    percentile,
    video_stream,
)
from frankly.bench.machine import describe

DEFAULT_VIEWERS = (0, 10, 20, 30, 40, 50, 60, 70)
LOSS_LIMIT = 0.01
GRACE = 0.5  # seconds after a window for its last packets to arrive
QUIET_WAIT = 5.0  # seconds a step may wait for other processes to calm down
QUIET_LIMIT = 0.1  # of one CPU: what other processes may use for a step to start
NICE = -20  # as root: the generator and the servers before other processes


@dataclass
class Step:
    """One measured window."""

    server: str
    label: str  # ramp | half
    publishers: int
    viewers: int
    subscriptions: int  # tracks forwarded: one track to one participant
    seconds: float
    received: int
    expected: int
    cpu_seconds: float
    system_seconds: float  # of cpu_seconds, in the kernel (system calls: sendmsg, ...)
    generator_cpu_seconds: float
    rss_kib: int
    idle_rss_kib: int
    latency_us: tuple[float, float, float]  # p50, p99, max: kernel arrival - send stamp
    baseline_us: tuple[float, float]  # the direct path's p50, p99
    server_drops: int
    generator_drops: int
    send_lag_p99_ms: float
    stalls: int
    not_ready: int  # receivers that had not got every stream before the window
    srtp: str = ""
    stray: int = 0
    other_load: float = 0.0  # share of the server's CPUs that other processes used

    @property
    def receivers(self) -> int:
        return self.publishers + self.viewers

    @property
    def pps(self) -> float:
        return self.received / self.seconds

    @property
    def cpu(self) -> float:
        return self.cpu_seconds / self.seconds

    @property
    def generator_cpu(self) -> float:
        return self.generator_cpu_seconds / self.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.received / self.cpu_seconds if self.cpu_seconds > 0 else float("nan")

    @property
    def loss(self) -> float:
        return 1 - self.received / self.expected if self.expected else float("nan")

    @property
    def added_ms(self) -> tuple[float, float]:
        base = self.baseline_us[0]
        return (self.latency_us[0] - base) / 1000, (self.latency_us[1] - base) / 1000

    @property
    def rss_per_subscription_kib(self) -> float:
        if not self.subscriptions:
            return float("nan")
        return (self.rss_kib - self.idle_rss_kib) / self.subscriptions

    @property
    def generator_bound(self) -> bool:
        return self.generator_cpu > 0.9 or self.generator_drops > 0.2 * max(
            1, self.expected - self.received
        )

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            pps=self.pps,
            cpu=self.cpu,
            per_cpu_second=self.per_cpu_second,
            loss=self.loss,
            added_ms=self.added_ms,
            rss_per_subscription_kib=self.rss_per_subscription_kib,
            generator_cpu=self.generator_cpu,
        )
        return out


@dataclass
class ServerResult:
    server: str
    steps: list[Step] = field(default_factory=list)
    error: str = ""
    profile: str = ""
    log_problems: int = 0  # error lines in the server's log

    @property
    def ramp(self) -> list[Step]:
        return [s for s in self.steps if s.label == "ramp"]

    @property
    def capacity(self) -> Step | None:
        """The highest forwarded rate of the ramp below the loss limit."""
        good = [s for s in self.ramp if s.loss < LOSS_LIMIT]
        return max(good, key=lambda s: s.pps, default=None)

    @property
    def capacity_reached(self) -> bool:
        """True when the ramp went on until a step lost 1% or more."""
        return any(s.loss >= LOSS_LIMIT for s in self.ramp)

    @property
    def rss_slope_kib(self) -> float | None:
        """Memory that one more subscription costs: RSS growth over the ramp."""
        ramp = self.ramp
        if len(ramp) < 2 or ramp[-1].subscriptions == ramp[0].subscriptions:
            return None
        grown = ramp[-1].rss_kib - ramp[0].rss_kib
        return grown / (ramp[-1].subscriptions - ramp[0].subscriptions)

    @property
    def half(self) -> Step | None:
        return next((s for s in self.steps if s.label == "half"), None)


# --- the servers under test --------------------------------------------------------


class Target(Protocol):
    name: str

    @property
    def pid(self) -> int: ...

    async def add_publishers(self, people: list[Participant]) -> None: ...

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None: ...

    async def remove(self, person: Participant) -> None: ...

    def server_ports(self) -> set[int]: ...

    async def close(self) -> None: ...


class FranklyProcess:
    """`frankly serve` on loopback, in a process of its own."""

    def __init__(self, max_participants: int, cpus: set[int] | None) -> None:
        self.port = _free_port(socket.SOCK_STREAM)
        self.media_port = _free_port(socket.SOCK_DGRAM)
        self.dir = Path(tempfile.mkdtemp(prefix="frankly-bench-sfu-"))
        self.max_participants = max_participants
        self.cpus = cpus
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "frankly",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--media-port",
            str(self.media_port),
            "--max-participants",
            str(self.max_participants),
            "--data-dir",
            str(self.dir / "data"),
            "--log-level",
            "warning",
        ]
        if self.cpus is not None and shutil.which("taskset"):
            command = ["taskset", "-c", ",".join(map(str, sorted(self.cpus))), *command]
        with open(self.dir / "serve.log", "wb") as out:
            self.proc = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=janus_bench.die_with_parent,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"frankly serve exited at start: {self.tail()}")
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=1) as reply:
                    if reply.status == 200:
                        return
            time.sleep(0.1)
        raise RuntimeError(f"frankly serve did not answer /healthz: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            text = (self.dir / "serve.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Error lines the server logged."""
        return janus_bench.log_problems(self.dir / "serve.log")

    def stop(self) -> None:
        janus_bench.stop_process(self.proc, self.dir)


class FranklyTarget:
    name = "Frankly"

    def __init__(self, engine: Engine, process: FranklyProcess) -> None:
        self.engine = engine
        self.process = process
        self.url = f"ws://127.0.0.1:{process.port}/ws"
        self.room = "bench-sfu"
        self.links: dict[int, FranklyParticipant] = {}

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _join(self, person: Participant) -> None:
        link = FranklyParticipant(self.engine, self.url, self.room, person)
        self.links[person.index] = link
        await link.join(person.extra["expect"])

    async def add_publishers(self, people: list[Participant]) -> None:
        for person in people:  # in order: the third moves the room to the SFU
            await self._join(person)

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None:
        await self._join(person)

    async def remove(self, person: Participant) -> None:
        link = self.links.pop(person.index, None)
        if link is not None:
            await link.leave()

    def server_ports(self) -> set[int]:
        return {self.process.media_port}

    async def close(self) -> None:
        for index in list(self.links):
            with contextlib.suppress(Exception):
                await self.links.pop(index).leave()


class JanusTargetAdapter:
    """Janus behind the same interface as Frankly."""

    name = "Janus"

    def __init__(self, engine: Engine, process: janus_bench.JanusProcess) -> None:
        self.process = process
        self.target = janus_bench.JanusTarget(engine, process)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def open(self, publishers: int) -> None:
        await self.target.open(publishers)

    async def add_publishers(self, people: list[Participant]) -> None:
        for person in people:
            await self.target.add_publisher(person)
        # Janus lists a feed for subscribing once its peer connection is up.
        for person in people:
            assert person.pub is not None
            await asyncio.wait_for(person.pub.connected.wait(), 20)
        await asyncio.sleep(0.5)
        for person in people:
            others = [p for p in people if p is not person]
            if others:
                await self.target.add_subscriber(person, others)

    async def add_viewer(self, person: Participant, publishers: list[Participant]) -> None:
        await self.target.add_subscriber(person, publishers)

    async def remove(self, person: Participant) -> None:
        await self.target.remove(person)

    def server_ports(self) -> set[int]:
        return self.target.server_ports()

    async def close(self) -> None:
        await self.target.close()


# --- measuring ------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of `pid`, dead threads included."""
    return sum(cpu_times(pid))


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of every thread of `pid`, dead threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


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


class Run:
    """One server's ramp: publishers first, then viewers step by step."""

    def __init__(self, target: Target, engine: Engine, settings: Settings) -> None:
        self.target = target
        self.engine = engine
        self.settings = settings
        self.seconds = settings.seconds
        self.say = settings.say
        self.cpus = settings.cpus  # the server's CPUs, to tell other processes' load on them
        self.quiet_wait = settings.quiet_wait
        self.result = ServerResult(target.name)
        publishers = settings.publishers
        self.publishers = [Participant(i, True, name=f"pub-{i}") for i in range(publishers)]
        all_streams = {s for i in range(publishers) for s in (audio_stream(i), video_stream(i))}
        for person in self.publishers:
            own = {audio_stream(person.index), video_stream(person.index)}
            person.extra["expect"] = all_streams - own
        self.all_streams = all_streams
        self.viewers: list[Participant] = []
        self.idle_rss = rss_kib(target.pid)
        self._next = publishers

    @property
    def people(self) -> list[Participant]:
        return self.publishers + self.viewers

    async def start(self) -> None:
        await self.target.add_publishers(self.publishers)

    async def set_viewers(self, count: int) -> None:
        while len(self.viewers) > count:
            await self.target.remove(self.viewers.pop())
        adding: list[Participant] = []
        while len(self.viewers) + len(adding) < count:
            person = Participant(self._next, False, name=f"viewer-{self._next}")
            person.extra["expect"] = set(self.all_streams)
            self._next += 1
            adding.append(person)
        for batch in range(0, len(adding), 8):
            group = adding[batch : batch + 8]
            await asyncio.gather(*(self.target.add_viewer(p, self.publishers) for p in group))
            self.viewers += group

    async def ready(self, within: float) -> int:
        """Wait until every receiver has every stream it should; return how many have not."""
        deadline = time.monotonic() + within
        while True:
            missing = 0
            for person in self.people:
                sub = person.sub
                if sub is not None and not sub.expect:
                    sub.expect = person.extra["expect"]
                if (person.publishes and (person.pub is None or person.pub.tx is None)) or (
                    sub is None or sub.tx is None or not sub.expect <= sub.seen
                ):
                    missing += 1
            if not missing or time.monotonic() > deadline:
                return missing
            await asyncio.sleep(0.1)

    async def measure(self, label: str, not_ready: int) -> Step:
        engine, pid = self.engine, self.target.pid
        server_ports = self.target.server_ports()
        start = time.time_ns() + 100_000_000
        end = start + int(self.seconds * 1e9)
        engine.open_window(start, end)
        await asyncio.sleep((start - time.time_ns()) / 1e9)
        (user0, sys0), gen0, core0 = cpu_times(pid), _own_cpu(), cpu_busy(self.cpus)
        cpu0 = user0 + sys0
        own_ports = {t.port for t in engine.transports}
        drops0 = udp_drops(server_ports), udp_drops(own_ports)
        await asyncio.sleep((end - time.time_ns()) / 1e9)
        (user1, sys1), gen1, core1 = cpu_times(pid), _own_cpu(), cpu_busy(self.cpus)
        cpu1 = user1 + sys1
        rss = rss_kib(pid)
        await asyncio.sleep(GRACE)
        engine.close_window()
        drops1 = udp_drops(server_ports), udp_drops(own_ports)
        receivers = [p.sub for p in self.people if p.sub is not None]
        received, expected = engine.tally(receivers)
        latency = sorted(engine.latency)
        baseline = sorted(engine.probe_latency)
        lag = sorted(engine.lag)
        srtp = Counter(t.profile for t in receivers if t.profile).most_common(1)
        subscriptions = sum(len(p.extra["expect"]) for p in self.people)
        # Busy time of the server's CPUs not spent by the server (nor, unpinned, by us).
        others = core1[0] - core0[0] - (cpu1 - cpu0) - (0 if self.cpus else gen1 - gen0)
        other_load = max(0.0, others / max(1e-9, core1[1] - core0[1]))
        return Step(
            server=self.target.name,
            label=label,
            publishers=len(self.publishers),
            viewers=len(self.viewers),
            subscriptions=subscriptions,
            seconds=(end - start) / 1e9,
            received=received,
            expected=expected,
            cpu_seconds=cpu1 - cpu0,
            system_seconds=sys1 - sys0,
            generator_cpu_seconds=gen1 - gen0,
            rss_kib=rss,
            idle_rss_kib=self.idle_rss,
            latency_us=(
                percentile(latency, 0.5) / 1000,
                percentile(latency, 0.99) / 1000,
                (latency[-1] if latency else float("nan")) / 1000,
            ),
            baseline_us=(percentile(baseline, 0.5) / 1000, percentile(baseline, 0.99) / 1000),
            server_drops=drops1[0] - drops0[0],
            generator_drops=drops1[1] - drops0[1],
            send_lag_p99_ms=percentile(lag, 0.99) / 1000,
            stalls=engine.stalls,
            not_ready=not_ready,
            srtp=srtp[0][0] if srtp else "",
            stray=sum(t.stray for t in receivers),
            other_load=other_load,
        )

    async def step(self, viewers: int, label: str = "ramp") -> Step:
        await self.set_viewers(viewers)
        not_ready = await self.ready(within=20)
        await asyncio.sleep(1.0)  # let keyframe requests and bursts of joining settle
        await self.wait_quiet()
        step = await self.measure(label, not_ready)
        if step.other_load > 0.1 and step.loss >= LOSS_LIMIT and self.quiet_wait:
            self.say(_row(step) + " - disturbed: once more")
            await self.wait_quiet()
            step = await self.measure(label, not_ready)
        self.result.steps.append(step)
        self.say(_row(step))
        return step

    async def wait_quiet(self) -> None:
        """On a shared machine: wait (a while) until other processes leave the CPUs alone."""
        if not self.quiet_wait:
            return
        deadline = time.monotonic() + self.quiet_wait
        while True:
            busy0, own0, server0 = cpu_busy(None)[0], _own_cpu(), cpu_seconds(self.target.pid)
            await asyncio.sleep(0.5)
            busy1, own1, server1 = cpu_busy(None)[0], _own_cpu(), cpu_seconds(self.target.pid)
            others = (busy1 - busy0) - (own1 - own0) - (server1 - server0)
            if others / 0.5 < QUIET_LIMIT or time.monotonic() > deadline:
                return


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


# --- the run ---------------------------------------------------------------------


@dataclass
class Settings:
    """What one run does; passed as JSON to the Janus child process."""

    publishers: int = 10
    viewers: list[int] = field(default_factory=lambda: list(DEFAULT_VIEWERS))
    seconds: float = 5.0
    server_cpus: list[int] | None = None
    srtp: str = "any"
    quiet: bool = False
    quiet_wait: float = QUIET_WAIT
    profile: str | None = None
    profile_seconds: float = 10.0
    paced: bool = False

    @property
    def media(self) -> MediaProfile:
        return MediaProfile(paced=self.paced)

    @property
    def cpus(self) -> set[int] | None:
        return set(self.server_cpus) if self.server_cpus is not None else None

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)


def run(
    publishers: int = 10,
    viewers: Sequence[int] = DEFAULT_VIEWERS,
    seconds: float = 5.0,
    janus: bool = True,
    profile: str | None = None,
    profile_seconds: float = 10.0,
    pin: bool = True,
    srtp: str = "any",
    json_path: str | None = None,
    quiet: bool = False,
    quiet_wait: float = QUIET_WAIT,
    paced: bool = False,
    nice: int = NICE,
) -> dict[str, Any]:
    """Run the benchmark against Frankly and (unless `janus` is False) Janus; print a table.

    publishers: participants with camera and microphone on (all also receive).
    viewers: the ramp, as numbers of receive-only participants, ascending.
    seconds: the measurement window of each step.
    janus: also run the identical load against Janus (skipped, with the
        reason printed, when Janus cannot run here).
    profile: a path: also record Frankly at its capacity load with py-spy
        (collapsed stacks, `--format raw`) and print where the time goes.
    pin: the server on the last CPU, the generator on the others.
    srtp: SRTP profiles the generator offers: "any" (GCM, then CM-SHA1-80),
        "gcm" or "cm".
    paced: spread each video frame's packets at 2.5 times the bitrate, as
        Chrome's pacer does, instead of sending them back to back.
    nice: as root, run the generator and the servers at this nice value
        (-20: other processes on a shared machine disturb the figures less;
        0: leave it).
    quiet_wait: seconds each step may wait for other processes to leave the
        CPUs alone before measuring (0: do not wait).
    Returns the figures as a dict (also written to `json_path` if given).
    """
    if publishers < 2:
        raise ValueError("the benchmark needs 2 publishers or more")
    if sorted(viewers) != list(viewers) or not viewers:
        raise ValueError("viewers must be an ascending list of counts")
    cpus = sorted(os.sched_getaffinity(0))
    pinned = pin and len(cpus) > 1
    settings = Settings(
        publishers=publishers,
        viewers=list(viewers),
        seconds=seconds,
        server_cpus=cpus[-1:] if pinned else None,
        srtp=srtp,
        quiet=quiet,
        quiet_wait=quiet_wait,
        profile=profile,
        profile_seconds=profile_seconds,
        paced=paced,
    )
    say = settings.say
    before = os.sched_getaffinity(0)
    if pinned:
        os.sched_setaffinity(0, set(cpus[:-1]))
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    reniced = bool(nice) and os.geteuid() == 0
    group_nice = _autogroup_nice()
    if reniced:  # the servers, started from here, inherit both
        os.setpriority(os.PRIO_PROCESS, 0, nice)
        _set_autogroup_nice(nice)
    media = settings.media
    say(
        f"frankly bench sfu: {publishers} publishers, viewers {list(viewers)}, {seconds:g} s a step"
    )
    say(
        f"  each publisher: ~{media.packets_per_second:.0f} packets/s (Opus 50/s, VP8 30 fps, "
        f"{media.video_bitrate / 1e6:.1f} Mbit/s, frames {'paced' if paced else 'in bursts'})"
    )
    say(f"  machine: {describe()}")
    if pinned:
        say(f"  server pinned to CPU {cpus[-1:]}, generator to CPU {cpus[:-1]}")
    if reniced:
        say(f"  server and generator at nice {nice}")
    results: list[ServerResult] = []
    try:
        results.append(asyncio.run(_frankly(settings)))
        if janus:
            why = janus_bench.available()
            if why is None:
                results.append(_janus(settings))
            else:
                results.append(ServerResult("Janus", error=why))
                say(f"\nJanus: not run: {why}")
    finally:
        os.sched_setaffinity(0, before)
        if reniced:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
            _set_autogroup_nice(group_nice)
    say("")
    say(report(results, reniced))
    out = {
        "machine": describe(),
        "settings": asdict(settings),
        "media": asdict(media),
        "results": [
            {
                "server": r.server,
                "error": r.error,
                "steps": [s.summary() for s in r.steps],
                "profile": r.profile,
                "log_problems": r.log_problems,
            }
            for r in results
        ],
    }
    if json_path:
        Path(json_path).write_text(json.dumps(out, indent=2, default=str))
    return out


def _autogroup_nice() -> int | None:
    """The nice value of this session's scheduler autogroup, if the kernel has them."""
    try:
        with open("/proc/self/autogroup") as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _set_autogroup_nice(value: int | None) -> None:
    """With autogroups, nice counts only within a session: set the session's too."""
    if value is None:
        return
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as f:
        f.write(str(value))


async def _ramp(run_: Run) -> tuple[ServerResult, Step | None]:
    """Viewers step by step until a step loses 1%; return the result and capacity."""
    say = run_.settings.say
    say(_header(run_.target.name))
    await run_.start()
    for count in run_.settings.viewers:
        step = await run_.step(count)
        if step.loss >= LOSS_LIMIT:
            break
        if step.generator_bound:
            say("  (the generator is the bottleneck here: stopping the ramp)")
            break
    return run_.result, run_.result.capacity


async def _half(run_: Run, capacity: Step | None) -> None:
    """Cut the load to about half of capacity and measure again."""
    if capacity is None:
        return
    publishers = len(run_.publishers)
    per_receiver = capacity.pps / max(1, publishers * (capacity.receivers - 1))
    wanted = capacity.pps / 2 / (publishers * per_receiver) - (publishers - 1)
    await run_.step(max(0, round(wanted)), label="half")


async def _frankly(settings: Settings) -> ServerResult:
    process = FranklyProcess(settings.publishers + max(settings.viewers) + 2, settings.cpus)
    engine = Engine(settings.media, srtp=settings.srtp)
    result = ServerResult("Frankly")
    target: FranklyTarget | None = None
    try:
        process.start()
        await asyncio.sleep(1.0)
        engine.start()
        target = FranklyTarget(engine, process)
        run_ = Run(target, engine, settings)
        result, capacity = await _ramp(run_)
        if settings.profile and capacity is not None:
            result.profile = await _profile(run_, capacity)
        await _half(run_, capacity)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        settings.say(f"Frankly: stopped: {result.error}\n{process.tail()}")
    finally:
        if target is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(target.close(), 10)
        engine.stop()
        _log_problems(result, process.problems(), settings.say)
        process.stop()
    return result


def _log_problems(result: ServerResult, lines: list[str], say: Callable[[str], None]) -> None:
    result.log_problems = len(lines)
    if lines:
        say(f"  {result.server} logged {len(lines)} error line(s), first ones:")
        for line in lines[:5]:
            say(f"    {line[:200]}")


def _janus(settings: Settings) -> ServerResult:
    """Run the Janus ramp in a child process inside a private network namespace."""
    with tempfile.TemporaryDirectory(prefix="frankly-bench-") as tmp:
        out = Path(tmp) / "janus.json"
        options = Path(tmp) / "settings.json"
        options.write_text(json.dumps({"settings": asdict(settings), "out": str(out)}))
        command = ["unshare", "--net", "--", sys.executable, "-m", "frankly.bench.sfu"]
        command += ["--janus-worker", str(options)]
        budget = 120 + len(settings.viewers) * (settings.seconds + 25 + settings.quiet_wait)
        try:
            subprocess.run(command, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            return ServerResult("Janus", error=f"the Janus run took over {budget:.0f} s")
        if not out.exists():
            return ServerResult("Janus", error="the Janus run ended without results")
        data = json.loads(out.read_text())
    result = ServerResult("Janus", error=data["error"], log_problems=data["log_problems"])
    for fields in data["steps"]:
        fields["latency_us"] = tuple(fields["latency_us"])
        fields["baseline_us"] = tuple(fields["baseline_us"])
        result.steps.append(Step(**fields))
    return result


def _janus_worker(options_path: str) -> None:
    """The child: set up the private network, run Janus's ramp, write the steps."""
    options = json.loads(Path(options_path).read_text())
    settings = Settings(**options["settings"])
    try:
        janus_bench.enter_private_network()
        result = asyncio.run(_janus_here(settings))
    except Exception as exc:
        result = ServerResult("Janus", error=f"{type(exc).__name__}: {exc}")
        settings.say(f"Janus: stopped: {result.error}")
    out = {
        "error": result.error,
        "log_problems": result.log_problems,
        "steps": [asdict(step) for step in result.steps],
    }
    Path(options["out"]).write_text(json.dumps(out))


async def _janus_here(settings: Settings) -> ServerResult:
    process = janus_bench.JanusProcess(settings.cpus)
    engine = Engine(settings.media, srtp=settings.srtp, host=janus_bench.NETNS_ADDRESS)
    result = ServerResult("Janus")
    target: JanusTargetAdapter | None = None
    try:
        process.start()
        await asyncio.sleep(1.0)
        engine.start()
        target = JanusTargetAdapter(engine, process)
        await target.open(settings.publishers + 1)
        run_ = Run(target, engine, settings)
        result, capacity = await _ramp(run_)
        await _half(run_, capacity)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        settings.say(f"Janus: stopped: {result.error}\n{process.tail()}")
    finally:
        if target is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(target.close(), 10)
        engine.stop()
        _log_problems(result, process.problems(), settings.say)
        process.stop()
    return result


async def _profile(run_: Run, capacity: Step) -> str:
    """py-spy on the server at the capacity load; return a text summary."""
    say, path = run_.settings.say, run_.settings.profile or "profile.txt"
    seconds = run_.settings.profile_seconds
    spy = _py_spy()
    if spy is None:
        say("  (no py-spy: pip install py-spy to profile)")
        return ""
    await run_.set_viewers(capacity.viewers)
    await run_.ready(within=20)
    command = [
        spy, "record", "--pid", str(run_.target.pid), "--duration", str(int(seconds)),
        "--rate", "250", "--nonblocking", "--format", "raw", "--output", path,
    ]  # fmt: skip
    say(f"  profiling: {' '.join(command)}")
    user0, sys0 = cpu_times(run_.target.pid)
    start = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    user1, sys1 = cpu_times(run_.target.pid)
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
            if module == "sfu/router.py":
                return "router, Python (frankly/sfu/router.py)"
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


# --- printing ---------------------------------------------------------------------


def _header(server: str) -> str:
    return (
        f"\n{server}\n"
        f"  {'load':<17}{'subs':>6}{'fwd pps':>10}{'SFU CPU':>9}{'kernel':>8}{'pkts/CPU-s':>12}"
        f"{'loss':>8}{'added p50/p99 ms':>18}{'RSS/sub':>10}{'gen CPU':>9}"
    )


def _row(step: Step) -> str:
    load = f"{step.publishers} pub x {step.receivers} rcv"
    p50, p99 = step.added_ms
    notes = []
    if step.label != "ramp":
        notes.append(step.label)
    if step.not_ready:
        notes.append(f"{step.not_ready} not ready")
    if step.server_drops:
        notes.append(f"server socket dropped {step.server_drops}")
    if step.generator_drops:
        notes.append(f"generator sockets dropped {step.generator_drops}")
    if step.generator_bound:
        notes.append("generator-bound")
    if step.other_load > 0.05:
        notes.append(f"other processes used {100 * step.other_load:.0f}% of the server's CPU")
    return (
        f"  {load:<17}{step.subscriptions:>6}{step.pps:>10,.0f}{100 * step.cpu:>8.0f}%"
        f"{100 * step.system_seconds / max(step.cpu_seconds, 1e-9):>7.0f}%"
        f"{step.per_cpu_second:>12,.0f}{100 * step.loss:>7.2f}%"
        f"{f'{p50:.2f} / {p99:.2f}':>18}{step.rss_per_subscription_kib:>7.1f} KiB"
        f"{100 * step.generator_cpu:>8.0f}%" + (f"  ({'; '.join(notes)})" if notes else "")
    )


def report(results: list[ServerResult], reniced: bool = False) -> str:
    """The comparison: per server at capacity and at half capacity, and ratios."""
    out = ["Summary (each server on one core; loss limit 1%)"]
    rows: list[tuple[str, Callable[[ServerResult], float | None], str]] = [
        ("capacity, forwarded pps", lambda r: r.capacity.pps if r.capacity else None, ",.0f"),
        (
            "pkts per CPU-second at capacity",
            lambda r: r.capacity.per_cpu_second if r.capacity else None,
            ",.0f",
        ),
        (
            "added latency p50 at ~half, ms",
            lambda r: r.half.added_ms[0] if r.half else None,
            ".2f",
        ),
        (
            "added latency p99 at ~half, ms",
            lambda r: r.half.added_ms[1] if r.half else None,
            ".2f",
        ),
        ("RSS per added subscription, KiB", lambda r: r.rss_slope_kib, ".1f"),
        (
            "RSS over idle / subscriptions, KiB",
            lambda r: r.capacity.rss_per_subscription_kib if r.capacity else None,
            ".1f",
        ),
    ]
    names = [r.server for r in results]
    out.append(
        f"  {'':<34}"
        + "".join(f"{n:>14}" for n in names)
        + (f"{'Frankly/Janus':>15}" if len(results) == 2 else "")
    )
    for title, get, fmt in rows:
        values = [get(r) for r in results]
        cells = "".join(f"{format(v, fmt) if v is not None else '-':>14}" for v in values)
        ratio = ""
        if len(values) == 2 and values[0] is not None and values[1]:
            ratio = f"{values[0] / values[1]:>15.2f}"
        out.append(f"  {title:<34}{cells}{ratio}")
    disturbed = sum(s.other_load > 0.1 for r in results for s in r.steps)
    if disturbed and reniced:
        out.append(
            f"  Note: other processes ran on the server's CPU during {disturbed} step(s) "
            "(marked above); at nice -20 they got mostly time the server left idle"
        )
    elif disturbed:
        out.append(
            f"  WARNING: other processes took over 10% of the server's CPU during {disturbed} "
            "step(s) (marked above): loss and latency there are not the server's own"
        )
    for r in results:
        if r.error:
            out.append(f"  {r.server}: {r.error}")
        elif r.capacity is not None and not r.capacity_reached:
            why = (
                "the generator ran out of CPU first"
                if r.ramp and r.ramp[-1].generator_bound
                else "the ramp ended first"
            )
            out.append(
                f"  {r.server}: no step lost 1%: capacity is at least "
                f"{r.capacity.pps:,.0f} pps ({why})"
            )
        if r.half is not None:
            h = r.half
            out.append(
                f"  {r.server} at ~half: {h.pps:,.0f} pps, latency p50/p99/max "
                f"{h.latency_us[0] / 1000:.2f}/{h.latency_us[1] / 1000:.2f}/"
                f"{h.latency_us[2] / 1000:.2f} ms above a direct-path median of "
                f"{h.baseline_us[0] / 1000:.3f} ms"
            )
        srtp = {s.srtp for s in r.steps if s.srtp}
        if srtp:
            out.append(f"  {r.server} SRTP toward subscribers: {', '.join(sorted(srtp))}")
    if len(results) == 2 and all(r.steps for r in results):
        out.append("  same load, Frankly/Janus pkts per CPU-second:")
        janus_by = {s.viewers: s for s in results[1].ramp}
        for step in results[0].ramp:
            other = janus_by.get(step.viewers)
            if other is not None and other.cpu_seconds > 0:
                out.append(
                    f"    {step.publishers} pub x {step.receivers} rcv: "
                    f"{step.per_cpu_second / other.per_cpu_second:.2f}"
                    f"  (loss {100 * step.loss:.2f}% / {100 * other.loss:.2f}%)"
                )
    out.append(f"  machine: {describe()}")
    return "\n".join(out)


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `frankly bench sfu`; `options(args)` turns them into run()'s."""
    parser.add_argument("--publishers", type=int, default=10, help="camera and microphone on")
    parser.add_argument(
        "--viewers",
        type=_counts,
        default=list(DEFAULT_VIEWERS),
        help="the ramp: receive-only participants, ascending (default: %(default)s)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measurement window a step")
    parser.add_argument("--no-janus", dest="janus", action="store_false", help="Frankly only")
    parser.add_argument("--profile", help="py-spy Frankly at capacity, raw stacks to this file")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="no CPU pinning")
    parser.add_argument("--srtp", choices=["any", "gcm", "cm"], default="any")
    parser.add_argument("--paced", action="store_true", help="pace video as Chrome does")
    parser.add_argument("--json", dest="json_path", help="write every figure here")
    parser.add_argument(
        "--quiet-wait", type=float, default=QUIET_WAIT, help="s to wait for a quiet CPU a step"
    )
    parser.add_argument("--nice", type=int, default=NICE, help="as root (0: leave it alone)")


def options(args: argparse.Namespace) -> dict[str, Any]:
    """run()'s keyword arguments from the options add_arguments() defined."""
    names = ("publishers", "viewers", "seconds", "janus", "profile", "pin", "srtp", "paced")
    return {name: getattr(args, name) for name in (*names, "json_path", "quiet_wait", "nice")}


def _counts(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of counts: {text!r}") from None


def main(argv: list[str] | None = None) -> None:
    """`python -m frankly.bench.sfu`: the same as `frankly bench sfu`."""
    parser = argparse.ArgumentParser(prog="frankly bench sfu", description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--janus-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.janus_worker:
        _janus_worker(args.janus_worker)
        return
    run(**options(args))


if __name__ == "__main__":
    main()
