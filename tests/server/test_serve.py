"""`frankly serve` as a user runs it: what its log shows, what it refuses to start with."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from frankly.cli import main
from frankly.server.keys import KeyFileError, load_key
from frankly.server.logs import redact
from frankly.server.tls import self_signed
from tests.waiting import wait_until

SERVE = [sys.executable, "-m", "frankly", "serve", "--log-level", "info"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    port = free_port()
    log = (tmp_path / "log").open("w")
    process = subprocess.Popen(
        [*SERVE, "--port", str(port), "--data-dir", str(tmp_path / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, (tmp_path / "log").read_text()
        try:
            httpx.get(f"{url}/healthz")
        except httpx.TransportError:
            return False
        return True

    try:
        wait_until(answers, 30, "the server answers /healthz")
        yield url, tmp_path / "log", process
    finally:  # a server that never answered is stopped too, not left running
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def stop(process: subprocess.Popen[str], log: Path) -> str:
    process.send_signal(signal.SIGINT)
    process.wait(10)
    return log.read_text()


def test_no_invite_token_reaches_the_log(
    served: tuple[str, Path, subprocess.Popen[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, log, process = served
    main(["invite", "team", "--data-dir", str(tmp_path / "data"), "--base-url", url])
    link = capsys.readouterr().out.strip()
    token = link.split("invite=", 1)[1]
    assert httpx.get(link).status_code == 200
    assert httpx.get(f"{url}/team?x=1&INVITE={token}&resume=r-secret").status_code == 200
    text = stop(process, log)
    assert "GET /team?invite=[redacted] HTTP/1.1" in text  # the access log is on...
    assert token not in text and token[-20:] not in text  # ...without the token
    assert "r-secret" not in text


def test_frankly_own_info_lines_appear(served: tuple[str, Path, subprocess.Popen[str]]) -> None:
    url, log, process = served
    assert httpx.get(f"{url}/team", headers={"Host": "rebind.example"}).status_code == 400
    text = stop(process, log)
    assert "refused http /team: this server does not answer to the name 'rebind.example'" in text


def test_redact() -> None:
    assert redact("GET /r?a=1&invite=abc.def&b=2 HTTP/1.1") == (
        "GET /r?a=1&invite=[redacted]&b=2 HTTP/1.1"
    )
    assert redact("GET /r?invitee=abc") == "GET /r?invitee=abc"


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    load_key(tmp_path, "invite.key")
    (tmp_path / "invite.key").chmod(0o644)
    with pytest.raises(KeyFileError, match=r"may be read by other users \(mode 644\).*chmod 600"):
        load_key(tmp_path, "invite.key")


def test_a_short_key_file_is_a_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "invite.key"
    key.write_bytes(b"short")
    key.chmod(0o600)
    with pytest.raises(SystemExit) as exited:
        main(["invite", "r", "--data-dir", str(tmp_path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err == f"frankly invite: {key} holds 5 bytes; a key is 32 (delete it)\n"


def test_the_self_signed_path_keeps_the_data_dir_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "frankly"
    cert, key = self_signed(data, "0.0.0.0")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(cert.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_corrupt_certificate_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = self_signed(tmp_path, "0.0.0.0")
    cert.write_text("not a certificate")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"frankly serve: {cert} and {key} are not a usable certificate")
    assert err.endswith("(delete both and Frankly makes new ones)\n")
    assert "Traceback" not in err


def test_a_missing_given_key_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--tls-cert", str(tmp_path / "c.pem"), "--tls-key", str(tmp_path / "k.pem")])
    assert "does not exist (check --tls-cert/--tls-key)" in capsys.readouterr().err


def test_a_negative_hand_lowering_time_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--hand-lower-after", "-1", "--data-dir", str(tmp_path)])
    assert "--hand-lower-after is seconds of speech, from 0 (never)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ([], "--cluster-secret-file is for a cluster's nodes: give --redis and --workers"),
        (
            ["--redis", "redis://127.0.0.1:1/0", "--workers", "1", "--relay-host", "10.99.99.99"],
            "--relay-host '10.99.99.99': the workers' relays cannot bind it",
        ),
    ],
    ids=["no-redis", "not-this-machine"],
)
def test_a_cluster_secret_without_its_cluster_or_with_a_foreign_relay_host_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], said: str
) -> None:
    secret = tmp_path / "cluster.secret"
    secret.write_text("a" * 32 + "\n")
    with pytest.raises(SystemExit):
        main(["serve", "--cluster-secret-file", str(secret), "--data-dir", str(tmp_path), *extra])
    assert said in capsys.readouterr().err
    secret.write_text("short\n")
    with pytest.raises(SystemExit):
        main(["serve", "--cluster-secret-file", str(secret), "--redis", "redis://127.0.0.1:1/0"])
    assert "holds 5 characters: give at least 16" in capsys.readouterr().err
