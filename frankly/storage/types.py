"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones: a DateTime comes back naive there and aware from
PostgreSQL. `UtcInstant` takes only aware datetimes, stores them in UTC, and
always gives back aware UTC datetimes, so the code above never asks which
backend it is on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator


class UtcInstant(TypeDecorator[datetime]):
    """An instant: aware in, aware UTC out, stored as UTC on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:  # a naive time is a bug: whose clock would it be?
            raise ValueError(f"a naive datetime cannot be stored as an instant: {value}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
