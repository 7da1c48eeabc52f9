import json

import pytest

from frankly.protocol import Code, ProtocolError
from frankly.protocol.messages import MAX_FRAME, Hello, Signal, parse, room_name_ok


def refused(frame: str | bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse(frame)
    return info.value


def test_hello_with_defaults() -> None:
    msg = parse('{"type": "hello", "version": 1, "room": "r", "name": "  Ada "}')
    assert msg == Hello(type="hello", version=1, room="r", name="Ada")
    assert msg.audio and msg.video and msg.resume is None


@pytest.mark.parametrize(
    ("frame", "code", "message"),
    [
        ("{bad", Code.BAD_JSON, "not valid JSON: Expecting property name enclosed in double"),
        (b'{"type": "ping"}', Code.BAD_JSON, "frames must be JSON text, not binary"),
        ("[1, 2]", Code.BAD_JSON, "a message must be a JSON object"),
        ('{"n": 1}', Code.UNKNOWN_TYPE, "unknown message type None"),
        ('{"type": "dance"}', Code.UNKNOWN_TYPE, "unknown message type 'dance'"),
        ('{"type": 7}', Code.UNKNOWN_TYPE, "unknown message type 7"),
        (
            '{"type": "hello", "version": 1, "room": "r"}',
            Code.INVALID_MESSAGE,
            "hello: field 'name' is required",
        ),
        (
            '{"type": "hello", "version": 1, "room": "r", "name": ""}',
            Code.INVALID_MESSAGE,
            "hello: field 'name': String should have at least 1 character",
        ),
        (
            '{"type": "hello", "version": "1", "room": "r", "name": "A"}',
            Code.INVALID_MESSAGE,
            "hello: field 'version': Input should be a valid integer",
        ),
        (
            '{"type": "update", "audio": "yes"}',
            Code.INVALID_MESSAGE,
            "update: field 'audio': Input should be a valid boolean",
        ),
        (
            '{"type": "update"}',
            Code.INVALID_MESSAGE,
            "update: give at least one of 'audio', 'video' and 'screen'",
        ),
        (
            '{"type": "chat", "text": "   "}',
            Code.INVALID_MESSAGE,
            "chat: field 'text': String should have at least 1 character",
        ),
        (
            '{"type": "chat", "text": "hi", "to": "x"}',
            Code.INVALID_MESSAGE,
            "chat: unknown field 'to'",
        ),
        (
            '{"type": "signal", "to": "p"}',
            Code.INVALID_MESSAGE,
            "signal: give exactly one of 'description' and 'candidate'",
        ),
        (
            '{"type": "signal", "to": "p", "description": {"type": "pranswer", "sdp": ""}}',
            Code.INVALID_MESSAGE,
            "signal: field 'description.type': Input should be 'offer'",
        ),
    ],
)
def test_refusals_name_the_problem(frame: str | bytes, code: Code, message: str) -> None:
    err = refused(frame)
    assert err.code is code
    assert err.message.startswith(message)
    assert err.close_code is None


def test_too_large_is_refused_before_parsing() -> None:
    frame = json.dumps({"type": "chat", "text": "x" * MAX_FRAME})
    err = refused(frame)
    assert (err.code, err.message) == (Code.TOO_LARGE, "message is over 65536 bytes")


def test_chat_text_limit() -> None:
    assert refused(json.dumps({"type": "chat", "text": "x" * 4001})).code is Code.INVALID_MESSAGE
    assert parse(json.dumps({"type": "chat", "text": "x" * 4000}))


def test_end_of_candidates_is_a_candidate_signal() -> None:
    msg = parse('{"type": "signal", "to": "p", "candidate": null}')
    assert isinstance(msg, Signal) and msg.candidate is None and msg.description is None


def test_candidate_keeps_fields_browsers_add() -> None:
    msg = parse(
        '{"type": "signal", "to": "p", "candidate": {"candidate": "c", "sdpMid": "0",'
        ' "sdpMLineIndex": 0, "usernameFragment": "u"}}'
    )
    assert isinstance(msg, Signal) and msg.candidate is not None
    assert msg.model_dump(exclude_unset=True)["candidate"]["usernameFragment"] == "u"


@pytest.mark.parametrize("name", ["a", "team-sync_2", "x" * 64, "ABC-def-123"])
def test_room_names_allowed(name: str) -> None:
    assert room_name_ok(name)


@pytest.mark.parametrize("name", ["", "x" * 65, "a b", "a/b", "é", "a.b", "a\n"])
def test_room_names_refused(name: str) -> None:
    assert not room_name_ok(name)
