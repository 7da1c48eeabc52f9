"""`frankly bench fuzz`: generated messages of every type against the real server.

Each case opens a WebSocket to a server on a loopback port (in this process,
on its own thread), maybe says a valid hello, sends one to three generated
frames (messages of every type with plausible and hostile field values, raw
text, binary, deep nesting), then a ping. The server must answer every frame
with valid replies or a documented error (docs/protocol.md), and then the
pong or a documented close code: never 1011, a traceback in its log, a
silence, or a socket dropped without a close code.

The same cases, a few hundred with a fixed seed, run in `make test`
(tests/server/test_fuzz.py); this command runs many more and reports what
failed. Needs hypothesis (the `test` extra).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

import websockets
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection

from frankly.protocol import messages
from frankly.protocol.errors import Close, Code
from frankly.server.background import BackgroundServer
from frankly.server.config import ServerConfig

WAIT = 5.0  # seconds a reply may take before the case fails
CODES = {code.value for code in Code}
# Close codes docs/protocol.md names: ours, and the WebSocket ones the server
# sends (1007: a text frame that is not UTF-8, refused by the WebSocket layer).
CLOSES = {code.value for code in Close} | {1000, 1007, 1009, 1013}

# --- what is sent --------------------------------------------------------

ODD_TEXT = st.sampled_from(
    ["", " ", "é", "é" * 65, "\ud800", "\udfff x", "\U0001d54f" * 70, "a" * 4097, "\x00", "null"]
)
TEXT = st.one_of(st.text(max_size=40), ODD_TEXT)
# Stand-ins replaced when a case is sent: its own room, its own participant id.
ROOM, ME = "@ROOM@", "@ME@"
PEER = st.one_of(st.sampled_from([ME, ME, "p-0123456789", "k-0123456789", ""]), TEXT)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_ANY = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DESCRIPTION = st.fixed_dictionaries(
    {"type": st.sampled_from(["offer", "answer", "rollback", "pranswer"])},
    optional={"sdp": st.one_of(TEXT, st.just("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"))},
)
CANDIDATE = st.fixed_dictionaries(
    {"candidate": TEXT},
    optional={"sdpMid": st.one_of(st.none(), TEXT), "sdpMLineIndex": st.integers(-1, 9)},
)
# A human-check solution as the web client sends it: base64 of JSON (ALTCHA).
PROOF = st.fixed_dictionaries(
    {
        "algorithm": st.one_of(st.just("SHA-256"), st.just("SHA-256"), TEXT, JSON_LEAF),
        "challenge": st.one_of(st.text(alphabet="0123456789abcdef", max_size=64), TEXT, JSON_LEAF),
        "number": st.one_of(st.integers(-1, 10**6), st.integers(-1, 10**6), JSON_LEAF),
        "salt": st.one_of(st.just("abc?expires=9999999999"), TEXT, TEXT, JSON_LEAF),
        "signature": st.one_of(TEXT, TEXT, JSON_LEAF),
    }
).map(lambda proof: base64.b64encode(json.dumps(proof).encode()).decode())
# Plausible values for each field name the schemas use.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "version": st.sampled_from([1, 0, 2, -1, 2**64]),
    "room": st.one_of(st.sampled_from([ROOM, ROOM, "r", "x" * 64, "x" * 65, "../r"]), TEXT),
    "name": TEXT,
    "resume": TEXT,
    "invite": st.one_of(TEXT, st.just("eyJhbGciOiJIUzI1NiJ9.e30.x")),
    "password": TEXT,
    "proof": st.one_of(TEXT, PROOF),
    "device": TEXT,
    "screen_stream": TEXT,
    "to": PEER,
    "id": PEER,
    "description": DESCRIPTION,
    "candidate": CANDIDATE,
    "text": TEXT,
    "sealed": st.one_of(st.sampled_from(["AAAA", "AA==", "A" * 22001]), TEXT),
    "payload": st.dictionaries(st.text(max_size=8), JSON_ANY, max_size=4),
    "n": st.one_of(st.none(), st.integers(-(2**70), 2**70)),
    "pc": st.sampled_from(["publish", "subscribe", "other"]),
    "height": st.integers(-1, 5000),
    "action": st.one_of(st.sampled_from(messages.MODERATION), TEXT),
    "emoji": st.one_of(st.sampled_from(messages.REACTIONS), TEXT),
    "role": st.sampled_from(["host", "participant", "guest", "admin"]),
    "ttl": st.integers(0, 2**40),
    "pair": st.one_of(st.just(["en", "ru"]), st.lists(TEXT, max_size=3)),
    "into": st.sampled_from(["en", "ru", "xx", "EN", ""]),
    "channel": st.sampled_from(["floor", "en", "ru", "xx", "Floor"]),
    "interpret": st.one_of(st.none(), st.just(["en", "ru"])),
    "track": TEXT,
    "language": st.sampled_from(["en", "ru", "pt-BR", "EN", "", "english"]),
}
BOOLEAN_FIELDS = ("audio", "video", "screen", "lobby", "locked", "up", "on", "transcript")


def value_for(name: str) -> st.SearchStrategy[Any]:
    plausible = st.booleans() if name in BOOLEAN_FIELDS else PLAUSIBLE.get(name, JSON_ANY)
    return st.one_of(plausible, plausible, plausible, JSON_ANY)


# Every message type a client may send, and its schema.
SCHEMAS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["type"].annotation)[0]: model
    for model in get_args(messages.ClientMessage)
}
# A valid message of each type, for cases that change only a field or two of
# one, so that they get past the schema to the handlers.
VALID: dict[str, dict[str, Any]] = {
    "hello": {"version": 1, "room": ROOM, "name": "Fuzz"},
    "update": {"audio": True},
    "signal": {"to": ME, "candidate": {"candidate": ""}},
    "chat": {"text": "hi"},
    "e2ee": {"to": ME, "payload": {"kind": "commit"}},
    "ping": {},
    "leave": {},
    "sfu": {"pc": "publish", "description": {"type": "offer", "sdp": "v=0\r\n"}},
    "sfu-restart": {},
    "view": {"id": ME, "height": 360},
    "settings": {"lobby": True},
    "admit": {"id": "k-0123456789"},
    "deny": {"id": "k-0123456789"},
    "moderate": {"action": "mute", "id": ME},
    "end": {},
    "hand": {"up": True},
    "react": {"emoji": messages.REACTIONS[0]},
    "invite": {},
    "revoke": {"id": "i-0123456789abcdef"},
    "interpreter": {"id": ME, "pair": ["en", "ru"]},
    "interpret": {"into": "ru"},
    "handover": {},
    "listen": {"channel": "floor"},
    "booth-chat": {"sealed": {ME: "AAAA"}},
    "captions": {"on": True},
    "caption": {"sealed": "AAAA"},
    "transcript-line": {
        "speaker": ME,
        "line": 0,
        "text": "x",
        "language": "en",
        "start": 0,
        "end": 1,
    },
}


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    """A message of any type: its fields plausible, hostile, missing or extra.

    Half start from a valid one (VALID) and change each field with odds of one
    in three; the others draw every field afresh, or leave it out.
    """
    kind = draw(st.sampled_from(sorted(SCHEMAS)))
    fields = [name for name in SCHEMAS[kind].model_fields if name != "type"]
    out: dict[str, Any] = {"type": kind}
    near_valid = draw(st.booleans())
    if near_valid:
        out.update(VALID[kind])
    for name in fields:
        if draw(st.integers(0, 2)) == 0 if near_valid else draw(st.booleans()):
            out[name] = draw(value_for(name))
    if draw(st.integers(0, 9)) == 0:
        out[draw(st.text(max_size=8))] = draw(JSON_ANY)
    if draw(st.integers(0, 19)) == 0:
        out["type"] = draw(st.one_of(JSON_LEAF, st.sampled_from(["error", "welcome", "Hello"])))
    return out


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


FRAME: st.SearchStrategy[str | bytes] = st.one_of(
    message().map(json.dumps),
    message().map(lambda m: json.dumps(m, ensure_ascii=False)),
    st.text(max_size=64),
    st.binary(max_size=64),
    st.integers(1, 100_000).map(lambda d: '{"type": "ping", "n": ' + nested(d) + "}"),
    st.sampled_from(["", "{}", "[]", "null", '{"type": null}', '{"type": "ping"']),
)


@dataclass(frozen=True)
class Case:
    # Against the server with a human check (where `proof` is read), else the plain one.
    human: bool
    hello: bool  # join a fresh room first, so that joined-only handlers run too
    # Send the frames from a second connection, the first staying in the room
    # (what a stranger can do to a room with someone in it).
    other: bool
    frames: list[str | bytes]


CASES = st.builds(
    Case, st.booleans(), st.booleans(), st.booleans(), st.lists(FRAME, min_size=1, max_size=3)
)

# --- what must come back ---------------------------------------------------


# uvicorn's own line for a text frame that is not UTF-8, logged with a
# traceback; it then closes with 1007 or drops the socket. Not Frankly's code.
UVICORN_INVALID_UTF8 = "Invalid UTF-8 sequence received from client."


def not_utf8(frame: str | bytes) -> bool:
    try:
        if isinstance(frame, str):
            frame.encode()
    except UnicodeEncodeError:
        return True
    return False


class Failure(AssertionError):
    """The server answered a case in a way docs/protocol.md does not allow."""


def check_reply(raw: str | bytes) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise Failure(f"a binary frame came back: {raw[:40]!r}")
    reply = json.loads(raw)
    if not isinstance(reply, dict) or not isinstance(reply.get("type"), str):
        raise Failure(f"a reply without a type: {raw[:200]}")
    if reply["type"] == "error":
        if reply.get("code") not in CODES:
            raise Failure(f"an error code docs/protocol.md does not name: {raw[:200]}")
        if not isinstance(reply.get("message"), str) or not reply["message"]:
            raise Failure(f"an error without a message: {raw[:200]}")
        # Documented, but it means a handler failed: a bug of ours (its log is
        # rate-limited, so the reply is what shows every such case).
        if reply["code"] == Code.INTERNAL_ERROR:
            raise Failure(f"a handler failed (internal-error): {raw[:200]}")
    return reply


class ServerErrors(logging.Handler):
    """Errors the server logged (tracebacks of the ASGI app among them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _no_captions(hub: Any) -> None:
    hub.captions_missing = lambda: "captions are not installed here (fuzzing)"


@dataclass
class Harness:
    """One server for many cases; `run(case)` raises Failure on a wrong answer."""

    server: BackgroundServer = field(init=False)
    human: BackgroundServer = field(init=False)
    errors: ServerErrors = field(default_factory=ServerErrors)
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    tried: int = 0
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def __enter__(self) -> Harness:
        # No grace: rooms of finished cases go at once. Loopback is exempt from
        # per-address limits, so a thousand hellos are not refused for pace.
        self.server = BackgroundServer(ServerConfig(grace=0.0)).start()
        self.human = BackgroundServer(ServerConfig(grace=0.0, human_check=True)).start()
        for server in (self.server, self.human):
            # A host's `captions` is answered, but starts no captioner process per case.
            server.call(functools.partial(_no_captions, server.hub))
        for name in ("uvicorn.error", "frankly"):
            logging.getLogger(name).addHandler(self.errors)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in ("uvicorn.error", "frankly"):
            logging.getLogger(name).removeHandler(self.errors)
        self.server.stop()
        self.human.stop()
        self.loop.close()

    def run(self, case: Case) -> None:
        self.tried += 1
        before = len(self.errors.records)
        try:
            self.loop.run_until_complete(asyncio.wait_for(self._run(case), WAIT * 3))
        except TimeoutError:
            raise Failure("the case did not finish in time") from None
        logged = [
            record
            for record in self.errors.records[before:]
            if record.getMessage() != UVICORN_INVALID_UTF8
        ]
        if logged:
            first = logged[0]
            detail = logging.Formatter().format(first).splitlines()[-1]
            what = first.getMessage().strip()
            raise Failure(f"the server logged an error: {what} ({detail})")

    async def _run(self, case: Case) -> None:
        number = next(self._numbers)
        room, me = f"fuzz{number}", "p-0000000000"
        server = self.human if case.human else self.server
        ws = await websockets.connect(server.ws_url, max_size=None)
        first: ClientConnection | None = None
        try:
            if case.hello and not case.human:  # there a hello needs a solved proof
                hello = {"type": "hello", "version": 1, "room": room, "name": "Fuzz"}
                await ws.send(json.dumps(hello))
                welcome = await self._until(ws, lambda r: r["type"] in ("welcome", "error"))
                if welcome["type"] != "welcome":
                    raise Failure("a valid hello was not welcomed")
                me = welcome["you"]["id"]
                if case.other:
                    first, ws = ws, await websockets.connect(server.ws_url, max_size=None)
            token = -number - 1
            try:
                for frame in case.frames:
                    await _send(ws, fill(frame, room, me))
                await ws.send(json.dumps({"type": "ping", "n": token}))
            except websockets.ConnectionClosed:
                pass  # closed by the server: _until reads why
            dropped_ok = any(not_utf8(frame) for frame in case.frames)
            await self._until(ws, lambda r: r["type"] == "pong" and r.get("n") == token, dropped_ok)
        finally:
            await ws.close()
            if first is not None:
                await first.close()

    async def _until(
        self, ws: ClientConnection, done: Any, dropped_ok: bool = False
    ) -> dict[str, Any]:
        """Read checked replies until `done(reply)`; a documented close ends it too."""
        try:
            async with asyncio.timeout(WAIT):
                while True:
                    reply = check_reply(await ws.recv())
                    if done(reply):
                        return reply
        except TimeoutError:
            raise Failure(f"no answer within {WAIT:g} s") from None
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            if code not in CLOSES and not (dropped_ok and code is None):
                raise Failure(f"closed with {code}, which docs/protocol.md does not name") from None
            return {"type": "closed", "code": code}


def fill(frame: str | bytes, room: str, me: str) -> str | bytes:
    if isinstance(frame, bytes):
        return frame
    return frame.replace(ROOM, room).replace(ME, me)


async def _send(ws: ClientConnection, frame: str | bytes) -> None:
    """Send as generated; text that is not UTF-8 (lone surrogates) as the raw bytes
    of a text frame, as a hostile client could."""
    if isinstance(frame, str):
        try:
            frame.encode()
        except UnicodeEncodeError:
            await ws.send(frame.encode("utf-8", "surrogatepass"), text=True)
            return
    await ws.send(frame)


# --- the command -----------------------------------------------------------


def run(cases: int = 5000, seed_value: int = 0) -> int:
    """Try `cases` cases; print what was tried and what failed; return failures."""
    failures: dict[str, tuple[int, Case]] = {}
    with Harness() as harness:

        @seed(seed_value)
        @settings(
            max_examples=cases,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(CASES)
        def one(case: Case) -> None:
            try:
                harness.run(case)
            except Failure as failure:
                count, first = failures.get(str(failure), (0, case))
                failures[str(failure)] = (count + 1, first)

        one()
        tried = harness.tried
    total = sum(count for count, _ in failures.values())
    print(f"cases tried: {tried}")
    print(f"failures: {total} ({len(failures)} distinct)")
    for text, (count, case) in sorted(failures.items(), key=lambda item: -item[1][0]):
        frames = [frame[:120] for frame in case.frames]
        print(f"- {count} x {text}\n    first: hello={case.hello} frames={frames!r}")
    return total
