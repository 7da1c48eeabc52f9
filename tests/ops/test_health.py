"""/healthz and /readyz: the process answers; it is ready while its media port is open,
its event loop keeps time and it is not draining."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from frankly.cli import main
from frankly.ops import health
from frankly.ops.lag import LagMonitor
from frankly.server.config import ServerConfig
from frankly.server.hub import Hub
from tests.conftest import LiveServer
from tests.waiting import wait_until


def test_healthz_and_readyz_answer_ok(live_server: LiveServer) -> None:
    healthz = httpx.get(f"{live_server.url}/healthz")
    assert healthz.status_code == 200 and healthz.json()["ok"] is True
    assert "version" in healthz.json()  # the endpoint as it was
    readyz = httpx.get(f"{live_server.url}/readyz")
    assert (readyz.status_code, readyz.json()) == (200, {"ok": True})


def test_a_draining_server_is_not_ready(live_server: LiveServer) -> None:
    live_server.call(lambda: setattr(live_server.hub, "draining", True))
    readyz = httpx.get(f"{live_server.url}/readyz")
    assert readyz.status_code == 503
    assert readyz.json() == {"ok": False, "reasons": ["the server is draining for a restart"]}
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200  # it still answers


def test_a_closed_media_port_and_a_late_loop_are_reasons() -> None:
    hub = Hub(ServerConfig())  # never started: no media port
    lag = LagMonitor()
    assert health.not_ready(hub, lag) == ["the SFU's media port is not open"]
    lag.record(0.4)
    assert len(health.not_ready(hub, lag)) == 1  # one late wake-up is a hiccup
    for late in (0.5, 0.45, 0.4):  # late all along
        lag.record(late)
    status, body = health.readiness(hub, lag)
    assert status == 503
    assert body["reasons"][1] == "the event loop runs 0.400 s late (limit 0.25 s)"


def test_the_lag_monitor_sees_a_blocked_event_loop(live_server: LiveServer) -> None:
    lag: LagMonitor = live_server.app.state.lag
    late = len(lag.histogram.bounds) - lag.histogram.bounds.index(0.25)  # buckets above 0.25 s

    def over_a_quarter() -> int:
        return sum(lag.histogram.counts[-late:])

    before = live_server.call(over_a_quarter)
    live_server.call(lambda: time.sleep(0.6))  # a handler that blocks the loop
    wait_until(lambda: live_server.call(over_a_quarter) > before, 5, "the lag is recorded")


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--metrics-listen", "9100"], "--metrics-listen '9100': give HOST:PORT"),
        (["--metrics-token-file", "short"], "give a token of 16 characters or more"),
        (["--metrics-token-file", "missing"], "No such file or directory"),
    ],
)
def test_bad_metrics_flags_are_refused_before_the_server_starts(
    flags: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "short").write_text("abc\n")
    flags = [str(tmp_path / f) if f in ("short", "missing") else f for f in flags]
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "0", "--data-dir", str(tmp_path), *flags])
    assert exited.value.code == 2
    assert said in capsys.readouterr().err
