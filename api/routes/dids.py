"""did:web documents of the organisations this server publishes.

``did:web:<LEDGER_PUBLIC_HOST>:orgs:<slug>`` resolves (did:web spec) to
``https://<LEDGER_PUBLIC_HOST>/orgs/<slug>/did.json``, served here: the organisation's
did:keys accredited now for its role, as Multikey verification methods, and nothing else.
``/.well-known/did.json`` (a bare ``did:web:<host>``) stays the operator's: the operator
signs with no Ed25519 key, so it is not served.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.organisations import ORGS_PATH, Organisations

from ..deps import LedgerDep, SettingsDep
from ..models import PROBLEM_RESPONSES

router = APIRouter(tags=["did:web"])


@router.get(
    f"/{ORGS_PATH}/{{slug}}/did.json",
    responses={200: {"content": {"application/did+json": {}}}, 404: PROBLEM_RESPONSES[404]},
    summary="An organisation's did:web document (its accredited did:keys)",
)
def read_did_document(slug: str, ledger: LedgerDep, settings: SettingsDep) -> JSONResponse:
    """404 problem+json (``not_found``) for an unknown slug or one with no key accredited
    now."""
    document = Organisations(ledger, settings.public_host).document(slug)
    return JSONResponse(
        document,
        media_type="application/did+json",
        headers={"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"},
    )
