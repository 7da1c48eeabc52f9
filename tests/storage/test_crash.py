"""kill -9 during a stream of saves: every save answered as done is there afterwards.

A child process commits one revision a transaction and prints its number
only after the commit returns, as the server answers a save only then. It is
killed with SIGKILL at a moment it chose nothing about, most likely inside
a transaction; reopened, the database has every printed revision and passes
SQLite's own integrity check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from frankly.storage import Database, open_database, schema
from tests.storage import rows

_WRITER = """
import sys
from sqlalchemy import insert
from frankly.storage import Database, schema
from tests.storage.rows import NOW

url, readout, author = sys.argv[1:]
db = Database(url)
number = 0
while True:
    number += 1
    with db.transaction() as tx:
        tx.execute(insert(schema.revisions).values(
            readout=readout, number=number, text="x" * 2000 + str(number), author=author,
            saved=NOW))
    print(number, flush=True)
"""

SAVES_BEFORE_KILL = 150


def test_every_answered_save_survives_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frankly.sqlite3'}"
    db = open_database(url)
    with db.transaction() as tx:
        made = rows.dialogue(tx)
    db.close()
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, url, made["readout"], made["lead_a"]],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env=os.environ | {"PYTHONPATH": str(root)},
    ) as child:
        assert child.stdout is not None
        answered = [int(child.stdout.readline()) for _ in range(SAVES_BEFORE_KILL)]
        child.send_signal(signal.SIGKILL)
        answered += [int(line) for line in child.stdout]  # printed before the kill landed
        assert child.wait(timeout=10) == -signal.SIGKILL

    reopened = Database(url)
    with reopened.read() as tx:
        stored = tx.execute(select(schema.revisions.c.number)).scalars().all()
        verdict = tx.exec_driver_sql("PRAGMA integrity_check").scalar()
    reopened.close()
    assert answered == list(range(1, len(answered) + 1))
    assert set(answered) <= set(stored)
    assert len(stored) - len(answered) <= 1  # committed, killed before it could say so
    assert verdict == "ok"
