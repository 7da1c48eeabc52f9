"""Renders the protocol's words as an ES module for the web client.

`web/wire.js` is generated, not hand-written, so that the browser cannot
drift from the server: `scripts/gen-wire-js` writes it, and
tests/protocol/test_wire.py fails when the checked-in copy is stale. Checked
in rather than served, so that the web client stays plain files that tsc
checks and any static server can host.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from frankly.protocol import words
from frankly.protocol.errors import FATAL, FINAL_CLOSE_CODES, Close, Code

HEADER = (
    "// Generated from frankly/protocol/ by scripts/gen-wire-js; do not edit.\n"
    "// The protocol's words (docs/protocol.md), shared with the server and the SDK.\n"
)


def _js(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _frozen(name: str, doc: str, entries: Mapping[str, object]) -> str:
    # Keys are quoted: error codes such as "room-full" are not identifiers.
    body = "".join(f"  {_js(key)}: {_js(value)},\n" for key, value in entries.items())
    return f"/** {doc} */\nexport const {name} = Object.freeze({{\n{body}}});\n"


def _list(name: str, doc: str, values: tuple[str, ...]) -> str:
    return f"/** {doc} */\nexport const {name} = Object.freeze({_js(list(values))});\n"


def _const(name: str, doc: str, value: str) -> str:
    return f"/** {doc} */\nexport const {name} = {value};\n"


def render() -> str:
    codes = {c.name: c.value for c in Code}
    closes = {c.name: int(c) for c in Close}
    fatal = {c.value: int(close) for c, close in FATAL.items()}
    parts = [
        HEADER,
        _const("PROTOCOL_VERSION", "Sent in `hello`.", str(words.PROTOCOL_VERSION)),
        _frozen("Msg", "Every message type, either way.", {m.name: m.value for m in words.Msg}),
        _frozen("Code", "Error codes the server sends.", codes),
        _frozen("Close", "WebSocket close codes.", closes),
        _frozen(
            "FATAL",
            "The close code that follows each fatal error code.",
            fatal,
        ),
        _const(
            "FINAL_CLOSE_CODES",
            "Close codes after which a client does not reconnect.",
            f"new Set({_js(sorted(FINAL_CLOSE_CODES))})",
        ),
        _list("ROLES", "Roles the server gives.", words.ROLES),
        _list("INVITE_ROLES", "Roles a host's invite may give.", words.INVITE_ROLES),
        _frozen("Role", "The same roles, by name.", {r.upper(): r for r in words.ROLES}),
        _list("REACTIONS", "The reactions a room accepts.", words.REACTIONS),
        _list("MODERATION", "What a host can do to another.", words.MODERATION),
        _const("ROOM_PATTERN", "What a room's name may be.", _js(words.ROOM_PATTERN)),
        _list(
            "RESERVED_ROOMS",
            "The server's own paths: no room has their names.",
            words.RESERVED_ROOMS,
        ),
        _const("SCREEN_SUFFIX", "Suffix of a screen share's stream id.", _js(words.SCREEN_SUFFIX)),
        _const("FLOOR", "The channel of the original speech.", _js(words.FLOOR)),
        _const(
            "LANGUAGE_PATTERN", "What a channel's language may be.", _js(words.LANGUAGE_PATTERN)
        ),
        _const(
            "CHANNEL_SUFFIX",
            "Suffix of an interpreter's channel stream id.",
            _js(words.CHANNEL_SUFFIX),
        ),
        _list("CAPTIONS_STATES", "Where a room's captions are.", words.CAPTIONS_STATES),
        _const("CAPTIONER_NAME", "The server's captioner's name.", _js(words.CAPTIONER_NAME)),
        _const(
            "DEFAULT_SPEECH_LANGUAGE",
            "The language of a speaker who did not say theirs.",
            _js(words.DEFAULT_SPEECH_LANGUAGE),
        ),
    ]
    return "\n".join(parts)
