"""Facility views."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from domain.audits import facility_audits
from ledger.store.db import session_scope

from ..deps import LedgerDep, WorkersDep
from ..models import PROBLEM_RESPONSES
from ..views import to_json

router = APIRouter(prefix="/v1/facilities", tags=["facilities"])


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
