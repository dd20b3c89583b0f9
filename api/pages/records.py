"""Links to the records behind a figure: which of them anyone may read the receipt of."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from ledger.kinds import Readers
from ledger.service import Ledger
from ledger.store.db import in_chunks
from ledger.store.models import RecordRow

__all__ = ["public_records"]


def public_records(ledger: Ledger, session: Session, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` whose kind's receipts are public (one query per 500 ids).

    The others (a check-in, a credential registration) are readable by their parties only:
    the page names them without a link a browser could not follow."""
    public: set[str] = set()
    for chunk in in_chunks(sorted(set(ids))):
        for record, kind in session.exec(
            select(RecordRow.id, RecordRow.kind).where(col(RecordRow.id).in_(chunk))
        ).all():
            handler = ledger.kinds.get(kind)
            if handler is not None and handler.readers == Readers.PUBLIC:
                public.add(record)
    return public
