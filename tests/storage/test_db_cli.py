"""`frankly db upgrade` and `frankly backup`, as a person types them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from frankly.cli import main
from frankly.storage import Database
from frankly.storage.migrate import current, head
from tests.pg import Cluster


def test_db_upgrade_makes_the_database_in_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["db", "upgrade", "--data-dir", str(tmp_path / "data")])
    main(["db", "upgrade", "--data-dir", str(tmp_path / "data")])  # again: nothing to do
    file = tmp_path / "data" / "frankly.sqlite3"
    assert capsys.readouterr().out.count(f"sqlite:///{file}: schema at revision {head()}") == 2
    database = Database(f"sqlite:///{file}")
    assert current(database) == head()
    database.close()


def test_db_upgrade_takes_a_postgresql_url(
    postgres: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres.database("cli_upgrade").replace("postgresql+psycopg://", "postgresql://")
    main(["db", "upgrade", "--database", url])
    assert f"schema at revision {head()}" in capsys.readouterr().out
    database = Database(url.replace("postgresql://", "postgresql+psycopg://"))
    assert current(database) == head()
    database.close()


def test_db_upgrade_refuses_another_kind_of_database(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["db", "upgrade", "--database", "mysql://db.example/frankly"])
    assert refused.value.code == 2


def test_backup_copies_the_data_dirs_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["db", "upgrade", "--data-dir", str(tmp_path)])
    main(["backup", str(tmp_path / "copy.sqlite3"), "--data-dir", str(tmp_path)])
    assert "copied to" in capsys.readouterr().out
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (head(),)
    copy.close()


def test_backup_says_what_to_do_for_postgresql_and_when_there_is_nothing_to_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["backup", "copy", "--database", "postgresql://frankly:pw@db.example/frankly"])
    assert refused.value.code == 1
    assert "pg_dump --format=custom" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["backup", str(tmp_path / "copy"), "--data-dir", str(tmp_path / "empty")])
    assert refused.value.code == 1
    assert "there is no database at" in capsys.readouterr().err
