"""packaging/Dockerfile, compose.yaml and the coturn beside it: what can be
checked without a Docker daemon (this machine has Docker's client only, and
no `docker compose` plugin).

The images are not built here. Checked instead: the Dockerfile builds the
wheel from the files conftest builds it from and installs it where its
ENTRYPOINT runs it; the installed wheel accepts the image's and compose's
command lines; compose's files exist and its settings agree with each other
and with coturn's configuration; and coturn's entrypoint, run here with
Debian's real turnserver, starts it on the shipped configuration with the
secret from its file.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.packaging.installing import RELEASED, Installed
from tests.packaging.units import (
    PACKAGING,
    all_known,
    options,
    secrets_folder,
    serving,
)
from tests.tlscerts import self_signed
from tests.waiting import wait_until

COMPOSE = PACKAGING / "compose.yaml"
COTURN = PACKAGING / "coturn"
ENTRYPOINT = COTURN / "entrypoint.sh"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order, continued lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def stages(dockerfile: Path) -> list[list[tuple[str, str]]]:
    """The instructions of each FROM's stage."""
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(dockerfile):
        if instruction[0] == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def interpolated(words: list[str]) -> list[str]:
    """Compose's ${NAME} and ${NAME:?message}, with env.example's values."""
    values = dict(
        line.split("=", 1)
        for line in (PACKAGING / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    missing = {m for w in words for m in re.findall(r"\$\{(\w+)", w)} - set(values)
    assert missing == set(), "env.example names every variable compose.yaml uses"
    return [re.sub(r"\$\{(\w+)(:\?[^}]*)?\}", lambda m: values[m.group(1)], w) for w in words]


def test_the_image_installs_the_wheel_pip_install_builds() -> None:
    build, run = stages(PACKAGING / "Dockerfile")
    assert build[0] == ("FROM", "python:3.11-slim-bookworm AS wheel")  # Docker Hub's official
    copied = [args.split()[:-1] for word, args in build if word == "COPY"]
    assert sorted(name for sources in copied for name in sources) == sorted(RELEASED)
    (wheel,) = [args for word, args in build if word == "RUN"]
    assert wheel == "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ."
    assert ("COPY", "--from=wheel /wheels /wheels") in run
    installs = [args for word, args in run if word == "RUN" and "pip install" in args]
    assert installs == [
        "python -m venv /opt/frankly && /opt/frankly/bin/pip install --no-cache-dir "
        "/wheels/frankly-*.whl && rm -rf /wheels"
    ]
    assert ("USER", "frankly") in run
    assert ("STOPSIGNAL", "SIGTERM") in run


def image_command() -> tuple[list[str], list[str]]:
    run = stages(PACKAGING / "Dockerfile")[-1]
    (entrypoint,) = [json.loads(args) for word, args in run if word == "ENTRYPOINT"]
    (command,) = [json.loads(args) for word, args in run if word == "CMD"]
    return entrypoint, command


def test_the_images_command_is_one_the_wheel_accepts(installed: Installed) -> None:
    entrypoint, command = image_command()
    # The console script pip makes from [project.scripts], in the image's virtualenv.
    assert entrypoint == ["/opt/frankly/bin/frankly"]
    assert (installed.bin / "frankly").exists()
    assert command[0] == "serve"
    all_known(installed, command[1:])
    # The data volume, and ports the image exposes.
    given = options(command)
    run = stages(PACKAGING / "Dockerfile")[-1]
    assert ("VOLUME", given["--data-dir"]) in run
    (exposed,) = [args.split() for word, args in run if word == "EXPOSE"]
    udp, tcp = media_ranges(given)
    assert {f"{given['--port']}/tcp", f"{udp}/udp", f"{tcp}/tcp"} <= set(exposed)


def media_ranges(given: dict[str, str | None]) -> tuple[str, str]:
    """The UDP and TCP port ranges of the SFU's workers (docs/scaling.md): worker i on
    --media-port + i and its TCP twin + i. The count must be given: the default, a
    worker a core, is not known where the ports are published."""
    assert given.get("--workers") not in (None, "auto"), "published ports need a fixed count"
    count = max(int(str(given["--workers"])), 1)
    udp = int(str(given["--media-port"]))
    tcp = int(str(given.get("--media-tcp-port") or udp))

    def span(first: int) -> str:
        return str(first) if count == 1 else f"{first}-{first + count - 1}"

    return span(udp), span(tcp)


def test_the_dockerignore_lets_in_what_the_image_copies() -> None:
    lines = (PACKAGING / "Dockerfile.dockerignore").read_text().splitlines()
    let_in = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert let_in == set(RELEASED)


def test_compose_names_files_that_exist() -> None:
    services = compose()["services"]
    for service in services.values():
        context = PACKAGING / service["build"]["context"]
        assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file()
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):  # a bind mount, not a named volume
                assert (PACKAGING / source).is_file(), volume
    assert services["frankly"]["build"] == {"context": "..", "dockerfile": "packaging/Dockerfile"}
    # The secrets are the operator's, in a folder git keeps empty.
    for secret in compose()["secrets"].values():
        path = PACKAGING / secret["file"]
        assert path.parent == PACKAGING / "secrets"
        ignored = subprocess.run(
            ["git", "-C", str(PACKAGING), "check-ignore", "-q", str(path)], check=False
        )
        assert ignored.returncode == 0, f"{path} would not be kept out of git"


def frankly_command() -> list[str]:
    command: list[str] = compose()["services"]["frankly"]["command"]
    return interpolated(command)


def coturn_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (COTURN / "turnserver.conf").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_frankly_in_compose_serves_with_its_command_line(
    installed: Installed, tmp_path: Path
) -> None:
    """Compose's command, its container paths (the secrets, the data volume) here."""
    command = frankly_command()
    assert command[0] == "serve"
    all_known(installed, command[1:])
    folder = secrets_folder(tmp_path / "secrets")
    data = tmp_path / "data"
    words = [
        word.replace("/run/secrets", str(folder)).replace("/var/lib/frankly", str(data))
        for word in command
    ]
    with serving(installed, words, tmp_path):
        assert data.is_dir()


def test_compose_frankly_and_coturn_agree() -> None:
    services = compose()["services"]
    frankly, coturn = services["frankly"], services["coturn"]
    command = frankly_command()
    given = options(command)
    # The ports Frankly listens on are published as the same numbers (the SFU
    # announces its media port to browsers).
    assert f"{given['--port']}:{given['--port']}/tcp" in frankly["ports"]
    udp, tcp = media_ranges(given)
    assert f"{udp}:{udp}/udp" in frankly["ports"]
    assert f"{tcp}:{tcp}/tcp" in frankly["ports"]
    # One shared secret: the file Frankly reads is the secret coturn is given.
    assert given["--turn-secret-file"] == "/run/secrets/turn-secret"
    assert "turn-secret" in frankly["secrets"] and "turn-secret" in coturn["secrets"]
    # coturn checks REST credentials and holds no secret in its shipped file.
    settings = coturn_settings()
    assert "use-auth-secret" in settings
    assert "static-auth-secret" not in settings
    assert coturn["network_mode"] == "host"
    # The TURN URLs handed out name coturn's ports.
    turn_urls = [command[i + 1] for i, word in enumerate(command) if word == "--turn-url"]
    ports = {url.split("?")[0].rsplit(":", 1)[1] for url in turn_urls}
    assert ports == {settings["listening-port"][0], settings["tls-listening-port"][0]}
    low, high = int(settings["min-port"][0]), int(settings["max-port"][0])
    assert 1024 < low < high
    # Docker's SIGKILL comes after the drain.
    drain = given["--drain-seconds"]
    assert drain is not None
    assert int(frankly["stop_grace_period"].removesuffix("s")) > int(drain)
    assert frankly["stop_signal"] == "SIGTERM"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port: int = udp.getsockname()[1]
        return port


def stun_binding_answered(port: int) -> bool:
    """A STUN Binding request to 127.0.0.1:port (RFC 8489) gets a success response."""
    transaction = secrets.token_bytes(12)
    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(0.5)
        udp.sendto(request, ("127.0.0.1", port))
        try:
            answer = udp.recv(2048)
        except TimeoutError:
            return False
    return answer[:2] == b"\x01\x01" and answer[8:20] == transaction


def loopback_config(folder: Path) -> tuple[Path, int]:
    """The shipped turnserver.conf with this test's ports, certificate and folder."""
    cert, key = self_signed(folder, "turn")
    port = free_udp_port()
    replaced = {
        "listening-port": str(port),
        "tls-listening-port": str(free_udp_port()),
        "cert": str(cert),
        "pkey": str(key),
        "userdb": str(folder / "run" / "turndb"),
        "pidfile": str(folder / "run" / "turnserver.pid"),
    }
    lines = []
    for line in (COTURN / "turnserver.conf").read_text().splitlines():
        key_name = line.partition("=")[0]
        lines.append(f"{key_name}={replaced[key_name]}" if key_name in replaced else line)
    lines += ["listening-ip=127.0.0.1", "relay-ip=127.0.0.1"]
    config = folder / "turnserver.conf"
    config.write_text("\n".join(lines) + "\n")
    return config, port


def test_coturns_entrypoint_runs_turnserver_with_the_secret_from_its_file(tmp_path: Path) -> None:
    if shutil.which("turnserver") is None:
        pytest.skip("coturn is not installed (Debian's coturn: `scripts/system-deps turn`)")
    config, port = loopback_config(tmp_path)
    secret = tmp_path / "turn-secret"
    secret.write_text("  0123456789abcdef  \n")
    run_dir = tmp_path / "run"
    env = {
        **os.environ,
        "TURN_CONFIG": str(config),
        "TURN_SECRET_FILE": str(secret),
        "TURN_RUN_DIR": str(run_dir),
    }
    out = (tmp_path / "stdout").open("w")
    process = subprocess.Popen([str(ENTRYPOINT)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:

        def answers() -> bool:
            assert process.poll() is None, (tmp_path / "stdout").read_text()
            return stun_binding_answered(port)

        wait_until(answers, 15, "coturn from the entrypoint answers STUN")
        composed = run_dir / "turnserver.conf"
        assert composed.stat().st_mode & 0o777 == 0o600  # it holds the secret
        assert composed.read_text().endswith("static-auth-secret=0123456789abcdef\n")
        # The secret is in no process's command line.
        assert "0123456789abcdef" not in Path(f"/proc/{process.pid}/cmdline").read_text()
        logged = (tmp_path / "stdout").read_text()  # log-file=stdout, for `docker logs`
        assert "Coturn-" in logged  # its version line: the log is there
        assert "Bad configuration format" not in logged
    finally:
        process.terminate()
        process.wait(10)
        out.close()


def test_coturns_entrypoint_refuses_an_empty_secret(tmp_path: Path) -> None:
    secret = tmp_path / "turn-secret"
    secret.write_text("\n")
    env = {**os.environ, "TURN_SECRET_FILE": str(secret), "TURN_RUN_DIR": str(tmp_path / "run")}
    ran = subprocess.run([str(ENTRYPOINT)], env=env, capture_output=True, text=True, check=False)
    assert ran.returncode == 1
    assert f"{secret} is empty" in ran.stderr
