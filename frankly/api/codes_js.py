"""Renders the API's refusal codes as an ES module for the dialogue pages.

`web/dialogues/codes.js` is generated, like `web/wire.js` for the signaling
protocol: `scripts/gen-wire-js` writes both, and tests/api/test_codes_js.py
fails when the checked-in copy is stale. A page branches on `code` (never on
a message or an HTTP status), so every code it names comes from here: the
rules' (frankly/dialogues/errors.py) and the API's own (frankly/api/errors.py).
"""

from __future__ import annotations

import json

from frankly.api.errors import STATUS, ApiCode
from frankly.dialogues.errors import DialogueCode

HEADER = (
    "// Generated from frankly/api/errors.py and frankly/dialogues/errors.py by\n"
    "// scripts/gen-wire-js; do not edit. The REST API's refusal codes (docs/api.md).\n"
)


def _js(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def codes() -> dict[str, str]:
    """Every code by its name in the Python enums: NOT_INVITED -> "not-invited"."""
    return {c.name: c.value for c in [*DialogueCode, *ApiCode]}


def render() -> str:
    named = "".join(f"  {name}: {_js(value)},\n" for name, value in codes().items())
    statuses = "".join(f"  {_js(str(code))}: {status},\n" for code, status in STATUS.items())
    return (
        f"{HEADER}\n"
        "/** Every code the API refuses with, by name. */\n"
        f"export const ApiCode = Object.freeze({{\n{named}}});\n\n"
        "/** The HTTP status that comes with each code. */\n"
        f"export const STATUS = Object.freeze({{\n{statuses}}});\n"
    )
