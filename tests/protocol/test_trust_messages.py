"""Schemas of the issue-5 messages: hosts, lobby, moderation, hands, reactions."""

import json

import pytest

from frankly.protocol import Close, Code, ProtocolError
from frankly.protocol.messages import (
    MODERATION,
    REACTIONS,
    Hello,
    Invite,
    Moderate,
    React,
    Settings,
    Update,
    parse,
)


def refused(frame: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse(frame)
    return info.value


def test_old_hellos_still_parse_and_new_fields_are_optional() -> None:
    msg = parse('{"type": "hello", "version": 1, "room": "r", "name": "Ada"}')
    assert isinstance(msg, Hello)
    assert (msg.invite, msg.password, msg.proof, msg.device) == (None, None, None, None)
    full = parse(
        json.dumps(
            {
                "type": "hello",
                "version": 1,
                "room": "r",
                "name": "Ada",
                "invite": "t.o.k",
                "password": "s3cret",
                "proof": "eyJ9",
                "device": "d-1",
            }
        )
    )
    assert isinstance(full, Hello) and full.device == "d-1" and full.password == "s3cret"


def test_settings_keep_what_was_given_and_null_clears_the_password() -> None:
    msg = parse('{"type": "settings", "password": null}')
    assert isinstance(msg, Settings) and msg.model_fields_set == {"type", "password"}
    lobby = parse('{"type": "settings", "lobby": true, "locked": false}')
    assert isinstance(lobby, Settings) and lobby.lobby is True and lobby.locked is False


def test_every_action_and_reaction_parses() -> None:
    for action in MODERATION:
        msg = parse(json.dumps({"type": "moderate", "action": action, "id": "p-1"}))
        assert isinstance(msg, Moderate) and msg.action == action
    for emoji in REACTIONS:
        msg = parse(json.dumps({"type": "react", "emoji": emoji}))
        assert isinstance(msg, React) and msg.emoji == emoji


def test_invite_defaults_to_a_participant_for_a_day() -> None:
    msg = parse('{"type": "invite"}')
    assert isinstance(msg, Invite) and (msg.role, msg.ttl) == ("participant", 86400)


def test_screen_update() -> None:
    msg = parse('{"type": "update", "screen": true, "screen_stream": "s-1"}')
    assert isinstance(msg, Update) and msg.screen and msg.screen_stream == "s-1"


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ('{"type": "settings"}', "settings: give 'lobby', 'locked' or 'password'"),
        ('{"type": "settings", "lobby": null}', "settings: field 'lobby' is true or false"),
        ('{"type": "settings", "locked": "yes"}', "settings: field 'locked': Input should be"),
        ('{"type": "settings", "password": ""}', "settings: field 'password': String should"),
        (
            json.dumps({"type": "settings", "password": "x" * 129}),
            "settings: field 'password': String should have at most 128",
        ),
        ('{"type": "admit"}', "admit: field 'id' is required"),
        ('{"type": "deny", "id": 5}', "deny: field 'id': Input should be a valid string"),
        (
            '{"type": "moderate", "action": "ban", "id": "p-1"}',
            "moderate: field 'action': Input should be 'mute'",
        ),
        ('{"type": "end", "why": "x"}', "end: unknown field 'why'"),
        ('{"type": "hand"}', "hand: field 'up' is required"),
        ('{"type": "hand", "up": 1}', "hand: field 'up': Input should be a valid boolean"),
        ('{"type": "react", "emoji": "💩"}', "react: field 'emoji': Input should be '👍'"),
        ('{"type": "invite", "role": "admin"}', "invite: field 'role': Input should be 'host'"),
        ('{"type": "invite", "ttl": 59}', "invite: field 'ttl': Input should be greater than"),
        ('{"type": "invite", "ttl": 2592001}', "invite: field 'ttl': Input should be less than"),
        ('{"type": "update", "audio": true, "screen_stream": "s"}', "update: 'screen_stream'"),
        (
            '{"type": "hello", "version": 1, "room": "r", "name": "A", "device": ""}',
            "hello: field 'device': String should have at least 1 character",
        ),
    ],
)
def test_refusals_name_the_problem(frame: str, message: str) -> None:
    err = refused(frame)
    assert err.code is Code.INVALID_MESSAGE
    assert err.message.startswith(message), err.message
    assert err.close_code is None


@pytest.mark.parametrize(
    ("code", "close"),
    [
        (Code.INVITE_EXPIRED, Close.NOT_ALLOWED_IN),
        (Code.INVITE_WRONG_ROOM, Close.NOT_ALLOWED_IN),
        (Code.INVITE_INVALID, Close.NOT_ALLOWED_IN),
        (Code.DENIED, Close.NOT_ALLOWED_IN),
        (Code.REMOVED, Close.NOT_ALLOWED_IN),
        (Code.PASSWORD_REQUIRED, Close.CREDENTIALS_REFUSED),
        (Code.WRONG_PASSWORD, Close.CREDENTIALS_REFUSED),
        (Code.HUMAN_CHECK_REQUIRED, Close.CREDENTIALS_REFUSED),
        (Code.HUMAN_CHECK_FAILED, Close.CREDENTIALS_REFUSED),
        (Code.TOO_MANY_ATTEMPTS, Close.FLOODING),
        (Code.NOT_HOST, None),
        (Code.NOT_ALLOWED, None),
        (Code.UNKNOWN_KNOCK, None),
    ],
)
def test_close_codes_of_the_new_refusals(code: Code, close: Close | None) -> None:
    assert ProtocolError(code, "x").close_code == close


def test_rate_limited_is_fatal_only_when_said_so() -> None:
    assert ProtocolError(Code.RATE_LIMITED, "x").close_code is None
    assert ProtocolError(Code.RATE_LIMITED, "x", close=Close.FLOODING).close_code == 4429
    assert (Close.CREDENTIALS_REFUSED, Close.NOT_ALLOWED_IN, Close.ENDED) == (4401, 4403, 4410)
