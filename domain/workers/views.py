"""Workers' evidence about many facilities at once (a supply-chain trace's nodes): the
ID-possession rate with the records behind it, and how many coercion flags were raised.
A fixed number of queries whatever the number of facilities; counts only, never a person."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ledger.store.db import in_chunks

from .models import CheckinRow, CoercionFlagRow, WorkerCredentialRow
from .service import POSSESSION_WINDOW

__all__ = ["PossessionEvidence", "coercion_flag_counts", "possession_of"]


@dataclass(frozen=True)
class PossessionEvidence:
    """As :func:`domain.workers.service.possession_rate`, with the credential and check-in
    records whose receipts back the rate."""

    credentialed_workers: int
    workers_with_recent_checkin: int
    id_possession_rate: float | None
    records: list[str]


def possession_of(
    session: Session, facilities: Sequence[str], now: datetime
) -> dict[str, PossessionEvidence]:
    """Each facility's ID-possession rate now (facilities without credentialed workers are
    left out). A check-in counts by when its verifier signed it (``created``, bound to its
    challenge's window at admission), which its receipt carries: the rate is rebuilt from
    receipts alone (:mod:`domain.scores.replay`)."""
    credentialed: dict[str, dict[str, str]] = defaultdict(dict)  # facility -> status id -> record
    for chunk in in_chunks(facilities):
        for row in session.exec(
            select(WorkerCredentialRow).where(
                col(WorkerCredentialRow.facility).in_(chunk),
                WorkerCredentialRow.status == "active",
                col(WorkerCredentialRow.valid_from) <= now,
                col(WorkerCredentialRow.valid_until) > now,
            )
        ).all():
            credentialed[str(row.facility)][row.status_id] = row.record_id
    checked: dict[str, dict[str, str]] = defaultdict(dict)  # facility -> status id -> check-in
    for chunk in in_chunks(list(credentialed)):
        for checkin in session.exec(
            select(CheckinRow)
            .where(
                col(CheckinRow.facility).in_(chunk),
                CheckinRow.document_matches == True,  # noqa: E712 (SQL expression)
                col(CheckinRow.checked_at) >= now - POSSESSION_WINDOW,
                col(CheckinRow.checked_at) <= now,
            )
            .order_by(col(CheckinRow.checked_at), col(CheckinRow.record_id))
        ).all():
            checked[str(checkin.facility)][checkin.status_id] = checkin.record_id
    found = {}
    for facility, workers in credentialed.items():
        matched = {s: r for s, r in checked[facility].items() if s in workers}
        found[facility] = PossessionEvidence(
            credentialed_workers=len(workers),
            workers_with_recent_checkin=len(matched),
            id_possession_rate=round(len(matched) / len(workers), 4),
            records=sorted({*workers.values(), *matched.values()}),
        )
    return found


def coercion_flag_counts(
    session: Session, facilities: Sequence[str], since: datetime
) -> dict[str, int]:
    """How many coercion flags were raised since ``since`` about each facility's
    credentialed workers (facilities without any are left out)."""
    counts: Counter[str] = Counter()
    for chunk in in_chunks(facilities):
        rows = session.exec(
            select(WorkerCredentialRow.facility)
            .join(CoercionFlagRow, col(CoercionFlagRow.status_id) == WorkerCredentialRow.status_id)
            .where(
                col(WorkerCredentialRow.facility).in_(chunk),
                col(CoercionFlagRow.raised_at) >= since,
            )
        ).all()
        counts.update(str(facility) for facility in rows)
    return dict(counts)
