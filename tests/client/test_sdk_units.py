"""The SDK's small pure parts: URLs, candidates, errors."""

from __future__ import annotations

import pytest

from frankly.client import FranklyError, split_url
from frankly.client.peer import ice_servers_from_wire, parse_candidate


@pytest.mark.parametrize(
    ("url", "room", "expected"),
    [
        ("http://127.0.0.1:8080/team-sync", None, ("ws://127.0.0.1:8080/ws", "team-sync")),
        ("https://meet.example/team-sync/", None, ("wss://meet.example/ws", "team-sync")),
        ("https://example.org/frankly/a_b", None, ("wss://example.org/frankly/ws", "a_b")),
        ("http://h:1/x?lang=fr#top", None, ("ws://h:1/ws", "x")),
        ("http://h:1", "standup", ("ws://h:1/ws", "standup")),
        ("ws://h:1/ws", "standup", ("ws://h:1/ws", "standup")),
        ("http://h:1/no%20such", None, ("ws://h:1/ws", "no such")),
    ],
)
def test_split_url(url: str, room: str | None, expected: tuple[str, str]) -> None:
    assert split_url(url, room) == expected


@pytest.mark.parametrize("url", ["http://h:1/", "ftp://h/room", "team-sync"])
def test_split_url_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        split_url(url)


def test_parse_candidate_as_browsers_send_it() -> None:
    candidate = parse_candidate(
        {
            "candidate": "candidate:842163049 1 udp 1677729535 192.0.2.7 50122 typ srflx "
            "raddr 10.0.0.2 rport 50122 generation 0 ufrag 1Xyz network-cost 999",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
            "usernameFragment": "1Xyz",
        }
    )
    assert candidate is not None
    assert (candidate.ip, candidate.port, candidate.type) == ("192.0.2.7", 50122, "srflx")
    assert (candidate.relatedAddress, candidate.relatedPort) == ("10.0.0.2", 50122)
    assert (candidate.sdpMid, candidate.sdpMLineIndex, candidate.priority) == ("0", 0, 1677729535)


def test_parse_candidate_end_markers() -> None:
    assert parse_candidate({"candidate": "", "sdpMid": "0"}) is None
    assert parse_candidate({}) is None


def test_ice_servers_from_wire() -> None:
    servers = ice_servers_from_wire(
        [
            {"urls": "stun:stun.example:3478"},
            {"urls": ["turn:t.example:3478?transport=udp"], "username": "u", "credential": "p"},
            {"no": "urls"},
        ]
    )
    assert [s.urls for s in servers] == [
        "stun:stun.example:3478",
        ["turn:t.example:3478?transport=udp"],
    ]
    assert (servers[1].username, servers[1].credential) == ("u", "p")


def test_franklyerror_from_messages_and_closes() -> None:
    err = FranklyError.from_message(
        {"type": "error", "code": "room-full", "message": "full", "ref": "hello"}
    )
    assert (err.code, err.message, err.ref) == ("room-full", "full", "hello")
    assert FranklyError.from_close(4000).code == "replaced"
    assert FranklyError.from_close(4422).code == "closed"
    assert FranklyError.from_close(None).close_code is None


def test_parse_slots_reads_the_publisher_of_each_m_line() -> None:
    from frankly.client.sfu import Slot, parse_slots

    sdp = "\r\n".join(
        [
            "v=0",
            "a=group:BUNDLE 0 1 2",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "a=mid:0",
            "a=sendonly",
            "a=msid:p-ada audio-0",
            "a=ssrc:1234 cname:p-ada",
            "a=ssrc:1234 msid:p-ada audio-0",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:1",
            "a=inactive",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=mid:2",
            "a=sendonly",
            "a=msid:p-grace video-1",
            "a=ssrc:99 cname:p-grace",
            "",
        ]
    )
    assert parse_slots(sdp) == {
        "0": Slot("0", "audio", "p-ada", "audio-0", 1234),
        "1": Slot("1", "video", None, "", 0),
        "2": Slot("2", "video", "p-grace", "video-1", 99),
    }


def test_the_sdk_solves_an_altcha_challenge_the_server_accepts() -> None:
    import base64
    import json
    import threading

    from frankly.client.humancheck import solve
    from frankly.server.humancheck import HumanCheck

    check = HumanCheck(None, maxnumber=3000, ttl=60)
    challenge = check.challenge()
    proof = solve(challenge)
    assert proof is not None
    payload = json.loads(base64.b64decode(proof))
    assert set(payload) == {"algorithm", "challenge", "number", "salt", "signature"}
    check.verify(proof, now=0.0)  # raises if refused
    stopped = threading.Event()
    stopped.set()
    assert solve(challenge, stopped) is None  # given up at once
    with pytest.raises(FranklyError) as caught:
        solve({**challenge, "challenge": "0" * 64, "maxnumber": 10})
    assert caught.value.code == "human-check-failed"


def test_guarded_room_helpers() -> None:
    from frankly.client.client import invite_from_url
    from frankly.client.errors import FINAL_CLOSE_CODES
    from frankly.client.humancheck import http_base

    assert invite_from_url("https://m.example/board?invite=abc.def.ghi#passphrase=x") == (
        "abc.def.ghi"
    )
    assert invite_from_url("https://m.example/board") is None
    assert http_base("wss://m.example/frankly/ws") == "https://m.example/frankly"
    assert http_base("ws://127.0.0.1:8080/ws") == "http://127.0.0.1:8080"
    assert {4401, 4403, 4410} <= FINAL_CLOSE_CODES
    ended = FranklyError.from_close(4410)
    assert (ended.code, ended.close_code) == ("meeting-ended", 4410)


def test_participant_and_settings_from_the_wire() -> None:
    from frankly.client import Participant, RoomSettings

    p = Participant.from_wire(
        {"id": "p-1", "name": "A", "role": "host", "hand": 3, "screen": True, "x": 1}
    )
    assert (p.role, p.hand, p.screen, p.is_host) == ("host", 3, True, True)
    old = Participant.from_wire({"id": "p-2", "role": "admiral", "hand": True})
    assert (old.role, old.hand, old.screen) == ("participant", None, False)
    assert RoomSettings.from_wire({"lobby": True, "password": True}) == RoomSettings(
        lobby=True, password=True
    )
    assert RoomSettings.from_wire(None) == RoomSettings()


def test_client_arguments_for_guarded_rooms() -> None:
    from frankly.client import Client

    call = Client("http://h:1/board?invite=tok", name="bot", password="pw", device="d")
    fresh = call._hello(None, proof="p")
    assert (fresh["invite"], fresh["password"], fresh["device"], fresh["proof"]) == (
        "tok", "pw", "d", "p"
    )  # fmt: skip
    assert not {"invite", "password", "device", "proof"} & set(call._hello("resume-token"))
    assert "invite" not in Client("http://h:1/board", name="bot")._hello(None)
    with pytest.raises(ValueError):
        Client("http://h:1/board", name="bot", device="x" * 65)
    with pytest.raises(ValueError):
        Client("http://h:1/board", name="bot", password="")
