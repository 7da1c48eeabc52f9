"""One transaction per change: all of it or nothing, and changes queue rather than fail."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from frankly.storage import Database, schema
from tests.storage import rows


def _dialogues(db: Database) -> int:
    with db.read() as tx:
        return tx.execute(select(func.count()).select_from(schema.dialogues)).scalar_one()


def test_a_change_that_raises_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError, match="halfway"), db.transaction() as tx:
        rows.dialogue(tx)
        raise RuntimeError("halfway")
    assert _dialogues(db) == 0
    with db.read() as tx:
        assert tx.execute(select(func.count()).select_from(schema.sides)).scalar_one() == 0


def test_a_committed_change_is_seen_by_another_connection(db: Database, url: str) -> None:
    with db.transaction() as tx:
        rows.dialogue(tx)
    other = Database(url)
    assert _dialogues(other) == 1
    other.close()


def test_a_read_commits_nothing_written_in_it(db: Database) -> None:
    with db.read() as tx:
        rows.dialogue(tx)
    assert _dialogues(db) == 0


def test_changes_from_several_threads_wait_for_each_other(db: Database) -> None:
    """SQLite takes its write lock at BEGIN, so none fails with 'database is locked'."""
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(15):
                with db.transaction() as tx:
                    rows.dialogue(tx)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _dialogues(db) == 60
