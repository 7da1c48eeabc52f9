"""Reading the packaging files as their tools would: a systemd unit's keys,
and the `frankly serve` options a command line gives (checked against the
installed wheel's own `frankly serve --help`); and running such a command
line with the installed wheel, here."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.packaging.installing import Installed, clean_env
from tests.tlscerts import self_signed
from tests.waiting import wait_until

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"

# Starting imports the whole server (aiortc, FastAPI, ...): seconds on a busy machine.
START_WITHIN = 60.0


def unit_keys(path: Path) -> dict[str, list[str]]:
    """`Section.Key` -> its values in order (a key may repeat), comments dropped."""
    keys: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        keys.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return keys


def options(command: list[str]) -> dict[str, str | None]:
    """The `--name` options of a command line and the value after each (None for a flag)."""
    found: dict[str, str | None] = {}
    for i, word in enumerate(command):
        if word.startswith("--"):
            name, equals, value = word.partition("=")
            following = command[i + 1] if i + 1 < len(command) else None
            if equals:
                found[name] = value
            elif following is not None and not following.startswith("--"):
                found[name] = following
            else:
                found[name] = None
    return found


def serve_options(installed: Installed) -> set[str]:
    """Every option the installed `frankly serve` accepts, from its own --help."""
    shown = subprocess.run(
        [str(installed.bin / "frankly"), "serve", "--help"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", shown.stdout))


def unknown_options(installed: Installed, command: list[str]) -> list[str]:
    """The options of `command` that the installed `frankly serve` does not know."""
    accepted = serve_options(installed)
    return [name for name in options(command) if name not in accepted]


def all_known(installed: Installed, command: list[str]) -> None:
    """Every option `command` gives is one `frankly serve` takes."""
    assert unknown_options(installed, command) == []


def secrets_folder(folder: Path) -> Path:
    """The secret files the unit and compose hand Frankly, under their names there:
    tls-cert and tls-key (a self-signed pair), turn-secret."""
    cert, key = self_signed(folder, "tls")
    cert.rename(folder / "tls-cert")
    key.rename(folder / "tls-key")
    (folder / "turn-secret").write_text("0123456789abcdef\n")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(
    installed: Installed, command: list[str], folder: Path, wrap: tuple[str, ...] = ()
) -> Iterator[str]:
    """`frankly <command>` of the installed wheel, answering /healthz over TLS.

    Only where it listens is changed, by options added at the end (the command
    line wins over a settings file and over earlier options): loopback, free ports.
    `wrap` goes before the command (it must exec it, so that SIGTERM reaches it).
    """
    port = free_port()
    # Media port 0: each SFU worker (packaging/ asks for several) on a free pair of its own.
    here = ["--host", "127.0.0.1", "--port", str(port), "--media-port", "0"]
    here += ["--public-ip", "127.0.0.1"]
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*wrap, str(installed.bin / "frankly"), *command, *here],
            cwd=folder,
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"https://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(f"{url}/healthz", verify=False).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answers, START_WITHIN, "the command line serves /healthz over TLS")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)  # as systemd and Docker stop it
        process.wait(30)
