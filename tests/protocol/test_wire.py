"""web/wire.js is the protocol's words as the browser reads them: never stale."""

import json
import subprocess
from pathlib import Path

from frankly.protocol import words
from frankly.protocol.errors import FINAL_CLOSE_CODES, Close
from frankly.protocol.wire import render

WIRE_JS = Path(__file__).resolve().parents[2] / "frankly" / "web" / "wire.js"


def test_checked_in_wire_js_is_what_the_protocol_renders() -> None:
    assert WIRE_JS.read_text(encoding="utf-8") == render(), (
        "frankly/web/wire.js is stale: run scripts/gen-wire-js"
    )


def test_the_browser_reads_the_same_values() -> None:
    # Node evaluates the module itself, so a rendering bug that still parses shows here.
    script = (
        "const w = await import(process.argv[1]);"
        "console.log(JSON.stringify({v: w.PROTOCOL_VERSION, close: w.Close,"
        " final: [...w.FINAL_CLOSE_CODES], reactions: w.REACTIONS, roles: w.ROLES,"
        " screen: w.SCREEN_SUFFIX, fatal: w.FATAL}))"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, WIRE_JS.as_uri()],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = json.loads(out)
    assert seen["v"] == words.PROTOCOL_VERSION
    assert seen["close"] == {c.name: int(c) for c in Close}
    assert sorted(seen["final"]) == sorted(FINAL_CLOSE_CODES)
    assert tuple(seen["reactions"]) == words.REACTIONS
    assert tuple(seen["roles"]) == words.ROLES
    assert seen["screen"] == words.SCREEN_SUFFIX
    assert seen["fatal"]["room-full"] == Close.ROOM_FULL


def test_a_timed_out_client_comes_back_and_no_other_closed_one_does() -> None:
    assert Close.TIMEOUT not in FINAL_CLOSE_CODES
    assert {Close.ENDED, Close.REPLACED, Close.NOT_ALLOWED_IN} <= FINAL_CLOSE_CODES
