"""Interpretation in the router: channel tracks go only to their channel's listeners,
a booth has one live voice across a hand-over, and no interpreter is the floor's speaker."""

from __future__ import annotations

import time

import pytest

from frankly.sfu import router as router_module
from frankly.sfu import rtp
from tests.sfu.fakes import FakeTransport, Rig, opus


def channel_offer(ufrag: str, ssrc: int, track_id: str) -> str:
    """An interpreter's publish offer: one Opus m-line, the channel track, named by its msid."""
    lines = [
        "v=0",
        "o=- 1 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "c=IN IP4 0.0.0.0",
        "a=mid:0",
        f"a=ice-ufrag:{ufrag}",
        "a=ice-pwd:0123456789abcdef0123456789",
        "a=fingerprint:sha-256 " + "BB:" * 31 + "BB",
        "a=setup:actpass",
        "a=rtcp-mux",
        "a=sendonly",
        f"a=msid:stream-{ufrag} {track_id}",
        "a=rtpmap:111 opus/48000/2",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        f"a=ssrc:{ssrc} cname:x",
    ]
    return "\r\n".join(lines) + "\r\n"


class Booth:
    """A room of a floor speaker (eve), an en-ru booth (ivan, irina) and listeners."""

    def __init__(self, rig: Rig, listeners: dict[str, str]) -> None:
        self.rig = rig
        router = rig.router
        self.subs = {pid: rig.subscriber(pid) for pid in listeners}
        self.floor = rig.publish("eve", audio=True)
        self.ivan = self._interpreter("ivan", 5000)
        self.irina = self._interpreter("irina", 6000)
        self.listening = {pid: ch for pid, ch in listeners.items() if ch != "floor"}
        router.set_interpretation({"ivan": ("ru", True), "irina": ("ru", False)}, self.listening)
        settle(rig)

    def _interpreter(self, pid: str, ssrc: int) -> FakeTransport:
        self.rig.router.set_channel_track(pid, f"chan-{pid}")
        self.rig.router.publish(pid, channel_offer(f"o{pid}", ssrc, f"chan-{pid}"))
        transport: FakeTransport = self.rig.router.publishers[pid].transport  # type: ignore[assignment]
        return transport

    def live(self, pid: str) -> None:
        other = "irina" if pid == "ivan" else "ivan"
        feeds = {pid: ("ru", True), other: ("ru", False)}
        self.rig.router.set_interpretation(feeds, self.listening)

    def ssrcs(self, pid: str) -> list[int]:
        return [rtp.ssrc(p) for p in self.subs[pid].rtp]


def settle(rig: Rig) -> None:
    """Answer every subscribe offer, until none waits: each offer then shows the m-lines."""
    while waiting := [s.id for s in rig.router.subscribers.values() if s.offering]:
        for pid in waiting:
            rig.accept(pid)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def speak(transport: FakeTransport, seq: int, ssrc: int, level: int = 30) -> None:
    transport.on_rtp(transport, opus(seq, seq * 960, ssrc, level=level))


async def test_a_floor_listener_gets_no_packet_of_the_channel_and_a_ru_listener_both(
    rig: Rig,
) -> None:
    booth = Booth(rig, {"ada": "floor", "boris": "ru"})
    for seq in range(1, 11):
        speak(booth.floor, seq, 1112)  # eve's microphone (the offer's audio SSRC)
        speak(booth.ivan, seq, 5000)
        speak(booth.irina, seq, 6000)  # not live: parked
    router = rig.router
    assert router.channel_packets["boris", "ivan"] == 10
    assert router.channel_packets["boris", "irina"] == 0
    assert router.channel_packets["ada", "ivan"] == router.channel_packets["ada", "irina"] == 0
    # Ada has no m-line of either channel track, and got the floor's ten packets.
    assert "chan" not in "".join(rig.offers["ada"]) and ":channel" not in rig.offers["ada"][-1]
    assert len(booth.subs["ada"].rtp) == 10
    # Boris: the floor's ten and Ivan's ten, on two streams.
    assert len(booth.subs["boris"].rtp) == 20 and len(set(booth.ssrcs("boris"))) == 2
    assert "a=msid:ivan:channel" in rig.offers["boris"][-1]


