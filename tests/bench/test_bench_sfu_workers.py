"""`frankly bench sfu --workers 2` at a tiny scale, so that the variant cannot rot.

Figures are not checked (the machine may be busy): only that both runs got
media through the server's workers and the ratio was printed.
"""

from __future__ import annotations

import pytest

from frankly.bench.sfu.workers import compare


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
