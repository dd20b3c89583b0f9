"""Receipts checked by this server: the ledger's own verdict on a receipt someone holds.

A verdict from us is worth what trusting us is worth: ``ledger verify`` and the ``/verify``
page run the same checks against a deployment and an RPC endpoint the verifier pins. This
route is what the page shows beside its own result, so a disagreement can be seen.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ledger.errors import SchemaViolation

from ..deps import JsonBody, LedgerDep
from ..models import PROBLEM_RESPONSES, Receipt
from ..openapi import json_request, model_schema

router = APIRouter(prefix="/v1/receipts", tags=["records"])


@router.post(
    "/verify",
    responses=PROBLEM_RESPONSES,
    openapi_extra=json_request(model_schema(Receipt)),
    summary="Check a receipt against this ledger's deployment; every check is reported",
)
def verify_receipt(ledger: LedgerDep, body: JsonBody) -> dict[str, Any]:
    """200 with ``{valid, failedCheck, checks: [{check, ok, detail}]}`` (as ``ledger verify
    --json``) for any JSON object, valid or not: a receipt that fails a check is a verdict,
    not an error. The deployment is this ledger's own, never the receipt's. problem+json
    for a body that is not JSON (400), not an object (422) or too large (413)."""
    if not isinstance(body, dict):
        raise SchemaViolation("a receipt is a JSON object", field="body")
    return ledger.check_receipt(body).to_dict()
