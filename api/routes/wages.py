"""Payroll runs, workers' acknowledgements, and what each reader may see of them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ledger.errors import SchemaViolation

from ..deps import JsonBody, LedgerDep, ReaderDep, WagesDep
from ..models import PROBLEM_RESPONSES, Receipt
from ..views import to_json

router = APIRouter(tags=["wages"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/wages",
    status_code=201,
    summary="Submit a signed payroll run (one `wage` envelope per worker line), all or none",
)
def submit_run(wages: WagesDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """Body: ``{"lines": [envelope, ...]}``, every line signed by the employer key accredited
    for the facility. Answered with each line's record id and compliance verdict (the
    engine's violations, each naming its rule and figures). A line that breaks a rule is
    admitted: it is evidence. Refused as a whole, with every line's own error under
    ``errors``, when any line is malformed, badly signed or conflicts."""
    if not isinstance(body, dict) or set(body) != {"lines"} or not isinstance(body["lines"], list):
        raise SchemaViolation('the body is {"lines": [envelope, ...]}', field="lines")
    accepted = wages.submit_run(body["lines"])
    response.headers["Location"] = f"/v1/wages/runs/{accepted.run}"
    view: dict[str, Any] = to_json(accepted)
    return view


@router.post(
    "/v1/wages/ack",
    status_code=201,
    summary="A worker acknowledges or disputes their own line (signed by the worker's key)",
)
def acknowledge(wages: WagesDep, body: JsonBody) -> dict[str, Any]:
    accepted = wages.acknowledge(body)
    return {"id": accepted.record_id, "leaf": accepted.leaf, "status": accepted.status}


@router.get(
    "/v1/facilities/{facility_id}/wages",
    summary="A facility's wages per pay period: aggregates only, never a worker's figures",
)
def read_facility_wages(wages: WagesDep, facility_id: str) -> dict[str, Any]:
    view: dict[str, Any] = to_json(wages.facility(facility_id))
    return view


@router.get(
    "/v1/wages/runs/{run_id}",
    summary="A payroll run as a whole (its lines' verdicts for its employer and auditors)",
)
def read_run(wages: WagesDep, reader: ReaderDep, run_id: str) -> dict[str, Any]:
    view: dict[str, Any] = to_json(wages.run(run_id, reader))
    return view


@router.get(
    "/v1/wages/lines/{record_id}",
    summary="One line with its figures: for its worker, employer and the facility's auditors",
)
def read_line(wages: WagesDep, reader: ReaderDep, record_id: str) -> dict[str, Any]:
    """By a signed request (``Authorization: Envelope ...``) from the worker's own key, the
    employer's, or an auditor accredited now who audited the facility."""
    view: dict[str, Any] = to_json(wages.line(record_id, reader))
    return view


@router.get(
    "/v1/wages/lines/{record_id}/receipt",
    response_model=Receipt,
    summary="A line's receipt, for its parties: it verifies offline and shows no other line",
)
def read_line_receipt(
    ledger: LedgerDep, wages: WagesDep, reader: ReaderDep, record_id: str
) -> dict[str, Any]:
    wages.line(record_id, reader)  # exists, and the reader is a party
    return ledger.receipt(record_id)
