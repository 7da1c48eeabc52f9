"""web/dialogues/codes.js is the API's refusal codes as the dialogue pages read them:
never stale."""

import json
import subprocess
from pathlib import Path

from frankly.api.codes_js import render
from frankly.api.errors import STATUS, ApiCode
from frankly.dialogues.errors import DialogueCode

CODES_JS = Path(__file__).resolve().parents[2] / "frankly" / "web" / "dialogues" / "codes.js"


def test_checked_in_codes_js_is_what_the_api_renders() -> None:
    assert CODES_JS.read_text(encoding="utf-8") == render(), (
        "frankly/web/dialogues/codes.js is stale: run scripts/gen-wire-js"
    )


def test_the_browser_reads_the_same_codes() -> None:
    # Node evaluates the module itself, so a rendering bug that still parses shows here.
    script = (
        "const c = await import(process.argv[1]);"
        "console.log(JSON.stringify({codes: c.ApiCode, status: c.STATUS}))"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, CODES_JS.as_uri()],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = json.loads(out)
    assert seen["codes"] == {c.name: c.value for c in [*DialogueCode, *ApiCode]}
    assert seen["codes"]["NOT_INVITED"] == "not-invited"
    assert seen["status"] == {str(code): status for code, status in STATUS.items()}
