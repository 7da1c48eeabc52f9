"""The data directory (`--data-dir`): secrets, meeting records, the database.

A leaf that imports nothing of the project, so that the server and the
storage plane, which must not import each other's way, make it alike.
"""

from __future__ import annotations

import os
from pathlib import Path


def make_private_dir(path: Path) -> None:
    """Make the directory `path`, if missing, readable by this user alone.

    Its parents, if missing too, get the usual modes: they are not ours. One
    that exists is left as its owner set it.
    """
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:  # made by another process just now
        return
    os.chmod(path, 0o700)  # mkdir's mode passes through the umask
