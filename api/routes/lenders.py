"""For lenders and banks: suppliers ranked by their citable score snapshots, and the
due-diligence typology of substantiated findings (no personal data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from domain.scores.lenders import ranked_suppliers
from domain.scores.typology import typology, typology_csv, typology_json
from domain.scores.typology_snapshot import typology_history
from ledger.errors import SchemaViolation
from ledger.store.db import session_scope
from ledger.timeutil import utcnow

from ..deps import JsonBody, LedgerDep
from ..models import JSON_OR_CSV, PROBLEM_RESPONSES
from ..views import to_json
from .facilities import require_kind

router = APIRouter(prefix="/v1", tags=["lenders"], responses=PROBLEM_RESPONSES)


@router.get(
    "/lenders/suppliers",
    summary="Suppliers ranked by their latest score snapshot, with trend and freshness",
)
def lenders_suppliers(
    ledger: LedgerDep,
    min_score: Annotated[Decimal | None, Query(ge=0, le=100)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """``{"suppliers": [{"facility", "name", "country", "score", "formulaVersion", "asOf",
    "record", "trend", "snapshots", "snapshotAgeDays", "latestAuditEnd"}]}``, highest score
    first. Only snapshotted facilities are ranked (``record`` is the snapshot to cite)."""
    with session_scope(ledger.engine) as session:
        found = ranked_suppliers(session, utcnow().date(), min_score=min_score,
                                 country=country, limit=limit)  # fmt: skip
    return {"suppliers": to_json(found)}


@router.get(
    "/due-diligence/typology",
    summary="Substantiated findings by ILO indicator, country, sector and quarter (no persons)",
    response_model=None,
    responses=JSON_OR_CSV,
)
def due_diligence_typology(
    ledger: LedgerDep,
    since: Annotated[date | None, Query(alias="from")] = None,
    until: Annotated[date | None, Query(alias="to")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    """``{"periodFrom", "periodTo", "rows": [{"indicator", "country", "sector", "period",
    "findings", "open", "records"}], "openZeroTolerance": [{"facility", "name", "country",
    "openFindings", "records"}]}``; ``format=csv`` gives the rows."""
    if since is not None and until is not None and until < since:
        raise SchemaViolation("to is before from", field="to")
    with session_scope(ledger.engine) as session:
        found = typology(session, since=since, until=until)
    if format == "csv":
        attachment = {"Content-Disposition": 'attachment; filename="typology.csv"'}
        return Response(typology_csv(found), media_type="text/csv; charset=utf-8",
                        headers=attachment)  # fmt: skip
    return typology_json(found)


@router.post(
    "/due-diligence/typology/snapshot",
    status_code=201,
    summary="Keep the typology as a signed `typology` record (signed by a brand key)",
)
def snapshot_typology(ledger: LedgerDep, body: JsonBody) -> dict[str, Any]:
    """The envelope's payload is ``{"schema": "typology/v1", "asOf", "periodFrom",
    "periodTo", "rows", "openZeroTolerance"}``: what ``GET /v1/due-diligence/typology``
    gives today for those bounds; admission recomputes it and refuses another
    (``typology_mismatch``). Its receipt then proves the export as published."""
    require_kind(body, "typology")
    accepted = ledger.submit(body)
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.get(
    "/due-diligence/typology/snapshots",
    summary="The typology snapshots kept, newest first (record ids to fetch receipts of)",
)
def typology_snapshots(ledger: LedgerDep) -> dict[str, Any]:
    """``{"snapshots": [{"record", "asOf", "periodFrom", "periodTo", "signer", "rows"}]}``."""
    with session_scope(ledger.engine) as session:
        return {"snapshots": typology_history(session)}
