"""End-to-end encryption in Chromium: what the participants and the server see.

The server's view is taken with a tap on the SFU's forwarding path: the RTP
packets it hands a subscriber's SRTP context, before protection.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import av
import pytest
from aiortc.codecs.vpx import VpxPayloadDescriptor
from playwright.sync_api import Page, expect

from frankly.sfu import rtp
from tests.browser.meeting import (
    NewPage,
    group,
    in_sfu_mode,
    join,
    stats,
    tile,
    wait_all_media,
    wait_media,
)
from tests.conftest import LiveServer
from tests.waiting import wait_until

pytestmark = pytest.mark.browser


def e2ee_stats(page: Page) -> dict[str, Any]:
    """The transform worker's counters (frankly/web/e2ee/worker.js)."""
    reply: dict[str, Any] = page.evaluate(
        "async () => (await window.frankly.session.e2ee.stats()).stats"
    )
    return reply


def safety_code(page: Page, peer_name: str) -> list[str]:
    """Open the Verify dialog for a person and read the six symbols."""
    page.get_by_role("button", name=f"Compare safety codes with {peer_name}").click()
    code = page.get_by_test_id("safety-code").locator("li")
    expect(code).to_have_count(6)
    return code.all_inner_texts()


def test_a_call_is_encrypted_and_its_safety_codes_match(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, grace = new_page(), new_page()
    ada_id, grace_id = join(ada, "sealed", "Ada"), join(grace, "sealed", "Grace")
    wait_media(ada, grace_id, frames_over=10, audio_over=10)
    wait_media(grace, ada_id, frames_over=10, audio_over=10)
    for page, other in ((ada, grace_id), (grace, ada_id)):
        counts = e2ee_stats(page)
        # Every frame we decoded came through the worker, which opened it.
        assert counts["encrypted"] > 10 and counts["from"][other] > 10, counts
        expect(page.get_by_test_id("e2ee-state")).to_have_text("Encrypted · 0 of 1 verified")
    ada_code, grace_code = safety_code(ada, "Grace"), safety_code(grace, "Ada")
    assert ada_code == grace_code
    ada.get_by_test_id("verify-match").click()
    expect(ada.get_by_test_id("e2ee-state")).to_have_text("Encrypted · verified")
    expect(ada.get_by_test_id("person-e2ee")).to_have_text("verified")


def test_a_wrong_passphrase_decodes_nothing(live_server: LiveServer, new_page: NewPage) -> None:
    ada, grace, eve = new_page(), new_page(), new_page()
    ada_id = join(ada, "secret", "Ada", fragment="passphrase=open%20sesame")
    grace_id = join(grace, "secret", "Grace", fragment="passphrase=open%20sesame")
    join(eve, "secret", "Eve", fragment="passphrase=guess")
    for page in (ada, grace, eve):
        in_sfu_mode(page)
    wait_media(grace, ada_id, frames_over=10, audio_over=10)  # the same passphrase: all fine
    # Grace cannot open Eve's media, and says so of Eve alone, not in calm green.
    expect(grace.get_by_test_id("e2ee-banner-text")).to_have_text(
        "You can\u2019t see or hear Eve: your passphrases differ \u2014"
        " check the passphrase with the others.",
        timeout=20_000,
    )
    expect(grace.get_by_test_id("e2ee-state")).to_have_text("Passphrases differ")
    # Eve receives packets from both, and decodes none of them.
    for other in (ada_id, grace_id):
        eve.wait_for_function(
            "(id) => window.frankly.session.e2ee.undecryptable(id)", arg=other, timeout=20_000
        )
        expect(tile(eve, other).get_by_test_id("tile-status")).to_have_text(
            "Can\u2019t decrypt: this person may have another passphrase"
        )
        # Packets keep coming from this one person (counted by mid), and none decodes.
        wait_until(
            lambda other=other: stats(eve, other)["video"]["packetsReceived"] > 20,
            20,
            f"Eve receives {other}'s video",
        )
        got = stats(eve, other)
        assert got["video"]["framesDecoded"] == 0, got
        assert got["audio"]["packetsReceived"] > 10, got
    assert e2ee_stats(eve)["decrypted"] == 0


def vp8_frames(packets: list[bytes]) -> list[bytes]:
    """Whole VP8 frames (payload descriptors removed) from RTP packets of one
    SSRC: a frame is the packets of one timestamp, in order, without a gap."""
    by_ts: dict[int, list[bytes]] = defaultdict(list)
    for p in packets:
        by_ts[rtp.timestamp(p)].append(p)
    frames = []
    for run in by_ts.values():
        run.sort(key=rtp.seq)
        seqs = [rtp.seq(p) for p in run]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))) or not rtp.marker(run[-1]):
            continue
        parts = []
        for p in run:
            descriptor, data = VpxPayloadDescriptor.parse(
                p[rtp.payload_offset(p) : rtp.payload_end(p)]
            )
            parts.append((descriptor, data))
        if not parts[0][0].partition_start or parts[0][0].partition_id != 0:
            continue
        frames.append(b"".join(data for _, data in parts))
    return frames


