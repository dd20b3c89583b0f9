"""Facility views, and the facility registry: signed ``facility`` records, lookups that
resolve merged ids, and each facility's direct supply links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from domain.audits import facility_audits
from domain.supply import views as supply
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope

from ..deps import JsonBody, LedgerDep, WorkersDep
from ..models import PROBLEM_RESPONSES
from ..views import to_json

router = APIRouter(prefix="/v1/facilities", tags=["facilities"])


def require_kind(body: Any, kind: str) -> None:
    """Each write endpoint takes envelopes of its own kind only."""
    if not isinstance(body, dict) or body.get("kind") != kind:
        raise SchemaViolation(f"this endpoint takes envelopes of kind {kind!r}", field="kind")


@router.get("", responses=PROBLEM_RESPONSES, summary="Registered facilities, by id")
def list_facilities(ledger: LedgerDep, country: str | None = None) -> dict[str, Any]:
    """``country`` (ISO 3166-1 alpha-2) keeps that country's facilities only."""
    with session_scope(ledger.engine) as session:
        return {"facilities": to_json(supply.facilities(session, country))}


@router.post(
    "",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Register or update a facility (a signed `facility` envelope)",
)
def submit_facility(ledger: LedgerDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """Signed by a brand or an employer key scoped to the facility (``payload.facility.id``);
    the latest record's profile counts, and its ``aliases`` resolve to it from then on."""
    require_kind(body, "facility")
    accepted = ledger.submit(body)
    response.headers["Location"] = f"/v1/facilities/{body['payload']['facility']['id']}"
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.get(
    "/{facility_id}",
    responses=PROBLEM_RESPONSES,
    summary="A facility, by its id or by an id merged into it",
)
def read_facility(ledger: LedgerDep, facility_id: str) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        view: dict[str, Any] = to_json(supply.facility(session, facility_id))
    return view


@router.get(
    "/{facility_id}/suppliers",
    responses=PROBLEM_RESPONSES,
    summary="The facility's direct suppliers (its links as buyer), confirmed or not",
)
def read_suppliers(ledger: LedgerDep, facility_id: str) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        links = supply.suppliers_of(session, facility_id)
        found = supply.facility(session, facility_id).id
    return {"facility": found, "links": to_json(links)}


@router.get(
    "/{facility_id}/buyers",
    responses=PROBLEM_RESPONSES,
    summary="The facility's direct buyers (its links as supplier), confirmed or not",
)
def read_buyers(ledger: LedgerDep, facility_id: str) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        links = supply.buyers_of(session, facility_id)
        found = supply.facility(session, facility_id).id
    return {"facility": found, "links": to_json(links)}


@router.get(
    "/{facility_id}/audits",
    responses=PROBLEM_RESPONSES,
    summary="A facility's audits, newest first, each finding with its current status",
)
def read_facility_audits(
    ledger: LedgerDep, workers: WorkersDep, facility_id: str
) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        audits = facility_audits(session, facility_id)
    return {
        "facility": facility_id,
        "audits": audits,
        "idPossession": to_json(workers.possession_rate(facility_id)),
    }
