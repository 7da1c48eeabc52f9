"""`Database`: one SQLite file or PostgreSQL database, and a transaction per change.

    db = Database(database_url(None, data_dir))
    with db.transaction() as tx:
        tx.execute(insert(dialogues).values(...))

A change is answered as saved only after its transaction commits, and a
commit is durable: SQLite runs in WAL mode with synchronous=FULL (the WAL
is synced at every commit, so `kill -9` or a power cut loses nothing that
committed) and foreign keys on (SQLite leaves them off by default). On
SQLite a change takes the write lock when it begins (BEGIN IMMEDIATE), so
two changes queue instead of one failing halfway when it first writes;
`read()` begins a plain transaction, which never waits for writers.

The calls block: the server runs them in a worker thread, never on its
event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from frankly.datadir import make_private_dir

DEFAULT_FILE = "frankly.sqlite3"
BUSY_TIMEOUT_MS = 10_000  # how long a change waits for another's write lock
_BEGIN = "frankly_begin"  # the execution option that says how SQLite begins


def database_url(database: str | None, data_dir: Path) -> str:
    """The URL to open: `database` as given, or a SQLite file in `data_dir`.

    'postgresql://' (and 'postgres://', as some hosts write it) is read as
    PostgreSQL through psycopg 3, the driver Frankly installs.
    """
    if not database:
        return f"sqlite:///{data_dir / DEFAULT_FILE}"
    for plain in ("postgresql://", "postgres://"):
        if database.startswith(plain):
            return "postgresql+psycopg://" + database[len(plain) :]
    return database


class Database:
    """An open database: an engine, its backend's settings, and transactions."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(url)
        if self.url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"Frankly stores its data in SQLite or PostgreSQL, not {self.shown}")
        # A pooled PostgreSQL connection is tested before use, so that a
        # restart of the database costs one reconnect, not a failed change.
        self.engine: Engine = (
            _sqlite_engine(self.url)
            if self.is_sqlite
            else create_engine(self.url, pool_pre_ping=True)
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def shown(self) -> str:
        """The URL as it may be printed: without its password."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One change: committed when the block ends, rolled back if it raises."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read that takes no write lock; it commits nothing."""
        with self.engine.connect() as connection:
            connection.execution_options(**{_BEGIN: "BEGIN"})
            transaction = connection.begin()
            try:
                yield connection
            finally:
                transaction.rollback()

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        # It holds members' records: readable by this user alone.
        make_private_dir(Path(url.database).parent)
    # The driver's own transaction handling is off (isolation_level None):
    # the listeners below say when a transaction begins, and how.
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    begin = connection.get_execution_options().get(_BEGIN, "BEGIN IMMEDIATE")
    connection.exec_driver_sql(begin)
