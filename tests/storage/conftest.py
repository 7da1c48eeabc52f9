"""The storage tests run twice: against a SQLite file and a real PostgreSQL.

One private PostgreSQL cluster serves the whole session (tests/pg.py); each
test gets a database of its own in it, or a SQLite file of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from frankly.storage import Database, open_database
from tests.pg import Cluster

_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'frankly.sqlite3'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.database(f"test_{next(_names)}")


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    """An open database with the schema in place."""
    database = open_database(url)
    yield database
    database.close()
