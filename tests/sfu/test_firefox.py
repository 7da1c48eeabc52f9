"""What Firefox sends the SFU, in the form Firefox sends it (ESR 153).

Under max-bundle Firefox offers every m-line after the first with port 0 and
a=bundle-only (RFC 8843): in the bundle, not turned down. The SFU once took
port 0 for a rejection and so never made a track of Firefox's camera.
"""

from __future__ import annotations

from frankly.sfu import sdp
from tests.sfu.fakes import Rig

# Firefox ESR 153's publish offer (sfu.js: audio, then simulcast VP8), its
# candidates, ssrc and most rtcp-fb lines left out.
FIREFOX_OFFER = "\r\n".join(
    [
        "v=0",
        "o=mozilla...THIS_IS_SDPARTA-99.0 5178241550641739360 2 IN IP4 0.0.0.0",
        "s=-",
        "t=0 0",
        "a=sendrecv",
        "a=fingerprint:sha-256 " + "C4:" * 31 + "1B",
        "a=group:BUNDLE 0 1",
        "a=ice-options:trickle",
        "a=msid-semantic:WMS *",
        "m=audio 52927 UDP/TLS/RTP/SAVPF 109 9 0 8 101",
        "c=IN IP4 192.0.2.2",
        "a=candidate:0 1 UDP 2122187007 192.0.2.2 52927 typ host",
        "a=sendonly",
        "a=end-of-candidates",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=extmap-allow-mixed",
        "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1",
        "a=ice-pwd:efd9c8c6bc0dd98cb660c5bfd104b464",
        "a=ice-ufrag:c413b4c5",
        "a=mid:0",
        "a=msid:- {e6729e25-94d2-48fb-a616-972cb4a6869a}",
        "a=rtcp-mux",
        "a=rtpmap:109 opus/48000/2",
        "a=rtpmap:9 G722/8000/1",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=setup:actpass",
        "a=ssrc:3588633575 cname:{517c82d2-e6b4-4d8f-8a20-274fc04a5aca}",
        "m=video 0 UDP/TLS/RTP/SAVPF 120 124",
        "c=IN IP4 0.0.0.0",
        "a=bundle-only",
        "a=sendonly",
        "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "a=extmap:9/sendonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        "a=extmap:10/sendonly urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
        "a=extmap-allow-mixed",
        "a=fmtp:120 max-fs=12288;max-fr=60",
        "a=fmtp:124 apt=120",
        "a=ice-pwd:efd9c8c6bc0dd98cb660c5bfd104b464",
        "a=ice-ufrag:c413b4c5",
        "a=mid:1",
        "a=msid:- {2203ad32-d9ff-4cfb-bbf4-2ba62cbed2f9}",
        "a=rid:q send",
        "a=rid:h send",
        "a=rid:f send",
        "a=rtcp-fb:120 nack",
        "a=rtcp-fb:120 nack pli",
        "a=rtcp-fb:120 ccm fir",
        "a=rtcp-fb:120 goog-remb",
        "a=rtcp-fb:121 nack",
        "a=rtcp-fb:99 nack pli",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:120 VP8/90000",
        "a=rtpmap:124 rtx/90000",
        "a=setup:actpass",
        "a=simulcast:send q;h;f",
        "",
    ]
)


def sections(text: str) -> list[list[str]]:
    """The m-sections of an SDP, each as its lines."""
    found: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("m="):
            found.append([])
        if found:
            found[-1].append(line)
    return found


def test_a_bundle_only_m_line_is_in_the_bundle_not_turned_down() -> None:
    media = sdp.parse(FIREFOX_OFFER).media
    assert [(m.kind, m.port, m.bundle_only, m.rejected) for m in media] == [
        ("audio", 52927, False, False),
        ("video", 0, True, False),
    ]


def test_firefox_publishes_its_camera_in_three_layers_and_its_microphone() -> None:
    rig = Rig()
    answer = rig.router.publish("fox", FIREFOX_OFFER)
    tracks = rig.router.publishers["fox"].tracks
    assert {mid: t.kind for mid, t in tracks.items()} == {"0": "audio", "1": "video"}
    assert [layer.rid for layer in tracks["1"].layers] == ["q", "h", "f"]
    assert (tracks["1"].mid_ext, tracks["1"].rid_ext) == (3, 9)
    audio, video = sections(answer)
    assert video[0] == f"m=video {rig.media.port} UDP/TLS/RTP/SAVPF 120"
    assert "a=recvonly" in video and "a=simulcast:recv q;h;f" in video
    assert "a=recvonly" in audio


def test_port_zero_without_bundle_only_is_still_turned_down() -> None:
    rig = Rig()
    offer = FIREFOX_OFFER.replace("a=bundle-only\r\n", "")
    answer = rig.router.publish("fox", offer)
    assert list(rig.router.publishers["fox"].tracks) == ["0"]
    video = sections(answer)[1]
    assert video[0].startswith("m=video 0 ") and "a=inactive" in video
