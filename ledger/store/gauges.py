"""The anchoring pipeline's state as numbers, read in one short transaction (for ``/metrics``
at scrape time): what waits, how long the oldest has waited, who holds the lease.

Every query is an aggregate over an indexed column (or a one-row lookup), so a scrape costs
a few milliseconds however large the ledger grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ..timeutil import utcnow
from .db import as_utc, session_scope
from .models import BatchRow, BatchState, LeaseRow, OutboxRow, RecordRow

__all__ = ["PipelineGauges", "read_gauges"]


@dataclass(frozen=True)
class PipelineGauges:
    # Records not anchored yet, by the state they are in: pending, batched, submitted.
    records: dict[str, int]
    oldest_pending_seconds: float  # 0 when nothing is pending
    batches: dict[str, int]  # batches not anchored yet, by state
    outbox: dict[str, int]  # outbox rows by state (pending, submitted, done, failed)
    lease_holder: str | None  # the anchoring lease's holder while it is unexpired
    lease_expires_in_seconds: float  # 0 when nobody holds it


def read_gauges(
    engine: Engine, lease: str = "anchoring", *, now: datetime | None = None
) -> PipelineGauges:
    """Raises whatever the database raises when it cannot be read."""
    now = now or utcnow()
    with session_scope(engine) as session:
        pending, oldest = session.exec(
            select(func.count(), func.min(RecordRow.received_at)).where(
                col(RecordRow.batch_id).is_(None)
            )
        ).one()
        in_flight = session.exec(
            select(BatchRow.state, func.count(), func.coalesce(func.sum(BatchRow.count), 0))
            .where(BatchRow.state != BatchState.ANCHORED)
            .group_by(BatchRow.state)
        ).all()
        outbox = session.exec(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
        row = session.get(LeaseRow, lease)
    oldest_utc = as_utc(oldest)
    expires = as_utc(row.expires_at) if row is not None else None
    live = row is not None and expires is not None and expires > now
    holder = row.holder if row is not None and live else None
    records = {"pending": int(pending), "batched": 0, "submitted": 0}
    batches = {"batched": 0, "submitted": 0}
    for state, count, members in in_flight:
        records[str(state)] = int(members)
        batches[str(state)] = int(count)
    return PipelineGauges(
        records=records,
        oldest_pending_seconds=0.0
        if oldest_utc is None
        else max(0.0, (now - oldest_utc).total_seconds()),
        batches=batches,
        outbox={str(state): int(n) for state, n in outbox},
        lease_holder=holder,
        lease_expires_in_seconds=(expires - now).total_seconds() if holder and expires else 0.0,
    )
