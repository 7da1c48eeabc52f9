"""`frankly serve`'s options from a TOML file and from FRANKLY_* environment variables.

Nothing here names a flag: the options are read off the serve parser's own
argparse actions, so a flag added to frankly/cli.py works in a file and in
the environment with no code of its own. One precedence, whatever the flag:

    command line  >  environment  >  file (--config, or FRANKLY_CONFIG)  >  default

A key is the flag's long name without its dashes (`turn-url`, or `turn_url`);
its variable is FRANKLY_ and the key in capitals with `_` (FRANKLY_TURN_URL).
Types come from the action: `type=` converts strings as on the command line
(a TOML integer or float is taken as it is for int and float options, and
as its text for an option of its own type, such as --workers: 4 or "auto"),
`store_true` takes a TOML boolean (the environment: 1/0, true/false, yes/no,
on/off), `append` a TOML array of strings (the environment: items separated by
commas), and `choices` limit the values. A repeatable option given on a higher
level replaces the lower level's list, it does not add to it. Whatever is
wrong is a `SettingsError` that names the key and the file (and its line) or
the variable.
"""

from __future__ import annotations

import argparse
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "FRANKLY_"
CONFIG_KEY = "config"  # the option that names the file: not a key of the file itself
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the key and where it was."""


@dataclass(frozen=True)
class Setting:
    """One option's value and which source gave it: default, file, environment or
    command line."""

    dest: str
    key: str
    value: Any
    source: str


def add_config_option(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a TOML file of these options (key = the flag without dashes); "
        "environment variables FRANKLY_<FLAG> override it, and the command line both",
    )


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The parser's options that a file or the environment may set, by key."""
    found = {}
    for action in parser._actions:
        key = _key_of(action)
        if key is not None and key != CONFIG_KEY and _kind(action) is not None:
            found[key] = action
    return found


def _key_of(action: argparse.Action) -> str | None:
    longs = [s for s in action.option_strings if s.startswith("--")]
    return longs[0][2:] if longs else None


def _kind(action: argparse.Action) -> str | None:
    """'flag', 'list' or 'value'; None for actions a setting cannot stand for (help, count)."""
    if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
        return "flag"
    if isinstance(action, argparse._AppendAction) and action.nargs is None:
        return "list"
    if isinstance(action, argparse._StoreAction) and action.nargs is None:
        return "value"
    return None


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper().replace("-", "_")


# --- converting one value ------------------------------------------------------------


def _scalar(action: argparse.Action, value: object) -> Any:
    """One value as the option takes it, or ValueError saying what is wrong."""
    kind = action.type
    if isinstance(value, bool):
        raise ValueError(f"expected {_wanted(action)}, not a boolean")
    if isinstance(value, int | float) and kind in (int, float):
        if kind is int and not isinstance(value, int):
            raise ValueError(f"expected a whole number, not {value!r}")
        converted: Any = kind(value)
    elif isinstance(value, int) and callable(kind) and kind is not Path:
        # An option that takes a number or a word (workers = 4, workers = "auto").
        return _scalar(action, str(value))
    elif isinstance(value, str):
        try:
            converted = kind(value) if callable(kind) else value
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            why = "" if kind in (int, float) else f" ({exc})"
            raise ValueError(f"{value!r} is not {_wanted(action)}{why}") from None
    else:
        raise ValueError(f"expected {_wanted(action)}, not {type(value).__name__} {value!r}")
    if action.choices is not None and converted not in action.choices:
        allowed = ", ".join(repr(c) for c in action.choices)
        raise ValueError(f"{converted!r} is not one of {allowed}")
    return converted


def _wanted(action: argparse.Action) -> str:
    if action.type is int:
        return "a whole number"
    if action.type is float:
        return "a number"
    if action.type in (None, str, Path):
        return "a string"
    return f"a {action.dest} value"


def from_toml(action: argparse.Action, value: object) -> Any:
    kind = _kind(action)
    if kind == "flag":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, not {value!r}")
        return value
    if kind == "list":
        if not isinstance(value, list):
            raise ValueError(f"expected an array, as in [{_example(action)}]")
        return [_scalar(action, item) for item in value]
    return _scalar(action, value)


def from_env(action: argparse.Action, text: str) -> Any:
    kind = _kind(action)
    if kind == "flag":
        word = text.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{text!r} is not one of 1/0, true/false, yes/no, on/off")
        return word in TRUE_WORDS
    if kind == "list":
        return [_scalar(action, item.strip()) for item in text.split(",") if item.strip()]
    return _scalar(action, text)


def _example(action: argparse.Action) -> str:
    return '"a", "b"' if action.type not in (int, float) else "1, 2"


# --- the sources -----------------------------------------------------------------------


