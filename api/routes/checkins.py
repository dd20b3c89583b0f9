"""Possession check-ins, the investigators' view of them, and facilities' ID-possession rate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from ledger.errors import SchemaViolation, Unauthorized
from ledger.roles import Role
from ledger.signed_request import SCHEME

from ..deps import JsonBody, LedgerDep, WorkersDep, read_body, verify_signed_request
from ..models import PROBLEM_RESPONSES, RecordStatusOut
from ..queries import bounded_limit, optional_time
from ..views import to_json
from .presentations import presentation_of

router = APIRouter(tags=["checkins"])

_CHECKIN_SIGNERS = frozenset({Role.VERIFIER, Role.AUDITOR, Role.INVESTIGATOR})


def _signed_by_role(
    request: Request, ledger: LedgerDep, body: bytes, roles: frozenset[Role], who: str
) -> str:
    if not request.headers.get("authorization", "").startswith(SCHEME + " "):
        raise Unauthorized(
            f"this endpoint needs a signed request (Authorization: Envelope ...) by {who}"
        )
    signer = verify_signed_request(request, ledger, body, None)
    if not ledger.is_accredited_now(signer, roles):
        raise Unauthorized(f"{signer} is not {who}")
    return signer


def require_investigator(
    request: Request, ledger: LedgerDep, body: Annotated[bytes, Depends(read_body)]
) -> str:
    """A signed request by a key accredited as investigator now."""
    return _signed_by_role(
        request, ledger, body, frozenset({Role.INVESTIGATOR}), "an accredited investigator"
    )


def require_checkin_signer(
    request: Request, ledger: LedgerDep, body: Annotated[bytes, Depends(read_body)]
) -> str:
    """A signed request by a key accredited now for a role that may sign check-ins."""
    return _signed_by_role(
        request, ledger, body, _CHECKIN_SIGNERS, "an accredited verifier, auditor or investigator"
    )


InvestigatorDep = Annotated[str, Depends(require_investigator)]
CheckinSignerDep = Annotated[str, Depends(require_checkin_signer)]


@router.post(
    "/v1/checkins",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="A possession check-in: the worker's presentation + the verifier's signed check-in",
)
async def submit_checkin(workers: WorkersDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """Body: ``{"presentation": {...}}`` or ``{"qr": "LPL1:..."}``, and ``"envelope"``: the
    verifier's envelope of kind ``checkin`` naming the presentation by hash. Every check of
    ``POST /v1/presentations/verify`` must hold (judged at the envelope's ``created``,
    which lies within the challenge's window, or for an offline presentation within its
    own 5-minute window of the server's receive time); the challenge is consumed. Nothing
    is stored unless all pass (a replay by an accredited verifier is flagged for
    investigators)."""
    if not isinstance(body, dict) or "envelope" not in body:
        raise SchemaViolation("the body needs the verifier's envelope", field="envelope")
    rest = {k: v for k, v in body.items() if k != "envelope"}
    # Blocking (the presentation's checks, then its group's commit), so in a worker thread;
    # async itself, so the answer is serialised here instead of in a second thread trip.
    accepted = await run_in_threadpool(
        lambda: workers.check_in(presentation_of(rest), body["envelope"])
    )
    response.headers["Location"] = f"/v1/checkins/{accepted.record_id}"
    return {
        "id": accepted.record_id,
        "leaf": accepted.leaf,
        "status": accepted.status,
        "documentMatches": accepted.document_matches,
        "facility": accepted.facility,
    }


@router.get(
    "/v1/checkins/device-salt",
    responses=PROBLEM_RESPONSES,
    summary="For accredited verifiers: the salt device labels are hashed with",
)
def read_device_salt(workers: WorkersDep, signer: CheckinSignerDep) -> dict[str, Any]:
    """Check-ins name devices by ``HMAC-SHA256(salt, label)``, so a label cannot be found by
    hashing likely names. The salt is this deployment's secret, given to accredited
    verifiers, auditors and investigators only (by a signed request)."""
    return {"deviceSalt": workers.device_salt().hex()}


@router.get(
    "/v1/checkins/{record_id}",
    responses=PROBLEM_RESPONSES,
    summary="A check-in's public view (no worker, device or signal) and its anchoring state",
)
def read_checkin(ledger: LedgerDep, workers: WorkersDep, record_id: str) -> dict[str, Any]:
    view: dict[str, Any] = to_json(workers.checkin(record_id))
    view["record"] = RecordStatusOut.of(ledger.status(record_id)).model_dump(by_alias=True)
    return view


@router.get(
    "/v1/investigations/checkins",
    responses=PROBLEM_RESPONSES,
    summary="For accredited investigators: check-ins with their sealed signals, and flags",
)
def read_investigation(
    workers: WorkersDep,
    # Before the investigator's signature: a refused query must not spend its nonce.
    since: Annotated[datetime | None, optional_time("since", "RFC 3339; default: all")],
    limit: Annotated[int, bounded_limit(5000, default=500)],
    investigator: InvestigatorDep,
) -> dict[str, Any]:
    """Signals are sealed to the investigators' key: open them client-side
    (``ledger checkin investigate --key ...``). Flags are never shown anywhere else."""
    return {
        "investigator": investigator,
        **to_json(workers.investigation(since=since, limit=limit)),
    }


@router.get(
    "/v1/facilities/{facility_id}/id-possession",
    responses=PROBLEM_RESPONSES,
    summary="Share of the facility's credentialed workers with a matching check-in in 90 days",
)
def read_possession_rate(workers: WorkersDep, facility_id: str) -> dict[str, Any]:
    view: dict[str, Any] = to_json(workers.possession_rate(facility_id))
    return view
