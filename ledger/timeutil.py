"""RFC 3339 timestamps in UTC, the only time format records carry."""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import SchemaViolation

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
    """Parse an RFC 3339 timestamp that names its offset.

    Raises:
        SchemaViolation: not a string, not RFC 3339, or without an offset.
    """
    if not isinstance(value, str):
        raise SchemaViolation(f"{field} must be an RFC 3339 string", field=field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SchemaViolation(
            f"{field} is not an RFC 3339 timestamp: {value!r}", field=field
        ) from None
    if moment.tzinfo is None or "T" not in value:
        raise SchemaViolation(f"{field} must include a time and an offset (e.g. Z)", field=field)
    return moment.astimezone(UTC)


def format_optional(moment: datetime | None) -> str | None:
    """:func:`format_time`, passing None through; naive values are taken as UTC (SQLite)."""
    if moment is None:
        return None
    return format_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
