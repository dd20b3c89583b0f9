"""A facility's transparency score: every component with its inputs and backing records."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path

from domain.audits.external_views import external_evidence_of
from domain.scores import Score, evidence_of, history_of, score
from domain.scores.sources import score_sources
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope
from ledger.timeutil import format_time, utcnow

from ..deps import JsonBody, LedgerDep
from ..models import PROBLEM_RESPONSES
from .facilities import require_kind

router = APIRouter(prefix="/v1/facilities", tags=["scores"], responses=PROBLEM_RESPONSES)

FacilityPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")]


@router.get(
    "/{facility_id}/score",
    summary="The facility's transparency score (0-100), its components, inputs and records",
)
def read_score(ledger: LedgerDep, facility_id: FacilityPath) -> dict[str, Any]:
    """``{"score", "formula_version", "components": [{"name", "weight", "value", "inputs",
    "records"}], "cap"?, "history"}``: ``value`` is points earned out of ``weight``;
    ``records`` the record ids whose receipts back it; ``cap`` only while an open
    ID-retention or debt-bondage finding caps the score. ``history``: the score snapshots
    (``POST .../score/snapshot``), oldest first. ``externalEvidence``: for information only,
    the conformity credentials from other systems accepted about the facility, each marked
    ``"external": true``; they are no input of the formula (not audits; the score's
    ``records`` and ``GET .../score/sources`` leave them out, so a recomputation from
    receipts needs none of them)."""
    now = utcnow()
    with session_scope(ledger.engine) as session:
        evidence = evidence_of(session, facility_id, now)
        history = history_of(session, evidence.facility)
        external = external_evidence_of(session, [evidence.facility], now)
    body = score_json(score(evidence), history)
    body["externalEvidence"] = external.get(evidence.facility, [])
    return body


@router.get(
    "/{facility_id}/score/sources",
    summary="Every record the score is computed from, to recompute it from receipts alone",
)
def read_score_sources(ledger: LedgerDep, facility_id: FacilityPath) -> dict[str, Any]:
    """``{"facility", "computedAt", "score": {...as GET .../score, without history},
    "records": [record id, ...], "wageRules": {run id: rules version}}``, read in one
    transaction: ``ledger receipts export`` fetches each record's receipt (parties-only
    kinds with a signed request by a reader), and ``ledger score recompute`` rebuilds the
    score as of ``computedAt`` from them with no API and no database."""
    now = utcnow()
    with session_scope(ledger.engine) as session:
        evidence = evidence_of(session, facility_id, now)
        sources = score_sources(session, evidence)
    body = score_json(score(evidence), [])
    del body["history"]
    return {"facility": evidence.facility, "computedAt": format_time(now), "score": body,
            "records": sources.records, "wageRules": sources.wage_rules}  # fmt: skip


@router.post(
    "/{facility_id}/score/snapshot",
    status_code=201,
    summary="Keep the score as a signed `score` record (signed by a brand key)",
)
def snapshot_score(ledger: LedgerDep, facility_id: FacilityPath, body: JsonBody) -> dict[str, Any]:
    """The envelope's payload repeats the score ``GET .../score`` gives today; admission
    recomputes it and refuses a different one (``score_mismatch``)."""
    require_kind(body, "score")
    payload = body.get("payload")
    if not isinstance(payload, dict) or payload.get("facility") != facility_id:
        raise SchemaViolation(f"payload.facility must be {facility_id}", field="payload.facility")
    accepted = ledger.submit(body)
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


def score_json(found: Score, history: list[dict[str, Any]]) -> dict[str, Any]:
    """Points as JSON numbers (at most 2 decimals: exact Decimals, shown as numbers)."""
    body: dict[str, Any] = {
        "score": _number(found.score),
        "formula_version": found.formula_version,
        "components": [
            {
                "name": c.name,
                "weight": c.weight,
                "value": _number(c.value),
                "inputs": c.inputs,
                "records": c.records,
            }
            for c in found.components
        ],
    }
    if found.cap is not None:
        body["cap"] = {k: _number(v) if isinstance(v, Decimal) else v for k, v in found.cap.items()}
    body["history"] = history
    return body


def _number(points: Decimal) -> int | float:
    """2 decimals at most; a float of a 2-decimal Decimal prints back as those decimals."""
    exact = points.quantize(Decimal("0.01"))
    return int(exact) if exact == exact.to_integral_value() else float(exact)
