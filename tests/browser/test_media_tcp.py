"""Media over TCP and ICE restarts, in Chromium through Frankly's SFU.

A blocked UDP is simulated on the SFU's side: with `media_udp=False` the SFU
offers only its passive TCP candidate and answers no STUN over UDP, so a
browser has no UDP path to it whatever the machine's firewall says. That
tests what matters (the browser's ICE-TCP to our listener, DTLS and SRTP
framed on the stream) without root or a network namespace, which CI has not
got; what it does not test is a real firewall's behaviour, which is the
same as far as the browser can tell (no answer on UDP).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from frankly.server.config import ServerConfig
from tests.browser.meeting import group, stats, wait_all_media, wait_media
from tests.conftest import LiveServer
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

# The selected candidate pair's local candidate, per SFU peer connection.
SELECTED = """async () => {
    const out = {};
    for (const [name, pc] of Object.entries(window.frankly.pcs())) {
        const report = await pc.getStats();
        report.forEach((s) => {
            if (s.type === 'transport' && s.selectedCandidatePairId) {
                const pair = report.get(s.selectedCandidatePairId);
                const local = pair && report.get(pair.localCandidateId);
                if (local) out[name] = local.protocol;
            }
        });
    }
    return out;
}"""


def selected_protocols(page: Any) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(SELECTED)
    return result


@pytest.mark.parametrize("server_config", [ServerConfig(media_udp=False)])
def test_with_no_udp_a_group_joins_over_tcp_and_decodes_everyone(
    live_server: LiveServer, new_page: Any
) -> None:
    pages, ids = group(new_page, "tcp", "ABC")
    wait_all_media(pages, ids)
    for page in pages:
        assert selected_protocols(page) == {"sfu:publish": "tcp", "sfu:subscribe": "tcp"}
    media = live_server.hub.media
    assert media is not None
    assert live_server.call(lambda: len(media.links)) >= 6  # two links a page
    assert live_server.call(lambda: len(media.by_address)) == 0  # nothing over UDP
    before = stats(pages[0], ids[1])["video"]["framesDecoded"]
    wait_media(pages[0], ids[1], frames_over=before + 10)  # and it keeps flowing
    # And on the server's side: everyone's media reaches the SFU (over TCP,
    # as nothing is bound over UDP).
    router = live_server.hub.routers["tcp"]
    mark = time.monotonic()

    def everyone_arrived() -> bool:
        return all(
            max(
                layer.last_arrival
                for t in router.publishers[pid].tracks.values()
                for layer in t.layers
            )
            > mark
            for pid in ids
        )

    wait_until(lambda: live_server.call(everyone_arrived), 10, "everyone's media reaches the SFU")


@pytest.mark.parametrize("udp_after", [True, False], ids=["any-path", "udp-gone"])
def test_a_participant_whose_path_goes_away_restarts_ice_and_gets_media_again(
    live_server: LiveServer, new_page: Any, udp_after: bool
) -> None:
    """As a phone leaving the Wi-Fi: every path one participant has to the SFU
    goes dead (`MediaServer.blackhole`: media lost both ways, checks with its
    present ICE credentials unanswered from any address, its TCP connections
    silent). Its browser sees ICE disconnected, restarts ICE on both
    connections, and its checks with the new credentials find a path that
    works (over UDP or TCP, whichever the browser nominates).

    Only the SFU's side is taken away: the browser's sockets are the same
    after, which is what a test on one machine can do; a real change of
    network also gives the browser new local addresses, which its restart
    gathers in the same way.

    `udp-gone`: the new network blocks UDP as well (the SFU stops answering
    over UDP at that moment), so the restart can only land on TCP."""
    pages, ids = group(new_page, "moving", "ABC")
    wait_all_media(pages, ids)
    router = live_server.hub.routers["moving"]
    media = live_server.hub.media
    assert media is not None
    ada = ids[0]

    def transports() -> list[Any]:
        return [router.publishers[ada].transport, router.subscribers[ada].transport]

    def take_paths_away() -> None:
        for transport in transports():
            # Media flows on a path now: UDP as a rule, TCP when the browser
            # happened to nominate its TCP pair first (both work here).
            assert transport.protocol in ("udp", "tcp")
            media.blackhole(transport)
        media.udp = udp_after

    before = live_server.call(lambda: [id(t) for t in transports()])
    live_server.call(take_paths_away)

    def moved() -> list[tuple[int, int, str]]:
        return live_server.call(lambda: [(id(t), t.restarts, t.protocol) for t in transports()])

    # Chromium notices in about 5 s (consent checks unanswered), waits 3 s
    # more (icewatch.js), then restarts; the new checks bind a new path.
    wait_until(
        lambda: all(restarts >= 1 and protocol for _, restarts, protocol in moved()),
        40,
        "both of Ada's connections restarted ICE and found a path",
    )
    after = moved()
    assert [t[0] for t in after] == before, after  # the same transports: DTLS went on
    for _, _, protocol in after:
        assert protocol == "tcp" if not udp_after else protocol in ("udp", "tcp")
    # Media flows both ways again. What Ada receives: counted in audio
    # packets, which only the network brings (a frame count may creep on while
    # nothing arrives), on her subscribe connection, which carries all of it.
    heard = stats(pages[0], ids[1])["audio"]["packetsReceived"]
    wait_media(pages[0], ids[1], audio_over=heard + 50)
    # What she sends: counted where it arrives, at the SFU.
    mark = time.monotonic()

    def last_arrival() -> float:
        tracks = router.publishers[ada].tracks.values()
        return max(layer.last_arrival for track in tracks for layer in track.layers)

    wait_until(
        lambda: live_server.call(last_arrival) > mark, 20, "Ada's media reaches the SFU again"
    )
    counts = pages[0].evaluate("() => window.frankly.session.sfu.iceRestarts")
    assert counts["publish"] >= 1 and counts["subscribe"] >= 1
