"""The summary `frankly bench sfu` prints: the layout docs/benchmarks.md quotes, and a
third server beside the first two without anything but its results.
"""

from __future__ import annotations

from frankly.bench.sfu.report import report, row
from frankly.bench.sfu.results import ServerResult, Step


def _step(server: str, viewers: int, received: int, cpu: float, label: str = "ramp") -> Step:
    return Step(
        server=server,
        label=label,
        publishers=2,
        viewers=viewers,
        subscriptions=4 * (viewers + 1),
        seconds=1.0,
        received=received,
        expected=received,
        cpu_seconds=cpu,
        system_seconds=cpu / 2,
        generator_cpu_seconds=0.1,
        rss_kib=2000 + 10 * viewers,
        idle_rss_kib=1000,
        latency_us=(1200.0, 3200.0, 5000.0),
        baseline_us=(200.0, 300.0),
        server_drops=0,
        generator_drops=0,
        send_lag_p99_ms=0.0,
        stalls=0,
        not_ready=0,
        srtp="AEAD_AES_128_GCM",
    )


def _result(server: str, pps: tuple[int, int], cpu: float) -> ServerResult:
    steps = [_step(server, v, n, cpu) for v, n in zip((0, 10), pps, strict=True)]
    return ServerResult(server, steps=[*steps, _step(server, 0, pps[0], cpu, label="half")])


def _line(text: str, title: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"  {title}"))


def test_two_servers_are_printed_side_by_side_with_their_ratio() -> None:
    text = report([_result("Frankly", (1000, 2000), 0.5), _result("Janus", (1000, 1000), 0.5)])
    assert text.splitlines()[0] == "Summary (each server on one core; loss limit 1%)"
    assert text.splitlines()[1] == f"  {'':<34}{'Frankly':>14}{'Janus':>14}{'Frankly/Janus':>15}"
    capacity = "capacity, forwarded pps"
    assert _line(text, capacity) == f"  {capacity:<34}{'2,000':>14}{'1,000':>14}{'2.00':>15}"
    assert "  same load, Frankly/Janus pkts per CPU-second:" in text
    assert "    2 pub x 12 rcv: 2.00  (loss 0.00% / 0.00%)" in text
    assert "  Frankly at ~half: 1,000 pps, latency p50/p99/max 1.20/3.20/5.00 ms" in text


def test_a_third_server_gets_its_column_and_ratio_without_other_changes() -> None:
    results = [
        _result("Frankly", (1000, 2000), 0.5),
        _result("Janus", (1000, 1000), 0.5),
        ServerResult("Other", error="/usr/bin/other is missing"),
    ]
    text = report(results)
    names = f"{'Frankly':>14}{'Janus':>14}{'Other':>14}"
    assert text.splitlines()[1] == f"  {'':<34}{names}{'Frankly/Janus':>15}{'Frankly/Other':>15}"
    # No figure for Other: a dash, and its ratio column left empty.
    capacity = "capacity, forwarded pps"
    cells = f"{'2,000':>14}{'1,000':>14}{'-':>14}{'2.00':>15}"
    assert _line(text, capacity) == f"  {capacity:<34}{cells}"
    assert "  Other: /usr/bin/other is missing" in text
    assert "same load, Frankly/Other" not in text


def test_a_step_row_keeps_the_layout_of_the_published_runs() -> None:
    line = row(_step("Frankly", 10, 2000, 0.5))
    assert line == (
        f"  {'2 pub x 12 rcv':<17}{44:>6}{'2,000':>10}{'50%':>9}{'50%':>8}{'4,000':>12}"
        f"{'0.00%':>8}{'1.00 / 3.00':>18}{'25.0 KiB':>11}{'10%':>9}"
    )
