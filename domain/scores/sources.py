"""Every record a facility's score is computed from: what ``ledger receipts export`` fetches
the receipts of, so that :func:`domain.scores.replay.evidence_from_records` rebuilds the
same evidence from those receipts alone.

That is more than the components' ``records``: every acknowledgement of the payroll run's
lines (the latest one counts, and only all of them show which), the status records of the
counted credentials, and the facility records that merged an id a link still names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger.store.db import in_chunks
from ledger.store.models import RecordRow

from ..supply.models import FacilityAliasRow
from ..wages.models import WageAckRow, WageRunRow
from ..workers.models import WorkerCredentialRow
from .evidence import Evidence

__all__ = ["ScoreSources", "score_sources"]


@dataclass(frozen=True)
class ScoreSources:
    records: list[str]  # sorted record ids
    wage_rules: dict[str, str]  # run id -> the wage rules version its lines were checked with


def score_sources(session: Session, evidence: Evidence) -> ScoreSources:
    """The records behind ``evidence`` (as :func:`domain.scores.loader.evidence_of` read
    it, in the same session)."""
    ids: set[str] = {a.id for a in evidence.audits}
    facilities = {evidence.facility}
    for link in evidence.links:
        facilities.add(link.supplier)
        ids.add(link.link)
        ids.update(r for r in (link.confirmation, link.supplier_audit) if r is not None)
    for chunk in in_chunks(sorted(facilities)):
        ids.update(
            session.exec(
                select(FacilityAliasRow.record_id).where(
                    col(FacilityAliasRow.facility_id).in_(chunk)
                )
            ).all()
        )
    rules: dict[str, str] = {}
    if evidence.wages is not None:
        lines = list(evidence.wages.records)
        ids.update(lines)
        for chunk in in_chunks(lines):
            ids.update(
                session.exec(
                    select(WageAckRow.record_id).where(col(WageAckRow.line_record_id).in_(chunk))
                ).all()
            )
        run = session.get(WageRunRow, evidence.wages.run)
        if run is not None:
            rules[run.run_id] = run.rules_version
    if evidence.possession is not None:
        held = list(evidence.possession.records)
        ids.update(held)
        for chunk in in_chunks(held):
            status_ids = session.exec(
                select(WorkerCredentialRow.status_id).where(
                    col(WorkerCredentialRow.record_id).in_(chunk)
                )
            ).all()
            ids.update(
                session.exec(
                    select(RecordRow.id).where(
                        RecordRow.kind == "credential_status",
                        col(RecordRow.subject).in_(list(status_ids)),
                    )
                ).all()
            )
    return ScoreSources(sorted(ids), rules)
