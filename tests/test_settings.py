"""`frankly serve`'s options from a TOML file and the environment (frankly/settings.py),
and `frankly config check`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from frankly import settings
from frankly.cli import main
from frankly.settings import SettingsError, resolve


def serve_parser() -> argparse.ArgumentParser:
    """A parser like cli.py's serve block, with one option of each kind."""
    serve = argparse.ArgumentParser(prog="serve")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--data-dir", type=Path, default=Path("/var/lib/frankly"))
    serve.add_argument("--drain-seconds", type=float, default=30.0)
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument("--human-check", action="store_true")
    serve.add_argument("--allowed-host", action="append", default=[])
    settings.add_config_option(serve)
    return serve


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "frankly.toml"
    path.write_text(text)
    return path


def sources(found: list[settings.Setting]) -> dict[str, str]:
    return {s.key: s.source for s in found}


def test_command_line_beats_environment_beats_file_beats_default(tmp_path: Path) -> None:
    path = write(tmp_path, 'port = 1\nhost = "file.example"\ndata_dir = "/srv/file"\n')
    env = {"FRANKLY_PORT": "2", "FRANKLY_HOST": "env.example"}
    args, found = resolve(serve_parser(), ["--config", str(path), "--port", "3"], env)
    assert (args.port, args.host, args.data_dir, args.drain_seconds) == (
        3,
        "env.example",
        Path("/srv/file"),
        30.0,
    )
    assert sources(found) == {
        "port": "command line",
        "host": "environment",
        "data-dir": "file",
        "drain-seconds": "default",
        "log-level": "default",
        "human-check": "default",
        "allowed-host": "default",
    }


def test_frankly_config_names_the_file_and_the_command_line_overrides_it(
    tmp_path: Path,
) -> None:
    named = write(tmp_path, "port = 1\n")
    other = tmp_path / "other.toml"
    other.write_text("port = 2\n")
    env = {"FRANKLY_CONFIG": str(named)}
    assert resolve(serve_parser(), [], env)[0].port == 1
    assert resolve(serve_parser(), ["--config", str(other)], env)[0].port == 2


def test_a_flag_takes_booleans_and_a_list_replaces_the_lower_level(tmp_path: Path) -> None:
    path = write(tmp_path, 'human-check = true\nallowed-host = ["a.example", "b.example"]\n')
    args, _ = resolve(serve_parser(), ["--config", str(path)], {})
    assert args.human_check is True and args.allowed_host == ["a.example", "b.example"]
    env = {"FRANKLY_ALLOWED_HOST": "c.example, d.example", "FRANKLY_HUMAN_CHECK": "no"}
    args, _ = resolve(serve_parser(), ["--config", str(path)], env)
    assert args.human_check is False and args.allowed_host == ["c.example", "d.example"]
    given = ["--config", str(path), "--allowed-host", "e.example", "--human-check"]
    args, _ = resolve(serve_parser(), given, env)
    assert args.human_check is True and args.allowed_host == ["e.example"]


def test_a_flag_added_later_works_in_file_and_environment_with_no_code(tmp_path: Path) -> None:
    serve = serve_parser()
    serve.add_argument("--turn-url", action="append", default=[])
    serve.add_argument("--turn-secret-file", type=Path)
    path = write(tmp_path, 'turn_url = ["turn:t.example:3478"]\n')
    env = {"FRANKLY_TURN_SECRET_FILE": "/etc/frankly/turn.secret"}
    args, _ = resolve(serve, ["--config", str(path)], env)
    assert args.turn_url == ["turn:t.example:3478"]
    assert args.turn_secret_file == Path("/etc/frankly/turn.secret")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prot = 1\n", "frankly.toml:1: unknown key 'prot' (did you mean 'port'?)"),
        ('\n\nport = "x"\n', "frankly.toml:3: port: 'x' is not a whole number"),
        ("port = 1.5\n", "frankly.toml:1: port: expected a whole number, not 1.5"),
        ("port = true\n", "frankly.toml:1: port: expected a whole number, not a boolean"),
        ('log-level = "loud"\n', "log-level: 'loud' is not one of 'debug', 'info', 'warning'"),
        ('human-check = "yes"\n', "frankly.toml:1: human-check: expected true or false"),
        ('allowed-host = "a"\n', 'allowed-host: expected an array, as in ["a", "b"]'),
        ("allowed-host = [1]\n", "allowed-host: expected a string, not int 1"),
        ('config = "x.toml"\n', "unknown key 'config' (a file cannot name another file)"),
        ("[serve]\nport = 1\n", "frankly.toml:1: [serve] is a table; options go at the top"),
        ("port = \n", "frankly.toml: not valid TOML: Invalid value (at line 1, column 8)"),
    ],
)
def test_what_is_wrong_in_a_file_names_the_file_the_line_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        resolve(serve_parser(), ["--config", str(path)], {})
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(path))


