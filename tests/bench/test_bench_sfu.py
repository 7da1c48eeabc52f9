"""`frankly bench sfu` at a tiny scale, so that the benchmark cannot rot.

Figures are not checked here (the machine may be busy): only that real
DTLS-SRTP peers got media through the server and the bench reported it.
"""

from __future__ import annotations

from typing import Any

import pytest

from frankly.bench.sfu import run, summarize_profile
from frankly.bench.sfu.cli import unavailable
from frankly.bench.sfu.servers.janus import JanusServer


def _check(result: dict[str, Any]) -> None:
    assert not result["error"], result["error"]
    steps = result["steps"]
    assert steps, "no step was measured"
    for step in steps:
        assert step["expected"] > 0
        # Media flowed both ways through the server; a busy machine may lose some.
        assert step["received"] > 0.5 * step["expected"], step
        assert step["cpu_seconds"] > 0
        assert step["subscriptions"] == 2 * step["publishers"] * (
            step["publishers"] + step["viewers"] - 1
        )
        assert step["srtp"] in ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80")


@pytest.mark.timeout(60)
def test_frankly_forwards_between_real_peers(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(
        publishers=3, viewers=[0, 1], seconds=1.0, janus=False, pin=False, quiet_wait=0, nice=0
    )
    assert [r["server"] for r in out["results"]] == ["Frankly"]
    _check(out["results"][0])
    printed = capsys.readouterr().out
    assert "pkts/CPU-s" in printed and "Summary" in printed


@pytest.mark.timeout(60)
@pytest.mark.skipif(
    unavailable(JanusServer) is not None, reason=f"Janus: {unavailable(JanusServer)}"
)
def test_janus_runs_the_same_load() -> None:
    out = run(
        publishers=3,
        viewers=[0],
        seconds=1.0,
        janus=True,
        pin=False,
        quiet=True,
        quiet_wait=0,
        nice=0,
    )
    assert [r["server"] for r in out["results"]] == ["Frankly", "Janus"]
    for result in out["results"]:
        _check(result)


def test_profile_summary_reads_py_spy_raw_output(tmp_path: Any) -> None:
    raw = tmp_path / "profile.txt"
    raw.write_text(
        'process 1:"python";run (asyncio/base_events.py:600);'
        "_on_rtp (frankly/sfu/router.py:420);send_rtp (frankly/sfu/transport.py:83) 30\n"
        'process 1:"python";run (asyncio/base_events.py:600);'
        "_on_rtp (frankly/sfu/router.py:421) 10\n"
    )
    summary = summarize_profile(str(raw))
    assert "75.0%  send_rtp (frankly/sfu/transport.py:83)" in summary
    assert "100.0%  _on_rtp (frankly/sfu/router.py)" in summary
