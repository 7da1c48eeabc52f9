"""`frankly serve`'s log: one line per join, leave, refusal and move to the SFU, as text
or as JSON, and never a passphrase, a chat text, a token, a key or a room's name."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from frankly.server.logs import JsonFormatter, room_tag
from tests.conftest import LiveServer
from tests.server.test_serve import free_port
from tests.server.wsclient import Raw
from tests.waiting import wait_until

ROOM = "board-of-directors-2027"
PASSPHRASE = "correct horse battery staple"
CHAT = "the merger closes on friday, tell nobody"
KEY = "bm90LWEtcmVhbC1rZXktYnV0LWEtc2VjcmV0LW9uZQ"
NAMES = ("Ada Lovelace", "Grace Hopper", "Edsger Dijkstra")


@pytest.fixture(params=["text", "json"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    port, log = free_port(), tmp_path / "log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "frankly", "serve", "--port", str(port),
             "--data-dir", str(tmp_path / "data"), "--log-format", request.param],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                answer = httpx.get(f"{url}/readyz")
            except httpx.TransportError:
                return False
            assert answer.status_code == 200, answer.text
            return True

        try:
            wait_until(ready, 60, "the server answers /readyz")
            yield request.param, url, log
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(10)


async def hold_a_meeting(ws_url: str) -> list[str]:
    """A meeting with a passphrase, chat, an invite and key exchange, a wrong guess, and a
    third person who moves it to the SFU; the secrets it used, which must not be logged."""
    ada = await Raw.join(ws_url, room=ROOM, name=NAMES[0])
    await ada.send({"type": "settings", "password": PASSPHRASE})
    await ada.expect("settings")
    await ada.send({"type": "chat", "text": CHAT})
    await ada.expect("chat")
    await ada.send({"type": "invite", "role": "guest", "ttl": 120})
    token = (await ada.expect("invite"))["token"]
    guesser = await Raw.hello(ws_url, room=ROOM, name="Mallory", password=PASSPHRASE + "!")
    await guesser.refused("wrong-password", 4401)
    grace = await Raw.join(ws_url, room=ROOM, name=NAMES[1], invite=token)
    await ada.send({"type": "e2ee", "to": grace.welcome["you"]["id"], "payload": {"key": KEY}})
    await grace.expect("e2ee")
    edsger = await Raw.join(ws_url, room=ROOM, name=NAMES[2], password=PASSPHRASE)
    assert edsger.welcome["mode"] == "sfu"
    for person in (ada, grace, edsger):
        await person.send({"type": "leave"})
        await person.closed()
    resumes = [p.welcome["resume"] for p in (ada, grace, edsger)]
    return [PASSPHRASE, CHAT, token, token[-20:], KEY, *resumes]


async def test_a_meeting_logs_its_events_and_none_of_its_secrets(
    served: tuple[str, str, Path],
) -> None:
    log_format, url, log = served
    secrets = await hold_a_meeting(url.replace("http", "ws") + "/ws")
    tag = room_tag(ROOM)
    wait_until(lambda: len(events(log, log_format)) == 8, 10, "eight events are logged")
    text = log.read_text()
    for secret in [*secrets, ROOM, *NAMES, "Mallory"]:
        assert secret not in text, secret
    assert "connection open" not in text  # uvicorn's chatter: the events say more
    found = events(log, log_format)
    assert [(e, f.get("code"), f.get("reason")) for e, f in found] == [
        ("joined", None, None),
        ("refused", "wrong-password", None),
        ("joined", None, None),
        ("joined", None, None),
        ("to-sfu", None, None),
        ("left", None, "left"),
        ("left", None, "left"),
        ("left", None, "left"),
    ]
    assert {f["room"] for _, f in found} == {tag}
    assert found[0][1]["role"] == "host" and found[2][1]["role"] == "guest"
    assert found[4][1]["participants"] in (3, "3")


def events(log: Path, log_format: str) -> list[tuple[str, dict[str, object]]]:
    """The event lines of the log, as (event, fields), either format."""
    out: list[tuple[str, dict[str, object]]] = []
    for line in log.read_text().splitlines():
        if log_format == "json":
            if line.startswith("Frankly is running."):
                continue  # the start banner, printed before logging is set up
            entry = json.loads(line)
            assert {"time", "level", "event", "fields"} <= entry.keys()
            if entry["event"] != "log":
                out.append((entry["event"], entry["fields"]))
        else:
            words = line.split()
            if len(words) > 2 and words[0] == "INFO:" and "=" in words[2]:
                fields = dict(word.split("=", 1) for word in words[2:])
                out.append((words[1], fields))
    return out


def test_the_json_formatter_writes_one_object_a_line_with_the_secret_redacted() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, 'GET %s "x\ny"', ("/r?invite=abc.def",), None
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == 'GET /r?invite=[redacted] "x\ny"'
    assert (entry["level"], entry["event"], entry["fields"]) == ("info", "log", {})


async def test_an_end_and_a_close_for_misbehaviour_are_one_line_each(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "frankly.events")
    ada = await Raw.join(live_server.ws_url, room=ROOM, name=NAMES[0])
    grace = await Raw.join(live_server.ws_url, room=ROOM, name=NAMES[1])
    for _ in range(live_server.hub.config.max_errors):
        await grace.send({"type": "chat"})  # no text: invalid, each one
    assert await grace.closed() == 4422
    await ada.send({"type": "end"})
    assert await ada.closed() == 4410
    lines = [(r.event, r.fields) for r in caplog.records if r.name == "frankly.events"]  # type: ignore[attr-defined]
    closed = [fields for name, fields in lines if name == "closed"]
    ended = [fields for name, fields in lines if name == "ended"]
    assert [f["code"] for f in closed] == ["protocol-violation"]
    assert closed[0]["room"] == room_tag(ROOM)
    assert len(ended) == 1 and ended[0]["by"] == ada.welcome["you"]["id"]
