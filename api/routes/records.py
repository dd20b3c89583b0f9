"""Any record's anchoring state, and its receipt once anchored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..deps import LedgerDep
from ..models import PROBLEM_RESPONSES, Receipt, RecordStatusOut

router = APIRouter(prefix="/v1/records", tags=["records"])


@router.get(
    "/{record_id}",
    response_model=RecordStatusOut,
    responses=PROBLEM_RESPONSES,
    summary="State (pending, batched, submitted, anchored) and time to anchor",
)
def read_record(ledger: LedgerDep, record_id: str) -> RecordStatusOut:
    return RecordStatusOut.model_validate(ledger.status(record_id).to_dict())


@router.get(
    "/{record_id}/receipt",
    response_model=Receipt,
    responses=PROBLEM_RESPONSES,
    summary="Everything needed to verify the record with only an RPC endpoint",
)
def read_receipt(ledger: LedgerDep, record_id: str) -> dict[str, Any]:
    """409 ``not_anchored`` until the record's batch is anchored."""
    return ledger.receipt(record_id)
