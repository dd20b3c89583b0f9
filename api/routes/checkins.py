"""Possession check-ins, the investigators' view of them, and facilities' ID-possession rate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ledger.credentials_service import CredentialRegistry
from ledger.errors import SchemaViolation, Unauthorized
from ledger.signed_request import SCHEME

from ..deps import JsonBody, LedgerDep, read_body, verify_signed_request
from ..models import PROBLEM_RESPONSES
from .presentations import presentation_of

router = APIRouter(tags=["checkins"])


class _Investigators:
    """The dids allowed to sign investigator requests: accredited investigators, now."""

    def __init__(self, registry: CredentialRegistry) -> None:
        self._dids = registry.investigators()

    def __contains__(self, did: object) -> bool:
        return did in self._dids

    def __iter__(self) -> Iterator[str]:
        return iter(self._dids)

    def __len__(self) -> int:
        return len(self._dids)


def require_investigator(
    request: Request, ledger: LedgerDep, body: Annotated[bytes, Depends(read_body)]
) -> str:
    """A signed request (``Authorization: Envelope``) by an accredited investigator."""
    header = request.headers.get("authorization", "")
    if not header.startswith(SCHEME + " "):
        raise Unauthorized(
            "investigator endpoints need a signed request (Authorization: Envelope ...) "
            "by a key accredited as investigator"
        )
    return verify_signed_request(request, ledger, body, _Investigators(ledger.credentials))


InvestigatorDep = Annotated[str, Depends(require_investigator)]


@router.post(
    "/v1/checkins",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="A possession check-in: the worker's presentation + the verifier's signed check-in",
)
def submit_checkin(ledger: LedgerDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """Body: ``{"presentation": {...}}`` or ``{"qr": "LPL1:..."}``, and ``"envelope"``: the
    verifier's envelope of kind ``checkin`` naming the presentation by hash. Every check of
    ``POST /v1/presentations/verify`` must hold (judged at the envelope's ``created``);
    the challenge is consumed. Nothing is stored unless all pass."""
    if not isinstance(body, dict) or "envelope" not in body:
        raise SchemaViolation("the body needs the verifier's envelope", field="envelope")
    rest = {k: v for k, v in body.items() if k != "envelope"}
    accepted = ledger.credentials.check_in(presentation_of(rest), body["envelope"])
    response.headers["Location"] = f"/v1/checkins/{accepted.record_id}"
    return {
        "id": accepted.record_id,
        "leaf": accepted.leaf,
        "status": accepted.status,
        "documentMatches": accepted.document_matches,
        "facility": accepted.facility,
    }


@router.get(
    "/v1/checkins/{record_id}",
    responses=PROBLEM_RESPONSES,
    summary="A check-in's public view (no worker, device or signal) and its anchoring state",
)
def read_checkin(ledger: LedgerDep, record_id: str) -> dict[str, Any]:
    return ledger.credentials.checkin(record_id)


@router.get(
    "/v1/investigations/checkins",
    responses=PROBLEM_RESPONSES,
    summary="For accredited investigators: check-ins with their sealed signals, and flags",
)
def read_investigation(
    ledger: LedgerDep,
    investigator: InvestigatorDep,
    since: Annotated[datetime | None, Query(description="RFC 3339; default: all")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    """Signals are sealed to the investigators' key: open them client-side
    (``ledger checkin investigate --key ...``). Flags are never shown anywhere else."""
    return {
        "investigator": investigator,
        **ledger.credentials.investigation(since=since, limit=limit),
    }


@router.get(
    "/v1/facilities/{facility_id}/id-possession",
    responses=PROBLEM_RESPONSES,
    summary="Share of the facility's credentialed workers with a matching check-in in 90 days",
)
def read_possession_rate(ledger: LedgerDep, facility_id: str) -> dict[str, Any]:
    return ledger.credentials.possession_rate(facility_id)
