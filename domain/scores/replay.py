"""A facility's score evidence rebuilt from signed records alone (the envelopes of verified
receipts), with no database: what ``ledger score recompute`` runs.

It must give exactly the :class:`~domain.scores.evidence.Evidence` that
:func:`domain.scores.loader.evidence_of` reads from the database, so every rule here is the
database's rule restated over payloads, and every tie is broken by something the records
carry (signing time, record id), never by when the server received them:

- merged ids resolve through the ``aliases`` of facility records (transitively);
- the supplier graph is the walk of :func:`domain.supply.graph.graph_below`, ``TRACE_DEPTH``
  tiers down, over the supply links (each resolved as its admission did) and their
  confirmations;
- audits are grouped under the facility they name and followed through their follow-ups by
  :func:`domain.audits.views.audit_views`, the function the database path uses;
- the payroll run is the newest current one (no other run corrects it) by period start,
  period end and run id; each line's verdict is the wage engine's under the rules version
  the run was checked with; each line's latest acknowledgement counts, by the worker's
  signing time then record id;
- a credential counts while active (its issuer's status records replayed in signing order)
  and valid now; a check-in counts by its verifier's signing time, as the database does.

Coercion flags are never anchored and have no receipts: ``coercion_flags`` is 0 here; it is
shown beside the score (``inputs``) and scores nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.timeutil import parse_time

from ..audits.views import audit_views, latest_audit, valid_audits
from ..wages.engine import check_line
from ..wages.engine.rules import RuleSet, load_rules
from ..wages.schema import WageLinePayload
from ..workers.service import POSSESSION_WINDOW
from .evidence import Evidence, LinkEvidence, PossessionCounts, WageEvidence
from .loader import TRACE_DEPTH, audit_evidence

__all__ = ["UNREPRODUCIBLE_INPUTS", "evidence_from_records"]

UNREPRODUCIBLE_INPUTS = frozenset({"coercionFlags90Days"})
"""Score inputs no receipt carries (coercion flags are read by investigators only)."""

Envelope = Mapping[str, Any]


@dataclass(frozen=True)
class _Link:
    id: str
    buyer: str
    supplier: str


def evidence_from_records(
    records: Mapping[str, Envelope],
    facility: str,
    now: datetime,
    *,
    wage_rules: Mapping[str, str] | None = None,
) -> Evidence:
    """The evidence about ``facility`` as of ``now`` in ``records`` (record id -> envelope;
    their receipts verified by the caller). ``wage_rules``: run id -> the rules version its
    lines were checked with (default: the newest shipped)."""
    by_kind: dict[str, list[tuple[str, Envelope]]] = defaultdict(list)
    for record_id, envelope in sorted(records.items(), key=lambda r: (r[1]["created"], r[0])):
        by_kind[str(envelope["kind"])].append((record_id, envelope))
    resolve = _resolver(by_kind["facility"])
    root = resolve(facility)
    today = now.date()
    links = _links(by_kind["supply-link"], resolve)
    confirmed = _confirmations(by_kind["supply-confirm"])
    tiers, edges = _walk(links, root, TRACE_DEPTH)
    audits: dict[str, list[tuple[str, Envelope]]] = defaultdict(list)
    for record_id, envelope in by_kind["audit"]:
        audits[str(envelope["payload"]["facility"]["id"])].append((record_id, envelope))
    views = {f: audit_views(audits[f]) for f in {root, *tiers} if audits.get(f)}
    valid = {f: _latest_valid(v, today) for f, v in views.items()}
    return Evidence(
        facility=root,
        as_of=today,
        links=tuple(
            LinkEvidence(e.id, e.supplier, confirmed.get(e.id), valid.get(e.supplier))
            for e in edges
        ),
        audits=tuple(audit_evidence(a) for a in views.get(root, [])),
        wages=_wages(by_kind["wage"], by_kind["wage-ack"], root, wage_rules or {}),
        possession=_possession(
            by_kind["credential"], by_kind["credential_status"], by_kind["checkin"], root, now
        ),
        coercion_flags=0,
    )


def _resolver(facility_records: list[tuple[str, Envelope]]) -> Any:
    merged: dict[str, str] = {}
    for _, envelope in facility_records:
        profile = envelope["payload"]["facility"]
        for alias in profile.get("aliases", []):
            merged.setdefault(str(alias), str(profile["id"]))

    def resolve(facility_id: str) -> str:
        seen = {facility_id}
        while facility_id in merged and merged[facility_id] not in seen:
            facility_id = merged[facility_id]
            seen.add(facility_id)
        return facility_id

    return resolve


def _links(records: list[tuple[str, Envelope]], resolve: Any) -> list[_Link]:
    return [
        _Link(record_id, resolve(str(p["buyer"])), resolve(str(p["supplier"])))
        for record_id, p in ((i, e["payload"]) for i, e in records)
    ]


def _confirmations(records: list[tuple[str, Envelope]]) -> dict[str, str]:
    """link id -> its (first) supply-confirm record id."""
    found: dict[str, str] = {}
    for record_id, envelope in records:
        found.setdefault(str(envelope["payload"]["link"]), record_id)
    return found


def _walk(links: list[_Link], root: str, depth: int) -> tuple[dict[str, int], list[_Link]]:
    """As the recursive CTE: each facility at its shortest tier (to ``depth``), and every
    link whose buyer sits above ``depth``, ordered by buyer, supplier, record id."""
    by_buyer: dict[str, list[_Link]] = defaultdict(list)
    for link in links:
        by_buyer[link.buyer].append(link)
    tiers, frontier = {root: 0}, [root]
    for tier in range(1, depth + 1):
        reached = []
        for buyer in frontier:
            for link in by_buyer[buyer]:
                if link.supplier not in tiers:
                    tiers[link.supplier] = tier
                    reached.append(link.supplier)
        frontier = reached
    edges = [link for link in links if tiers.get(link.buyer, depth) < depth]
    return tiers, sorted(edges, key=lambda e: (e.buyer, e.supplier, e.id))


def _latest_valid(views: list[dict[str, Any]], today: date) -> str | None:
    valid = valid_audits(views, today)
    return str(latest_audit(valid)["id"]) if valid else None


def _wages(
    lines: list[tuple[str, Envelope]],
    acks: list[tuple[str, Envelope]],
    facility: str,
    rules_of: Mapping[str, str],
) -> WageEvidence | None:
    runs: dict[str, list[tuple[str, WageLinePayload]]] = defaultdict(list)
    corrected: set[str] = set()
    for record_id, envelope in lines:
        line = WageLinePayload.model_validate(envelope["payload"])
        if line.run.facility == facility:
            runs[line.run.id].append((record_id, line))
        if line.run.corrects is not None:
            corrected.add(line.run.corrects)
    current = [run for run in runs if run not in corrected]
    if not current:
        return None

    def period(run_id: str) -> tuple[str, str, str]:
        run = runs[run_id][0][1].run
        return (run.period_start.isoformat(), run.period_end.isoformat(), run_id)

    run_id = max(current, key=period)
    rules: RuleSet = load_rules(rules_of.get(run_id))
    members = runs[run_id]
    latest: dict[str, str] = {}  # line record id -> status of its latest acknowledgement
    for _, envelope in acks:  # in signing order, then record id: the last one wins
        latest[str(envelope["payload"]["line"])] = str(envelope["payload"]["status"])
    ids = {record_id for record_id, _ in members}
    statuses = [s for line_id, s in latest.items() if line_id in ids]
    found = repaid = Decimal(0)
    compliant = 0
    for _, line in members:
        compliant += not check_line(line, rules)
        fee = line.deductions.recruitment_fee
        found += (line.fees_found or Decimal(0)) + (fee.amount if fee is not None else Decimal(0))
        repaid += line.fees_repaid or Decimal(0)
    return WageEvidence(
        run=run_id,
        lines=len(members),
        compliant_lines=compliant,
        acknowledged=statuses.count("received"),
        disputed=statuses.count("disputed"),
        fees_found=found,
        fees_repaid=repaid,
        records=tuple(sorted(ids)),
    )


# As the credential_status handler admits them: action -> (from states, to state).
_TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "reinstate": ({"suspended"}, "active"),
    "revoke": ({"active", "suspended"}, "revoked"),
}


def _possession(
    credentials: list[tuple[str, Envelope]],
    changes: list[tuple[str, Envelope]],
    checkins: list[tuple[str, Envelope]],
    facility: str,
    now: datetime,
) -> PossessionCounts | None:
    status: dict[str, str] = {}
    for _, envelope in changes:  # in signing order
        payload = envelope["payload"]
        allowed, to = _TRANSITIONS[payload["action"]]
        if status.get(payload["statusId"], "active") in allowed:
            status[str(payload["statusId"])] = to
    workers: dict[str, str] = {}  # status id -> credential record id
    for record_id, envelope in credentials:
        payload = envelope["payload"]
        if (
            payload.get("facility") == facility
            and status.get(payload["statusId"], "active") == "active"
            and parse_time(payload["validFrom"], field="validFrom")
            <= now
            < parse_time(payload["validUntil"], field="validUntil")
        ):
            workers[str(payload["statusId"])] = record_id
    if not workers:
        return None
    matched: dict[str, str] = {}
    for record_id, envelope in checkins:  # in signing order, then record id
        payload = envelope["payload"]
        at = parse_time(envelope["created"], field="created")
        if (
            payload["documentMatches"] is True
            and now - POSSESSION_WINDOW <= at <= now
            and payload["statusId"] in workers
        ):
            matched[str(payload["statusId"])] = record_id
    return PossessionCounts(
        len(workers), len(matched), tuple(sorted({*workers.values(), *matched.values()}))
    )
