"""What the public and a line's parties see of wages.

Public views give aggregates per pay period (lines, compliance rate, violations by rule,
acknowledgement and dispute rates, recruitment fees found, repaid and outstanding) and never
a single worker's figure or identity. A run's lines (record ids and verdicts) are for its
employer and the facility's auditors; a line's figures are read through its record and
receipt by its parties (:meth:`ledger.service.Ledger.authorize_read`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, text
from sqlalchemy import select as core_select  # a row of six columns (sqlmodel's: four)
from sqlmodel import Session, col, select

from ledger.errors import NotFound
from ledger.store.db import as_utc, in_chunks

from .models import WageAckRow, WageLineRow, WageRunRow

__all__ = [
    "CurrentWages",
    "FacilityWages",
    "PeriodWages",
    "RunLine",
    "RunView",
    "current_wages_of",
    "facility_wages",
    "latest_acks",
    "run_view",
]


@dataclass(frozen=True)
class PeriodWages:
    period_start: date
    period_end: date
    run: str
    currency: str
    lines: int
    compliant_lines: int
    compliance_rate: float
    violations_by_rule: dict[str, int]
    acknowledged: int
    disputed: int
    acknowledgement_rate: float
    dispute_rate: float
    disputes_by_reason: dict[str, int]
    recruitment_fees_deducted: Decimal
    fees_found: Decimal
    fees_repaid: Decimal
    fees_outstanding: Decimal
    corrects: str | None


@dataclass(frozen=True)
class FacilityWages:
    facility: str
    periods: list[PeriodWages] = field(default_factory=list)


@dataclass(frozen=True)
class RunLine:
    id: str
    line: int
    compliant: bool
    violations: list[dict[str, Any]]


@dataclass(frozen=True)
class RunView:
    run: str
    facility: str
    country: str
    period_start: date
    period_end: date
    currency: str
    lines: int
    employer: str
    corrects: str | None
    corrected_by: str | None
    rules_version: str
    received_at: datetime
    summary: PeriodWages
    line_results: list[RunLine] | None  # for the employer and the facility's auditors only


def latest_acks(session: Session, line_ids: list[str]) -> dict[str, WageAckRow]:
    """The latest acknowledgement of each line (by the worker's signing time, then record
    id: both in its receipt, so receipts alone say which one counts)."""
    latest: dict[str, WageAckRow] = {}
    for start in range(0, len(line_ids), 500):
        chunk = line_ids[start : start + 500]
        for ack in session.exec(
            select(WageAckRow)
            .where(col(WageAckRow.line_record_id).in_(chunk))
            .order_by(col(WageAckRow.signed_at), col(WageAckRow.record_id))
        ).all():
            latest[ack.line_record_id] = ack  # ordered: the last one wins
    return latest


def _summary(session: Session, run: WageRunRow, rows: list[WageLineRow]) -> PeriodWages:
    acks = latest_acks(session, [r.record_id for r in rows])
    by_rule: Counter[str] = Counter()
    for row in rows:
        by_rule.update({v["rule"] for v in json.loads(row.violations)})
    disputed = [a for a in acks.values() if a.status == "disputed"]
    reasons: Counter[str] = Counter()
    for ack in disputed:
        reasons.update(json.loads(ack.reasons))
    found = sum((Decimal(r.fees_found) for r in rows if r.fees_found), Decimal(0))
    repaid = sum((Decimal(r.fees_repaid) for r in rows if r.fees_repaid), Decimal(0))
    deducted = sum((Decimal(r.recruitment_fee) for r in rows), Decimal(0))
    total = len(rows)
    compliant = sum(r.compliant for r in rows)
    return PeriodWages(
        period_start=run.period_start,
        period_end=run.period_end,
        run=run.run_id,
        currency=run.currency,
        lines=total,
        compliant_lines=compliant,
        compliance_rate=round(compliant / total, 4) if total else 0.0,
        violations_by_rule=dict(sorted(by_rule.items())),
        acknowledged=len(acks) - len(disputed),
        disputed=len(disputed),
        acknowledgement_rate=round((len(acks) - len(disputed)) / total, 4) if total else 0.0,
        dispute_rate=round(len(disputed) / total, 4) if total else 0.0,
        disputes_by_reason=dict(sorted(reasons.items())),
        recruitment_fees_deducted=deducted,
        fees_found=found + deducted,
        fees_repaid=repaid,
        fees_outstanding=max(found + deducted - repaid, Decimal(0)),
        corrects=run.corrects,
    )


def facility_wages(session: Session, facility: str) -> FacilityWages:
    """The facility's current runs (a corrected run gives way to its correction), newest
    period first, each as aggregates."""
    runs = session.exec(
        select(WageRunRow)
        .where(WageRunRow.facility == facility, col(WageRunRow.corrected_by).is_(None))
        .order_by(col(WageRunRow.period_start).desc())
    ).all()
    lines: dict[str, list[WageLineRow]] = defaultdict(list)
    if runs:
        for row in session.exec(
            select(WageLineRow).where(col(WageLineRow.run_id).in_([r.run_id for r in runs]))
        ).all():
            lines[row.run_id].append(row)
    return FacilityWages(facility, [_summary(session, run, lines[run.run_id]) for run in runs])


@dataclass(frozen=True)
class CurrentWages:
    """A facility's latest current run, as aggregates, and the line records behind them."""

    run: str
    period_start: date
    period_end: date
    lines: int
    compliant_lines: int
    compliance_rate: float
    acknowledged: int
    disputed: int
    acknowledgement_rate: float
    dispute_rate: float
    fees_found: Decimal  # as PeriodWages: declared by the employer plus deducted from pay
    fees_repaid: Decimal
    line_ids: list[str]