def read_file(path: Path, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """A TOML file's settings by dest; SettingsError names the file, the key and its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text, so not TOML") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    known = options(parser)
    values = {}
    for raw_key, value in table.items():
        where = _where(path, text, raw_key)
        action = known.get(raw_key.replace("_", "-"))
        if isinstance(value, dict):
            raise SettingsError(
                f"{where}: [{raw_key}] is a table; options go at the top of the file, "
                "as in `port = 8443`"
            )
        if action is None:
            raise SettingsError(f"{where}: unknown key {raw_key!r}{_hint(raw_key, known)}")
        try:
            values[action.dest] = from_toml(action, value)
        except ValueError as exc:
            raise SettingsError(f"{where}: {raw_key}: {exc}") from None
    return values


def _where(path: Path, text: str, key: str) -> str:
    """`path:line` of the key's assignment, or just the path if it cannot be found."""
    quoted = rf"[\"']?{re.escape(key)}[\"']?"
    pattern = re.compile(rf"^[ \t]*(?:{quoted}[ \t]*=|\[+[ \t]*{quoted}[ \t]*\])", re.MULTILINE)
    match = pattern.search(text)
    return f"{path}:{text.count(chr(10), 0, match.start()) + 1}" if match else str(path)


def _hint(key: str, known: Mapping[str, argparse.Action]) -> str:
    if key == CONFIG_KEY:
        return " (a file cannot name another file)"
    if isinstance(key, str) and key.startswith("-"):
        return " (write keys without the dashes)"
    import difflib

    close = difflib.get_close_matches(key.replace("_", "-"), list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (`frankly serve --help` lists them)"


def read_env(environ: Mapping[str, str], parser: argparse.ArgumentParser) -> dict[str, Any]:
    """FRANKLY_* variables by dest; other FRANKLY_ variables are not ours to refuse."""
    values = {}
    for key, action in options(parser).items():
        name = env_name(key)
        if name not in environ:
            continue
        try:
            values[action.dest] = from_env(action, environ[name])
        except ValueError as exc:
            raise SettingsError(f"environment: {name}: {exc}") from None
    return values


def given(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict[str, Any]:
    """What the command line itself says, by dest (defaults left out)."""
    unset = object()
    namespace = argparse.Namespace()
    for action in parser._actions:
        if action.dest is not argparse.SUPPRESS:
            # argparse fills in a default only where the namespace has nothing;
            # an append starts from None, so its list is only what was given.
            setattr(namespace, action.dest, None if _kind(action) == "list" else unset)
    parsed = parser.parse_args(list(argv), namespace=namespace)
    return {
        dest: value
        for dest, value in vars(parsed).items()
        if value is not unset and value is not None
    }


# --- putting them together ------------------------------------------------------------


def config_path(args: argparse.Namespace, environ: Mapping[str, str]) -> Path | None:
    if args.config is not None:
        return Path(args.config)
    named = environ.get(env_name(CONFIG_KEY))
    return Path(named) if named else None


def resolve(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    environ: Mapping[str, str],
    path: Path | None = None,
) -> tuple[argparse.Namespace, list[Setting]]:
    """The options as the server uses them, and each option's value and source.

    `argv` is what follows the subcommand; `path`, a file to read whatever the
    command line and environment name (`config check`).
    """
    args = parser.parse_args(list(argv))
    path = path or config_path(args, environ)
    layers = {  # in rising precedence
        "file": read_file(path, parser) if path is not None else {},
        "environment": read_env(environ, parser),
        "command line": given(parser, argv),
    }
    settings = []
    for key, action in options(parser).items():
        source = "default"
        for name, layer in layers.items():
            if action.dest in layer:
                setattr(args, action.dest, layer[action.dest])
                source = name
        settings.append(Setting(action.dest, key, getattr(args, action.dest), source))
    return args, settings


def subcommand_argv(argv: Sequence[str], command: str) -> list[str]:
    """What follows `command` in a `frankly` command line (its parser has no options of its
    own before the subcommand, but -h)."""
    items = list(argv)
    return items[items.index(command) + 1 :]


# --- `frankly config check` -------------------------------------------------------------


def add_config_commands(commands: Any, serve: argparse.ArgumentParser) -> None:
    """`frankly config check FILE`, beside `frankly serve` (whose options it checks)."""
    config = commands.add_parser("config", help="configuration files for `frankly serve`")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    check = config_commands.add_parser(
        "check",
        help="say what is wrong with which key of a file, or print the settings it makes "
        "(with FRANKLY_* variables applied)",
    )
    check.add_argument("file", type=Path, help="the TOML file")

    def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
        raise SystemExit(check_file(args.file, serve, os.environ))

    check.set_defaults(run=run)


def check_file(path: Path, serve: argparse.ArgumentParser, environ: Mapping[str, str]) -> int:
    """Print what is wrong (stderr, 1) or the effective settings (stdout, 0)."""
    import sys

    try:
        _, settings = resolve(serve, [], environ, path)
    except SettingsError as exc:
        print(f"frankly config check: {exc}", file=sys.stderr)
        return 1
    print(f"# {path} is good. The settings `frankly serve --config {path}` runs with:")
    for line in describe(settings):
        print(line)
    return 0


def describe(settings: Sequence[Setting]) -> list[str]:
    """Each setting as a TOML line with its source; none is a file's contents, and a
    password inside a URL is hidden."""
    lines = []
    width = max((len(s.key) for s in settings), default=0)
    for setting in settings:
        if setting.value is None:
            lines.append(f"# {setting.key:<{width}} (not set)")
            continue
        shown = _toml(setting.value)
        lines.append(f"{setting.key:<{width}} = {shown}  # {setting.source}")
    return lines


_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@", re.IGNORECASE)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    text = _URL_PASSWORD.sub(r"\g<head>[hidden]@", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
