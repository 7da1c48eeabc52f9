"""`pip install .` gives a Frankly that serves everything from its own files,
on a machine without the checkout: the web client, the dialogue pages and the
database migrations come out of the wheel."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.packaging.installing import ROOT, Installed, clean_env
from tests.packaging.units import START_WITHIN, free_port
from tests.waiting import wait_until


def checkout_files(folder: str) -> set[str]:
    """Every file git keeps under `folder` of the checkout."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", folder], check=True, capture_output=True
    )
    return {name for name in listed.stdout.decode().split("\0") if name}


def test_the_wheel_holds_every_file_of_the_package(installed: Installed) -> None:
    """The web client (pages, modules, styles, workers), the migrations and
    their Alembic files, and every module: nothing the server reads is left behind."""
    with zipfile.ZipFile(installed.wheel) as wheel:
        held = set(wheel.namelist())
    wanted = checkout_files("frankly")
    assert wanted, "git lists the package's files"
    assert sorted(wanted - held) == []
    for name in (
        "frankly/web/index.html",
        "frankly/web/dialogue.html",
        "frankly/web/style.css",
        "frankly/web/dialogues/readouts.css",
        "frankly/web/e2ee/worker.js",
        "frankly/web/humancheck-worker.js",
        "frankly/web/ui/home.js",
        "frankly/storage/migrations/alembic.ini",
        "frankly/storage/migrations/script.py.mako",
        "frankly/storage/migrations/env.py",
        "frankly/storage/migrations/versions/0001_dialogues.py",
    ):
        assert name in held


@pytest.fixture
def served(installed: Installed, tmp_path: Path) -> Iterator[str]:
    """`frankly serve` of the installed wheel, started from an empty folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    command = [str(installed.bin / "frankly"), "serve", "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "data")]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=elsewhere, env=clean_env(), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(f"{url}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, START_WITHIN, "the installed server answers /healthz")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(10)


def test_the_installed_frankly_is_the_wheels_not_the_checkouts(
    installed: Installed, tmp_path: Path
) -> None:
    shown = subprocess.run(
        [
            str(installed.python),
            "-c",
            "import json, sys, frankly, frankly.server.app as app;"
            "print(json.dumps([frankly.__file__, str(app.WEB), sys.path]))",
        ],
        cwd=tmp_path,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    module, web, path = json.loads(shown.stdout)
    assert Path(module).is_relative_to(installed.venv)
    assert Path(web).is_relative_to(installed.venv)
    # The shared venv's site-packages (the dependencies) may sit inside the
    # checkout, as .venv does; nothing else of the checkout may be importable.
    deps = Path(sys.prefix).resolve()
    checkout = [Path(entry).resolve() for entry in path if entry]
    assert not [p for p in checkout if p.is_relative_to(ROOT) and not p.is_relative_to(deps)]


def test_the_installed_server_serves_the_client_and_the_dialogues(
    installed: Installed, served: str
) -> None:
    web = next(installed.venv.glob("lib/python*/site-packages/frankly/web"))
    page = httpx.get(f"{served}/")
    assert page.status_code == 200
    assert page.text == (web / "index.html").read_text()
    for path, kind in (
        ("/static/app.js", "javascript"),
        ("/static/e2ee/worker.js", "javascript"),
        ("/static/ui/meeting.js", "javascript"),
        ("/static/style.css", "text/css"),
    ):
        response = httpx.get(f"{served}{path}")
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], path
        assert response.content == (web / path.removeprefix("/static/")).read_bytes()
    dialogues = httpx.get(f"{served}/dialogues/new")
    assert dialogues.status_code == 200
    assert dialogues.text == (web / "dialogue.html").read_text()


def test_the_installed_server_migrates_its_database(served: str) -> None:
    """Founding a dialogue writes tables that only the shipped migrations make."""
    with httpx.Client(base_url=served) as ann:
        founded = ann.post(
            "/api/dialogues",
            json={
                "title": "Talks on strategic stability",
                "sides": [
                    {"name": "United States", "zone": "America/New_York"},
                    {"name": "Russian Federation", "zone": "Europe/Moscow"},
                ],
                "side": 0,
                "name": "Ann",
            },
        )
        assert founded.status_code == 201, founded.text
        read = ann.get(f"/api/dialogues/{founded.json()['id']}")
        assert read.status_code == 200, read.text
        assert read.json()["title"] == "Talks on strategic stability"
