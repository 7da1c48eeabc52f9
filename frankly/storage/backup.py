"""`frankly backup PATH`: a consistent copy of a SQLite database that is in use.

SQLite's online backup API copies the pages of one snapshot, in one step,
while the server goes on writing (in WAL mode a reader never blocks a
writer). The copy is written beside PATH and renamed onto it only once
complete and checked, so PATH is never half a database. PostgreSQL has its
own tool for this, pg_dump; `pg_dump_advice` says how.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from frankly.storage.database import Database


class BackupError(Exception):
    """A backup that could not be made; the message says why and what to do."""


def backup(database: Database, path: Path) -> None:
    """Copy the SQLite `database` to `path`, consistent as of one instant."""
    if not database.is_sqlite or not database.url.database:
        raise BackupError(pg_dump_advice(database))
    source_path = Path(database.url.database)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source_path, partial)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not copy {source_path}: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def _copy(source_path: Path, target_path: Path) -> None:
    source = sqlite3.connect(source_path)  # it only reads; a running server goes on writing
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # pages=-1: the whole database from one snapshot
        # The copy is one self-contained file, with no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"the copy failed SQLite's integrity check: {verdict}")
    finally:
        target.close()
        source.close()


def pg_dump_advice(database: Database) -> str:
    url = database.url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "frankly backup copies SQLite databases; for PostgreSQL, use its own tool,\n"
        "which makes a consistent copy while the server runs:\n"
        f"  pg_dump --format=custom --file=frankly.dump '{url}'\n"
        "and to restore it into an empty database: pg_restore --dbname=URL frankly.dump"
    )
