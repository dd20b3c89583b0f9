"""The whole state a refused request must leave alone: every row of every table, and the
relaying account's nonce and the chain head (no transaction sent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel

from ledger.service import Ledger
from ledger.store.db import session_scope

__all__ = ["Snapshot", "changed", "snapshot"]

Snapshot = tuple[dict[str, list[tuple[Any, ...]]], int, int]


def snapshot(ledger: Ledger) -> Snapshot:
    """Every row of every table, and the relaying account's nonce and the chain head."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with session_scope(ledger.engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = session.connection().execute(text(f'SELECT * FROM "{table.name}"')).all()
            tables[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    nonce = ledger.client.w3.eth.get_transaction_count(ledger.client.address)
    return tables, nonce, ledger.client.block_number()


def changed(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    diff: dict[str, Any] = {
        name: (len(rows), len(after[0][name]))
        for name, rows in before[0].items()
        if rows != after[0][name]
    }
    if before[1:] != after[1:]:
        diff["chain (nonce, head)"] = (before[1:], after[1:])
    return diff
