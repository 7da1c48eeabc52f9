"""Invite tokens: made by hosts and by `frankly invite`, checked at hello."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from frankly.cli import main
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig
from tests.conftest import LiveServer
from tests.server.wsclient import Raw


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path)


def signed(claims: dict[str, Any], key: bytes) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def server_key(tmp_path: Path) -> bytes:
    return (tmp_path / "invite.key").read_bytes()


def test_the_key_is_kept_private_in_the_data_dir(live_server: LiveServer, tmp_path: Path) -> None:
    key = tmp_path / "invite.key"
    assert len(key.read_bytes()) == 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("claims", "key", "code", "text"),
    [
        (  # forged: signed with another key
            {"room": "r", "role": "host", "exp": 4102444800},
            b"x" * 32,
            "invite-invalid",
            "invite: Signature verification failed",
        ),
        (
            {"room": "r", "role": "host", "exp": 1000},
            None,
            "invite-expired",
            "this invite has expired",
        ),
        (
            {"room": "other", "role": "host", "exp": 4102444800},
            None,
            "invite-wrong-room",
            "this invite is for another room",
        ),
        (
            {"room": "r", "role": "admin", "exp": 4102444800},
            None,
            "invite-invalid",
            "invite: unknown role 'admin'",
        ),
        (
            {"room": "r", "role": "host"},
            None,
            "invite-invalid",
            'invite: Token is missing the "exp" claim',
        ),
        (
            {"room": "r", "role": "host", "exp": 4102444800, "name": ""},
            None,
            "invite-invalid",
            "invite: 'name' is not a usable name: a name is 1 to 64 characters",
        ),
        (
            {"room": "r", "role": "host", "exp": 4102444800, "name": "Ev\u202ee"},
            None,
            "invite-invalid",
            "invite: 'name' is not a usable name: a bidirectional control character (U+202E)"
            " is not allowed in a name",
        ),
    ],
)
async def test_bad_tokens_are_refused_with_4403(
    live_server: LiveServer,
    tmp_path: Path,
    claims: dict[str, Any],
    key: bytes | None,
    code: str,
    text: str,
) -> None:
    token = signed(claims, key or server_key(tmp_path))
    client = await Raw.hello(live_server.ws_url, invite=token)
    error = await client.refused(code, 4403)
    assert error["message"] == text and error["ref"] == "hello"


@pytest.mark.parametrize("token", ["not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_malformed_tokens_are_refused_with_4403(live_server: LiveServer, token: str) -> None:
    client = await Raw.hello(live_server.ws_url, invite=token)
    assert (await client.refused("invite-invalid", 4403))["message"].startswith("invite: ")


async def test_a_host_invite_makes_a_host_and_its_name_holds(
    live_server: LiveServer, tmp_path: Path
) -> None:
    ada = await Raw.join(live_server.ws_url)
    claims = {"room": "r", "role": "host", "exp": int(time.time()) + 60, "name": "Grace"}
    grace = await Raw.join(
        live_server.ws_url, name="Mallory", invite=signed(claims, server_key(tmp_path))
    )
    assert (grace.welcome["you"]["role"], grace.welcome["you"]["name"]) == ("host", "Grace")
    assert grace.welcome["knocks"] == []
    assert (await ada.expect("joined"))["participant"]["name"] == "Grace"
    await grace.send({"type": "settings", "locked": True})
    assert (await ada.expect("settings"))["settings"]["locked"] is True


async def test_the_invite_message_makes_a_token_for_this_room(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    before = int(time.time())
    await ada.send({"type": "invite", "role": "guest", "ttl": 120})
    answer = await ada.expect("invite")
    assert answer["role"] == "guest" and before + 120 <= answer["exp"] <= time.time() + 121
    gus = await Raw.join(live_server.ws_url, name="Gus", invite=answer["token"])
    assert gus.welcome["you"]["role"] == "guest"
    elsewhere = await Raw.hello(live_server.ws_url, room="elsewhere", invite=answer["token"])
    await elsewhere.refused("invite-wrong-room", 4403)


async def test_frankly_invite_prints_a_link_the_server_takes(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "https://meet.example.org/"
    args = ["--role", "host", "--ttl", "2h", "--name", "Boss", "--base-url", base]
    main(["invite", "r", *args, "--data-dir", str(tmp_path)])
    link = capsys.readouterr().out.strip()
    prefix = "https://meet.example.org/r?invite="
    assert link.startswith(prefix)
    token = link.removeprefix(prefix)
    assert jwt.decode(token, options={"verify_signature": False})["exp"] > time.time() + 7000
    boss = await Raw.join(live_server.ws_url, name="Someone", invite=token)
    assert (boss.welcome["you"]["role"], boss.welcome["you"]["name"]) == ("host", "Boss")


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["r", "--ttl", "10s"], "--ttl '10s'"),
        (["r", "--ttl", "31d"], "--ttl '31d'"),
        (["r", "--ttl", "soon"], "--ttl 'soon'"),
        (["no room"], "a room name is"),
        (["r", "--name", " "], "--name"),
    ],
)
def test_frankly_invite_refuses_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], complaint: str
) -> None:
    with pytest.raises(SystemExit):
        main(["invite", *args, "--data-dir", str(tmp_path)])
    assert complaint in capsys.readouterr().err


async def make_invite(host: Raw, role: str, ttl: int = 600) -> dict[str, Any]:
    await host.send({"type": "invite", "role": role, "ttl": ttl})
    answer: dict[str, Any] = await host.expect("invite")
    return answer


async def test_a_promoted_hosts_invite_does_not_open_the_next_meeting(
    live_server: LiveServer,
) -> None:
    owner = await Raw.join(live_server.ws_url, name="Owner")
    grace = await Raw.join(live_server.ws_url, name="Grace")
    await owner.send({"type": "leave"})
    assert (await grace.expect("updated"))["participant"]["role"] == "host"  # promoted
    token = (await make_invite(grace, "host", ttl=30 * 86400))["token"]
    await grace.send({"type": "leave"})
    await grace.closed()  # the room is empty: that meeting is over
    owner = await Raw.join(live_server.ws_url, name="Owner")
    await owner.send({"type": "settings", "lobby": True, "locked": True, "password": "s3cret"})
    await owner.expect("settings")
    mallory = await Raw.hello(live_server.ws_url, name="Mallory", invite=token)
    error = await mallory.refused("invite-ended", 4403)
    assert error["message"] == "the meeting this invite was made for is over"
    # An invite of this meeting still works, past the lobby, lock and password.
    fresh = await Raw.join(
        live_server.ws_url, name="Eve", invite=(await make_invite(owner, "guest"))["token"]
    )
    assert fresh.welcome["you"]["role"] == "guest"


async def test_a_host_revokes_an_invite(live_server: LiveServer) -> None:
    ada = await Raw.join(live_server.ws_url)
    cohost = await Raw.join(
        live_server.ws_url, name="Co", invite=(await make_invite(ada, "host"))["token"]
    )
    kept, revoked = await make_invite(ada, "participant"), await make_invite(ada, "participant")
    await ada.send({"type": "revoke", "id": revoked["id"]})
    for host in (ada, cohost):  # every host hears of it
        assert await host.expect("revoked") == {"type": "revoked", "id": revoked["id"]}
    refused = await Raw.hello(live_server.ws_url, name="Eve", invite=revoked["token"])
    assert (await refused.refused("invite-revoked", 4403))["message"] == (
        "a host revoked this invite"
    )
    await Raw.join(live_server.ws_url, name="Grace", invite=kept["token"])


async def test_an_invite_holds_across_a_restart_of_its_meeting(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path)
    first = BackgroundServer(config).start()
    try:
        ada = await Raw.join(first.ws_url, name="Ada")
        bob = await Raw.join(first.ws_url, name="Bob")
        await ada.send({"type": "settings", "lobby": True})
        await ada.expect("settings")
        kept, revoked = await make_invite(ada, "participant"), await make_invite(ada, "guest")
        await ada.send({"type": "revoke", "id": revoked["id"]})
        await ada.expect("revoked")
    finally:
        first.stop()
    await ada.closed()
    second = BackgroundServer(config).start()
    try:
        # Ada's client comes back with its resume token: the same meeting,
        # with its host, its settings and its revocations.
        back = await Raw.join(second.ws_url, name="Ada", resume=ada.welcome["resume"])
        assert (back.welcome["resumed"], back.welcome["you"]["role"]) == (False, "host")
        assert back.welcome["settings"]["lobby"] is True
        # The second one back is let in as the first was, past the lobby.
        bob_back = await Raw.join(second.ws_url, name="Bob", resume=bob.welcome["resume"])
        assert bob_back.welcome["you"]["role"] == "participant"
        grace = await Raw.join(second.ws_url, name="Grace", invite=kept["token"])
        assert grace.welcome["you"]["role"] == "participant"
        gus = await Raw.hello(second.ws_url, name="Gus", invite=revoked["token"])
        await gus.refused("invite-revoked", 4403)
        eve = await Raw.hello(second.ws_url, name="Eve")
        assert (await eve.expect("lobby"))["status"] == "waiting"
    finally:
        second.stop()


async def test_after_a_restart_a_new_meeting_of_that_name_refuses_its_invites(
    tmp_path: Path,
) -> None:
    config = ServerConfig(data_dir=tmp_path)
    first = BackgroundServer(config).start()
    try:
        ada = await Raw.join(first.ws_url, name="Ada")
        token = (await make_invite(ada, "host"))["token"]
    finally:
        first.stop()
    second = BackgroundServer(config).start()
    try:
        # Someone with no tie to the meeting opens the room first: a new meeting.
        mallory = await Raw.join(second.ws_url, name="Mallory")
        assert mallory.welcome["you"]["role"] == "host"
        grace = await Raw.hello(second.ws_url, name="Grace", invite=token)
        await grace.refused("invite-ended", 4403)
        # And the old host's token is nobody's any more: it joins as anyone would.
        back = await Raw.join(second.ws_url, name="Ada", resume=ada.welcome["resume"])
        assert back.welcome["you"]["role"] == "participant"
    finally:
        second.stop()
    assert list((tmp_path / "meetings").iterdir()) == [tmp_path / "meetings" / "r.json"]


def test_frankly_invite_can_make_an_interpreter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["invite", "talks", "--interpret", "en,ru", "--data-dir", str(tmp_path)])
    token = capsys.readouterr().out.strip().split("?invite=")[1]
    claims = jwt.decode(token, server_key(tmp_path), algorithms=["HS256"])
    assert claims["interpret"] == ["en", "ru"]
    for wrong in (
        ["--interpret", "en"],
        ["--interpret", "en,en"],
        ["--role", "guest", "--interpret", "en,ru"],
    ):
        with pytest.raises(SystemExit) as exited:
            main(["invite", "talks", *wrong, "--data-dir", str(tmp_path)])
        assert exited.value.code == 2


async def test_an_invite_whose_pair_is_forged_or_for_a_guest_is_refused(
    live_server: LiveServer, tmp_path: Path
) -> None:
    key = server_key(tmp_path)
    base = {"room": "r", "exp": int(time.time()) + 60}
    for claims in (
        {**base, "role": "participant", "interpret": ["en", "en"]},
        {**base, "role": "participant", "interpret": "en-ru"},
        {**base, "role": "guest", "interpret": ["en", "ru"]},
    ):
        client = await Raw.hello(live_server.ws_url, invite=signed(claims, key))
        error = await client.refused("invite-invalid", 4403)
        assert "interpret" in error["message"]


async def test_after_a_restart_the_creator_is_host_even_if_another_is_back_first(
    tmp_path: Path,
) -> None:
    config = ServerConfig(data_dir=tmp_path)
    first = BackgroundServer(config).start()
    try:
        ada = await Raw.join(first.ws_url, name="Ada")
        bob = await Raw.join(first.ws_url, name="Bob")
    finally:
        first.stop()
    second = BackgroundServer(config).start()
    try:
        # Bob's client reconnects first: coming back first makes nobody host.
        bob_back = await Raw.join(second.ws_url, name="Bob", resume=bob.welcome["resume"])
        assert bob_back.welcome["you"]["role"] == "participant"
        ada_back = await Raw.join(second.ws_url, name="Ada", resume=ada.welcome["resume"])
        assert ada_back.welcome["you"]["role"] == "host"
        roles = {p["name"]: p["role"] for p in ada_back.welcome["participants"]}
        assert roles == {"Bob": "participant"}
        # And Bob is never told he became host.
        joined = await bob_back.expect("joined")
        assert joined["participant"]["name"] == "Ada"
        await bob_back.send({"type": "settings", "lobby": True})
        assert (await bob_back.expect("error"))["code"] == "not-host"
    finally:
        second.stop()


async def test_after_a_restart_someone_is_host_once_no_host_came_back_in_time(
    tmp_path: Path,
) -> None:
    # The window runs from the restart: long enough for Bob to be back inside it
    # on a loaded machine, which is what the first assertion needs.
    config = ServerConfig(data_dir=tmp_path, grace=6.0)
    first = BackgroundServer(config).start()
    try:
        await Raw.join(first.ws_url, name="Ada")
        bob = await Raw.join(first.ws_url, name="Bob")
    finally:
        first.stop()
    second = BackgroundServer(config).start()
    try:
        bob_back = await Raw.join(second.ws_url, name="Bob", resume=bob.welcome["resume"])
        assert bob_back.welcome["you"]["role"] == "participant"
        # Ada never comes back: once the window closes, Bob is made host.
        updated = await bob_back.expect("updated", wait=15)
        assert (updated["participant"]["name"], updated["participant"]["role"]) == ("Bob", "host")
    finally:
        second.stop()


async def test_the_welcome_names_the_meeting_the_same_across_a_restart(tmp_path: Path) -> None:
    config = ServerConfig(data_dir=tmp_path)
    first = BackgroundServer(config).start()
    try:
        ada = await Raw.join(first.ws_url, name="Ada")
        tag = ada.welcome["meeting"]
        invite = await make_invite(ada, "participant")
        claims = jwt.decode(invite["token"], server_key(tmp_path), algorithms=["HS256"])
        assert tag and claims["meeting"] not in ("", tag)  # a tag, not the id invites carry
    finally:
        first.stop()
    second = BackgroundServer(config).start()
    try:
        back = await Raw.join(second.ws_url, name="Ada", resume=ada.welcome["resume"])
        assert back.welcome["meeting"] == tag
        other = await Raw.join(second.ws_url, name="Zed", room="another")
        assert other.welcome["meeting"] != tag
    finally:
        second.stop()
