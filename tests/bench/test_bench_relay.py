"""`frankly bench relay` at a tiny scale, so that it cannot rot: real sender and receiver
processes, a real Unix socket and real sealed UDP on loopback."""

from __future__ import annotations

import pytest

from frankly.bench.relay import AUDIO, FPS, VIDEO, run, schedule


def test_the_stream_is_30_frames_of_4_or_5_packets_and_50_audio_packets_a_second() -> None:
    events = schedule(2, 1.0)
    assert sum(1 for _, track, _ in events if track == VIDEO) == 2 * FPS * 4.5
    assert sum(1 for _, track, _ in events if track == AUDIO) == 2 * 50
    assert [at for at, _, _ in events] == sorted(at for at, _, _ in events)
    assert events[0][0] >= 0 and events[-1][0] < 1.0


def test_the_relay_bench_delivers_everything_both_ways_and_prints_the_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run(streams=1, seconds=0.5)
    sent = len(schedule(1, 0.5))
    for transport in ("unix", "udp"):
        row = rows[transport]
        assert (row.sent, row.received) == (sent, sent), transport  # loopback loses nothing
        assert not row.dropped  # every sealed datagram opened, none taken as a replay
        assert 0 < row.send_calls_cpu < row.send_cpu and row.receive_cpu > 0
        assert 0 < row.latencies_ns[0] <= row.latencies_ns[-1] < 10**9
    # Unix batches a frame's packets; UDP sends a video packet a datagram (1,400 bytes).
    assert rows["unix"].datagrams < rows["udp"].datagrams <= sent
    out = capsys.readouterr().out
    assert "\n  Unix        delivered " in out
    assert "\n  sealed UDP  delivered " in out
    assert "\n  sealed UDP / Unix: sender " in out and "x, hop " in out
    assert "nan" not in out
