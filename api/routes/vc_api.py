"""``POST /credentials/verify``: the W3C VC API verifier, as the W3C test suites call it.

Anyone may verify (it reads nothing and writes nothing), within the ``verifications`` rate
limit and a body of at most ``max_vc_body_bytes``.

Deviation from our problem+json convention, on purpose: the VC API answers a credential
that does not verify with **400** and a JSON body ``{"checks": [], "warnings": [],
"errors": [...]}``, each error a problem details object with our stable ``code`` (and the
failed ``check``). A malformed request body (not JSON, too large or too deep, wrong media
type) is still refused before the route by the usual problem+json handler.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from credentials.errors import IssuerUnresolved
from credentials.verifier import verify_credential
from domain.organisations import Organisations
from ledger.errors import InvalidRecord, VerificationError

from ..deps import JsonBody, LedgerDep, SettingsDep
from ..models import PROBLEM_RESPONSES
from ..vcapi import parse_verify_request, verification_failed, verification_result

router = APIRouter(prefix="/credentials", tags=["vc-api"])

VERIFY_PATH = "/credentials/verify"
LOCAL_DID_WEB_ONLY = (
    "did:web issuers are resolved only from this server's own documents (/orgs/<slug>/did.json); "
    "nothing is fetched from other hosts"
)


@router.post(
    "/verify",
    summary="Verify a W3C Verifiable Credential (VC API): Data Integrity EdDSA proofs",
    responses={
        400: {
            "description": "the credential did not verify: {checks, warnings, errors} as "
            "application/json; a body that is not JSON: problem+json",
            "content": {"application/json": {}, "application/problem+json": {}},
        },
        **{status: PROBLEM_RESPONSES[status] for status in (413, 415, 429)},
    },
)
def verify(body: JsonBody, ledger: LedgerDep, settings: SettingsDep) -> Any:
    """200 ``{"checks": ["proof", "validity"], "warnings": [...], "errors": []}`` when
    every proof (a set or chain too) verifies, one of them is the issuer's, and the
    credential is within its validity period; else 400 with the first failure in
    ``errors``. Options: ``challenge``, ``domain``, ``expectedProofPurpose``, ``checks``.

    A did:web issuer is accepted when it is one this server publishes and a proof was made
    by a did:key its document lists and the registry accredits now for its role."""
    organisations = Organisations(ledger, settings.public_host)
    try:
        request = parse_verify_request(body)
        verification = verify_credential(
            request.credential, request.options, issuer_keys=organisations.issuer_keys
        )
    except IssuerUnresolved as exc:
        return verification_failed(exc, (LOCAL_DID_WEB_ONLY,))
    except (InvalidRecord, VerificationError) as exc:
        return verification_failed(exc)
    return JSONResponse(verification_result(verification, request.requested_checks))
