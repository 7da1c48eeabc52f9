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

from typing import Any

import pytest

from frankly.server.config import ServerConfig
from tests.browser.meeting import group, stats, wait_all_media, wait_media
from tests.conftest import LiveServer

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
