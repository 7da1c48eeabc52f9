"""Schema migrations: the Alembic revisions under migrations/, run from code.

`upgrade(url)` brings a database to the newest revision; the server calls
`open_database(url)` at start, which does that and returns the open
`Database`. Upgrading a database already at the newest revision changes
nothing. A new revision is a new file in migrations/versions/ (`alembic
-c frankly/storage/migrations/alembic.ini revision -m "..."` writes one).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from frankly.storage.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def open_database(url: str) -> Database:
    """The database at `url`, its schema upgraded to the newest revision."""
    database = Database(url)
    try:
        upgrade(database)
    except BaseException:
        database.close()
        raise
    return database


def upgrade(target: str | Database) -> None:
    """Run every revision that `target` (a URL or an open Database) lacks."""
    database = Database(target) if isinstance(target, str) else target
    try:
        # One connection and one transaction for the whole run: the env.py
        # uses the connection it is handed, so SQLite's settings apply.
        with database.transaction() as connection:
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if isinstance(target, str):
            database.close()


def current(database: Database) -> str | None:
    """The revision the database is at (None before the first upgrade)."""
    with database.read() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision that Frankly ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
