"""Any record's anchoring state, and its receipt once anchored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..deps import LedgerDep, ReaderDep
from ..models import PROBLEM_RESPONSES, Receipt, RecordStatusOut

router = APIRouter(prefix="/v1/records", tags=["records"])


@router.get(
    "/{record_id}",
    response_model=RecordStatusOut,
    responses=PROBLEM_RESPONSES,
    summary="State (pending, batched, submitted, anchored) and time to anchor",
)
def read_record(ledger: LedgerDep, record_id: str) -> RecordStatusOut:
    return RecordStatusOut.of(ledger.status(record_id))


@router.get(
    "/{record_id}/receipt",
    response_model=Receipt,
    responses=PROBLEM_RESPONSES,
    summary="Everything needed to verify the record with only an RPC endpoint",
)
def read_receipt(ledger: LedgerDep, reader: ReaderDep, record_id: str) -> dict[str, Any]:
    """409 ``not_anchored`` until the record's batch is anchored, and again (with
    ``withdrawn: true``) while a reorg that replaced its block is being undone: a receipt never
    names a block the chain no longer has. Audits' receipts are
    public; a check-in's or a credential registration's only for its parties (the worker,
    the issuer, the verifier) and accredited investigators, by a signed request
    (``Authorization: Envelope ...``): 401 without one, 403 ``not_a_party`` for anyone else."""
    ledger.authorize_read(record_id, reader)
    return ledger.receipt(record_id)
