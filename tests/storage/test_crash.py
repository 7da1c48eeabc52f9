"""kill -9 during a stream of saves: every save answered as done is there afterwards.

A child process commits one revision a transaction and prints its number
only after the commit returns, as the server answers a save only then. It is
killed with SIGKILL at a moment it chose nothing about, most likely inside
a transaction; reopened, the database has every printed revision and passes
SQLite's own integrity check. The same for the lines of a meeting's kept
transcript, as the store answers the room for each.
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


_KEEPER = """
import sys
import time
from frankly.api.service import Service
from frankly.api.transcripts import append
from frankly.rooms import KeptLine
from frankly.storage import Database

url, room = sys.argv[1:]
service = Service(Database(url), b"k" * 32)
segment = 0
while True:
    segment += 1
    now = time.time()
    line = KeptLine(room, "p-captioner", "p-ann", segment, "Ann", "A", "en", now, now + 1,
                    "words " * 50 + str(segment), None)
    assert append(service, line) is None
    print(segment, flush=True)
"""

LINES_BEFORE_KILL = 100


def test_every_transcript_line_answered_as_stored_survives_kill_9(tmp_path: Path) -> None:
    """The store's answer to the room (api/transcripts.append returned) comes after the
    commit, so a kill -9 then loses no line it answered for."""
    url = f"sqlite:///{tmp_path / 'frankly.sqlite3'}"
    db = open_database(url)
    with db.transaction() as tx:
        made = rows.dialogue(tx)
    db.close()
    root = Path(__file__).resolve().parents[2]
    room = f"room-{made['meeting']}"
    with subprocess.Popen(
        [sys.executable, "-c", _KEEPER, url, room],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env=os.environ | {"PYTHONPATH": str(root)},
    ) as child:
        assert child.stdout is not None
        answered = [int(child.stdout.readline()) for _ in range(LINES_BEFORE_KILL)]
        child.send_signal(signal.SIGKILL)
        answered += [int(line) for line in child.stdout]
        assert child.wait(timeout=10) == -signal.SIGKILL

    reopened = Database(url)
    with reopened.read() as tx:
        stored = tx.execute(select(schema.transcript_lines.c.segment)).scalars().all()
        numbers = tx.execute(select(schema.transcript_lines.c.number)).scalars().all()
        verdict = tx.exec_driver_sql("PRAGMA integrity_check").scalar()
    reopened.close()
    assert answered == list(range(1, len(answered) + 1))
    assert set(answered) <= set(stored)
    assert len(stored) - len(answered) <= 1
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # numbered without a gap
    assert verdict == "ok"
