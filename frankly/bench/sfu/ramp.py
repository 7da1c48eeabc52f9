"""One server's run: start it, ramp the load up step by step, measure, stop it.

`measure` is the lifecycle every server shares: the server process started and
stopped (server.py), the generator's engine (loadgen.py), the participants
joined through the server's `Target`. `Run` holds the participants and
measures one window (`Step`) at a time from /proc (proc.py) and the
generator's counters. The ramp adds viewers until a step loses 1% (or the
generator runs out of CPU); capacity is the highest forwarded rate below
that; the load is then cut to about half of capacity and measured again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable

from frankly.bench.loadgen import Engine, Participant, audio_stream, percentile, video_stream
from frankly.bench.sfu import netns, profiling
from frankly.bench.sfu.proc import cpu_busy, cpu_seconds, cpu_times, own_cpu, rss_kib, udp_drops
from frankly.bench.sfu.report import header, row
from frankly.bench.sfu.results import LOSS_LIMIT, ServerResult, Step
from frankly.bench.sfu.server import Server, Target
from frankly.bench.sfu.settings import Settings

GRACE = 0.5  # seconds after a window for its last packets to arrive
QUIET_LIMIT = 0.1  # of one CPU: what other processes may use for a step to start


async def measure(server: Server, settings: Settings) -> ServerResult:
    """The whole run on one server; an error ends it and is kept in the result."""
    host = netns.ADDRESS if server.private_network else "127.0.0.1"
    engine = Engine(settings.media, srtp=settings.srtp, host=host)
    result = ServerResult(server.name)
    target: Target | None = None
    try:
        server.start()
        await asyncio.sleep(1.0)
        engine.start()
        target = await server.connect(engine, settings)
        run_ = Run(server, target, engine, settings)
        result, capacity = await ramp(run_)
        if settings.profile and server.profiled and capacity is not None:
            result.profile = await profile(run_, capacity)
        await half(run_, capacity)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        settings.say(f"{server.name}: stopped: {result.error}\n{server.tail()}")
    finally:
        if target is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(target.close(), 10)
        engine.stop()
        _log_problems(result, server.problems(), settings.say)
        server.stop()
    return result


async def ramp(run_: Run) -> tuple[ServerResult, Step | None]:
    """Viewers step by step until a step loses 1%; return the result and capacity."""
    say = run_.settings.say
    say(header(run_.server.name))
    await run_.start()
    for count in run_.settings.viewers:
        step = await run_.step(count)
        if step.loss >= LOSS_LIMIT:
            break
        if step.generator_bound:
            say("  (the generator is the bottleneck here: stopping the ramp)")
            break
    return run_.result, run_.result.capacity


async def half(run_: Run, capacity: Step | None) -> None:
    """Cut the load to about half of capacity and measure again."""
    if capacity is None:
        return
    publishers = len(run_.publishers)
    per_receiver = capacity.pps / max(1, publishers * (capacity.receivers - 1))
    wanted = capacity.pps / 2 / (publishers * per_receiver) - (publishers - 1)
    await run_.step(max(0, round(wanted)), label="half")


async def profile(run_: Run, capacity: Step) -> str:
    """py-spy on the server at the capacity load; return a text summary."""
    settings = run_.settings
    await run_.set_viewers(capacity.viewers)
    await run_.ready(within=20)
    path = settings.profile or "profile.txt"
    return await profiling.record(run_.server.pid, path, settings.profile_seconds, settings.say)


def _log_problems(result: ServerResult, lines: list[str], say: Callable[[str], None]) -> None:
    result.log_problems = len(lines)
    if lines:
        say(f"  {result.server} logged {len(lines)} error line(s), first ones:")
        for line in lines[:5]:
            say(f"    {line[:200]}")


class Run:
    """One server's ramp: publishers first, then viewers step by step."""

    def __init__(self, server: Server, target: Target, engine: Engine, settings: Settings) -> None:
        self.server = server
        self.target = target
        self.engine = engine
        self.settings = settings
        self.seconds = settings.seconds
        self.say = settings.say
        self.cpus = settings.cpus  # the server's CPUs, to tell other processes' load on them
        self.quiet_wait = settings.quiet_wait
        self.result = ServerResult(server.name)
        publishers = settings.publishers
        self.publishers = [Participant(i, True, name=f"pub-{i}") for i in range(publishers)]
        all_streams = {s for i in range(publishers) for s in (audio_stream(i), video_stream(i))}
        for person in self.publishers:
            own = {audio_stream(person.index), video_stream(person.index)}
            person.extra["expect"] = all_streams - own
        self.all_streams = all_streams
        self.viewers: list[Participant] = []
        self.idle_rss = rss_kib(server.pid)
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
        engine, pid = self.engine, self.server.pid
        server_ports = self.server.server_ports()
        start = time.time_ns() + 100_000_000
        end = start + int(self.seconds * 1e9)
        engine.open_window(start, end)
        await asyncio.sleep((start - time.time_ns()) / 1e9)
        (user0, sys0), gen0, core0 = cpu_times(pid), own_cpu(), cpu_busy(self.cpus)
        cpu0 = user0 + sys0
        own_ports = {t.port for t in engine.transports}
        drops0 = udp_drops(server_ports), udp_drops(own_ports)
        await asyncio.sleep((end - time.time_ns()) / 1e9)
        (user1, sys1), gen1, core1 = cpu_times(pid), own_cpu(), cpu_busy(self.cpus)
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
            server=self.server.name,
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
            self.say(row(step) + " - disturbed: once more")
            await self.wait_quiet()
            step = await self.measure(label, not_ready)
        self.result.steps.append(step)
        self.say(row(step))
        return step

    async def wait_quiet(self) -> None:
        """On a shared machine: wait (a while) until other processes leave the CPUs alone."""
        if not self.quiet_wait:
            return
        deadline = time.monotonic() + self.quiet_wait
        while True:
            busy0, own0, server0 = cpu_busy(None)[0], own_cpu(), cpu_seconds(self.server.pid)
            await asyncio.sleep(0.5)
            busy1, own1, server1 = cpu_busy(None)[0], own_cpu(), cpu_seconds(self.server.pid)
            others = (busy1 - busy0) - (own1 - own0) - (server1 - server0)
            if others / 0.5 < QUIET_LIMIT or time.monotonic() > deadline:
                return
