"""What `frankly bench sfu` prints: a row a step as the ramp goes, then the summary.

The first server is the one under test; the summary gives each other server's
figures beside it, with the ratios first/other.
"""

from __future__ import annotations

from collections.abc import Callable

from frankly.bench.machine import describe
from frankly.bench.sfu.results import ServerResult, Step


def header(server: str) -> str:
    return (
        f"\n{server}\n"
        f"  {'load':<17}{'subs':>6}{'fwd pps':>10}{'SFU CPU':>9}{'kernel':>8}{'pkts/CPU-s':>12}"
        f"{'loss':>8}{'added p50/p99 ms':>18}{'RSS/sub':>10}{'gen CPU':>9}"
    )


def row(step: Step) -> str:
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


SUMMARY: list[tuple[str, Callable[[ServerResult], float | None], str]] = [
    ("capacity, forwarded pps", lambda r: r.capacity.pps if r.capacity else None, ",.0f"),
    (
        "pkts per CPU-second at capacity",
        lambda r: r.capacity.per_cpu_second if r.capacity else None,
        ",.0f",
    ),
    ("added latency p50 at ~half, ms", lambda r: r.half.added_ms[0] if r.half else None, ".2f"),
    ("added latency p99 at ~half, ms", lambda r: r.half.added_ms[1] if r.half else None, ".2f"),
    ("RSS per added subscription, KiB", lambda r: r.rss_slope_kib, ".1f"),
    (
        "RSS over idle / subscriptions, KiB",
        lambda r: r.capacity.rss_per_subscription_kib if r.capacity else None,
        ".1f",
    ),
]


def report(results: list[ServerResult], reniced: bool = False) -> str:
    """The comparison: per server at capacity and at half capacity, and ratios."""
    out = ["Summary (each server on one core; loss limit 1%)", *_table(results)]
    out += _disturbed(results, reniced)
    for result in results:
        out += _notes(result)
    first = results[0]
    for other in results[1:]:
        if first.steps and other.steps:
            out += _same_load(first, other)
    out.append(f"  machine: {describe()}")
    return "\n".join(out)


def _table(results: list[ServerResult]) -> list[str]:
    """SUMMARY's rows, a column a server, then first/other for each other server."""
    first, others = results[0], results[1:]
    out = [
        f"  {'':<34}"
        + "".join(f"{r.server:>14}" for r in results)
        + "".join(f"{f'{first.server}/{r.server}':>15}" for r in others)
    ]
    for title, get, fmt in SUMMARY:
        values = [get(r) for r in results]
        cells = "".join(f"{format(v, fmt) if v is not None else '-':>14}" for v in values)
        ratios = "".join(
            f"{values[0] / v:>15.2f}" if values[0] is not None and v else f"{'':>15}"
            for v in values[1:]
        )
        out.append(f"  {title:<34}{cells}{ratios}".rstrip())
    return out


def _disturbed(results: list[ServerResult], reniced: bool) -> list[str]:
    """A note (reniced) or a warning when other processes used the server's CPU."""
    disturbed = sum(s.other_load > 0.1 for r in results for s in r.steps)
    if disturbed and reniced:
        return [
            f"  Note: other processes ran on the server's CPU during {disturbed} step(s) "
            "(marked above); at nice -20 they got mostly time the server left idle"
        ]
    if disturbed:
        return [
            f"  WARNING: other processes took over 10% of the server's CPU during {disturbed} "
            "step(s) (marked above): loss and latency there are not the server's own"
        ]
    return []


def _notes(r: ServerResult) -> list[str]:
    """One server's error, unreached capacity, latency at ~half and SRTP profile."""
    out = []
    if r.error:
        out.append(f"  {r.server}: {r.error}")
    elif r.capacity is not None and not r.capacity_reached:
        why = (
            "the generator ran out of CPU first"
            if r.ramp and r.ramp[-1].generator_bound
            else "the ramp ended first"
        )
        out.append(
            f"  {r.server}: no step lost 1%: capacity is at least {r.capacity.pps:,.0f} pps ({why})"
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
    return out


def _same_load(first: ServerResult, other: ServerResult) -> list[str]:
    """first/other pkts per CPU-second at each load both ramps measured."""
    out = [f"  same load, {first.server}/{other.server} pkts per CPU-second:"]
    by_viewers = {s.viewers: s for s in other.ramp}
    for step in first.ramp:
        theirs = by_viewers.get(step.viewers)
        if theirs is not None and theirs.cpu_seconds > 0:
            out.append(
                f"    {step.publishers} pub x {step.receivers} rcv: "
                f"{step.per_cpu_second / theirs.per_cpu_second:.2f}"
                f"  (loss {100 * step.loss:.2f}% / {100 * theirs.loss:.2f}%)"
            )
    return out
