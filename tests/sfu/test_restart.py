"""ICE restarts as the router sees them: new credentials, the same transport and tracks."""

from __future__ import annotations

from frankly.sfu import sdp
from tests.sfu.fakes import Rig, answer, offer, vp8


def _ufrag(text: str) -> str:
    return sdp.parse(text).credentials()[0]


def _settle(rig: Rig, pid: str) -> None:
    """Answer subscribe offers until none is in flight."""
    while rig.router.subscribers[pid].offering:
        rig.accept(pid)


async def test_a_publish_offer_with_a_new_ufrag_restarts_ice_and_keeps_the_tracks() -> None:
    rig = Rig()
    sub = rig.subscriber("ada")
    first = rig.router.publish("eve", offer("before"))
    _settle(rig, "ada")
    pub = rig.router.publishers["eve"].transport
    offers = len(rig.offers["ada"])
    second = rig.router.publish("eve", offer("after"))  # same fingerprint: a restart
    assert rig.router.publishers["eve"].transport is pub and pub.restarts == 1
    assert pub.remote_ufrag == "after"
    assert _ufrag(second) != _ufrag(first)  # the SFU's side is new too
    assert len(rig.offers["ada"]) == offers  # nobody renegotiates for it
    pub.on_rtp(pub, vp8(1, 1000, 1111, keyframe=True))  # media goes on as before
    assert len(sub.rtp) == 1


async def test_a_publish_offer_with_another_fingerprint_starts_a_new_transport() -> None:
    rig = Rig()
    rig.router.publish("eve", offer("before"))
    old = rig.router.publishers["eve"].transport
    other = offer("after").replace("BB:" * 31 + "BB", "DD:" * 31 + "DD")
    rig.router.publish("eve", other)
    assert rig.router.publishers["eve"].transport is not old and old.closed


async def test_sfu_restart_offers_the_subscriber_new_credentials() -> None:
    rig = Rig()
    rig.subscriber("ada")
    rig.publish("eve")
    _settle(rig, "ada")
    before = rig.offers["ada"][-1]
    rig.router.restart_subscriber("ada")
    after = rig.offers["ada"][-1]
    assert after is not before and _ufrag(after) != _ufrag(before)
    assert rig.router.subscribers["ada"].transport.restarts == 1


async def test_a_restart_asked_for_during_an_offer_waits_for_its_answer() -> None:
    rig = Rig()
    rig.subscriber("ada")
    rig.publish("eve")  # an offer in flight
    transport = rig.router.subscribers["ada"].transport
    rig.router.restart_subscriber("ada")
    assert transport.restarts == 0  # that offer's answer is for the old credentials
    rig.router.subscriber_answer("ada", answer("old"))
    assert transport.restarts == 1 and transport.remote_ufrag == ""
    rig.router.subscriber_answer("ada", answer("new"))
    assert transport.remote_ufrag == "new"
