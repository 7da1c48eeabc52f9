"""Durable records of dialogues, in SQLite (the default) or PostgreSQL.

ids (random text ids, secret hashes) and types (UTC instants) are leaves;
schema holds every table, one definition for both backends; database opens
one (`Database`, a transaction per change); migrate runs the Alembic
revisions under migrations/; backup copies a running SQLite file. Nothing
here knows HTTP or the dialogue rules.
"""

from frankly.storage.database import Database, database_url
from frankly.storage.migrate import open_database, upgrade

__all__ = ["Database", "database_url", "open_database", "upgrade"]
