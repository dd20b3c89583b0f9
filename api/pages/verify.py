"""The verify page: a receipt, a worker's QR or a credential, checked where the user is.

A receipt's checks run in the browser (``static/js/verify.mjs``) with the independent
verifier's own code (``tools/independent-verifier/receipt-checks.mjs``, vendored), over an
RPC endpoint and against a deployment the user may change; this server's verdict
(``POST /v1/receipts/verify``) is shown beside it, and a disagreement loudly. A worker's QR
is read in the page (jsQR, from a photo or the camera) and checked by
``POST /v1/presentations/verify``; a credential by what ``GET /v1/credentials/{statusId}``
holds about it.

This page alone may connect to another origin: the RPC endpoint is the user's choice, so its
``connect-src`` admits any https origin and a node on this machine; everything else is as
strict as every other page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..deps import LedgerDep
from .i18n import EN, translator
from .render import CSP, language_of, page

__all__ = ["VERIFY_CSP", "router"]

router = APIRouter(include_in_schema=False)

VERIFY_CSP = CSP.replace(
    "connect-src 'self'", "connect-src 'self' https: http://127.0.0.1:* http://localhost:*"
)
assert VERIFY_CSP != CSP

# Strings the page's script shows (checks, verdicts), handed to it in a data attribute.
SCRIPT_STRINGS = sorted(k for k in EN if k.startswith(("verify.js.", "check.")))


@router.get("/verify", response_class=HTMLResponse)
def verify(request: Request, ledger: LedgerDep) -> HTMLResponse:
    t = translator(language_of(request))
    response = page(
        request, "verify.html", rpc_url=f"{str(request.base_url).rstrip('/')}/rpc",
        contract=ledger.deployment.address("ProvenanceAnchor"),
        chain_id=ledger.deployment.chain_id, genesis=ledger.deployment.genesis_hash or "",
        strings={key: t(key) for key in SCRIPT_STRINGS},
    )  # fmt: skip
    response.headers["Content-Security-Policy"] = VERIFY_CSP
    return response
