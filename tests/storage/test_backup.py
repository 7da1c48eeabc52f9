"""`backup`: a consistent copy of a SQLite database while another connection writes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from frankly.storage import Database, open_database
from frankly.storage.backup import BackupError, backup
from tests.storage import rows


def _check(copy: Path) -> int:
    """The copy is sound and whole: every dialogue with both its sides. Its dialogues."""
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        halves = connection.execute(
            "SELECT count(*) FROM dialogues WHERE (SELECT count(*) FROM sides"
            " WHERE sides.dialogue = dialogues.id) <> 2"
        ).fetchone()
        assert halves == (0,)
        (count,) = connection.execute("SELECT count(*) FROM dialogues").fetchone()
        return int(count)
    finally:
        connection.close()


def test_a_copy_made_while_another_connection_writes_is_consistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frankly.sqlite3'}"
    db = open_database(url)
    writer = Database(url)  # as the running server would: its own connections
    stop = threading.Event()
    committed: list[int] = []

    def write() -> None:
        while not stop.is_set():
            with writer.transaction() as tx:
                rows.dialogue(tx)
            committed.append(1)

    thread = threading.Thread(target=write)
    thread.start()
    counts = []
    try:
        for number in range(3):
            while len(committed) < 20 * (number + 1):  # some rows more before each copy
                stop.wait(0.005)
            copy = tmp_path / f"copy-{number}.sqlite3"
            backup(db, copy)
            counts.append(_check(copy))
    finally:
        stop.set()
        thread.join()
    assert counts == sorted(counts) and counts[0] >= 20
    assert counts[-1] < len(committed) + 1
    assert not list(tmp_path.glob("*.partial"))
    writer.close()
    db.close()


def test_a_copy_replaces_an_older_one_at_the_same_path(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'frankly.sqlite3'}")
    copy = tmp_path / "copy.sqlite3"
    backup(db, copy)
    with db.transaction() as tx:
        rows.dialogue(tx)
    backup(db, copy)
    assert _check(copy) == 1
    db.close()


def test_postgresql_is_pointed_to_pg_dump_without_its_password() -> None:
    db = Database("postgresql+psycopg://frankly:s3cret@db.example/frankly")
    with pytest.raises(BackupError, match="pg_dump") as refused:
        backup(db, Path("unused"))
    assert "s3cret" not in str(refused.value)
    assert "postgresql://frankly:***@db.example/frankly" in str(refused.value)
    db.close()
