"""The issuer's own VC API issuer service (``ledger vc serve``): one key, one cryptosuite.

    POST /credentials/issue  {"credential": {...}, "options": {...}}
        -> 201 {"verifiableCredential": {...}}

It runs on the issuer's machine, bound to loopback by default: the platform never holds an
author's key. The key lives only in this process (in the route's closure, never in app
state, a response or a log line). With a token (``LEDGER_VC_SERVE_TOKEN``) every request
needs ``Authorization: Bearer <token>``; a non-loopback address requires one.

What it signs: a VC 1.1 or 2.0 credential (:func:`credentials.verifier.check_credential_shape`)
whose ``issuer`` is this key's did (filled in when absent), without a proof yet. A VC 1.1
credential gets the Data Integrity context appended (the VC 1.1 context does not define
``DataIntegrityProof``), as the Data Integrity spec says an issuer SHOULD. Errors are
problem+json with a stable ``code``: 422 for a credential it will not sign, 400 for a
malformed request, 401 without the token.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from credentials.dataintegrity import add_proof
from credentials.loader import CREDENTIALS_CONTEXT_V2, DATA_INTEGRITY_CONTEXT_V2
from credentials.verifier import check_credential_shape, issuer_id
from ledger.errors import SchemaViolation, Unauthorized
from ledger.keys import SigningKey

from .deps import JsonBody
from .models import PROBLEM_RESPONSES
from .problems import install_problem_handlers
from .settings import Settings
from .vcapi import IssueRequest, parse_issue_request

__all__ = ["ISSUE_PATH", "MAX_ISSUE_BODY_BYTES", "create_issuer_app", "prepare_credential"]

ISSUE_PATH = "/credentials/issue"
MAX_ISSUE_BODY_BYTES = 256_000


def prepare_credential(request: IssueRequest, did: str) -> dict[str, Any]:
    """The credential to sign: ``issuer`` checked (or set) to ``did``, contexts completed.

    Raises:
        SchemaViolation: another issuer, or the credential already has a proof.
        CredentialInvalid: not a VC 1.1 or 2.0 credential.
    """
    credential = dict(request.credential)
    if "proof" in credential:
        raise SchemaViolation("the credential already has a proof", field="credential.proof")
    credential.setdefault("issuer", did)
    if issuer_id(credential) != did:
        raise SchemaViolation(
            f"this service issues as {did} only; credential.issuer names another issuer",
            field="credential.issuer",
        )
    check_credential_shape(credential)
    context = credential["@context"]
    contexts = list(context) if isinstance(context, list) else [context]
    if CREDENTIALS_CONTEXT_V2 not in contexts and DATA_INTEGRITY_CONTEXT_V2 not in contexts:
        contexts.append(DATA_INTEGRITY_CONTEXT_V2)
    credential["@context"] = contexts
    return credential


def create_issuer_app(key: SigningKey, suite: str, *, token: str | None = None) -> FastAPI:
    """The issuer service for ``key`` signing with ``suite``; ``token``: required bearer."""
    app = FastAPI(
        title="Labour provenance ledger: VC API issuer",
        version="0.1.0",
        description=f"Issues W3C Verifiable Credentials as {key.did} with {suite}.",
    )
    app.state.settings = Settings(max_body_bytes=MAX_ISSUE_BODY_BYTES, worker=False)
    install_problem_handlers(app)
    router = APIRouter(tags=["vc-api"])

    def authorize(request: Request) -> None:
        if token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("this issuer needs 'Authorization: Bearer <token>'")

    @router.post(
        ISSUE_PATH,
        status_code=201,
        responses=PROBLEM_RESPONSES,
        dependencies=[Depends(authorize)],  # before the body is read
        summary="Issue a Verifiable Credential (VC API)",
    )
    def issue(body: JsonBody) -> JSONResponse:
        """Sign ``credential`` with this service's key and suite. Options: ``created``,
        ``challenge``, ``domain``, ``expires``, ``proofPurpose``, ``cryptosuite`` (must be
        this service's)."""
        parsed = parse_issue_request(body)
        if parsed.options.cryptosuite not in (None, suite):
            raise SchemaViolation(
                f"this service signs with {suite} only", field="options.cryptosuite"
            )
        options = parsed.options
        signed = add_proof(
            prepare_credential(parsed, key.did),
            key,
            suite=suite,
            created=options.created,
            proof_purpose=options.proof_purpose,
            challenge=options.challenge,
            domain=options.domain,
            expires=options.expires,
        )
        return JSONResponse({"verifiableCredential": signed}, status_code=201)

    app.include_router(router)
    return app