def decodable(frames: list[bytes]) -> int:
    """How many of these frames a VP8 decoder turns into pictures."""
    decoder = av.CodecContext.create("vp8", "r")
    pictures = 0
    for frame in frames:
        with contextlib.suppress(av.error.FFmpegError):  # rejected: no picture
            pictures += len(decoder.decode(av.Packet(frame)))
    return pictures


def test_the_vp8_check_decodes_plain_frames() -> None:
    """The control for the tap test: the same assembly and decoder do decode
    VP8 that is not encrypted."""
    from fractions import Fraction

    from aiortc.codecs.vpx import Vp8Encoder
    from av import VideoFrame

    encoder = Vp8Encoder()
    packets = []
    for i in range(10):
        frame = VideoFrame(width=320, height=240)
        frame.pts, frame.time_base = i * 3000, Fraction(1, 90000)
        payloads, timestamp = encoder.encode(frame)
        for n, payload in enumerate(payloads):
            header = bytes([0x80, (0x80 if n == len(payloads) - 1 else 0) | 96])
            header += (len(packets) & 0xFFFF).to_bytes(2, "big") + timestamp.to_bytes(4, "big")
            packets.append(header + (1234).to_bytes(4, "big") + payload)
    assert decodable(vp8_frames(packets)) == 10


def test_six_people_in_an_encrypted_sfu_room(live_server: LiveServer, new_page: NewPage) -> None:
    # Six pages on two cores: each saves bandwidth, as its user would in a big meeting.
    pages, ids = group(new_page, "six", "ABCDEF", save_bandwidth=True)
    wait_all_media(pages, ids)
    for page, me in zip(pages, ids, strict=True):
        opened = e2ee_stats(page)["from"]
        assert all(opened.get(other, 0) > 0 for other in ids if other != me), opened


def key_ring(page: Page) -> dict[str, dict[int, bytes]]:
    """Every sender's base keys this page holds: {participant: {generation: key}}."""
    held: dict[str, dict[str, list[int]]] = page.evaluate(
        """() => Object.fromEntries(
            [...window.frankly.session.e2ee.keys.ring.senders].map(([id, gens]) =>
                [id, Object.fromEntries([...gens].map(([g, e]) => [g, [...e.base]]))]))"""
    )
    return {pid: {int(g): bytes(b) for g, b in gens.items()} for pid, gens in held.items()}


def opens(ring: dict[str, dict[int, bytes]], frame: bytes) -> bool:
    """Whether any key in `ring`, or any of up to 16 ratchets from it, opens this frame."""
    from frankly.client.e2ee import sframe

    clear = sframe.clear_length("video", frame)
    kid = sframe.peek_kid(frame, clear)
    assert kid is not None
    sender, _ = sframe.sender_of(kid)
    for gen, base in ring.get(sender, {}).items():
        for ahead in range(17):
            if sframe.unseal(
                sframe.frame_key(base, sframe.kid_for(sender, gen + ahead)), frame, clear
            ):
                return True
            base = sframe.ratchet(base)
    return False


