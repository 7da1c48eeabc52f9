"""Server secrets kept in the data directory: 32 random bytes a file.

Created on first need, readable by the server's user only. Without a data
directory (tests) a key lives in memory and dies with the process.

A key file that others may read, or that is not a key, is refused with a
KeyFileError whose sentence says what to do: `frankly serve` prints it
instead of a traceback.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from frankly.datadir import make_private_dir

KEY_BYTES = 32


class KeyFileError(Exception):
    """A secret in the data directory cannot be used; the text says what to do."""


def load_key(data_dir: Path | None, name: str) -> bytes:
    if data_dir is None:
        return secrets.token_bytes(KEY_BYTES)
    path = data_dir / name
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    make_private_dir(data_dir)
    try:
        # O_EXCL: two processes starting at once (server and `frankly invite`)
        # must not each write a different key; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(KEY_BYTES))
    return _read(path)


def check_private(path: Path) -> None:
    """Refuse a secret file that users other than its owner may read or write."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path} may be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"if nobody else did, run `chmod 600 {path}`; otherwise delete it "
            "and Frankly makes a new one"
        )


def _read(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except IsADirectoryError:
        raise KeyFileError(f"{path} is a directory, not a key file (delete it)") from None
    except PermissionError:
        raise KeyFileError(f"{path} cannot be read by this user (check its owner)") from None
    check_private(path)
    if len(key) < KEY_BYTES:
        raise KeyFileError(f"{path} holds {len(key)} bytes; a key is {KEY_BYTES} (delete it)")
    return key


__all__ = ["KeyFileError", "check_private", "load_key", "make_private_dir"]
