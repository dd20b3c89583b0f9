"""Supply links (signed by the buyer, countersigned by the supplier) and brands."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from domain.supply import views as supply
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope

from ..deps import JsonBody, LedgerDep
from ..models import PROBLEM_RESPONSES
from ..views import to_json
from .facilities import require_kind

router = APIRouter(prefix="/v1", tags=["supply"], responses=PROBLEM_RESPONSES)


@router.post(
    "/supply-links",
    status_code=201,
    summary="Submit a supply link (a `supply-link` envelope signed by the buyer)",
)
def submit_link(ledger: LedgerDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """Signed by a brand or employer key scoped to the buyer facility, which must be
    registered; a supplier not registered yet is registered as a stub. Unconfirmed until
    the supplier countersigns (``POST /v1/supply-links/{id}/confirm``)."""
    require_kind(body, "supply-link")
    accepted = ledger.submit(body)
    response.headers["Location"] = f"/v1/supply-links/{accepted.record_id}"
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.post(
    "/supply-links/{link_id}/confirm",
    status_code=201,
    summary="The supplier confirms a link (a `supply-confirm` envelope naming it)",
)
def confirm_link(ledger: LedgerDep, body: JsonBody, link_id: str) -> dict[str, Any]:
    """Signed by an employer key scoped to the link's supplier; once per link."""
    require_kind(body, "supply-confirm")
    payload = body.get("payload")
    if not isinstance(payload, dict) or payload.get("link") != link_id:
        raise SchemaViolation(f"payload.link must be {link_id}", field="payload.link")
    accepted = ledger.submit(body)
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.get("/supply-links/{link_id}", summary="A supply link, confirmed or not")
def read_link(ledger: LedgerDep, link_id: str) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        view: dict[str, Any] = to_json(supply.supply_link(session, link_id))
    return view


@router.get("/brands", summary="Brands: facilities registered with sector brand or retail")
def list_brands(ledger: LedgerDep) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        return {"brands": to_json(supply.brands(session))}