async def test_a_hand_over_keeps_exactly_one_live_voice_with_no_gap(rig: Rig) -> None:
    booth = Booth(rig, {"boris": "ru"})
    boris = booth.subs["boris"]

    def channel_packets() -> list[tuple[int, int]]:
        """(ssrc, seq) of what Boris got of the channel, in order."""
        floor = rtp.ssrc(boris.rtp[0]) if boris.rtp else None
        return [(rtp.ssrc(p), rtp.seq(p)) for p in boris.rtp if rtp.ssrc(p) != floor]

    speak(booth.floor, 1, 1112)
    for seq in range(1, 6):  # both booth members send; only Ivan is heard
        speak(booth.ivan, seq, 5000)
        speak(booth.irina, seq, 6000)
    assert rig.router.channel_ready("irina", time.monotonic())
    booth.live("irina")
    for seq in range(6, 11):
        speak(booth.ivan, seq, 5000)
        speak(booth.irina, seq, 6000)
    got = channel_packets()
    assert len(got) == 10  # one packet per 20 ms throughout: never two, never none
    ivan_out, irina_out = got[0][0], got[5][0]
    assert [s for s, _ in got] == [ivan_out] * 5 + [irina_out] * 5 and ivan_out != irina_out
    assert rig.router.channel_packets["boris", "ivan"] == 5
    assert rig.router.channel_packets["boris", "irina"] == 5
    booth.live("ivan")  # and back: Ivan's stream numbers on from where it paused
    speak(booth.ivan, 11, 5000)
    speak(booth.irina, 11, 6000)
    last = channel_packets()[-1]
    assert last[0] == ivan_out and (last[1] - got[4][1]) & 0xFFFF == 1


async def test_a_hand_over_waits_until_every_listener_has_the_new_voice_negotiated(
    rig: Rig,
) -> None:
    booth = Booth(rig, {"boris": "ru"})
    speak(booth.irina, 1, 6000)
    assert rig.router.channel_ready("irina", time.monotonic())
    # Cleo comes to the ru channel: until her subscribe connection answers the offer
    # with Irina's m-line, a hand-over to Irina would leave her in silence.
    rig.subscriber("cleo")
    booth.listening["cleo"] = "ru"
    booth.live("ivan")
    assert rig.router.subscribers["cleo"].offering
    assert not rig.router.channel_ready("irina", time.monotonic())
    settle(rig)
    assert rig.router.channel_ready("irina", time.monotonic())
    # A listener that never answers holds the booth back only for NEGOTIATION_WAIT.
    rig.subscriber("dan")
    booth.listening["dan"] = "ru"
    booth.live("ivan")
    assert not rig.router.channel_ready("irina", time.monotonic())
    rig.router.subscribers["dan"].offered_at -= router_module.NEGOTIATION_WAIT + 0.1
    assert rig.router.channel_ready("irina", time.monotonic())


async def test_a_direction_switch_moves_the_track_to_the_other_channel(rig: Rig) -> None:
    booth = Booth(rig, {"boris": "ru", "emma": "en"})
    rig.router.set_interpretation({"ivan": ("en", True), "irina": ("en", False)}, booth.listening)
    settle(rig)
    speak(booth.ivan, 1, 5000)
    assert rig.router.channel_packets["emma", "ivan"] == 1
    assert rig.router.channel_packets["boris", "ivan"] == 0
    assert "ivan:channel" not in rig.offers["boris"][-1]  # its m-line freed
    assert "a=msid:ivan:channel" in rig.offers["emma"][-1]


async def test_a_listener_who_changes_channel_stops_getting_the_old_one(rig: Rig) -> None:
    booth = Booth(rig, {"boris": "ru"})
    speak(booth.ivan, 1, 5000)
    rig.router.set_interpretation({"ivan": ("ru", True), "irina": ("ru", False)}, {})
    speak(booth.ivan, 2, 5000)
    assert rig.router.channel_packets["boris", "ivan"] == 1


async def test_an_interpreter_is_never_the_floors_active_speaker(rig: Rig) -> None:
    booth = Booth(rig, {"ada": "floor"})
    for seq in range(1, 30):
        speak(booth.ivan, seq, 5000, level=5)  # loud
        speak(booth.floor, seq, 1112, level=100)  # quiet
    rig.router.update_speaker()
    assert rig.speakers == []
    for seq in range(30, 60):
        speak(booth.floor, seq, 1112, level=5)
    rig.router.update_speaker()
    assert rig.speakers == ["eve"]


async def test_a_track_named_after_publishing_becomes_a_channel_track(rig: Rig) -> None:
    ada = rig.subscriber("ada")
    rig.router.publish("ivan", channel_offer("oivan", 5000, "chan-ivan"))
    speak(rig.router.publishers["ivan"].transport, 1, 5000)  # type: ignore[arg-type]
    assert len(ada.rtp) == 1  # a floor track until it is named
    rig.router.set_channel_track("ivan", "chan-ivan")
    rig.router.set_interpretation({"ivan": ("ru", True)}, {})
    settle(rig)
    speak(rig.router.publishers["ivan"].transport, 2, 5000)  # type: ignore[arg-type]
    assert len(ada.rtp) == 1 and "ivan" not in rig.offers["ada"][-1].split("a=msid:", 1)[-1]


async def test_a_channel_track_whose_interpreter_lost_the_role_goes_to_nobody(rig: Rig) -> None:
    booth = Booth(rig, {"ada": "floor", "boris": "ru"})
    rig.router.set_interpretation({"irina": ("ru", True)}, booth.listening)  # Ivan is none now
    speak(booth.ivan, 1, 5000)
    assert rig.router.channel_packets["boris", "ivan"] == 0
    assert len(booth.subs["ada"].rtp) == 0  # and never the floor's
