"""Suppliers ranked for lenders by their latest score snapshot: the score a lender can cite
(a signed, anchored ``score`` record), its trend since the snapshot before it, and how fresh
the evidence is (the snapshot's day and the latest audit's end). Facilities never
snapshotted are not ranked: a live score is one ``GET /v1/facilities/{id}/score`` away,
and ranking every facility live would score the whole registry per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from ledger.store.models import RecordRow

from ..audits.views import audits_of
from ..supply.views import Profile, profiles_of

__all__ = ["RankedSupplier", "ranked_suppliers"]


@dataclass(frozen=True)
class RankedSupplier:
    facility: str
    name: str | None
    country: str | None
    score: Decimal
    formula_version: str
    as_of: date
    record: str  # the snapshot record to cite
    trend: Decimal | None  # since the previous snapshot, None for the first
    snapshots: int
    snapshot_age_days: int
    latest_audit_end: date | None


def ranked_suppliers(
    session: Session,
    today: date,
    *,
    min_score: Decimal | None = None,
    country: str | None = None,
    limit: int = 100,
) -> list[RankedSupplier]:
    """Highest latest snapshot first (ties: the fresher, then the id); four queries."""
    snapshots: dict[str, list[tuple[date, str, Decimal, str]]] = {}
    for row in session.exec(
        select(RecordRow)
        .where(RecordRow.kind == "score")
        .order_by(col(RecordRow.created), col(RecordRow.id))  # as history_of lists them
    ).all():
        payload = json.loads(row.envelope)["payload"]
        snapshots.setdefault(str(row.subject), []).append(
            (date.fromisoformat(payload["asOf"]), row.id, Decimal(str(payload["score"])),
             str(payload["formulaVersion"]))
        )  # fmt: skip
    ids = sorted(snapshots)
    audits = audits_of(session, ids)
    profiles = profiles_of(session, ids, audits)
    ranked = []
    for facility, taken in snapshots.items():
        taken.sort(key=lambda t: t[0])  # by day; stable, so a day's stay in the order kept
        as_of, record, score, version = taken[-1]
        profile = profiles.get(facility, Profile(None, None, None))
        name, where = profile.name, profile.country
        if (country is not None and where != country) or (
            min_score is not None and score < min_score
        ):
            continue
        ends = [date.fromisoformat(a["endDate"]) for a in audits.get(facility, [])]
        ranked.append(
            RankedSupplier(
                facility=facility, name=name, country=where, score=score,
                formula_version=version, as_of=as_of, record=record,
                trend=score - taken[-2][2] if len(taken) > 1 else None,
                snapshots=len(taken), snapshot_age_days=(today - as_of).days,
                latest_audit_end=max(ends) if ends else None,
            )
        )  # fmt: skip
    ranked.sort(key=lambda r: (-r.score, -r.as_of.toordinal(), r.facility))
    return ranked[:limit]
