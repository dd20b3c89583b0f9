"""Query parameters checked as dependencies, ahead of a route's signed-request dependency.

FastAPI validates a route's own query parameters only after every dependency ran, so a
``Query(ge=..., le=...)`` that refuses a signed read would refuse it *after* the signature's
nonce was spent: the refused request would have changed something. Declared before the
signer's dependency, these refuse first, with the usual 422 ``schema_violation``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Depends, Query

from ledger.errors import SchemaViolation
from ledger.timeutil import parse_time

__all__ = ["bounded_limit", "optional_time"]


def bounded_limit(maximum: int, *, default: int | None = None) -> Any:
    """``limit``: a whole number from 1 to ``maximum`` (default ``default`` or ``maximum``)."""

    def limit(limit: str | None = Query(None, description=f"1 to {maximum}")) -> int:
        if limit is None:
            return maximum if default is None else default
        # ASCII digits only: str.isdigit() takes '²', which int() then refuses
        if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= maximum:
            raise SchemaViolation(f"limit is a whole number from 1 to {maximum}", field="limit")
        return int(limit)

    return Depends(limit)


def optional_time(name: str, description: str) -> Any:
    """An optional RFC 3339 instant with its offset, named ``name`` in the query."""

    def moment(
        value: str | None = Query(None, alias=name, description=description),
    ) -> datetime | None:
        return None if value is None else parse_time(value, field=name)

    return Depends(moment)
