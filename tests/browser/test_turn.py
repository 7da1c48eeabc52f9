"""Hiding one's address: Chromium sends everything through a real coturn.

A turnserver started by the test on loopback (tests/turnserver.py) takes the
credentials Frankly hands out. With the relay-only policy, the pair of
candidates each connection picked has a relay candidate on our side: the
other side of a call of two, and the SFU, saw coturn's address, never ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from frankly.server.config import ServerConfig
from tests.browser.meeting import (
    NewPage,
    group,
    join,
    self_id,
    stats,
    wait_all_media,
    wait_media,
)
from tests.turnserver import Coturn, running_coturn, turnserver
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(turnserver() is None, reason="coturn: ./scripts/system-deps turn"),
]

SECRET = "browser-turn-secret"

# The pair a connection selected: our candidate's type and the other side's.
SELECTED = """
async (key) => {
  const pc = window.frankly.pcs()[key];
  if (!pc) return null;
  const report = await pc.getStats();
  let id = null;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) id = s.selectedCandidatePairId;
  });
  const pair = id && report.get(id);
  if (!pair || pair.state !== 'succeeded') return null;
  const local = report.get(pair.localCandidateId);
  const remote = report.get(pair.remoteCandidateId);
  return { local: local.candidateType, remote: remote.candidateType, address: local.address,
           policy: pc.getConfiguration().iceTransportPolicy };
}
"""


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    with running_coturn(tmp_path_factory.mktemp("coturn"), SECRET) as turn:
        yield turn


@pytest.fixture
def server_config(coturn: Coturn, tmp_path: Path, request: pytest.FixtureRequest) -> ServerConfig:
    secret = tmp_path / "turn-secret"
    secret.write_text(SECRET + "\n")
    # Short-lived, so that fresh credentials (ice-servers) arrive during the test.
    relay_only = getattr(request, "param", True)
    return ServerConfig(
        turn_urls=(coturn.url,), turn_secret_file=secret, turn_ttl=10, relay_only=relay_only
    )


def selected(page: Page, key: str) -> dict[str, Any]:
    """The candidate pair `key`'s connection uses, once it has one."""
    found: dict[str, Any] = {}

    def has_pair() -> bool:
        got = page.evaluate(SELECTED, key)
        if got:
            found.update(got)
        return bool(got)

    wait_until(has_pair, 20, f"a selected candidate pair on {key}")
    return found


def test_two_relay_only_browsers_talk_through_coturn(new_page: NewPage, coturn: Coturn) -> None:
    ada, grace = new_page(), new_page()
    ada.goto("/hidden")
    # The server hides addresses by default, and the pre-join screen says so.
    expect(ada.get_by_test_id("pre-relay")).to_be_checked()
    expect(ada.get_by_test_id("pre-relay")).to_be_enabled()
    expect(ada.get_by_test_id("pre-relay-hint")).to_contain_text("All your media goes through")
    ada_id = join(ada, "hidden", "Ada")
    grace_id = join(grace, "hidden", "Grace")
    wait_media(ada, grace_id)
    wait_media(grace, ada_id)
    for page, other in ((ada, grace_id), (grace, ada_id)):
        pair = selected(page, other)
        assert pair["policy"] == "relay"
        assert (pair["local"], pair["remote"]) == ("relay", "relay"), pair
    expect(ada.get_by_test_id("meeting-relay")).to_be_checked()
    # Fresh credentials come before the first expire; the call goes on with them.
    first = ada.evaluate("() => window.frankly.session.iceServers[0].username")
    ada.wait_for_function(
        "(u) => window.frankly.session.iceServers[0].username !== u", arg=first, timeout=15_000
    )
    fresh = ada.evaluate(
        "(id) => window.frankly.pcs()[id].getConfiguration().iceServers[0].username", grace_id
    )
    assert fresh != first and fresh.endswith(f":{ada_id}")
    before = stats(ada, grace_id)["video"]["framesDecoded"]
    wait_media(ada, grace_id, frames_over=before + 10)


def test_a_group_of_three_reaches_the_sfu_only_through_coturn(new_page: NewPage) -> None:
    pages, ids = group(new_page, "hidden-group", "ABC")
    wait_all_media(pages, ids)
    for page in pages:
        for key in ("sfu:publish", "sfu:subscribe"):
            pair = selected(page, key)
            assert pair["policy"] == "relay"
            assert pair["local"] == "relay", (key, pair)
    before = stats(pages[0], ids[1])["video"]["framesDecoded"]
    wait_media(pages[0], ids[1], frames_over=before + 10)


