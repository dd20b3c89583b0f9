"""The transparency score of a facility, 0-100: a pure function of its :class:`Evidence`.

Formula ``2026.1`` (shared/DOMAIN.md's starting weights). Points are Decimals, each
component's value rounded half-up to 0.01; the score is their sum, capped as below.

- **traceability** (25): over every supply link of the graph below the facility (to
  ``TRACE_DEPTH`` tiers), the share that is confirmed by its supplier *and* whose supplier has
  a valid audit (``validUntil`` not past). No links: 0 (``no_supplier_links``).
- **audit** (25): the latest audit (by end date): full points until its ``validUntil``, then
  linear decay to 0 over ``DECAY_DAYS`` (365) days past it. No audit: 0 (``no_audit``).
- **corrective_actions** (15): the corrective actions of the audits *in view* (``validUntil``
  less than ``DECAY_DAYS`` past): the share of those due (due date reached, or closed) that
  are closed, by ``closedAt`` or by a later audit closing their finding. None due yet: full
  points (the audit is the evidence that nothing is overdue). No audit in view: 0.
- **forced_labour_findings** (15): the findings of the audits in view that carry an ILO
  indicator and are still open (current status not ``closed``, following follow-ups; each
  finding once, where it was last re-examined): 5 points off each; any such finding of
  severity ``zero-tolerance``: 0. No audit in view: 0 (``no_current_audit``).
- **worker_voice** (10): 5 x the ID-possession rate (credentialed workers with a matching
  check-in in 90 days) + 5 x the payslip response rate (lines of the latest payroll run the
  worker acknowledged *or disputed*: a dispute is a worker's voice, so it is never penalised
  here). Each half missing on its own: ``no_credentialed_workers``, ``no_wage_records``.
- **wages** (10): 5 x the latest payroll run's compliant-line share + 5 x the share of
  recruitment fees found that were repaid (no fees found: full). No run: 0.

**Cap**: an open finding (current status not ``closed``) with indicator
``retention-of-identity-documents`` or ``debt-bondage`` in *any* of the facility's audits
caps the score at ``CAP`` (40), until a later audit closes it.

**Missing evidence scores zero**: a component (or half) without its evidence earns 0 points
and names what is missing in ``inputs["missing"]``; nothing is imputed or averaged in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .evidence import AuditEvidence, Evidence, FindingEvidence

__all__ = ["CAP", "CAP_INDICATORS", "DECAY_DAYS", "FORMULA_VERSION", "WEIGHTS", "Component",
           "Score", "score"]  # fmt: skip

FORMULA_VERSION = "2026.1"
WEIGHTS: tuple[tuple[str, int], ...] = (
    ("traceability", 25),
    ("audit", 25),
    ("corrective_actions", 15),
    ("forced_labour_findings", 15),
    ("worker_voice", 10),
    ("wages", 10),
)
DECAY_DAYS = 365
CAP = Decimal(40)
CAP_INDICATORS = ("debt-bondage", "retention-of-identity-documents")
FINDING_PENALTY = Decimal(5)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Component:
    name: str
    weight: int
    value: Decimal  # points earned, out of ``weight``
    inputs: dict[str, Any]  # always with "missing": [...]
    records: list[str]  # the record ids backing it


@dataclass(frozen=True)
class Score:
    score: Decimal
    formula_version: str
    components: list[Component]
    cap: dict[str, Any] | None  # present when a capping finding is open


def score(evidence: Evidence) -> Score:
    """The score of ``evidence`` under formula :data:`FORMULA_VERSION` (module docstring)."""
    weights = dict(WEIGHTS)
    in_view = [a for a in evidence.audits if (evidence.as_of - a.valid_until).days < DECAY_DAYS]
    parts = {
        "traceability": _traceability(evidence),
        "audit": _audit(evidence),
        "corrective_actions": _actions(in_view, evidence.as_of),
        "forced_labour_findings": _findings(in_view),
        "worker_voice": _voice(evidence),
        "wages": _wages(evidence),
    }
    components = [
        Component(name, w, _points(w, parts[name][0]), parts[name][1], sorted(parts[name][2]))
        for name, w in weights.items()
    ]
    total = sum((c.value for c in components), Decimal(0))
    cap = _cap(evidence.audits, total)
    if cap is not None:
        total = min(total, CAP)
    return Score(total.quantize(_CENT), FORMULA_VERSION, components, cap)


_Part = tuple[Decimal, dict[str, Any], set[str]]  # share of the weight (0..1), inputs, records


def _points(weight: int, share: Decimal) -> Decimal:
    return (weight * min(max(share, Decimal(0)), Decimal(1))).quantize(_CENT, ROUND_HALF_UP)


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return Decimal(part) / Decimal(whole)


def _traceability(evidence: Evidence) -> _Part:
    links = evidence.links
    good = [x for x in links if x.confirmation is not None and x.supplier_audit is not None]
    inputs: dict[str, Any] = {
        "links": len(links),
        "confirmed": sum(x.confirmation is not None for x in links),
        "supplierWithValidAudit": sum(x.supplier_audit is not None for x in links),
        "confirmedWithValidAudit": len(good),
        "missing": [] if links else ["no_supplier_links"],
    }
    records = {x.link for x in links} | {x.confirmation for x in good if x.confirmation}
    records |= {x.supplier_audit for x in good if x.supplier_audit}
    return (_ratio(len(good), len(links)) if links else Decimal(0)), inputs, records


def _latest(audits: Sequence[AuditEvidence]) -> AuditEvidence:
    return max(audits, key=lambda a: (a.end_date, a.created, a.id))


def _audit(evidence: Evidence) -> _Part:
    if not evidence.audits:
        return Decimal(0), {"missing": ["no_audit"]}, set()
    latest = _latest(evidence.audits)
    past = max((evidence.as_of - latest.valid_until).days, 0)
    share = max(Decimal(1) - _ratio(past, DECAY_DAYS), Decimal(0))
    inputs = {
        "latest": latest.id, "validUntil": latest.valid_until.isoformat(),
        "daysPastValidity": past, "decayDays": DECAY_DAYS,
        "missing": ["audit_expired"] if share == 0 else [],
    }  # fmt: skip
    return share, inputs, {latest.id}


def _actions(in_view: Sequence[AuditEvidence], as_of: date) -> _Part:
    if not in_view:
        return Decimal(0), {"missing": ["no_current_audit"]}, set()
    due = closed = 0
    records = {a.id for a in in_view}
    for audit in in_view:
        status = {f.id: f for f in audit.findings}
        for action in audit.actions:
            finding = status.get(action.finding)  # audit/v1 ensures it is there
            by_audit = finding is not None and finding.status == "closed"
            is_closed = (action.closed_at is not None and action.closed_at <= as_of) or by_audit
            if finding is not None and by_audit:
                records.add(finding.status_from[0])
            if is_closed or action.due <= as_of:
                due += 1
                closed += is_closed
    inputs = {"due": due, "closed": closed, "overdue": due - closed, "missing": []}
    return (_ratio(closed, due) if due else Decimal(1)), inputs, records


def _heads(audits: Sequence[AuditEvidence]) -> list[FindingEvidence]:
    """Each finding once: where it was last re-examined (not counted again in earlier audits)."""
    return [f for a in audits for f in a.findings if f.status_from == (a.id, f.id)]


def _open_indicator_findings(audits: Sequence[AuditEvidence]) -> list[FindingEvidence]:
    return [f for f in _heads(audits) if f.indicators and f.status != "closed"]


def _findings(in_view: Sequence[AuditEvidence]) -> _Part:
    if not in_view:
        return Decimal(0), {"missing": ["no_current_audit"]}, set()
    found = _open_indicator_findings(in_view)
    by_indicator = Counter(i for f in found for i in f.indicators)
    zero_tolerance = sum(f.severity == "zero-tolerance" for f in found)
    points = Decimal(0) if zero_tolerance else Decimal(15) - FINDING_PENALTY * len(found)
    inputs = {
        "openIndicatorFindings": len(found),
        "byIndicator": dict(sorted(by_indicator.items())),
        "zeroTolerance": zero_tolerance,
        "missing": [],
    }
    return points / 15, inputs, {a.id for a in in_view}


def _voice(evidence: Evidence) -> _Part:
    held, wages = evidence.possession, evidence.wages
    missing: list[str] = []
    share, records = Decimal(0), set[str]()
    inputs: dict[str, Any] = {"coercionFlags90Days": evidence.coercion_flags}
    if held is None or held.credentialed_workers == 0:
        missing.append("no_credentialed_workers")
    else:
        share += _ratio(held.with_recent_checkin, held.credentialed_workers) / 2
        inputs |= {"credentialedWorkers": held.credentialed_workers,
                   "withRecentCheckin": held.with_recent_checkin}  # fmt: skip
        records |= set(held.records)
    if wages is None or wages.lines == 0:
        missing.append("no_wage_records")
    else:
        share += _ratio(wages.acknowledged + wages.disputed, wages.lines) / 2
        inputs |= {"payslipLines": wages.lines, "acknowledged": wages.acknowledged,
                   "disputed": wages.disputed}  # fmt: skip
        records |= set(wages.records)
    return share, inputs | {"missing": missing}, records


def _wages(evidence: Evidence) -> _Part:
    wages = evidence.wages
    if wages is None or wages.lines == 0:
        return Decimal(0), {"missing": ["no_wage_records"]}, set()
    repaid = (
        min(_ratio(wages.fees_repaid, wages.fees_found), Decimal(1))
        if wages.fees_found > 0
        else Decimal(1)
    )
    share = (_ratio(wages.compliant_lines, wages.lines) + repaid) / 2
    inputs = {
        "run": wages.run, "lines": wages.lines, "compliantLines": wages.compliant_lines,
        "feesFound": str(wages.fees_found), "feesRepaid": str(wages.fees_repaid),
        "missing": [],
    }  # fmt: skip
    return share, inputs, set(wages.records)


def _cap(audits: Sequence[AuditEvidence], uncapped: Decimal) -> dict[str, Any] | None:
    found = [
        {"record": f.status_from[0], "finding": f.status_from[1],
         "indicators": sorted(set(f.indicators) & set(CAP_INDICATORS))}
        for f in _open_indicator_findings(audits)
        if set(f.indicators) & set(CAP_INDICATORS)
    ]  # fmt: skip
    if not found:
        return None
    return {"limit": CAP, "uncapped": uncapped.quantize(_CENT), "findings": found}
