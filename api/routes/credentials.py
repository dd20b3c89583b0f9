"""Worker credentials: what issuers need to issue, registration, public status, status changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from credentials.worker import STATUS_TYPE

from ..deps import JsonBody, LedgerDep
from ..models import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


@router.get("/issuance", summary="Where credential status lives, and the investigators' keys")
def read_issuance(ledger: LedgerDep) -> dict[str, Any]:
    """What ``ledger vc issue-worker`` puts into a credential (``credentialStatus``) and into
    the worker's wallet (the investigator whose key seals the duress signal)."""
    location = ledger.credentials.status_location()
    return {
        "statusType": STATUS_TYPE,
        "statusChainId": location.chain_id,
        "statusContract": location.contract,
        "investigators": ledger.credentials.investigators(),
    }


@router.post(
    "",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Register a worker credential (an issuer-signed envelope of kind `credential`)",
)
def register_credential(ledger: LedgerDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """The envelope carries ids, hashes, the holder's did and the commitment, never the
    credential or the document. Its signer must be accredited as an issuer."""
    accepted = ledger.credentials.register(body)
    status_id = body["payload"]["statusId"]
    response.headers["Location"] = f"/v1/credentials/{status_id}"
    return {
        "id": accepted.record_id,
        "leaf": accepted.leaf,
        "status": accepted.status,
        "statusId": status_id,
    }


@router.post(
    "/status",
    responses=PROBLEM_RESPONSES,
    summary="Suspend, revoke or reinstate a credential (envelope of kind `credential_status`)",
)
def change_status(ledger: LedgerDep, body: JsonBody) -> dict[str, Any]:
    """Only the credential's issuer may; the change is written to the CredentialStatus
    contract before the request is recorded (and anchored)."""
    accepted, status = ledger.credentials.change_status(body)
    return {
        "id": accepted.record_id,
        "leaf": accepted.leaf,
        "status": accepted.status,
        "statusId": body["payload"]["statusId"],
        "credentialStatus": status,
    }


@router.get(
    "/{status_id}",
    responses=PROBLEM_RESPONSES,
    summary="A registered credential: issuer, validity, facility and status from the chain",
)
def read_credential(ledger: LedgerDep, status_id: str) -> dict[str, Any]:
    return ledger.credentials.credential(status_id)
