"""`frankly bench sfu --workers 2` at a tiny scale, so that the variant cannot rot.

Figures are not checked (the machine may be busy): only that both runs got
media through the server's workers and the ratio was printed; and, for the
room spread over two workers, that its relayed packets were counted (their
share of the forwarded ones does not depend on the machine).
"""

from __future__ import annotations

import pytest

from frankly.bench.sfu.workers import compare, spread


@pytest.mark.timeout(120)
def test_the_same_rooms_go_through_one_worker_and_through_two(
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two = compare(2, rooms=2, publishers=3, viewers=1, seconds=1.0)
    for run in (one, two):
        assert run.expected > 0
        assert run.received > 0.5 * run.expected, run  # a busy machine may lose some
        assert run.server_cpu > 0
    assert (one.workers, two.workers) == (1, 2)
    assert "ratio, 2 workers over 1" in capsys.readouterr().out


@pytest.mark.timeout(120)
def test_one_room_spread_over_two_workers_relays_each_publisher_to_the_other_part(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 4 + 2: an even spread gives both parts the same share of relays (2 publishers and
    # a viewer each), so the /metrics ratio holds whichever worker reported last.
    one, two, cost = spread(2, publishers=4, viewers=2, seconds=1.0)
    assert one.relayed == 0  # one worker holds the whole room: nothing to relay
    for run in (one, two):
        assert run.received > 0.5 * run.expected, run
        assert run.latency_us[0] > 0, run
    # Each of 4 publishers' packets goes to 5 people, and once to the other part.
    assert cost.relayed_per_forwarded == pytest.approx(1 / 5, rel=0.2), (one, two)
    assert "extra CPU of the relay path" in capsys.readouterr().out