@pytest.mark.parametrize("server_config", [False], indirect=True)
def test_one_who_chooses_to_hide_relays_while_the_other_need_not(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    ada.goto("/choose")
    box = ada.get_by_test_id("pre-relay")
    expect(box).to_be_enabled()
    expect(box).not_to_be_checked()  # not the server's default here
    box.check()
    ada_id = join(ada, "choose", "Ada")
    grace_id = join(grace, "choose", "Grace")
    wait_media(grace, ada_id)
    assert selected(ada, grace_id)["local"] == "relay"
    # Grace's side sees only the relay's address of Ada; Grace, who did not
    # choose to hide, goes direct (so the check above can tell the two apart).
    grace_pair = selected(grace, ada_id)
    assert (grace_pair["local"], grace_pair["remote"]) == ("host", "relay"), grace_pair
    # Remembered for the next meeting, in this browser only.
    assert ada.evaluate("() => localStorage.getItem('frankly.hide-address')") == "on"


@pytest.mark.parametrize("server_config", [False], indirect=True)
def test_hiding_in_the_meeting_takes_effect_on_rejoining(new_page: NewPage) -> None:
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "switch", "Ada")
    grace_id = join(grace, "switch", "Grace")
    wait_media(grace, ada_id)
    assert selected(ada, grace_id)["local"] == "host"
    box = ada.get_by_test_id("meeting-relay")
    expect(box).to_be_enabled()
    box.check()
    # The call we have keeps its path (Chromium does not re-gather), and the screen says so.
    hint = ada.get_by_test_id("meeting-relay-hint")
    expect(hint).to_contain_text("still go direct: rejoin")
    ada.get_by_test_id("relay-rejoin").click()
    me = ada.locator('[data-testid="tile"][data-self]')
    expect(me).not_to_have_attribute("data-participant-id", ada_id)  # a fresh join
    expect(ada.get_by_test_id("conn-state")).to_have_attribute("data-state", "connected")
    new_id = self_id(ada)
    wait_media(grace, new_id)
    pair = selected(ada, grace_id)
    assert (pair["policy"], pair["local"]) == ("relay", "relay"), pair
    expect(box).to_be_checked()
    expect(hint).to_contain_text("All your media goes through")
    expect(ada.get_by_test_id("relay-rejoin")).to_be_hidden()


# The ICE username fragment a connection's local description has now: a new one is a restart.
UFRAG = """(key) => {
  const pc = window.frankly.pcs()[key];
  const found = pc && pc.localDescription && pc.localDescription.sdp.match(/a=ice-ufrag:(\\S+)/);
  return found ? found[1] : null;
}"""


def test_a_call_whose_relay_goes_away_restarts_ice_and_goes_on(
    new_page: NewPage, coturn: Coturn
) -> None:
    """The path of a call of two is taken away mid-call: the relay both sides
    use restarts, losing every allocation it held (as when a network changes
    and the old relayed path is gone). Both links see ICE fail, the impolite
    side restarts ICE, new allocations are made on the relay that is back,
    and the call goes on, still relayed."""
    ada, grace = new_page(), new_page()
    ada_id = join(ada, "relay-lost", "Ada")
    grace_id = join(grace, "relay-lost", "Grace")
    wait_media(ada, grace_id)
    wait_media(grace, ada_id)
    before = {ada_id: grace.evaluate(UFRAG, ada_id), grace_id: ada.evaluate(UFRAG, grace_id)}
    coturn.restart()

    def restarted() -> bool:
        now = {ada_id: grace.evaluate(UFRAG, ada_id), grace_id: ada.evaluate(UFRAG, grace_id)}
        return all(now[key] not in (None, before[key]) for key in now)

    wait_until(restarted, 45, "both sides of the call restart ICE")
    for page, other in ((ada, grace_id), (grace, ada_id)):
        pair = selected(page, other)
        assert (pair["local"], pair["remote"]) == ("relay", "relay"), pair
        frames = stats(page, other)["video"]["framesDecoded"]
        wait_media(page, other, frames_over=frames + 10)
