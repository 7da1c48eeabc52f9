"""Alembic's scripts: env.py and versions/, one file a revision."""
