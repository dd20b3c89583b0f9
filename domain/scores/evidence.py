"""What a transparency score is computed from: plain, frozen values, so the same score can be
recomputed from the records' receipts alone, without this database (see
:mod:`domain.scores.formula`; :mod:`domain.scores.loader` reads them from the database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "ActionEvidence",
    "AuditEvidence",
    "Evidence",
    "FindingEvidence",
    "LinkEvidence",
    "PossessionCounts",
    "WageEvidence",
]


@dataclass(frozen=True)
class LinkEvidence:
    """A supply link of the graph below the scored facility."""

    link: str  # the supply-link record id
    supplier: str
    confirmation: str | None  # the supply-confirm record id, None while unconfirmed
    supplier_audit: str | None  # the supplier's latest valid audit, None if it has none


@dataclass(frozen=True)
class FindingEvidence:
    id: str
    indicators: tuple[str, ...]  # ILO indicators
    severity: str
    status: str  # its current status: as the latest audit re-examining it says
    status_from: tuple[str, str]  # (audit record id, finding id) that gave ``status``


@dataclass(frozen=True)
class ActionEvidence:
    finding: str
    due: date
    closed_at: date | None


@dataclass(frozen=True)
class AuditEvidence:
    id: str  # the audit record id
    created: str
    end_date: date
    valid_until: date
    findings: tuple[FindingEvidence, ...]
    actions: tuple[ActionEvidence, ...]


@dataclass(frozen=True)
class WageEvidence:
    """The facility's latest current payroll run, as counts (exact, never rates)."""

    run: str
    lines: int
    compliant_lines: int
    acknowledged: int
    disputed: int
    fees_found: Decimal  # recruitment fees found or deducted
    fees_repaid: Decimal
    records: tuple[str, ...]  # the wage-line record ids


@dataclass(frozen=True)
class PossessionCounts:
    credentialed_workers: int
    with_recent_checkin: int
    records: tuple[str, ...]  # credential and check-in record ids


@dataclass(frozen=True)
class Evidence:
    facility: str
    as_of: date
    links: tuple[LinkEvidence, ...]
    audits: tuple[AuditEvidence, ...]
    wages: WageEvidence | None
    possession: PossessionCounts | None
    coercion_flags: int
