"""`frankly bench soak`: does the SFU's memory stay flat while people come and go?

A room of publishers on `frankly serve` (in a process of its own) under the
load generator of `frankly bench sfu`, while viewers keep joining and
leaving. The server's RSS is sampled throughout; the report compares the
last third of the run with the first third (after warm-up). Memory that a
leave did not free shows up as a slope.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from frankly.bench.loadgen import Engine, Participant, audio_stream, video_stream
from frankly.bench.machine import describe
from frankly.bench.sfu.proc import rss_kib
from frankly.bench.sfu.servers.frankly import FranklyServer, FranklyTarget


def run(minutes: float = 10.0, publishers: int = 4, viewers: int = 6, churn: float = 3.0) -> float:
    """Soak for `minutes`; return the RSS growth in KiB a minute over the run."""
    return asyncio.run(_soak(minutes, publishers, viewers, churn))


async def _soak(minutes: float, publishers: int, viewers: int, churn: float) -> float:
    server = FranklyServer(max_participants=publishers + viewers + 2, cpus=None)
    server.start()
    engine = Engine()
    engine.start()
    target = FranklyTarget(engine, server)
    streams = {s for i in range(publishers) for s in (audio_stream(i), video_stream(i))}
    people = [Participant(i, True, name=f"pub-{i}") for i in range(publishers)]
    for person in people:
        person.extra["expect"] = streams - {audio_stream(person.index), video_stream(person.index)}
    samples: list[tuple[float, int]] = []
    joins = 0
    try:
        await target.add_publishers(people)
        watching: list[Participant] = []
        start = time.monotonic()
        end = start + minutes * 60
        next_sample = start
        while time.monotonic() < end:
            # One viewer in, the oldest out, once the room is full of them.
            person = Participant(publishers + joins, False, name=f"viewer-{joins}")
            person.extra["expect"] = set(streams)
            joins += 1
            await target.add_viewer(person, people)
            watching.append(person)
            if len(watching) > viewers:
                await target.remove(watching.pop(0))
            now = time.monotonic()
            if now >= next_sample:
                samples.append((now - start, rss_kib(server.pid)))
                print(
                    f"{(now - start) / 60:5.1f} min  RSS {samples[-1][1] / 1024:7.1f} MiB"
                    f"  joins {joins}",
                    flush=True,
                )
                next_sample = now + 15
            await asyncio.sleep(churn)
    finally:
        await target.close()
        engine.stop()
        server.stop()
    return _report(samples, joins, minutes, publishers, viewers)


def _report(
    samples: list[tuple[float, int]], joins: int, minutes: float, publishers: int, viewers: int
) -> float:
    third = max(1, len(samples) // 3)
    early = statistics.mean(rss for _, rss in samples[third : 2 * third] or samples[:1])
    late = statistics.mean(rss for _, rss in samples[-third:])
    span = max(1e-9, (samples[-1][0] - samples[third][0]) / 60) if len(samples) > third else 1.0
    slope = (late - early) / span
    print(
        f"\nsoak: {minutes:g} min, {publishers} publishers, {viewers} viewers coming and "
        f"going ({joins} joins)"
    )
    print(
        f"  RSS middle third {early / 1024:.1f} MiB, last third {late / 1024:.1f} MiB: "
        f"{slope:+.0f} KiB a minute"
    )
    print(f"  machine: {describe()}")
    return slope
