"""For lenders: the ranked suppliers (``domain.scores.lenders.ranked_suppliers``, as
``GET /v1/lenders/suppliers``) and a facility's score page (``domain.scores``, as
``GET /v1/facilities/{id}/score``): breakdown, history chart, anchored snapshots."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.scores import evidence_of, history_of, score
from domain.scores.lenders import ranked_suppliers
from domain.supply import views as supply
from ledger.errors import NotFound
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..deps import LedgerDep
from .chart import history_chart
from .errors import not_found
from .records import public_records
from .render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FACILITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$")  # as the JSON routes take
COUNTRY = re.compile(r"^[A-Z]{2}$")


def _filters(raw_min: str, raw_country: str) -> tuple[Decimal | None, str | None, list[str]]:
    """The form's filters, and what was wrong with them (a wrong one is not applied)."""
    errors = []
    min_score: Decimal | None = None
    if raw_min.strip():
        try:
            min_score = Decimal(raw_min.strip())
        except InvalidOperation:
            min_score = None
        if min_score is None or not min_score.is_finite() or not 0 <= min_score <= 100:
            errors.append(f"minimum score {raw_min.strip()[:20]!r} is not a number from 0 to 100")
            min_score = None
    country = raw_country.strip() or None
    if country is not None and not COUNTRY.match(country):
        errors.append(f"country {country[:20]!r} is not an ISO 3166-1 alpha-2 code")
        country = None
    return min_score, country, errors


@router.get("/lenders")
def lenders(
    request: Request, ledger: LedgerDep, min_score: str = "", country: str = ""
) -> Response:
    wanted_min, wanted_country, errors = _filters(min_score, country)
    with session_scope(ledger.engine) as session:
        found = ranked_suppliers(session, utcnow().date(), min_score=wanted_min,
                                 country=wanted_country)  # fmt: skip
        countries = sorted({f.country for f in supply.facilities(session) if f.country})
    return page(
        request, "lenders.html", status_code=422 if errors else 200, suppliers=found,
        countries=countries, min_score=min_score.strip()[:20],
        country=wanted_country or "", errors=errors,
    )  # fmt: skip


@router.get("/facilities/{facility_id}")
def facility(request: Request, ledger: LedgerDep, facility_id: str) -> Response:
    if not FACILITY_ID.match(facility_id):
        return not_found(request, "no facility has an id like that")
    now = utcnow()
    try:
        with session_scope(ledger.engine) as session:
            profile = supply.facility(session, facility_id)
            evidence = evidence_of(session, profile.id, now)
            history = history_of(session, evidence.facility)
            computed = score(evidence)
            records = [r for c in computed.components for r in c.records]
            records += [s["record"] for s in history]
            public = public_records(ledger, session, records)
    except NotFound as exc:
        return not_found(request, exc.detail)
    return page(
        request, "facility.html", facility=profile, score=computed, history=history,
        chart=history_chart(history), public=public,
    )  # fmt: skip