# Each line's latest acknowledgement (by the worker's signing time), counted per run.
_ACKS_PER_RUN = """
SELECT l.run_id, a.status, COUNT(*) FROM wage_lines l JOIN (
    SELECT line_record_id, status, ROW_NUMBER() OVER (
        PARTITION BY line_record_id ORDER BY signed_at DESC, record_id DESC) AS n
    FROM wage_acks WHERE facility IN :facilities
) a ON a.line_record_id = l.record_id AND a.n = 1
WHERE l.run_id IN :runs GROUP BY l.run_id, a.status
"""


def _latest_runs(session: Session, facilities: Sequence[str]) -> list[Any]:
    """Each facility's newest current run (the newest period, as its lines say: start, end,
    then run id), picked in SQL so only those rows are read."""
    runs = WageRunRow.__table__  # type: ignore[attr-defined]
    newest = func.row_number().over(
        partition_by=runs.c.facility,
        order_by=(runs.c.period_start.desc(), runs.c.period_end.desc(), runs.c.run_id.desc()),
    )
    ranked = (
        core_select(
            runs.c.run_id,
            runs.c.facility,
            runs.c.period_start,
            runs.c.period_end,
            newest.label("n"),
        )
        .where(runs.c.facility.in_(list(facilities)), runs.c.corrected_by.is_(None))
        .subquery()
    )
    columns = (ranked.c.run_id, ranked.c.facility, ranked.c.period_start, ranked.c.period_end)
    return list(session.execute(core_select(*columns).where(ranked.c.n == 1)).all())


def current_wages_of(session: Session, facilities: Sequence[str]) -> dict[str, CurrentWages]:
    """Each facility's newest current run (by period) as aggregates worked out in SQL, for
    many facilities in a fixed number of queries (those without wage records left out)."""
    runs = {
        run.run_id: run for chunk in in_chunks(facilities) for run in _latest_runs(session, chunk)
    }
    line_ids: dict[str, list[str]] = defaultdict(list)
    compliant: Counter[str] = Counter()
    found_fees: dict[str, Decimal] = defaultdict(Decimal)
    repaid_fees: dict[str, Decimal] = defaultdict(Decimal)
    acks: dict[str, Counter[str]] = defaultdict(Counter)
    line = WageLineRow
    columns = [col(c) for c in (line.run_id, line.record_id, line.compliant, line.fees_found,
                                line.recruitment_fee, line.fees_repaid)]  # fmt: skip
    for chunk in in_chunks(list(runs)):
        for run_id, record_id, ok, found, deducted, repaid in session.execute(
            core_select(*columns).where(col(WageLineRow.run_id).in_(chunk))
        ).all():
            line_ids[run_id].append(record_id)
            compliant[run_id] += bool(ok)
            found_fees[run_id] += Decimal(found or 0) + Decimal(deducted or 0)
            repaid_fees[run_id] += Decimal(repaid or 0)
        where = sorted({runs[r].facility for r in chunk})
        statement = text(_ACKS_PER_RUN).bindparams(
            bindparam("facilities", expanding=True), bindparam("runs", expanding=True)
        )
        for run_id, status, count in session.execute(
            statement, {"facilities": where, "runs": chunk}
        ).all():
            acks[run_id][status] += int(count)
    found = {}
    for run_id, run in runs.items():
        total = len(line_ids[run_id])
        received, disputed = acks[run_id]["received"], acks[run_id]["disputed"]
        found[run.facility] = CurrentWages(
            run=run_id, period_start=run.period_start, period_end=run.period_end,
            lines=total, compliant_lines=compliant[run_id],
            compliance_rate=round(compliant[run_id] / total, 4) if total else 0.0,
            acknowledged=received, disputed=disputed,
            acknowledgement_rate=round(received / total, 4) if total else 0.0,
            dispute_rate=round(disputed / total, 4) if total else 0.0,
            fees_found=found_fees[run_id], fees_repaid=repaid_fees[run_id],
            line_ids=sorted(line_ids[run_id]),
        )  # fmt: skip
    return found


def run_view(session: Session, run_id: str, *, with_lines: bool) -> RunView:
    """A run as a whole; its lines' verdicts only ``with_lines`` (the caller authorises).

    Raises:
        NotFound: no such run.
    """
    run = session.get(WageRunRow, run_id)
    if run is None:
        raise NotFound(f"no wage run {run_id}", what="wage run", key=run_id)
    rows = list(
        session.exec(
            select(WageLineRow).where(WageLineRow.run_id == run_id).order_by(col(WageLineRow.line))
        ).all()
    )
    return RunView(
        run=run.run_id,
        facility=run.facility,
        country=run.country,
        period_start=run.period_start,
        period_end=run.period_end,
        currency=run.currency,
        lines=run.lines,
        employer=run.employer,
        corrects=run.corrects,
        corrected_by=run.corrected_by,
        rules_version=run.rules_version,
        received_at=as_utc(run.received_at) or run.received_at,
        summary=_summary(session, run, rows),
        line_results=[
            RunLine(r.record_id, r.line, r.compliant, json.loads(r.violations)) for r in rows
        ]
        if with_lines
        else None,
    )
