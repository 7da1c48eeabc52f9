"""SDP for the SFU (RFC 8866, JSEP RFC 8829): read offers, write answers and offers.

Leaf module. Only what a browser's offer holds and the SFU's side needs:
ICE credentials, DTLS fingerprint, codecs, header extensions, SSRCs and
simulcast rids. Anything else in an offer is ignored, never echoed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Header extensions the SFU understands, by URI.
AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
# Not transport-cc: a publisher that negotiates it waits for transport-wide
# feedback, which the SFU does not send, and its estimate sinks. The SFU
# sends REMB and receiver reports instead (goog-remb).
ACCEPTED_EXTENSIONS = {
    "audio": (AUDIO_LEVEL, MID),
    "video": (MID, RID, REPAIRED_RID, ABS_SEND_TIME),
}


@dataclass
class Codec:
    pt: int
    name: str  # upper case: OPUS, VP8, VP9, H264, RTX
    clock: int
    channels: int = 1
    fmtp: str = ""
    feedback: list[str] = field(default_factory=list)

    @property
    def apt(self) -> int | None:
        """For RTX: the payload type it repairs."""
        for part in self.fmtp.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "apt" and value.isdigit():
                return int(value)
        return None


@dataclass
class Media:
    kind: str  # audio | video | application
    port: int
    proto: str
    formats: list[str]
    mid: str = ""
    direction: str = "sendrecv"
    ice_ufrag: str = ""
    ice_pwd: str = ""
    fingerprint: str = ""  # "sha-256 AB:CD:..."
    setup: str = ""
    codecs: list[Codec] = field(default_factory=list)
    extensions: dict[str, int] = field(default_factory=dict)  # uri -> id
    ssrcs: list[int] = field(default_factory=list)
    ssrc_groups: list[tuple[str, list[int]]] = field(default_factory=list)
    rids: list[str] = field(default_factory=list)  # send rids, in offer order
    msid: str = ""
    # a=bundle-only (RFC 8843 section 6): port 0 yet in the bundle, as
    # Firefox offers every m-line after the first under max-bundle.
    bundle_only: bool = False

    @property
    def rejected(self) -> bool:
        """Port 0 without a=bundle-only: the m-line is turned down (RFC 8866)."""
        return self.port == 0 and not self.bundle_only


@dataclass
class Session:
    media: list[Media]
    ice_ufrag: str = ""
    ice_pwd: str = ""
    fingerprint: str = ""
    bundle: list[str] = field(default_factory=list)

    def credentials(self) -> tuple[str, str, str]:
        """(ufrag, pwd, sha-256 fingerprint) whether given per session or per m-line."""
        first = self.media[0] if self.media else None
        ufrag = self.ice_ufrag or (first.ice_ufrag if first else "")
        pwd = self.ice_pwd or (first.ice_pwd if first else "")
        fingerprint = self.fingerprint or (first.fingerprint if first else "")
        algorithm, _, value = fingerprint.partition(" ")
        if not ufrag or not pwd:
            raise ValueError("SDP has no ICE credentials")
        if algorithm.lower() != "sha-256" or not value:
            raise ValueError("SDP has no sha-256 DTLS fingerprint")
        return ufrag, pwd, value


def parse(text: str) -> Session:
    """Parse an SDP; raise ValueError naming what is missing or malformed."""
    session = Session(media=[])
    current: Media | None = None
    by_pt: dict[int, Codec] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        if kind == "m":
            parts = value.split()
            if len(parts) < 4 or not parts[1].isdigit():
                raise ValueError(f"SDP media line is malformed: {line!r}")
            current = Media(parts[0], int(parts[1]), parts[2], parts[3:])
            session.media.append(current)
            by_pt = {}
        elif kind == "a":
            _attribute(session, current, by_pt, value)
    if not session.media:
        raise ValueError("SDP has no media sections")
    return session


def _attribute(session: Session, media: Media | None, by_pt: dict[int, Codec], value: str) -> None:
    name, _, rest = value.partition(":")
    if media is None:
        if name == "ice-ufrag":
            session.ice_ufrag = rest
        elif name == "ice-pwd":
            session.ice_pwd = rest
        elif name == "fingerprint" and rest.lower().startswith("sha-256 "):
            session.fingerprint = rest
        elif name == "group" and rest.startswith("BUNDLE"):
            session.bundle = rest.split()[1:]
        return
    try:
        _media_attribute(media, by_pt, name, rest)
    except (ValueError, IndexError):
        raise ValueError(f"SDP attribute is malformed: a={value}") from None


def _media_attribute(media: Media, by_pt: dict[int, Codec], name: str, rest: str) -> None:
    if name == "mid":
        media.mid = rest
    elif name in ("sendrecv", "sendonly", "recvonly", "inactive"):
        media.direction = name
    elif name == "bundle-only":
        media.bundle_only = True
    elif name == "ice-ufrag":
        media.ice_ufrag = rest
    elif name == "ice-pwd":
        media.ice_pwd = rest
    elif name == "fingerprint" and rest.lower().startswith("sha-256 "):
        media.fingerprint = rest
    elif name == "setup":
        media.setup = rest
    elif name == "msid":
        media.msid = rest
    elif name == "rtpmap":
        pt, _, desc = rest.partition(" ")
        parts = desc.split("/")
        codec = Codec(
            int(pt), parts[0].upper(), int(parts[1]), int(parts[2]) if len(parts) > 2 else 1
        )
        by_pt[codec.pt] = codec
        media.codecs.append(codec)
    elif name == "fmtp":
        pt, _, params = rest.partition(" ")
        if int(pt) in by_pt:
            by_pt[int(pt)].fmtp = params
    elif name == "rtcp-fb":
        pt, _, fb = rest.partition(" ")
        if pt != "*" and int(pt) in by_pt:
            by_pt[int(pt)].feedback.append(fb)
    elif name == "extmap":
        ident, _, uri = rest.partition(" ")
        media.extensions[uri.split()[0]] = int(ident.split("/")[0])
    elif name == "ssrc":
        ssrc = int(rest.split()[0])
        if ssrc not in media.ssrcs:
            media.ssrcs.append(ssrc)
    elif name == "ssrc-group":
        semantics, *ssrcs = rest.split()
        media.ssrc_groups.append((semantics, [int(s) for s in ssrcs]))
    elif name == "rid":
        rid, direction = rest.split()[:2]
        if direction == "send":
            media.rids.append(rid)


@dataclass
class Local:
    """The SFU's side of one transport."""

    ice_ufrag: str
    ice_pwd: str
    fingerprint: str  # colon hex, sha-256
    host: str
    port: int  # UDP
    tcp_port: int = 0  # the passive ICE-TCP candidate's port; 0: none
    udp: bool = True  # False (tests): the TCP candidate alone


