"""Column types that store values the same way on every platform."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.timeutil import format_utc, parse_utc, utc_now

__all__ = ["ISODate", "UTCDateTime", "format_utc", "parse_utc", "utc_now"]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as ISO-8601 UTC text (``2024-05-01T08:30:00.000000Z``).

    Text sorts correctly, reads well in exports and survives SQLite's lack of a time type.
    """

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return format_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return parse_utc(str(value))


class ISODate(TypeDecorator[date]):
    """A calendar date stored as ``YYYY-MM-DD`` text."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        return None if value is None else value.isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(str(value))
