"""Worker credentials: what issuers need to issue, registration, public status, status changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from credentials.worker import STATUS_TYPE

from ..deps import JsonBody, WorkersDep
from ..models import PROBLEM_RESPONSES
from ..views import to_json

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


@router.get("/issuance", summary="Where credential status lives, and the investigators' keys")
def read_issuance(workers: WorkersDep) -> dict[str, Any]:
    """What ``ledger vc issue-worker`` puts into a credential (``credentialStatus``) and into
    the worker's wallet (the investigator whose key seals the duress signal)."""
    location = workers.status_location()
    return {
        "statusType": STATUS_TYPE,
        "statusChainId": location.chain_id,
        "statusContract": location.contract,
        "investigators": workers.investigators(),
    }


@router.post(
    "",
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Register a worker credential (an issuer-signed envelope of kind `credential`)",
)
def register_credential(workers: WorkersDep, body: JsonBody, response: Response) -> dict[str, Any]:
    """The envelope carries ids, hashes, the holder's did and the commitment, never the
    credential or the document. Its signer must be accredited as an issuer. Admitting it
    also binds the credential to its issuer on chain (relayed by the worker)."""
    accepted = workers.register(body)
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
def change_status(workers: WorkersDep, body: JsonBody) -> dict[str, Any]:
    """Only the credential's issuer may. The record is admitted (and later anchored) first;
    the anchoring worker then relays the change to the CredentialStatus contract with the
    record's id, so the chain shows which signed record caused it."""
    accepted, status = workers.change_status(body)
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
def read_credential(workers: WorkersDep, status_id: str) -> dict[str, Any]:
    view: dict[str, Any] = to_json(workers.credential(status_id))
    return view
