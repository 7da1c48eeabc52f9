"""Alembic's entry point: migrate the connection that `migrate.upgrade` hands over.

Run from code, the connection arrives in `config.attributes`. Run from the
`alembic` command (to write a new revision), the URL comes from
FRANKLY_DATABASE or the default: a SQLite file in the current directory.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from frankly.storage.database import Database, database_url
from frankly.storage.schema import metadata


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters a table by copying it
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from pathlib import Path

    database = Database(database_url(os.environ.get("FRANKLY_DATABASE"), Path.cwd()))
    try:
        with database.transaction() as connection:
            _migrate(connection)
    finally:
        database.close()


_run()
