"""Group meetings in Chromium through Frankly's SFU."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.meeting import (
    NewPage,
    group,
    in_sfu_mode,
    join,
    stats,
    tile,
    wait_media,
    wait_video_shown,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


# Four people each decoding the other three: tests/browser/test_tiles.py, in the room
# that also checks their tiles.


def test_a_call_gains_a_third_and_moves_to_the_sfu(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace, linus = new_page(), new_page(), new_page()
    ada_id, grace_id = join(ada, "grow", "Ada"), join(grace, "grow", "Grace")
    wait_media(ada, grace_id)
    assert ada.evaluate("() => window.frankly.session.mode") == "p2p"
    linus_id = join(linus, "grow", "Linus")
    for page, others in ((ada, [grace_id, linus_id]), (grace, [ada_id, linus_id])):
        in_sfu_mode(page)
        for other in others:
            # Frames counted on the SFU's connection, so they came through it.
            page.wait_for_function(
                "(id) => window.frankly.session.sfu && window.frankly.session.sfu.streams.has(id)",
                arg=other,
            )
            wait_media(page, other, frames_over=5)
            wait_video_shown(page, other)
    before = stats(ada, grace_id)["video"]["framesDecoded"]
    wait_media(ada, grace_id, frames_over=before + 10)  # and it keeps flowing
    expect(tile(linus, ada_id)).to_be_visible()


def test_loss_toward_a_subscriber_is_repaired_by_nack(
    live_server: LiveServer, new_page: NewPage
) -> None:
    from frankly.sfu.impair import Impairment

    pages, ids = group(new_page, "lossy", "ABC")
    wait_media(pages[0], ids[1], frames_over=5)
    link = Impairment(loss_every=25)  # 4% of what the SFU sends Ada is lost

    def impair() -> None:
        live_server.hub.routers["lossy"].subscribers[ids[0]].transport.impair = link

    live_server.call(impair)
    nacks = """async () => {
        let n = 0;
        const report = await window.frankly.pcs()['sfu:subscribe'].getStats();
        report.forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.nackCount;
        });
        return n;
    }"""
    before = stats(pages[0], ids[1])["video"]["framesDecoded"]
    wait_media(pages[0], ids[1], frames_over=before + 60)
    assert link.dropped > 0
    assert pages[0].evaluate(nacks) > 0
    served = live_server.call(lambda: live_server.hub.routers["lossy"].nacks_served)
    assert served > 0


def test_a_narrow_link_gets_a_lower_simulcast_layer_and_back(
    live_server: LiveServer, new_page: NewPage
) -> None:
    from frankly.sfu.impair import Impairment

    pages, ids = group(new_page, "narrow", "ABC")
    wait_media(pages[0], ids[1], frames_over=5)

    def layer_of(subscriber: str, publisher: str) -> int:
        def find() -> int:
            router = live_server.hub.routers["narrow"]
            for slot in router.subscribers[subscriber].slots:
                if (
                    not isinstance(slot, str)
                    and slot.track.publisher.id == publisher
                    and slot.track.kind == "video"
                    and slot.layer is not None
                ):
                    return slot.track.layers.index(slot.layer)
            return -1

        return live_server.call(find)

    def wait_layer(predicate: str, want: int) -> None:
        deadline = 40
        for _ in range(deadline * 5):
            got = layer_of(ids[0], ids[1])
            if (got > want) if predicate == "above" else (got == want):
                return
            pages[0].wait_for_timeout(200)
        raise AssertionError(
            f"layer stayed at {layer_of(ids[0], ids[1])}, wanted {predicate} {want}"
        )

    # Ada shows Bea's video large: a clear link climbs above the lowest layer.
    pages[0].evaluate("(id) => window.frankly.session.view(id, 720)", ids[1])
    wait_layer("above", 0)
    link = Impairment(rate_bps=300_000)

    def narrow(on: bool) -> None:
        transport = live_server.hub.routers["narrow"].subscribers[ids[0]].transport
        transport.impair = link if on else None

    live_server.call(lambda: narrow(True))
    wait_layer("equal", 0)
    live_server.call(lambda: narrow(False))
    wait_layer("above", 0)