def _header(local: Local, mids: list[str]) -> list[str]:
    return [
        "v=0",
        "o=frankly 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=ice-lite",
        f"a=group:BUNDLE {' '.join(mids)}",
        "a=msid-semantic: WMS *",
    ]


# Candidate priorities (RFC 8445 section 5.1.2.1): type preference << 24,
# local preference << 8, 256 - component. UDP is a host candidate at the top
# (126, 65535). TCP ranks lower (type preference 90, local preference as
# RFC 6544 section 4.2 gives a passive host candidate: direction 4 << 13, plus
# 8191), so a browser that reaches both nominates UDP: TCP's retransmissions
# and head-of-line blocking make it the fallback, not the choice.
UDP_PRIORITY = (126 << 24) | (65535 << 8) | 255
TCP_PRIORITY = (90 << 24) | (((4 << 13) | 8191) << 8) | 255


def candidates(local: Local) -> list[str]:
    """The SFU's ICE candidates: its UDP port, and its passive TCP twin when open."""
    lines = []
    if local.udp:
        lines.append(f"a=candidate:1 1 udp {UDP_PRIORITY} {local.host} {local.port} typ host")
    if local.tcp_port:
        lines.append(
            f"a=candidate:2 1 tcp {TCP_PRIORITY} {local.host} {local.tcp_port} "
            "typ host tcptype passive"
        )
    return lines


def _transport(local: Local, kind: str, mid: str, formats: list[int], setup: str) -> list[str]:
    family = "IP6" if ":" in local.host else "IP4"
    port = local.port if local.udp or not local.tcp_port else local.tcp_port
    return [
        f"m={kind} {port} UDP/TLS/RTP/SAVPF {' '.join(str(f) for f in formats) or '0'}",
        f"c=IN {family} {local.host}",
        "a=rtcp-mux",
        f"a=mid:{mid}",
        f"a=ice-ufrag:{local.ice_ufrag}",
        f"a=ice-pwd:{local.ice_pwd}",
        f"a=fingerprint:sha-256 {local.fingerprint}",
        f"a=setup:{setup}",
        *candidates(local),
        "a=end-of-candidates",
    ]


