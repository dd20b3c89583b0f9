"""Supply links (signed by the buyer, countersigned by the supplier) and brands."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from domain.supply import trace
from domain.supply import views as supply
from domain.supply.graph import MAX_DEPTH
from domain.supply.trace import DEFAULT_DEPTH
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..deps import JsonBody, LedgerDep
from ..models import JSON_OR_CSV, PROBLEM_RESPONSES
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


# No control characters: PostgreSQL refuses a NUL in text, and no product or PO has one.
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


@router.get("/supply-links/{link_id}", summary="A supply link, confirmed or not")
def read_link(ledger: LedgerDep, link_id: str) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        view: dict[str, Any] = to_json(supply.supply_link(session, link_id))
    return view


@router.get("/brands", summary="Brands: facilities registered with sector brand or retail")
def list_brands(ledger: LedgerDep) -> dict[str, Any]:
    with session_scope(ledger.engine) as session:
        return {"brands": to_json(supply.brands(session))}


TraceFormat = Annotated[
    Literal["json", "csv"], Query(description="json, or csv for compliance teams")
]


@router.get(
    "/brands/{brand_id}/trace",
    summary="A brand's supplier graph, every tier, with each facility's evidence and gaps",
    response_model=None,
    responses=JSON_OR_CSV,
)
def brand_trace(
    ledger: LedgerDep,
    brand_id: str,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = DEFAULT_DEPTH,
    format: TraceFormat = "json",
) -> dict[str, Any] | Response:
    """``{"brand", "depth", "nodes": [{"facility", "tier", "name", "country", "suppliers",
    "links", "evidence", "missing", "records"}], "cycles"}``: a DAG (a shared supplier once,
    at its lowest tier; cycles reported, never followed)."""
    with session_scope(ledger.engine) as session:
        found = trace.brand_trace(session, brand_id, depth, utcnow())
    return _answer(found, format, f"trace-{found.root['brand']}")


@router.get(
    "/trace",
    summary="The supplier graph below the links of a product or a purchase order",
    response_model=None,
    responses=JSON_OR_CSV,
)
def product_trace(
    ledger: LedgerDep,
    product: Annotated[str | None, Query(min_length=1, max_length=200, pattern=_PRINTABLE)] = None,
    po: Annotated[str | None, Query(min_length=1, max_length=200, pattern=_PRINTABLE)] = None,
    format: TraceFormat = "json",
) -> dict[str, Any] | Response:
    """Tier 0: the buyers of the matching links; tier 1: their suppliers; then everything
    those suppliers buy."""
    if (product is None) == (po is None):
        raise SchemaViolation("name exactly one of product or po", field="product")
    with session_scope(ledger.engine) as session:
        found = trace.links_trace(session, product=product, purchase_order=po, now=utcnow())
    return _answer(found, format, "trace")


def _answer(found: trace.Trace, format: str, name: str) -> dict[str, Any] | Response:
    if format == "csv":
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]
        return Response(
            trace.trace_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
        )
    body: dict[str, Any] = {**found.root, "depth": found.depth}
    body |= {"nodes": to_json(found.nodes), "cycles": found.cycles}
    return body