def test_a_missing_file_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"absent.toml: cannot read it \(No such file"):
        resolve(serve_parser(), ["--config", str(tmp_path / "absent.toml")], {})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FRANKLY_PORT": "eighty"}, "environment: FRANKLY_PORT: 'eighty' is not a whole number"),
        ({"FRANKLY_HUMAN_CHECK": "maybe"}, "FRANKLY_HUMAN_CHECK: 'maybe' is not one of 1/0"),
        ({"FRANKLY_LOG_LEVEL": "loud"}, "FRANKLY_LOG_LEVEL: 'loud' is not one of"),
    ],
)
def test_what_is_wrong_in_the_environment_names_the_variable(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        resolve(serve_parser(), [], env)


def test_other_frankly_variables_are_not_refused() -> None:
    args, _ = resolve(serve_parser(), [], {"FRANKLY_CHROMIUM": "/usr/bin/chromium"})
    assert args.port == 8080


def test_config_check_prints_the_effective_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "turn.secret"
    secret.write_text("the-shared-secret")
    path = write(
        tmp_path,
        "port = 8443\n"
        'database = "postgresql://frankly:hunter2@db.example/frankly"\n'
        'allowed-host = ["meet.example.org"]\n',
    )
    monkeypatch.setenv("FRANKLY_HUMAN_CHECK", "yes")
    with pytest.raises(SystemExit) as exited:
        main(["config", "check", str(path)])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    # Aligned in columns as wide as the longest flag: compare with the padding squeezed.
    lines = {re.sub(r" +=", " =", line) for line in out.splitlines()}
    assert "port = 8443  # file" in lines
    assert 'allowed-host = ["meet.example.org"]  # file' in lines
    assert "human-check = true  # environment" in lines
    assert "drain-seconds = 30.0  # default" in lines
    assert 'database = "postgresql://frankly:[hidden]@db.example/frankly"  # file' in lines
    assert "hunter2" not in out


def test_config_check_says_what_is_wrong_with_which_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'port = 8443\nmax-participants = "many"\n')
    with pytest.raises(SystemExit) as exited:
        main(["config", "check", str(path)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"frankly config check: {path}:2: max-participants: 'many' is not a whole number\n"
    )
    assert captured.out == ""


def test_serve_refuses_a_bad_file_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "max-connection = 10\n")
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--config", str(path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        f"frankly serve: {path}:1: unknown key 'max-connection' (did you mean 'max-connections'?)\n"
    )


def test_every_serve_flag_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real serve parser: each of its options is a key (none is left out)."""
    captured: list[argparse.ArgumentParser] = []

    def keep(commands: object, serve: argparse.ArgumentParser) -> None:
        captured.append(serve)
        raise SystemExit(0)  # built: no need to run anything

    monkeypatch.setattr(settings, "add_config_commands", keep)
    with pytest.raises(SystemExit):
        main(["serve"])
    flags = {
        option[2:]
        for action in captured[0]._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--config")
    }
    assert set(settings.options(captured[0])) == flags
    assert {"port", "data-dir", "allowed-host", "human-check", "drain-seconds"} <= flags