def _codec_lines(codec: Codec) -> list[str]:
    rtpmap = f"a=rtpmap:{codec.pt} {_wire_name(codec.name)}/{codec.clock}"
    if codec.channels > 1:
        rtpmap += f"/{codec.channels}"
    lines = [rtpmap]
    lines += [f"a=rtcp-fb:{codec.pt} {fb}" for fb in codec.feedback]
    if codec.fmtp:
        lines.append(f"a=fmtp:{codec.pt} {codec.fmtp}")
    return lines


def _wire_name(name: str) -> str:
    return {"OPUS": "opus", "RTX": "rtx"}.get(name, name)


# What the SFU accepts from a publisher, in order of preference per kind.
PREFERRED = {"audio": ["OPUS"], "video": ["VP8", "H264", "VP9"]}
FEEDBACK = {"audio": [], "video": ["nack", "nack pli", "ccm fir", "goog-remb"]}


def choose_codec(media: Media) -> Codec | None:
    """The publisher's payload type for the best codec both sides have."""
    for name in PREFERRED.get(media.kind, []):
        candidates = [c for c in media.codecs if c.name == name]
        if name == "H264":  # the packetization the browsers all decode
            candidates = [c for c in candidates if "packetization-mode=1" in c.fmtp] or candidates
            baseline = [c for c in candidates if "profile-level-id=42e01f" in c.fmtp]
            candidates = baseline or candidates
        if candidates:
            c = candidates[0]
            fb = [f for f in c.feedback if f in FEEDBACK[media.kind]]
            return Codec(c.pt, c.name, c.clock, c.channels, c.fmtp, fb)
    return None


def answer(offer: Session, local: Local, chosen: list[Codec | None]) -> str:
    """The SFU's answer to a publisher: receive what it sends, nothing more."""
    mids = [m.mid for m in offer.media]
    lines = _header(local, mids)
    for media, codec in zip(offer.media, chosen, strict=True):
        if codec is None or media.rejected or media.direction not in ("sendonly", "sendrecv"):
            lines += _rejected(local, media)
            continue
        lines += _transport(local, media.kind, media.mid, [codec.pt], "passive")
        lines.append("a=recvonly")
        lines += _codec_lines(codec)
        for uri in ACCEPTED_EXTENSIONS.get(media.kind, ()):
            if uri in media.extensions:
                lines.append(f"a=extmap:{media.extensions[uri]} {uri}")
        if media.rids:
            lines += [f"a=rid:{rid} recv" for rid in media.rids]
            lines.append(f"a=simulcast:recv {';'.join(media.rids)}")
        lines.append("a=rtcp-rsize")
    return "\r\n".join(lines) + "\r\n"


def _rejected(local: Local, media: Media) -> list[str]:
    formats = media.formats[:1] or ["0"]
    return [
        f"m={media.kind} 0 {media.proto} {' '.join(formats)}",
        "c=IN IP4 0.0.0.0",
        f"a=mid:{media.mid}",
        "a=inactive",
    ]


@dataclass
class Outgoing:
    """One m-line of a subscriber offer: a forwarded track, or a free slot."""

    mid: str
    kind: str
    codec: Codec
    ssrc: int = 0  # 0: the slot is free (inactive), kept for the next track
    stream: str = ""  # msid stream id: the publishing participant's id
    track: str = ""
    extensions: dict[str, int] = field(default_factory=dict)


def subscriber_offer(local: Local, slots: list[Outgoing], version: int) -> str:
    """The SFU's offer to a subscriber: one sendonly m-line per forwarded track.

    A free slot stays in the bundle as an inactive m-line (JSEP never removes
    an m-line); the next track of its kind takes it over.
    """
    lines = _header(local, [s.mid for s in slots])
    lines[1] = f"o=frankly 4611731400430051336 {version} IN IP4 127.0.0.1"
    for slot in slots:
        lines += _transport(local, slot.kind, slot.mid, [slot.codec.pt], "actpass")
        lines += _codec_lines(slot.codec)
        lines += [f"a=extmap:{i} {uri}" for uri, i in slot.extensions.items()]
        lines.append("a=rtcp-rsize")
        if not slot.ssrc:
            lines.append("a=inactive")
            continue
        lines.append("a=sendonly")
        lines.append(f"a=msid:{slot.stream} {slot.track}")
        lines.append(f"a=ssrc:{slot.ssrc} cname:{slot.stream}")
        lines.append(f"a=ssrc:{slot.ssrc} msid:{slot.stream} {slot.track}")
    return "\r\n".join(lines) + "\r\n"
