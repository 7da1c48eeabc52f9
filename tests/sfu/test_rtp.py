"""RTP/RTCP byte helpers, checked against aiortc's independent parsers."""

from __future__ import annotations

import pytest
from aiortc import rtp as ref

from frankly.sfu import rtcp, rtp


def packet(**kw: object) -> bytes:
    p = ref.RtpPacket(payload_type=96, sequence_number=65535, timestamp=4294967295, ssrc=0xABCD)
    for key, value in kw.items():
        setattr(p, key, value)
    return p.serialize(ref.HeaderExtensionsMap() if "extensions" not in kw else _extmap())


def _extmap() -> ref.HeaderExtensionsMap:
    from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters

    m = ref.HeaderExtensionsMap()
    m.configure(
        RTCRtpParameters(
            headerExtensions=[
                RTCRtpHeaderExtensionParameters(
                    id=1, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"
                ),
                RTCRtpHeaderExtensionParameters(
                    id=3,
                    uri="http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                ),
            ]
        )
    )
    return m


def test_header_reads() -> None:
    data = packet(payload=b"hello", marker=1, csrc=[1, 2])
    assert rtp.is_rtp_or_rtcp(data) and not rtp.is_rtcp(data)
    assert (rtp.payload_type(data), rtp.marker(data)) == (96, True)
    assert (rtp.seq(data), rtp.timestamp(data), rtp.ssrc(data)) == (65535, 4294967295, 0xABCD)
    assert data[rtp.payload_offset(data) : rtp.payload_end(data)] == b"hello"


def test_extensions_are_found() -> None:
    ext = ref.HeaderExtensions()
    ext.audio_level = (True, 42)
    ext.transport_sequence_number = 777
    data = packet(payload=b"x", extensions=ext)
    assert rtp.extension(data, 1) == bytes([0x80 | 42])
    assert rtp.extension(data, 3) == (777).to_bytes(2, "big")
    assert rtp.extension(data, 5) is None
    assert data[rtp.payload_offset(data) :] == b"x"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x40" + bytes(11), "not an RTP packet"),
        (bytes([0x90]) + bytes(11), "RTP header extension runs past the end"),
        (bytes([0x8F]) + bytes(15), "RTP header runs past the end"),
        (bytes([0xA0]) + bytes(10) + b"\xff", "RTP header runs past the end"),
    ],
)
def test_malformed_headers(data: bytes, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        rtp.payload_offset(data)


def test_sequence_arithmetic() -> None:
    assert rtp.seq_diff(2, 65534) == 4 and rtp.seq_diff(65534, 2) == -4


def test_pli_fir_nack_parse_in_aiortc() -> None:
    (p,) = ref.RtcpPacket.parse(rtcp.pli(1, 2))
    assert isinstance(p, ref.RtcpPsfbPacket) and (p.fmt, p.ssrc, p.media_ssrc) == (1, 1, 2)
    (n,) = ref.RtcpPacket.parse(rtcp.nack(1, 2, [10, 11, 26, 27, 100]))
    assert isinstance(n, ref.RtcpRtpfbPacket) and sorted(n.lost) == [10, 11, 26, 27, 100]
    (f,) = ref.RtcpPacket.parse(rtcp.fir(1, 2, 5))
    assert isinstance(f, ref.RtcpPsfbPacket) and f.fmt == 4


def test_nack_across_wrap() -> None:
    data = rtcp.nack(1, 2, [65534, 65535, 0, 3])
    ((kind, fmt, off, size),) = list(rtcp.walk(data))
    assert (kind, fmt) == (rtcp.RTPFB, rtcp.FMT_NACK)
    assert sorted(rtcp.nack_seqs(data, off, size)) == [0, 3, 65534, 65535]


def test_remb_round_trip_with_aiortc() -> None:
    data = rtcp.remb_packet(9, 1_234_567, [5, 6])
    ((kind, fmt, off, size),) = list(rtcp.walk(data))
    assert (kind, fmt) == (rtcp.PSFB, rtcp.FMT_AFB)
    bitrate, ssrcs = rtcp.remb(data, off, size) or (0, [])
    assert ssrcs == [5, 6] and abs(bitrate - 1_234_567) < 1_234_567 / 2**17
    (p,) = ref.RtcpPacket.parse(data)
    assert ref.unpack_remb_fci(p.fci) == (bitrate, [5, 6])


def test_walk_compound_and_reports() -> None:
    rr = ref.RtcpRrPacket(
        ssrc=1,
        reports=[
            ref.RtcpReceiverInfo(
                ssrc=7,
                fraction_lost=64,
                packets_lost=3,
                highest_sequence=9,
                jitter=11,
                lsr=0,
                dlsr=0,
            )
        ],
    )
    data = bytes(rr) + rtcp.pli(1, 7)
    parts = list(rtcp.walk(data))
    assert [(k, f) for k, f, _, _ in parts] == [(rtcp.RR, 1), (rtcp.PSFB, rtcp.FMT_PLI)]
    _, count, off, _ = parts[0]
    assert rtcp.report_blocks(data, off, count, rtcp.RR) == [(7, 64, 11)]
    assert rtcp.media_ssrc(data, parts[1][2]) == 7
    mine = rtcp.receiver_report(1, [(7, 64, 3, 9, 11)])
    assert bytes(ref.RtcpPacket.parse(mine)[0]) == bytes(rr)


def test_walk_refuses_truncation() -> None:
    with pytest.raises(ValueError, match="RTCP packet type 206 runs past the end"):
        list(rtcp.walk(rtcp.pli(1, 2)[:-1]))
