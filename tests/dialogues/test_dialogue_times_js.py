"""The dialogue pages word a time exactly as the server does (frankly/dialogues/zones.py):
web/dialogues/times.js's timeLine, run under Node, against zones.render, across zones,
clock changes and day boundaries."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from frankly.dialogues import zones
from frankly.dialogues.model import Side

TIMES_JS = Path(__file__).resolve().parents[2] / "frankly" / "web" / "dialogues" / "times.js"
ZONES = ["Europe/Moscow", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


def test_the_page_and_the_server_word_every_time_alike() -> None:
    sides = [
        Side("s-1", "d-1", "Russian Federation", "Europe/Moscow", None),
        Side("s-2", "d-1", "United States", "America/New_York", None),
        Side("s-3", "d-1", "Observers", "Australia/Sydney", None),
    ]
    start = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    # Every 61 hours and 7 minutes through two years: each hour of the day, and both
    # clock changes of New York and Sydney, fall among them.
    instants = [start + timedelta(minutes=(61 * 60 + 7) * i) for i in range(290)]
    cases = [(at, viewer) for at in instants for viewer in ZONES]
    script = (
        "const t = await import(process.argv[1]);"
        "const cases = JSON.parse(process.argv[2]); const sides = JSON.parse(process.argv[3]);"
        "console.log(JSON.stringify(cases.map(([at, v]) => t.timeLine(at, v, sides))))"
    )
    shown = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            script,
            TIMES_JS.as_uri(),
            json.dumps([[at.isoformat().replace("+00:00", "Z"), v] for at, v in cases]),
            json.dumps([{"zone": s.zone} for s in sides]),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page = json.loads(shown)
    server = [zones.render(at, viewer, sides) for at, viewer in cases]
    mismatches = [(c, p, s) for c, p, s in zip(cases, page, server, strict=True) if p != s]
    assert not mismatches, mismatches[:5]
