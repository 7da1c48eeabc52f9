"""Reading the packaging files as their tools would: a systemd unit's keys,
and the `frankly serve` options a command line gives (checked against the
installed wheel's own `frankly serve --help`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.packaging.conftest import Installed, clean_env

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"

# Options of `frankly serve` that other pieces of issue 13 add, by who adds them
# (notes' contract): until they are merged, a command line naming them cannot
# be checked against --help yet, and the test says so instead of passing.
COMING = {
    "--config": "opsconf",
    "--drain-seconds": "opsconf",
    "--turn-url": "turn",
    "--turn-secret-file": "turn",
}


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


def unknown_options(installed: Installed, command: list[str]) -> tuple[list[str], list[str]]:
    """(options `frankly serve` refuses, options still to come from another helper)."""
    accepted = serve_options(installed)
    named = [name for name in options(command) if name not in accepted]
    return [n for n in named if n not in COMING], [
        f"{n} ({COMING[n]})" for n in named if n in COMING
    ]
