"""A read-only JSON-RPC endpoint onto the ledger's chain.

With the embedded EVM the chain lives inside this process; ``/rpc`` lets anyone verify a
receipt against it (``ledger verify receipt.json --rpc http://127.0.0.1:8000/rpc``) exactly
as they would against a public node. Only bounded reads are forwarded
(:mod:`ledger.chain.rpc_view`); nothing can be sent. Malformed calls get JSON-RPC errors
with HTTP 200; a body that is not JSON at all gets problem+json.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ledger.chain.rpc_view import ReadOnlyRpc
from ledger.service import Ledger

from ..deps import JsonBody, LedgerDep
from ..ratelimit import RateLimiter, client_of

router = APIRouter(tags=["chain"])


def _view(request: Request, ledger: Ledger) -> ReadOnlyRpc:
    """One view per ledger, kept on the app (its checks are built once)."""
    view: ReadOnlyRpc | None = getattr(request.app.state, "rpc_view", None)
    if view is None or view.client is not ledger.client:
        contracts = [c.address for c in ledger.deployment.contracts.values()]
        view = ReadOnlyRpc(ledger.client, contracts)
        request.app.state.rpc_view = view
    return view


@router.post("/rpc", summary="Read-only JSON-RPC onto the anchoring chain")
def rpc(request: Request, ledger: LedgerDep, body: JsonBody) -> JSONResponse:
    view = _view(request, ledger)
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    calls = view.calls_in(body)
    if limiter is not None and calls > 1:
        # The middleware counted this request as one call; a batch costs one per call.
        limiter.charge("rpc", client_of(request.scope), cost=calls - 1)
    return JSONResponse(view.answer(body))
