"""/metrics: parsed by prometheus_client's own parser, moving as a meeting happens,
naming no room and no person, and served only where the operator said."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import frankly.client as fc
from frankly.ops.stats import Histogram
from frankly.server.config import ServerConfig
from tests.client.helpers import Clients, frame_where, track_from
from tests.conftest import LiveServer
from tests.server.wsclient import Raw
from tests.waiting import until

TOKEN = "t0ken-for-the-scraper-only"
ROOM = "quarterly-board-7f3a"
NAMES = ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra"]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def server_config() -> ServerConfig:
    return ServerConfig(metrics_token=TOKEN, metrics_listen="127.0.0.1:0")


def scrape(live_server: LiveServer) -> str:
    answer = httpx.get(f"{live_server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def samples(text: str) -> Samples:
    """Every sample by (name, sorted labels), read by prometheus_client's parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_meeting_on_the_sfu_moves_the_counters_and_names_nobody(
    clients: Clients, live_server: LiveServer
) -> None:
    before = samples(scrape(live_server))
    assert value(before, "frankly_rooms", mode="sfu") == 0
    people = [
        await clients.join(name, ROOM, audio=fc.ToneTrack(), video=fc.PatternTrack())
        for name in NAMES
    ]
    assert [p.mode for p in people] == ["sfu"] * 3
    ada, grace, _ = people
    await frame_where(await track_from(ada, grace.id, "video"))  # media went through the SFU
    await frame_where(await track_from(grace, ada.id, "audio"))

    text = scrape(live_server)
    during = samples(text)
    assert value(during, "frankly_rooms", mode="sfu") == 1
    assert value(during, "frankly_rooms", mode="p2p") == 0
    assert value(during, "frankly_participants", mode="sfu") == 3
    assert value(during, "frankly_joins_total", kind="new") == 3
    assert value(during, "frankly_join_seconds_count") == 3
    assert value(during, "frankly_join_seconds_bucket", le="+Inf") == 3
    assert value(during, "frankly_signaling_messages_total", type="hello") == 3
    assert value(during, "frankly_signaling_messages_total", type="sfu") >= 3
    forwarded = value(during, "frankly_sfu_forwarded_packets_total")
    assert forwarded > 0
    assert value(during, "frankly_sfu_forwarded_bytes_total") > forwarded * 12
    # The loop's pulse is taken every 0.25 s: a quick meeting can be scraped before the first.
    pulse = lambda: value(samples(scrape(live_server)), "frankly_event_loop_lag_seconds_count") > 0  # noqa: E731
    await until(pulse, 5, "the event loop's lag is measured")
    assert value(during, "process_resident_memory_bytes") > 0
    # Not a room's name, a person's name or their id anywhere, label or not.
    for secret in [ROOM, *NAMES, *(p.id for p in people)]:
        assert secret not in text

    for person in people:
        await person.leave()
    room_closed = lambda: value(samples(scrape(live_server)), "frankly_rooms", mode="sfu") == 0  # noqa: E731
    await until(room_closed, 10, "the room is closed")
    after = samples(scrape(live_server))
    # The room's router is gone; what it counted is not.
    assert value(after, "frankly_sfu_forwarded_packets_total") >= forwarded
    assert value(after, "frankly_participants", mode="sfu") == 0


async def test_refusals_errors_and_made_up_types_are_counted_by_bounded_words(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, room=ROOM, name=NAMES[0])
    await ada.send({"type": "made-up-by-a-client", "x": 1})
    await ada.expect("error")
    await ada.send({"type": "e2ee", "to": "p-nobody", "payload": {}})
    assert (await ada.expect("error"))["code"] == "unknown-peer"
    old = await Raw.hello(live_server.ws_url, room=ROOM, name=NAMES[1], version=99)
    await old.refused("unsupported-version", 4400)

    text = scrape(live_server)
    found = samples(text)
    assert value(found, "frankly_signaling_messages_total", type="unknown") == 1
    assert value(found, "frankly_signaling_errors_total", code="unknown-type") == 1
    assert value(found, "frankly_e2ee_relay_failures_total", code="unknown-peer") == 1
    assert value(found, "frankly_join_failures_total", reason="unsupported-version") == 1
    assert value(found, "frankly_rooms", mode="p2p") == 1
    assert value(found, "frankly_participants", mode="p2p") == 1
    assert "made-up-by-a-client" not in text
    assert ROOM not in text and NAMES[0] not in text


def test_the_main_port_wants_the_bearer_token(live_server: LiveServer) -> None:
    url = f"{live_server.url}/metrics"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url).headers["www-authenticate"] == "Bearer"
    wrong = {"Authorization": f"Bearer {TOKEN}x"}
    assert httpx.get(url, headers=wrong).status_code == 401
    assert httpx.get(url, headers={"Authorization": TOKEN}).status_code == 401
    assert "frankly_rooms" in scrape(live_server)


def test_the_listener_serves_metrics_and_health_without_a_token(live_server: LiveServer) -> None:
    port = live_server.app.state.metrics_listener.port
    base = f"http://127.0.0.1:{port}"
    text = httpx.get(f"{base}/metrics").text
    assert value(samples(text), "frankly_rooms", mode="p2p") == 0
    assert httpx.get(f"{base}/healthz").json()["ok"] is True
    assert httpx.get(f"{base}/readyz").json() == {"ok": True}
    assert httpx.get(f"{base}/").status_code == 404
    assert httpx.post(f"{base}/metrics").status_code == 405


def test_without_either_flag_there_is_no_metrics() -> None:
    from frankly.server.background import BackgroundServer

    server = BackgroundServer(ServerConfig()).start()
    try:
        answer = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 404
        assert server.app.state.metrics_listener is None
    finally:
        server.stop()


def test_a_histogram_counts_each_observation_in_its_bucket_and_above() -> None:
    histogram = Histogram((0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 3.0):
        histogram.observe(seconds)
    assert histogram.cumulative() == [("0.1", 2.0), ("1.0", 3.0), ("+Inf", 4.0)]
    assert histogram.sum == pytest.approx(3.65)


def test_the_grafana_dashboard_asks_only_for_metrics_the_server_exports(
    live_server: LiveServer,
) -> None:
    dashboard = json.loads((Path(__file__).parents[2] / "docs/grafana-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    asked = {name for expr in exprs for name in re.findall(r"\b((?:frankly|process)_\w+)", expr)}
    families = list(text_string_to_metric_families(scrape(live_server)))
    # A labelled counter with nothing counted yet has no sample, but its family is there.
    exported = {sample.name for family in families for sample in family.samples} | {
        f"{family.name}_total" for family in families if family.type == "counter"
    }
    assert len(asked) >= 15
    assert asked <= exported, asked - exported
