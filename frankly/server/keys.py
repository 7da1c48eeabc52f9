"""Server secrets kept in the data directory: 32 random bytes a file.

Created on first need, readable by the server's user only. Without a data
directory (tests) a key lives in memory and dies with the process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def load_key(data_dir: Path | None, name: str) -> bytes:
    if data_dir is None:
        return secrets.token_bytes(KEY_BYTES)
    path = data_dir / name
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once (server and `frankly invite`)
        # must not each write a different key; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(KEY_BYTES))
    return _read(path)


def _read(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise RuntimeError(f"{path} holds {len(key)} bytes; a key is {KEY_BYTES} (delete it)")
    return key