def test_a_tap_inside_the_sfu_finds_only_ciphertext_and_who_left_cannot_open_it(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """One room of three on the SFU for two claims (three pages on two cores are
    costly): what the SFU forwards no VP8 decoder can show, though the
    subscriber's keys open it; and after Eve leaves, nothing she held opens it."""
    ada, grace, eve = new_page(), new_page(), new_page()
    ada_id = join(ada, "rotate", "Ada")
    grace_id = join(grace, "rotate", "Grace")
    join(eve, "rotate", "Eve")
    for page in (ada, grace, eve):
        in_sfu_mode(page)
    wait_media(eve, ada_id, frames_over=5)
    held_by_eve = key_ring(eve)
    assert ada_id in held_by_eve
    gen = ada.evaluate("() => window.frankly.session.e2ee.keys.gen")
    eve.get_by_test_id("btn-leave").click()
    # Ada sends with a fresh key once the others have it.
    ada.wait_for_function(
        "(g) => window.frankly.session.e2ee.keys.gen > g && !window.frankly.session.e2ee.keys.next",
        arg=gen,
    )
    seen: list[bytes] = []

    def tap() -> None:
        transport = live_server.hub.routers["rotate"].subscribers[grace_id].transport
        send = transport.send_rtp

        def copy(packet: bytes) -> None:
            if rtp.payload_type(packet) == 96 and len(seen) < 20_000:
                seen.append(bytes(packet))
            send(packet)

        transport.send_rtp = copy  # type: ignore[method-assign]

    live_server.call(tap)
    before = stats(grace, ada_id)["video"]["framesDecoded"]
    wait_media(grace, ada_id, frames_over=before + 30)
    # On a loaded machine a frame can lose a packet on the way in and be left out;
    # what is wanted is enough whole frames, however long they take to come.
    whole = lambda: vp8_frames(live_server.call(lambda: list(seen)))  # noqa: E731
    wait_until(lambda: len(whole()) > 30, 20, "over 30 whole VP8 frames tapped")
    frames = whole()
    # The server cannot show them (test_the_vp8_check_decodes_plain_frames: the check would)...
    assert decodable(frames) == 0
    # ...Grace's keys open them (the frames and the check are sound)...
    assert all(opens(key_ring(grace), f) for f in frames)
    # ...and nothing Eve held, ratcheted as far as anyone would, does.
    assert not any(opens(held_by_eve, f) for f in frames)


def test_a_browser_that_cannot_encrypt_is_told_and_never_joins(
    live_server: LiveServer, new_page: NewPage
) -> None:
    page = new_page()
    page.add_init_script(
        "delete window.RTCRtpScriptTransform; delete RTCRtpSender.prototype.createEncodedStreams;"
    )
    page.goto("/plain")
    expect(page.get_by_test_id("screen-notice")).to_be_visible()
    expect(page.get_by_test_id("notice-text")).to_contain_text("cannot encrypt video calls")
    assert live_server.participant_ids("plain") == []


def test_browsers_with_only_encoded_streams_encrypt_too(
    live_server: LiveServer, new_page: NewPage
) -> None:
    """Where there is no RTCRtpScriptTransform, createEncodedStreams carries
    the frames to the same worker."""
    ada, grace = new_page(), new_page()
    for page in (ada, grace):
        page.add_init_script("delete window.RTCRtpScriptTransform;")
    ada_id, grace_id = join(ada, "older", "Ada"), join(grace, "older", "Grace")
    wait_media(ada, grace_id, frames_over=10, audio_over=10)
    wait_media(grace, ada_id, frames_over=10, audio_over=10)
    for page, other in ((ada, grace_id), (grace, ada_id)):
        counts = e2ee_stats(page)
        assert counts["encrypted"] > 10 and counts["from"][other] > 10, counts


def test_a_meeting_started_with_a_passphrase_keeps_it_in_the_link(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = new_page()
    ada.goto("/")
    ada.get_by_test_id("new-passphrase").check()
    ada.get_by_test_id("new-meeting").click()
    ada.wait_for_url(re.compile(r"/[A-Za-z0-9_-]+#passphrase=[0-9a-f]{32}$"))
    ada.get_by_label("Your name").fill("Ada")
    ada.get_by_role("button", name="Join", exact=True).click()
    expect(ada.get_by_test_id("e2ee-state")).to_have_text("Encrypted · passphrase")
    # Whoever follows the same link shares the keys; the server never saw them.
    grace = new_page()
    grace.goto(ada.url.removeprefix(live_server.url))
    grace.get_by_label("Your name").fill("Grace")
    grace.get_by_role("button", name="Join", exact=True).click()
    ada_id = ada.evaluate("() => window.frankly.session.you.id")
    wait_media(grace, ada_id, frames_over=5)


def server_to_page(page: Page, to_page: Callable[[Any, str | bytes], None]) -> None:
    """Put `to_page` between the real server and `page`: it gets the page's
    socket and each frame the server sends, and sends the page what it likes."""

    def route(ws: Any) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda raw: to_page(ws, raw))

    page.route_web_socket(re.compile(r"/ws$"), route)


def relay_that_lies(page: Page, ada_id: str, bob_id: str) -> None:
    """Play the server for `page`: it numbers the chat messages itself, and
    after Ada's first line it relays that line again twice, once as Bob's and
    once under a new id (a replay). It holds no key, so it cannot forge one."""
    count = 0
    lied = False

    def to_page(ws: Any, raw: str | bytes) -> None:
        nonlocal count, lied
        message = json.loads(raw)
        if message.get("type") != "chat":
            ws.send(raw)
            return
        count += 1
        ws.send(json.dumps({**message, "id": count}))
        if message["from"] == ada_id and not lied:
            lied = True
            for change in ({"from": bob_id, "name": "Bob"}, {}):
                count += 1
                ws.send(json.dumps({**message, **change, "id": count}))

    server_to_page(page, to_page)


def test_a_relay_cannot_relabel_or_replay_sealed_chat(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, bob, carol = new_page(), new_page(), new_page()
    ada_id = join(ada, "liar", "Ada")
    bob_id = join(bob, "liar", "Bob")
    relay_that_lies(carol, ada_id, bob_id)
    join(carol, "liar", "Carol")
    for other in (ada_id, bob_id):
        carol.wait_for_function(
            "(id) => window.frankly.session.e2ee.pairState(id) === 'ready'", arg=other
        )
    ada.get_by_label("Write a message").fill("meet at noon")
    ada.get_by_label("Write a message").press("Enter")
    bob.get_by_label("Write a message").fill("see you")
    bob.get_by_label("Write a message").press("Enter")
    log = carol.get_by_test_id("chat-log").locator("li")
    expect(log.last).to_contain_text("see you")
    # Ada's line once, under her name; never as Bob's, never twice.
    expect(log).to_have_count(2)
    expect(log.first).to_contain_text("Ada")
    expect(log.first).to_contain_text("meet at noon")
    expect(log.first).to_have_attribute("data-privacy", "encrypted")


def sfu_that_swaps(page: Page, ada_id: str, bob_id: str) -> None:
    """Play the SFU for `page`: in every subscribe offer, Ada's tracks are
    named as Bob's and Bob's as Ada's, so each fills the other's tile."""

    def swap(sdp: str) -> str:
        return sdp.replace(ada_id, "\0").replace(bob_id, ada_id).replace("\0", bob_id)

    def to_page(ws: Any, raw: str | bytes) -> None:
        message = json.loads(raw)
        if message.get("type") == "sfu" and message.get("pc") == "subscribe":
            description = message["description"]
            message["description"] = {**description, "sdp": swap(description["sdp"])}
            raw = json.dumps(message)
        ws.send(raw)

    server_to_page(page, to_page)


def test_an_sfu_cannot_show_one_participant_in_anothers_tile(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada, bob, carol = new_page(), new_page(), new_page()
    ada_id = join(ada, "swapped", "Ada")
    bob_id = join(bob, "swapped", "Bob")
    sfu_that_swaps(carol, ada_id, bob_id)
    join(carol, "swapped", "Carol")
    in_sfu_mode(carol)
    # Carol's worker drops what comes on each tile's track, and her tiles say so.
    for other in (ada_id, bob_id):
        expect(tile(carol, other)).to_have_attribute("data-decrypting", "false", timeout=20_000)
        expect(tile(carol, other)).to_contain_text(re.compile("Can.t decrypt"))
    opened = e2ee_stats(carol)
    assert opened["failed"] > 0, opened
    assert not opened["from"].get(ada_id) and not opened["from"].get(bob_id), opened
    # Ada and Bob, whose SFU tells the truth, see each other.
    wait_media(ada, bob_id, frames_over=5)
