"""Audit attestations: submit one, submit many, read one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from ledger.errors import LedgerError, NotFound, SchemaViolation
from ledger.store.db import session_scope
from ledger.store.records import get_record

from ..deps import JsonBody, LedgerDep
from ..models import (
    PROBLEM_RESPONSES,
    AttestationOut,
    BatchItemResult,
    BatchResult,
    RecordStatusOut,
    SubmitResult,
)
from ..openapi import audit_envelope_schema, json_request
from ..problems import problem_body

router = APIRouter(prefix="/v1", tags=["attestations"])

MAX_BATCH = 1000


def _require_audit(data: Any, field: str = "kind") -> None:
    if isinstance(data, dict) and data.get("kind") != "audit":
        raise SchemaViolation("this endpoint takes envelopes of kind 'audit'", field=field)


@router.post(
    "/attestations",
    status_code=201,
    response_model=SubmitResult,
    responses=PROBLEM_RESPONSES,
    openapi_extra=json_request(audit_envelope_schema()),
    summary="Submit a signed audit attestation",
)
async def submit_attestation(ledger: LedgerDep, body: JsonBody, response: Response) -> SubmitResult:
    """The envelope's signature and its signer's accreditation as an auditor are the
    authentication. Accepted records are pending until anchored."""
    _require_audit(body)
    # Admission blocks until its group's commit is durable, so it runs in a worker thread;
    # the endpoint itself is async so that its answer is serialised here, on the event
    # loop, instead of in a second trip through the thread pool.
    accepted = await run_in_threadpool(ledger.submit, body)
    response.headers["Location"] = f"/v1/attestations/{accepted.record_id}"
    return SubmitResult(id=accepted.record_id, leaf=accepted.leaf, status="pending")


@router.post(
    "/attestations:batch",
    response_model=BatchResult,
    responses=PROBLEM_RESPONSES,
    openapi_extra=json_request(
        {
            "type": "object",
            "required": ["envelopes"],
            "additionalProperties": False,
            "properties": {
                "envelopes": {
                    "type": "array",
                    "maxItems": MAX_BATCH,
                    "items": audit_envelope_schema(),
                }
            },
        }
    ),
    summary="Submit up to 1,000 audit attestations, each accepted or rejected on its own",
)
def submit_attestations(ledger: LedgerDep, body: JsonBody) -> BatchResult:
    if (
        not isinstance(body, dict)
        or set(body) != {"envelopes"}
        or not isinstance(body["envelopes"], list)
    ):
        raise SchemaViolation('the body is {"envelopes": [...]}', field="envelopes")
    envelopes = body["envelopes"]
    if len(envelopes) > MAX_BATCH:
        raise SchemaViolation(f"at most {MAX_BATCH} envelopes per request", field="envelopes")
    results: list[BatchItemResult | None] = [None] * len(envelopes)
    audits: list[tuple[int, Any]] = []
    for index, item in enumerate(envelopes):
        try:
            _require_audit(item, field=f"envelopes.{index}.kind")
        except LedgerError as exc:
            results[index] = BatchItemResult(index=index, accepted=False, error=problem_body(exc))
        else:
            audits.append((index, item))
    outcomes = ledger.submit_many([item for _, item in audits])
    for (index, _), outcome in zip(audits, outcomes, strict=True):
        if isinstance(outcome, LedgerError):
            results[index] = BatchItemResult(
                index=index, accepted=False, error=problem_body(outcome)
            )
        else:
            results[index] = BatchItemResult(
                index=index,
                accepted=True,
                id=outcome.record_id,
                leaf=outcome.leaf,
                status=outcome.status,
            )
    done = [r for r in results if r is not None]
    accepted_count = sum(r.accepted for r in done)
    return BatchResult(accepted=accepted_count, rejected=len(done) - accepted_count, results=done)


@router.get(
    "/attestations/{record_id}",
    response_model=AttestationOut,
    responses=PROBLEM_RESPONSES,
    summary="An audit attestation with its anchoring state",
)
def read_attestation(ledger: LedgerDep, record_id: str) -> AttestationOut:
    with session_scope(ledger.engine) as session:
        row = get_record(session, record_id)
        if row.kind != "audit":
            raise NotFound(
                f"{record_id} is not an audit attestation", what="attestation", key=record_id
            )
    envelope = ledger.envelope(record_id)
    status = ledger.status(record_id)
    return AttestationOut(
        id=status.record_id,
        envelope=envelope.to_dict(),
        record=RecordStatusOut.of(status),
    )
