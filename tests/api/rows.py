"""What the database holds: a refused request must leave every count as it was."""

from __future__ import annotations

from sqlmodel import SQLModel, func, select

from ledger.service import Ledger
from ledger.store.db import session_scope


def row_counts(ledger: Ledger) -> dict[str, int]:
    """Rows per table."""
    with session_scope(ledger.engine) as session:
        return {
            name: int(session.exec(select(func.count()).select_from(table)).one())
            for name, table in SQLModel.metadata.tables.items()
        }
