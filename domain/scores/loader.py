"""The evidence of one facility's score, read from the database in a fixed number of queries
whatever the size of its supplier graph (the graph's two, one for all their audits, the
facility's wages, credentials, check-ins and coercion flags)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from domain.audits.views import audits_of, latest_audit, valid_audits
from domain.supply import views as supply
from domain.supply.graph import graph_below
from domain.wages.views import current_wages_of
from domain.workers.service import POSSESSION_WINDOW
from domain.workers.views import coercion_flag_counts, possession_of

from .evidence import (
    ActionEvidence,
    AuditEvidence,
    Evidence,
    FindingEvidence,
    LinkEvidence,
    PossessionCounts,
    WageEvidence,
)

__all__ = ["TRACE_DEPTH", "audit_evidence", "evidence_of"]

TRACE_DEPTH = 10  # tiers of the supplier graph traceability looks through


def evidence_of(session: Session, facility_id: str, now: datetime) -> Evidence:
    """The evidence about ``facility_id`` (or the facility it was merged into) as of ``now``.

    Raises:
        FacilityUnknown: no such facility.
    """
    facility = supply.facility(session, facility_id).id
    today = now.date()
    graph = graph_below(session, facility, TRACE_DEPTH)
    audits = audits_of(session, sorted({facility, *graph.tiers}))
    valid = {f: _latest_valid(a, today) for f, a in audits.items()}
    links = tuple(
        LinkEvidence(e.link, e.supplier, e.confirmation, valid.get(e.supplier)) for e in graph.edges
    )
    wages = current_wages_of(session, [facility]).get(facility)
    held = possession_of(session, [facility], now).get(facility)
    flags = coercion_flag_counts(session, [facility], now - POSSESSION_WINDOW)
    return Evidence(
        facility=facility,
        as_of=today,
        links=links,
        audits=tuple(audit_evidence(a) for a in audits.get(facility, [])),
        wages=None
        if wages is None
        else WageEvidence(
            run=wages.run,
            lines=wages.lines,
            compliant_lines=wages.compliant_lines,
            acknowledged=wages.acknowledged,
            disputed=wages.disputed,
            fees_found=wages.fees_found,
            fees_repaid=wages.fees_repaid,
            records=tuple(wages.line_ids),
        ),
        possession=None
        if held is None
        else PossessionCounts(
            held.credentialed_workers, held.workers_with_recent_checkin, tuple(held.records)
        ),
        coercion_flags=flags.get(facility, 0),
    )


def _latest_valid(audits: Sequence[dict[str, Any]], today: date) -> str | None:
    valid = valid_audits(audits, today)
    return str(latest_audit(valid)["id"]) if valid else None


def audit_evidence(view: dict[str, Any]) -> AuditEvidence:
    """An audit as :func:`domain.audits.views.audits_of` gives it (findings followed)."""
    return AuditEvidence(
        id=view["id"],
        created=view["created"],
        end_date=date.fromisoformat(view["endDate"]),
        valid_until=date.fromisoformat(view["validUntil"]),
        findings=tuple(
            FindingEvidence(
                id=f["id"],
                indicators=tuple(f.get("iloIndicators", [])),
                severity=f["severity"],
                status=f["currentStatus"],
                status_from=(f["statusFrom"]["recordId"], f["statusFrom"]["findingId"]),
            )
            for f in view["findings"]
        ),
        actions=tuple(
            ActionEvidence(
                finding=a["findingId"],
                due=date.fromisoformat(a["dueDate"]),
                closed_at=_day(a.get("closedAt")),
            )
            for a in view.get("correctiveActions", [])
        ),
    )


def _day(timestamp: str | None) -> date | None:
    if timestamp is None:
        return None
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
