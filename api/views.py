"""Domain view objects to JSON: camelCase member names, RFC 3339 times, ISO dates, amounts as
decimal strings, nested views."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic.alias_generators import to_camel

from ledger.timeutil import format_time

__all__ = ["to_json"]


def to_json(value: Any) -> Any:
    """A frozen dataclass (or list/dict of them) as the JSON the API returns."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            to_camel(f.name): to_json(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # amounts stay exact: decimal strings, never JSON numbers
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
