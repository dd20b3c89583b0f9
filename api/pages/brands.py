"""For brands: the list of brands, and a brand's supplier graph
(``domain.supply.trace.brand_trace``, as ``GET /v1/brands/{id}/trace``): tiers as levels,
each facility with its risk level (:mod:`domain.supply.risk`), its missing evidence in words,
and its evidence and receipts one click away (a ``<details>``, no script)."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.supply import views as supply
from domain.supply.risk import RISK_LEVELS, risk_of
from domain.supply.trace import DEFAULT_DEPTH, brand_trace
from ledger.errors import NotFound
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..deps import LedgerDep
from .errors import not_found
from .lenders import FACILITY_ID
from .records import public_records
from .render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/brands")
def brands(request: Request, ledger: LedgerDep) -> Response:
    with session_scope(ledger.engine) as session:
        found = supply.brands(session)
    return page(request, "brands.html", brands=found)


@router.get("/brands/{brand_id}")
def brand(request: Request, ledger: LedgerDep, brand_id: str) -> Response:
    if not FACILITY_ID.match(brand_id):
        return not_found(request, "no brand has an id like that")
    try:
        with session_scope(ledger.engine) as session:
            trace = brand_trace(session, brand_id, DEFAULT_DEPTH, utcnow())
            profile = supply.facility(session, trace.root["brand"])
            public = public_records(ledger, session, (r for n in trace.nodes for r in n.records))
    except NotFound as exc:
        return not_found(request, exc.detail)
    names = {n.facility: n.name or n.facility for n in trace.nodes}
    tiers = [(tier, list(nodes)) for tier, nodes in groupby(trace.nodes, key=lambda n: n.tier)]
    return page(
        request, "brand.html", brand=profile, trace=trace, tiers=tiers, names=names,
        risks={n.facility: risk_of(n) for n in trace.nodes}, levels=RISK_LEVELS, public=public,
    )  # fmt: skip
