"""The SFU end to end with real aiortc peers: ICE-lite, DTLS-SRTP, forwarding."""

from __future__ import annotations

import gc
import os
import socket
import weakref

from frankly.sfu import rtcp, stun
from tests.sfu.peers import bench, publish


async def test_each_subscriber_decodes_the_publishers_audio_and_video() -> None:
    async with bench() as b:
        ada, grace = b.subscribe("ada"), b.subscribe("grace")
        pub = await publish(b.router, "eve")
        await ada.wait_frames("eve", "video")
        await grace.wait_frames("eve", "video")
        await ada.wait_frames("eve", "audio")
        assert b.router.forwarded > 0
        await pub.close()


async def test_publishers_are_not_sent_their_own_media() -> None:
    async with bench() as b:
        eve = b.subscribe("eve")
        ada = b.subscribe("ada")
        pub = await publish(b.router, "eve", audio=False)
        await ada.wait_frames("eve", "video")
        assert ("eve", "video") not in eve.frames
        assert not [s for s in b.router.subscribers["eve"].slots if not isinstance(s, str)]
        await pub.close()


async def test_malformed_datagrams_harm_no_session() -> None:
    async with bench() as b:
        ada = b.subscribe("ada")
        pub = await publish(b.router, "eve", audio=False)
        await ada.wait_frames("eve", "video")
        junk = [
            b"",
            b"\x00",
            os.urandom(1500),
            b"\x00\x01\x00\x08\x21\x12\xa4\x42" + os.urandom(12),  # truncated STUN
            stun.binding_request(os.urandom(12), "nobody:x", b"pw"),  # unknown user
            b"\x80\x60" + os.urandom(40),  # RTP from an unknown address
            rtcp.pli(1, 2),  # RTCP from an unknown address
            b"\x16\xfe\xfd" + os.urandom(60),  # DTLS from an unknown address
        ]
        # A known user with a wrong password gets a 401, and is not bound.
        known = next(iter(b.media.by_ufrag.values()))
        user = f"{known.ufrag}:{known.remote_ufrag}"
        junk.append(stun.binding_request(os.urandom(12), user, b"wrong"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for datagram in junk * 20:
                s.sendto(datagram, ("127.0.0.1", b.media.port))
        before = ada.frames[("eve", "video")]
        await ada.wait_frames("eve", "video", before + 10)
        assert b.media.dropped["stun-bad-integrity"] == 20
        assert b.media.dropped["unknown-address"] >= 60
        await pub.close()


async def test_leaving_frees_everything() -> None:
    async with bench() as b:
        ada = b.subscribe("ada")
        pub = await publish(b.router, "eve")
        await ada.wait_frames("eve", "video")
        b.router.remove("eve")
        b.router.remove("ada")
        assert b.router.publishers == {} and b.router.subscribers == {}
        assert b.router.by_ssrc == {} and b.router.downs_by_ssrc == {}
        assert b.media.by_ufrag == {} and b.media.by_address == {}
        await pub.close()


async def test_who_leaves_is_freed_at_once_without_the_cycle_collector() -> None:
    """A closed association's ~99 KiB of OpenSSL and SRTP memory must go when
    it ends, not when Python's cycle collector next runs (docs/benchmarks.md,
    the soak)."""
    async with bench() as b:
        ada = b.subscribe("ada")
        pub = await publish(b.router, "eve")
        await ada.wait_frames("eve", "video")
        subscriber = b.router.subscribers["ada"]
        track = next(iter(b.router.publishers["eve"].tracks.values()))
        gone = [weakref.ref(x) for x in (subscriber, subscriber.transport, track)]
        endpoint = subscriber.transport.dtls
        assert endpoint is not None
        del subscriber, track
        gc.disable()
        try:
            b.router.remove("ada")
            b.router.remove("eve")
            assert [ref() for ref in gone] == [None, None, None]
            assert endpoint._ssl is None  # the SSL* and SRTP sessions are let go
        finally:
            gc.enable()
        await pub.close()


async def test_a_publisher_leaving_frees_its_slots_for_the_next() -> None:
    async with bench() as b:
        ada = b.subscribe("ada")
        first = await publish(b.router, "eve", audio=False)
        await ada.wait_frames("eve", "video")
        b.router.remove("eve")
        await first.close()
        second = await publish(b.router, "mallory", audio=False)
        await ada.wait_frames("mallory", "video")
        slots = b.router.subscribers["ada"].slots
        assert len(slots) == 1  # the freed m-line was reused
        await second.close()


async def test_h264_is_forwarded_when_the_publisher_sends_only_h264() -> None:
    from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription, VideoStreamTrack

    async with bench() as b:
        ada = b.subscribe("ada")
        pc = RTCPeerConnection()
        transceiver = pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        h264 = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.name == "H264"]
        transceiver.setCodecPreferences(h264)
        await pc.setLocalDescription(await pc.createOffer())
        answer = b.router.publish("eve", pc.localDescription.sdp)
        assert "H264/90000" in answer and "VP8" not in answer
        await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        await ada.wait_frames("eve", "video")
        assert "a=rtpmap:102 H264/90000" in ada.pc.remoteDescription.sdp
        await pc.close()
