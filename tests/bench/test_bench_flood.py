"""`frankly bench flood` at a tiny scale, so that it cannot rot."""

from __future__ import annotations

import pytest

from frankly.bench.flood import run


def test_the_flood_bench_measures_every_phase(capsys: pytest.CaptureFixture[str]) -> None:
    phases, answers = run(hosts=2, seconds=0.5)
    assert [p.name for p in phases] == ["quiet", "flood", "after"]
    assert all(p.pongs for p in phases)
    # Every change was answered: made, or refused before any work.
    assert sum(answers.values()) == 2 * 5
    assert set(answers) <= {"settings", "busy"}
    out = capsys.readouterr().out
    assert "median pong under the flood / quiet" in out
