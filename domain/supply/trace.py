"""A brand's trace: every facility of its supplier graph with the evidence on labour
conditions there, what evidence is missing, and the records whose receipts back each figure.

Evidence per facility, all read for the whole graph at once (a fixed number of queries):

- audit: the latest audit still valid (``validUntil`` not past), and the open findings by
  ILO indicator: across the facility's valid audits, each finding followed to the latest
  audit that re-examined it (a finding a follow-up closed no longer counts);
- wages: the latest current payroll run's compliance, acknowledgement and dispute rates;
- idPossession: the share of credentialed workers with a matching check-in in 90 days;
- coercionFlags: how many were raised in 90 days about its credentialed workers (a count).

Beside the evidence, never inside it: ``externalEvidence``, the Digital Conformity
Credentials from other systems accepted about the facility, each marked ``"external": true``
(:mod:`domain.audits.external_views`). They are not audits: they fill no ``no_audit`` gap,
count no finding, and their records are not among the node's ``records``.

Missing evidence is named, never guessed: ``no_audit``, ``audit_expired``,
``no_wage_records``, ``no_credentialed_workers``, ``unconfirmed_link`` (a link into it in
this graph is not countersigned by the supplier).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from ..audits.external_views import external_evidence_of
from ..audits.views import OPEN_STATUSES, audits_of, latest_audit, valid_audits
from ..wages.views import current_wages_of
from ..workers.service import POSSESSION_WINDOW
from ..workers.views import coercion_flag_counts, possession_of
from . import views
from .errors import BrandUnknown, FacilityUnknown
from .graph import MAX_DEPTH, Edge, Graph, graph_below, graph_of_links
from .schema import BRAND_SECTORS

__all__ = ["MISSING", "Trace", "TraceNode", "brand_trace", "links_trace", "trace_csv", "trace_of"]

DEFAULT_DEPTH = 10

MISSING = ("no_audit", "audit_expired", "no_wage_records", "no_credentialed_workers",
           "unconfirmed_link")  # fmt: skip


@dataclass(frozen=True)
class SupplierLink:
    supplier: str
    link: str
    product: str
    purchase_order: str | None
    confirmed: bool


@dataclass(frozen=True)
class TraceNode:
    facility: str
    tier: int
    name: str | None
    country: str | None
    suppliers: list[str]
    links: list[SupplierLink]
    evidence: dict[str, Any]
    missing: list[str]
    records: list[str]
    external_evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Trace:
    root: dict[str, Any]  # {"brand": id} or {"product": ...} or {"po": ...}
    depth: int
    nodes: list[TraceNode]
    cycles: list[list[str]]


def brand_trace(session: Session, brand: str, depth: int, now: datetime) -> Trace:
    """The trace below a brand (a facility registered with sector brand or retail).

    Raises:
        BrandUnknown: no such brand.
    """
    try:
        found = views.facility(session, brand)
    except FacilityUnknown:
        found = None
    if found is None or found.sector not in BRAND_SECTORS:
        raise BrandUnknown(f"no brand {brand}", what="brand", key=brand)
    graph = graph_below(session, found.id, depth)
    return trace_of(session, graph, {"brand": found.id}, depth, now)


def links_trace(
    session: Session, *, product: str | None, purchase_order: str | None, now: datetime
) -> Trace:
    """The trace below the links of a product or of a purchase order (one of them)."""
    graph = graph_of_links(session, product=product, purchase_order=purchase_order)
    root = {"product": product} if product is not None else {"po": purchase_order}
    return trace_of(session, graph, root, MAX_DEPTH, now)


def trace_of(
    session: Session, graph: Graph, root: dict[str, Any], depth: int, now: datetime
) -> Trace:
    """Every facility of ``graph`` with its evidence (see the module docstring)."""
    today = now.date()
    ids = sorted(graph.tiers, key=lambda f: (graph.tiers[f], f))
    audits = audits_of(session, ids)
    profiles = views.profiles_of(session, ids, audits)
    wages = current_wages_of(session, ids)
    possession = possession_of(session, ids, now)
    flags = coercion_flag_counts(session, ids, now - POSSESSION_WINDOW)
    external = external_evidence_of(session, ids, now)
    inbound_unconfirmed = {e.supplier for e in graph.edges if e.confirmation is None}
    nodes = []
    for facility in ids:
        evidence: dict[str, Any] = {}
        missing: list[str] = []
        records: set[str] = set()
        audit = _audit_evidence(audits.get(facility, []), today)
        evidence["audit"] = audit
        if facility not in audits:
            missing.append("no_audit")
        elif audit is None:
            missing.append("audit_expired")
        else:
            records.update(audit["records"])
        current = wages.get(facility)
        if current is None:
            evidence["wages"] = None
            missing.append("no_wage_records")
        else:
            evidence["wages"] = {
                "run": current.run, "periodStart": current.period_start,
                "periodEnd": current.period_end, "lines": current.lines,
                "complianceRate": current.compliance_rate,
                "acknowledgementRate": current.acknowledgement_rate,
                "disputeRate": current.dispute_rate,
            }  # fmt: skip
            records.update(current.line_ids)
        held = possession.get(facility)
        if held is None:
            evidence["idPossession"] = None
            missing.append("no_credentialed_workers")
        else:
            evidence["idPossession"] = {
                "rate": held.id_possession_rate,
                "credentialedWorkers": held.credentialed_workers,
                "withRecentCheckin": held.workers_with_recent_checkin,
                "windowDays": POSSESSION_WINDOW.days,
            }
            records.update(held.records)
        evidence["coercionFlags"] = flags.get(facility, 0)
        if facility in inbound_unconfirmed:
            missing.append("unconfirmed_link")
        own: list[Edge] = graph.suppliers_of(facility)
        records.update(e.link for e in own)
        records.update(e.confirmation for e in own if e.confirmation)
        profile = profiles.get(facility, views.Profile(None, None, None))
        name, country, sector = profile.name, profile.country, profile.sector
        if sector in BRAND_SECTORS:  # a brand is not a workplace: no audit or payroll owed
            missing = [m for m in missing if m == "unconfirmed_link"]
        nodes.append(
            TraceNode(
                facility=facility,
                tier=graph.tiers[facility],
                name=name,
                country=country,
                suppliers=sorted({e.supplier for e in own}),
                links=[
                    SupplierLink(
                        e.supplier, e.link, e.product, e.purchase_order, e.confirmation is not None
                    )
                    for e in own
                ],
                evidence=evidence,
                missing=missing,
                records=sorted(records),
                external_evidence=external.get(facility, []),
            )
        )
    return Trace(root=root, depth=depth, nodes=nodes, cycles=graph.cycles)


def _audit_evidence(audits: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """The latest valid audit and the open findings of the valid ones (see the module)."""
    valid = valid_audits(audits, today)
    if not valid:
        return None
    latest = latest_audit(valid)
    by_indicator: Counter[str] = Counter()
    zero_tolerance, records = 0, {a["id"] for a in valid}
    for audit in valid:
        for finding in audit["findings"]:
            source = finding["statusFrom"]
            if (source["recordId"], source["findingId"]) != (audit["id"], finding["id"]):
                continue  # re-examined by a later audit: counted there
            if finding["currentStatus"] not in OPEN_STATUSES:
                continue
            by_indicator.update(finding.get("iloIndicators", []))
            zero_tolerance += finding["severity"] == "zero-tolerance"
    return {
        "id": latest["id"],
        "scheme": latest["scheme"]["name"],
        "endDate": latest["endDate"],
        "validUntil": latest["validUntil"],
        "openFindingsByIndicator": dict(sorted(by_indicator.items())),
        "openZeroTolerance": zero_tolerance,
        "records": sorted(records),
    }


CSV_COLUMNS = (
    "facility", "tier", "name", "country", "suppliers", "unconfirmed_suppliers",
    "audit_id", "audit_valid_until", "open_findings_by_indicator", "open_zero_tolerance",
    "wage_compliance_rate", "acknowledgement_rate", "dispute_rate", "id_possession_rate",
    "coercion_flags", "missing", "records",
)  # fmt: skip


def trace_csv(trace: Trace) -> str:
    """One row per facility, for compliance teams' spreadsheets (lists joined with ``;``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for node in trace.nodes:
        audit, wages, held = (node.evidence.get(k) for k in ("audit", "wages", "idPossession"))
        writer.writerow([
            node.facility, node.tier, _safe(node.name), node.country or "",
            ";".join(node.suppliers),
            ";".join(sorted({link.supplier for link in node.links if not link.confirmed})),
            audit["id"] if audit else "", audit["validUntil"] if audit else "",
            ";".join(f"{k}:{v}" for k, v in audit["openFindingsByIndicator"].items())
            if audit else "",
            audit["openZeroTolerance"] if audit else "",
            wages["complianceRate"] if wages else "", wages["acknowledgementRate"] if wages else "",
            wages["disputeRate"] if wages else "", held["rate"] if held else "",
            node.evidence["coercionFlags"], ";".join(node.missing), ";".join(node.records),
        ])  # fmt: skip
    return out.getvalue()


def _safe(text: str | None) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text
