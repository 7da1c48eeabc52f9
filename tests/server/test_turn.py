"""TURN credentials (frankly/server/turn.py): the scheme coturn checks, and their refresh."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import httpx
import pytest

from frankly.cli import main
from frankly.server.config import ServerConfig
from frankly.server.turn import (
    Turn,
    TurnSecretError,
    check_url,
    credential,
    ice_server,
    parse_ttl,
    read_secret,
    refresh_delay,
)
from tests.conftest import LiveServer
from tests.server.wsclient import Raw

URLS = ("turn:127.0.0.1:3478?transport=udp", "turns:turn.example.org:443?transport=tcp")


def test_the_password_is_the_usernames_hmac_sha1_in_base64() -> None:
    # Worked out apart from Python:
    #   printf '%s' '1700000000:p1' | openssl dgst -sha1 -hmac north-wind -binary | base64
    assert credential(b"north-wind", "p1", 1_700_000_000) == (
        "1700000000:p1",
        "vzR15Wp4VzbyXODW4qwWwO/8zB0=",
    )


def test_an_ice_server_expires_a_lifetime_from_now() -> None:
    turn = Turn(URLS, b"s3cret", ttl=3600)
    server = ice_server(turn, "abc", now=1_000_000.7)
    assert server["urls"] == list(URLS)
    assert server["username"] == "1003600:abc"
    digest = hmac.new(b"s3cret", b"1003600:abc", hashlib.sha1).digest()
    assert server["credential"] == base64.b64encode(digest).decode()


def test_fresh_credentials_are_due_at_four_fifths_of_the_lifetime() -> None:
    assert refresh_delay(6 * 3600) == pytest.approx(4.8 * 3600)


def test_the_secret_is_in_no_repr() -> None:
    assert "s3cret" not in repr(Turn(URLS, b"s3cret")) + str(Turn(URLS, b"s3cret"))


@pytest.mark.parametrize(
    ("text", "seconds"), [("3600", 3600), ("90m", 5400), ("12h", 43200), ("1d", 86400)]
)
def test_a_lifetime_in_seconds_or_units(text: str, seconds: float) -> None:
    assert parse_ttl(text) == seconds


@pytest.mark.parametrize(
    ("text", "why"), [("soon", "not a lifetime"), ("30s", "60s to 7d"), ("8d", "60s to 7d")]
)
def test_a_bad_lifetime_says_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_ttl(text)


def test_only_turn_urls_are_taken() -> None:
    for url in URLS:
        assert check_url(url) == url
    for bad in ("stun:x:3478", "turn:", "https://turn.example.org", "turn:x?transport=sctp"):
        with pytest.raises(ValueError, match="is not a TURN URL"):
            check_url(bad)


def test_the_secret_is_the_files_first_line(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("  long-random-text \n")
    assert read_secret(path) == b"long-random-text"


def test_a_missing_or_empty_secret_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(TurnSecretError, match=f"cannot read the TURN secret file {missing}"):
        read_secret(missing)
    empty = tmp_path / "empty"
    empty.write_text("\n\n")
    with pytest.raises(TurnSecretError, match=f"the TURN secret file {empty} is empty"):
        read_secret(empty)


def test_serve_refuses_an_unreadable_secret_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "turn-secret"
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "0", "--data-dir", str(tmp_path), "--turn-url", URLS[0],
              "--turn-secret-file", str(missing)])  # fmt: skip
    assert exited.value.code == 1
    out = capsys.readouterr()
    assert out.err.startswith(f"frankly serve: cannot read the TURN secret file {missing}")
    assert "Frankly is running" not in out.out


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--turn-url", URLS[0]], "--turn-url needs --turn-secret-file"),
        (["--relay-only"], "--relay-only sends all media through TURN: give --turn-url too"),
        (["--turn-url", "stun:x"], "is not a TURN URL"),
    ],
)
def test_serve_refuses_turn_flags_that_do_not_go_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], why: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "0", "--data-dir", str(tmp_path), *args])
    assert exited.value.code == 2
    assert why in capsys.readouterr().err


# --- on the wire ------------------------------------------------------------------


SECRET = "wire-secret"
TTL = 2.0  # fresh credentials after 1.6 s


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    path = tmp_path / "turn-secret"
    path.write_text(SECRET + "\n")
    return ServerConfig(turn_urls=URLS, turn_secret_file=path, turn_ttl=TTL, relay_only=True)


def _check(server: dict[str, object], participant: str) -> int:
    """The expiry of a TURN entry for `participant`, after checking its password."""
    assert server["urls"] == list(URLS)
    username = str(server["username"])
    expiry, who = username.split(":")
    assert who == participant
    password = credential(SECRET.encode(), participant, int(expiry))[1]
    assert server["credential"] == password
    return int(expiry)


async def test_welcome_carries_own_credentials_and_fresh_ones_come_before_expiry(
    live_server: LiveServer,
) -> None:
    ada = await Raw.join(live_server.ws_url, name="Ada")
    bob = await Raw.join(live_server.ws_url, name="Bob")
    me = ada.welcome["you"]["id"]
    assert ada.welcome["relay_only"] is True
    [turn] = ada.welcome["ice_servers"]
    first = _check(turn, me)
    [bobs] = bob.welcome["ice_servers"]
    assert bobs["username"] != turn["username"]  # each participant has their own
    # Before the first ones expire (the wait is generous, not slept).
    fresh = await ada.expect("ice-servers")
    second = _check(fresh["ice_servers"][0], me)
    assert second > first
    again = await ada.expect("ice-servers")  # and so on, for as long as the meeting lasts
    assert _check(again["ice_servers"][0], me) > second


async def test_the_pre_join_page_learns_that_addresses_can_be_hidden(
    live_server: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        config = (await http.get("/config.json")).json()
    assert config == {
        "human_check": False,
        "turn": True,
        "relay_only": True,
        "hand_lower_after": 5.0,
    }
