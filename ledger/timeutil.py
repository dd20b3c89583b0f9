"""RFC 3339 timestamps in UTC, the only time format records carry."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from .errors import SchemaViolation

RFC3339: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
"""RFC 3339 ``date-time`` as records carry it: upper-case ``T`` and ``Z``, an explicit offset,
at most six fractional digits (what every party's clock library round-trips)."""

__all__ = ["format_time", "parse_time", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """``2026-11-26T10:00:00Z`` (microseconds kept only when present)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def parse_time(value: object, *, field: str) -> datetime:
    """Parse an RFC 3339 timestamp that names its offset (see :data:`RFC3339`).

    Raises:
        SchemaViolation: not a string, not RFC 3339, or without an offset.
    """
    if not isinstance(value, str):
        raise SchemaViolation(f"{field} must be an RFC 3339 string", field=field)
    if not RFC3339.fullmatch(value):
        raise SchemaViolation(
            f"{field} is not an RFC 3339 date-time with an offset "
            f"(e.g. 2026-12-01T20:00:00Z): {value[:40]!r}",
            field=field,
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SchemaViolation(f"{field} is not a valid date-time: {value!r}", field=field) from None
    return moment.astimezone(UTC)


def format_optional(moment: datetime | None) -> str | None:
    """:func:`format_time`, passing None through; naive values are taken as UTC (SQLite)."""
    if moment is None:
        return None
    return format_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
