"""Values a ledger instance makes once and keeps (its instance id, secret salts)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .db import session_scope
from .models import LedgerMetaRow

__all__ = ["kept_value"]


def kept_value(engine: Engine, name: str, make: Callable[[], str]) -> str:
    """The value stored under ``name``, made with ``make`` on first use. Every process on the
    database gets the same one: when two make it at once, the first insert wins."""
    for _ in range(2):
        with session_scope(engine) as session:
            row = session.get(LedgerMetaRow, name)
            if row is not None:
                return row.value
        try:
            with session_scope(engine) as session:
                session.add(LedgerMetaRow(name=name, value=make()))
        except IntegrityError:
            continue  # another process made it first: read theirs
    raise AssertionError(f"unreachable: {name} exists after its insert")
