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
            "update: give at least one of 'audio', 'video', 'screen' and 'language'",
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


@pytest.mark.parametrize(
    "name",
    ["", "x" * 65, "a b", "a/b", "é", "a.b", "a\n", "api", "API", "ws", "static", "dialogues"],
)
def test_room_names_refused(name: str) -> None:
    assert not room_name_ok(name)


def hello_named(name: str) -> str:
    return json.dumps({"type": "hello", "version": 1, "room": "r", "name": name})


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Ada\x00", "a control character (U+0000)"),
        ("Ada\nGrace", "a control character (U+000A)"),
        ("Eve\u202egnp.exe", "a bidirectional control character (U+202E)"),
        ("\u2066Eve", "a bidirectional control character (U+2066)"),
        ("Ad\u200ba", "an invisible formatting character (U+200B)"),
        ("\ufeffAda", "an invisible formatting character (U+FEFF)"),
        ("Ada\u200d", "a zero-width joiner at either end (U+200D)"),
        ("Ada\u2028Grace", "a line break (U+2028)"),
    ],
)
def test_names_refuse_what_hides_or_reorders_text(name: str, problem: str) -> None:
    error = refused(hello_named(name))
    assert error.code is Code.INVALID_MESSAGE
    assert error.message == f"hello: field 'name': {problem} is not allowed in a name"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("  Cafe\u0301 ", "Caf\u00e9"),  # NFC, trimmed
        ("\U0001f469\u200d\U0001f4bb Ada", "\U0001f469\u200d\U0001f4bb Ada"),  # an emoji sequence
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
    ],
)
def test_names_are_normalised(name: str, kept: str) -> None:
    msg = parse(hello_named(name))
    assert isinstance(msg, Hello) and msg.name == kept


def test_deep_json_is_refused_before_python_gives_up() -> None:
    for depth in (33, 980, 20_000):
        error = refused("[" * depth + "]" * depth)
        assert (error.code, error.message) == (Code.BAD_JSON, "JSON nested deeper than 32 levels")
    payload = {"type": "e2ee", "to": "p-1", "payload": {"a": [[[1]]]}}
    assert parse(json.dumps(payload)).type == "e2ee"  # a few levels are fine


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_what_python_reads_but_json_does_not_is_refused(constant: str) -> None:
    error = refused('{"type": "e2ee", "to": "p-1", "payload": {"x": ' + constant + "}}")
    assert (error.code, error.message) == (Code.BAD_JSON, f"not valid JSON: {constant} is not JSON")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            '{"type": "interpreter", "id": "p-1", "pair": ["en", "en"]}',
            "interpreter: field 'pair': a language pair is two different languages",
        ),
        (
            '{"type": "interpreter", "id": "p-1", "pair": ["en"]}',
            "interpreter: field 'pair': List should have at least 2 items after validation, not 1",
        ),
        ('{"type": "interpreter", "id": "p-1"}', "interpreter: field 'pair' is required"),
        (
            '{"type": "interpreter", "id": "p-1", "pair": ["en", "Russian"]}',
            "interpreter: field 'pair.1': String should match pattern"
            " '^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$'",
        ),
        ('{"type": "interpret"}', "interpret: give 'into', 'track' or both"),
        (
            '{"type": "listen", "channel": "FLOOR"}',
            "listen: field 'channel': String should match pattern"
            " '^floor$|^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$'",
        ),
        (
            '{"type": "booth-chat", "sealed": {"p-1": "AA==", "p-2": "AA=="}}',
            "booth-chat: field 'sealed': Dictionary should have at most 1 item after"
            " validation, not more",
        ),
        (
            '{"type": "invite", "role": "guest", "interpret": ["en", "ru", "fr"]}',
            "invite: field 'interpret': List should have at most 2 items after validation, not 3",
        ),
    ],
)
def test_interpretation_messages_name_what_is_wrong(frame: str, message: str) -> None:
    error = refused(frame)
    assert (error.code, error.message) == (Code.INVALID_MESSAGE, message)


def test_languages_and_channels() -> None:
    assert parse('{"type": "listen", "channel": "pt-BR"}').channel == "pt-BR"  # type: ignore[union-attr]
    assert parse('{"type": "listen", "channel": "floor"}').channel == "floor"  # type: ignore[union-attr]
    pair = parse('{"type": "interpreter", "id": "p-1", "pair": ["zh-Hant", "en"]}')
    assert pair.pair == ["zh-Hant", "en"]  # type: ignore[union-attr]


def test_every_message_type_is_one_word_of_msg() -> None:
    """The server parses exactly CLIENT_TYPES, and each builder's type is one of SERVER_TYPES."""
    from frankly.protocol import messages as m
    from frankly.protocol.words import CLIENT_TYPES, SERVER_TYPES, Msg

    assert set(m._SCHEMAS) == CLIENT_TYPES
    assert set(Msg) == CLIENT_TYPES | SERVER_TYPES
    built = [
        m.pong(1),
        m.lobby_waiting("r", locked=False),
        m.knock_done("k", "left"),
        m.moderated("mute", "p"),
        m.ended("p"),
        m.reaction("p", "👍"),
        m.revoked("i"),
        m.listening("floor"),
        m.joined({}),
        m.updated({}),
        m.left("p", "left"),
        m.mode("sfu"),
        m.speaker("p"),
    ]
    for message in built:
        assert isinstance(message["type"], Msg) and message["type"] in SERVER_TYPES, message
