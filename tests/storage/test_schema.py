"""The migrations build the schema that schema.py describes, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, insert, inspect, select
from sqlalchemy.exc import StatementError

from frankly.storage import Database, migrate, open_database, schema, upgrade
from frankly.storage.migrate import current, head
from tests.storage import rows


def _differences(database: Database) -> list[object]:
    with database.read() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), schema.metadata))


def test_the_migrations_create_every_table_as_schema_py_has_it(db: Database) -> None:
    with db.read() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == set(schema.metadata.tables) | {"alembic_version"}
    assert _differences(db) == []
    assert current(db) == head() is not None


def test_upgrading_again_changes_nothing(url: str) -> None:
    database = open_database(url)
    with database.transaction() as tx:
        made = rows.dialogue(tx)
    upgrade(url)
    upgrade(database)
    assert current(database) == head()
    assert _differences(database) == []
    with database.read() as tx:
        titles = tx.execute(select(schema.dialogues.c.title)).scalars().all()
        (sides,) = tx.execute(select(func.count()).select_from(schema.sides)).one()
    assert (titles, sides) == (["Talks"], 2)
    assert made["dialogue"].startswith("d-")
    database.close()


def test_sqlite_commits_durably_and_checks_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'new' / 'frankly.sqlite3'}")
    with database.read() as connection:
        settings = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys")
        ]
    database.close()
    assert settings == ["wal", 2, 1]  # synchronous 2 is FULL
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_instants_come_back_as_the_same_instant_in_utc(db: Database) -> None:
    moscow = datetime(2026, 12, 1, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    with db.transaction() as tx:
        tx.execute(insert(schema.dialogues).values(id="d-1", title="T", created=moscow))
    with db.read() as tx:
        created = tx.execute(select(schema.dialogues.c.created)).scalar_one()
    assert created == moscow
    assert created.utcoffset() == timedelta(0)
    assert created.hour == 15


def test_a_time_without_a_zone_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.transaction() as tx:
        tx.execute(
            insert(schema.dialogues).values(id="d-1", title="T", created=datetime(2026, 1, 1))
        )


def test_the_migrations_check_the_rules_state_words() -> None:
    """A revision is frozen text, not code that imports the rules: compare the two."""
    from frankly.dialogues import words

    versions = Path(schema.__file__).parent / "migrations" / "versions"
    written = "".join(p.read_text() for p in sorted(versions.glob("*.py")))
    for column, states in [
        ("date_state", words.DATE_KINDS),
        ("state", words.PROPOSAL_STATES),
        ("state", words.COMMENT_STATES),
    ]:
        listed = ", ".join(f"'{s}'" for s in states)
        assert f"{column} IN ({listed})" in written, (column, states)


def test_meetings_from_before_0002_are_between_every_side_for_an_hour(url: str) -> None:
    database = Database(url)
    with database.transaction() as connection:
        config = migrate._config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with database.transaction() as tx:
        made = _first_schema_dialogue(tx)
    upgrade(database)
    with database.read() as tx:
        invited = tx.execute(
            select(schema.meeting_sides.c.side).where(
                schema.meeting_sides.c.meeting == made["meeting"]
            )
        ).scalars()
        minutes = tx.execute(select(schema.meetings.c.minutes)).scalar_one()
        lead = tx.execute(select(schema.invites.c.lead)).scalar_one()
    assert (set(invited), minutes, lead) == ({made["a"], made["b"]}, 60, False)
    database.close()


def _first_schema_dialogue(tx: Connection) -> dict[str, str]:
    """rows.dialogue's rows and an invite, as revision 0001 had its columns."""
    made = {"dialogue": "d-1", "a": "s-a", "b": "s-b", "meeting": "mt-1"}
    tx.exec_driver_sql(
        "INSERT INTO dialogues (id, title, created) VALUES ('d-1', 'T', '2026-12-01 09:00:00')"
    )
    for position, side in enumerate(("s-a", "s-b")):
        tx.exec_driver_sql(
            "INSERT INTO sides (id, dialogue, name, time_zone, position) "
            f"VALUES ('{side}', 'd-1', '{side}', 'UTC', {position})"
        )
    tx.exec_driver_sql(
        "INSERT INTO meetings (id, dialogue, topic, date_state, room, created) "
        "VALUES ('mt-1', 'd-1', 'First', 'tba', 'r-1', '2026-12-01 09:00:00')"
    )
    tx.exec_driver_sql(
        "INSERT INTO invites (id, side, created, expires) "
        "VALUES ('in-1', 's-a', '2026-12-01 09:00:00', '2026-12-08 09:00:00')"
    )
    return made
